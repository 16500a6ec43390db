"""The connector registry: decorator registration, duplicates, operators for the modeler."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from marshmallow import Schema, fields

from app.engine import operators as engine_operators
from app.engine.operators import load_operators, registry
from connectors.base import CONNECTORS, Connector, DuplicateConnectorError, operation, register_connector
from connectors.base.outbound import ReceiptSchema

SOURCES = {"hukou", "residence_permit", "marriage", "subsistence", "family_assets", "social_insurance",
           "medical_insurance", "housing_fund", "real_estate", "housing_contracts", "vehicles", "business", "tax",
           "disability"}
OUTBOUND = {"sms/send", "publication_platform/publish", "publication_platform/close", "allocation_system/push"}


class _Params(Schema):
    value = fields.String()


def test_every_source_and_outbound_operation_is_registered_for_the_modeler():
    load_operators()
    names = {op.name for op in registry.all() if op.kind == "connector"}
    assert {f"{s}/check" for s in SOURCES} | OUTBOUND <= names
    for name in names:
        op = registry.get(name)
        described = op.describe()
        assert described["kind"] == "connector" and described["parameters"]["properties"], name
        assert op.health_check is not None and op.timeout > 0 and op.retry.max_attempts > 1, name
        assert described["result"]["properties"], name


def test_source_operations_describe_members_with_their_relations():
    load_operators()
    params = registry.get("housing_fund/check").describe()["parameters"]
    assert params["required"] == ["members"]
    member = params["properties"]["members"]["items"]
    assert member["required"] == ["id_number", "name", "relation"]
    assert member["properties"]["relation"]["enum"] == ["applicant", "spouse", "child", "parent", "co_applicant",
                                                         "other"]
    assert params["properties"]["months"]["type"] == "integer"
    facts = registry.get("housing_fund/check").describe()["result"]["properties"]["members"]["items"]
    assert "accounts" in facts["properties"]["facts"]["properties"]


def test_a_duplicate_connector_name_fails_at_registration():
    load_operators()
    before = len(registry.all())
    with pytest.raises(DuplicateConnectorError, match="hukou"):

        @register_connector
        class AnotherHukou(Connector):
            name = "hukou"
            title = "重复"

            @operation("check", params=_Params, result=ReceiptSchema)
            def check(self, params, call):
                return {}

    assert len(registry.all()) == before and CONNECTORS["hukou"].__name__ == "HukouConnector"


@pytest.mark.parametrize("field", ["app_secret", "password", "client_credential", "private_key"])
def test_a_secret_cannot_be_an_operation_parameter(field):
    params = Schema.from_dict({field: fields.String()})
    with pytest.raises(ValueError, match="secrets come from settings"):

        @register_connector
        class Leaky(Connector):
            name = "leaky_example"
            title = "示例"

            @operation("send", params=params, result=ReceiptSchema)
            def send(self, params, call):
                return {}

    assert "leaky_example" not in CONNECTORS and "leaky_example/send" not in registry


def test_a_connector_name_must_be_snake_case():
    with pytest.raises(ValueError, match="snake_case"):

        @register_connector
        class Bad(Connector):
            name = "Bad-Name"
            title = "示例"


MODULE = '''
"""An example data source added as one module."""
from marshmallow import Schema, fields
from connectors.base import INFO, Finding, SourceConnector, fact, register_connector


class ExampleFacts(Schema):
    registered = fact(fields.Boolean, "known to the example platform", load_default=False)


@register_connector
class ExampleConnector(SourceConnector):
    name = "zz_example"
    title = "示例数据源"
    sandbox_prefix = "/example"
    Facts = ExampleFacts

    def query_member(self, call, member, params):
        return self.not_found()

    def judge(self, member, finding, params, members):
        return INFO, "示例。"
'''


def test_a_connector_added_as_one_module_shows_up_without_touching_app(tmp_path, monkeypatch):
    import connectors

    package = tmp_path / "more"
    package.mkdir()
    (package / "zz_example.py").write_text(textwrap.dedent(MODULE), encoding="utf-8")
    load_operators()
    monkeypatch.setattr(connectors, "__path__", [*connectors.__path__, str(package)])
    monkeypatch.setattr(engine_operators, "_loaded", False)
    try:
        load_operators()
        op = registry.get("zz_example/check")
        described = op.describe()
        assert described["kind"] == "connector"
        assert "members" in described["parameters"]["properties"]
        assert "registered" in str(described["result"])
    finally:
        registry.unregister("zz_example/check")
        CONNECTORS.pop("zz_example", None)
        sys.modules.pop("connectors.zz_example", None)


def test_importing_connectors_touches_no_network_and_reads_no_environment():
    code = textwrap.dedent("""
        import os, socket
        def refuse(*args, **kwargs):
            raise AssertionError("network touched at import")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        os.environ["HOUSING_CONNECTOR_HUKOU_TIMEOUT"] = "not-a-number"
        os.environ["HOUSING_CONNECTOR_DEFAULT_NO_SUCH_KEY"] = "x"
        from app.engine.operators import load_operators
        names = [op.name for op in load_operators().all() if op.kind == "connector"]
        print(len(names))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 18
