"""Credentials: named sets of secrets, read from the environment, never from a diagram.

A connector's settings name a credential (``credential: "GJJ_CQ"``); its fields come from
``HOUSING_CONNECTOR_CRED_<NAME>_<FIELD>`` or from the file named by
``HOUSING_CONNECTOR_CRED_<NAME>_<FIELD>_FILE`` (for example
``HOUSING_CONNECTOR_CRED_GJJ_CQ_APP_SECRET_FILE=/run/secrets/gjj``).

The ``sandbox_<connector>`` credentials are fixed demo values shared with the sandbox: each
connector declares its own as ``demo_credential``. A connector uses them when nothing else is
configured, except in production (the default unless ``HOUSING_ENV=development``), where a demo
credential is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from connectors.errors import CONNECTOR_MISCONFIGURED, connector_error

CRED_PREFIX = "HOUSING_CONNECTOR_CRED_"

#: Demo credentials by credential name; each connector adds its own ``sandbox_<name>`` entry
#: (its ``demo_credential``) when it registers, and the sandbox accepts exactly these.
DEMO_CREDENTIALS: dict[str, dict[str, str]] = {}


def register_demo_credential(name: str, values: Mapping[str, str]) -> None:
    """Add a demo credential (a second, different one under the same name is an error)."""
    existing = DEMO_CREDENTIALS.get(name)
    if existing is not None and existing != dict(values):
        raise ValueError(f"demo credential {name!r} is defined twice")
    DEMO_CREDENTIALS[name] = dict(values)


def env_token(name: str) -> str:
    """A name as it appears inside an environment variable: ``gjj-cq`` → ``GJJ_CQ``."""
    return re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").upper()


def load_credential(name: str, extra: Mapping[str, str], *, production: bool = False) -> dict[str, str]:
    """The fields of credential ``name`` from ``HOUSING_CONNECTOR_CRED_*`` settings.

    Outside production a demo credential of the same name fills the fields not configured.
    """
    prefix = f"{CRED_PREFIX}{env_token(name)}_"
    direct: dict[str, str] = {}
    from_files: dict[str, str] = {}
    for key, raw in extra.items():
        if not key.startswith(prefix):
            continue
        field = key[len(prefix) :].lower()
        if field.endswith("_file"):
            try:
                from_files[field[:-5]] = Path(raw).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise connector_error(
                    CONNECTOR_MISCONFIGURED, f"{key}: cannot read {raw!r}: {exc.strerror}", credential=name
                ) from exc
        else:
            direct[field] = raw
    values = {**from_files, **direct}
    demo = DEMO_CREDENTIALS.get(name)
    if demo and not production:
        values = {**demo, **values}
    return values


def require_fields(name: str, values: Mapping[str, str], fields: tuple[str, ...], *, production: bool) -> None:
    """Raise ``ConnectorMisconfigured`` naming every missing field's variable."""
    missing = [f for f in fields if not values.get(f)]
    if not missing:
        return
    variables = ", ".join(f"{CRED_PREFIX}{env_token(name)}_{f.upper()}" for f in missing)
    hint = " (demo credentials are refused in production)" if production and name in DEMO_CREDENTIALS else ""
    raise connector_error(
        CONNECTOR_MISCONFIGURED, f"credential {name!r} lacks {variables}{hint}", credential=name, missing=missing
    )
