"""The connector SDK: base classes, the registry decorator, settings, the HTTP machinery.

Write a connector as one module under ``connectors/`` (see docs/connectors.md)::

    from connectors.base import SourceConnector, Finding, register_connector, fact, PASS, INFO

    @register_connector
    class EducationConnector(SourceConnector):
        name = "education"
        ...
"""

from connectors.base.call import Call
from connectors.base.config import ConnectorConfig
from connectors.base.connector import Connector, OperationSpec, operation
from connectors.base.envelope import Envelope
from connectors.base.registry import (
    CONNECTORS,
    DuplicateConnectorError,
    NoApplicationSettings,
    connector_for,
    current_settings,
    forget_instances,
    register_connector,
)
from connectors.base.source import (
    FAIL,
    INFO,
    PASS,
    RELATIONS,
    Finding,
    MemberSchema,
    SourceConnector,
    SourceParams,
    WindowParams,
    declared_ids,
    fact,
)
from connectors.errors import ERROR_CODES

__all__ = [
    "CONNECTORS",
    "ERROR_CODES",
    "FAIL",
    "INFO",
    "PASS",
    "RELATIONS",
    "Call",
    "Connector",
    "ConnectorConfig",
    "DuplicateConnectorError",
    "NoApplicationSettings",
    "Envelope",
    "Finding",
    "MemberSchema",
    "OperationSpec",
    "SourceConnector",
    "SourceParams",
    "WindowParams",
    "connector_for",
    "current_settings",
    "declared_ids",
    "fact",
    "forget_instances",
    "operation",
    "register_connector",
]
