"""Credentials: named sets of secrets, read from the environment, never from a diagram.

A connector's settings name a credential (``credential: "GJJ_CQ"``); its fields come from
``HOUSING_CONNECTOR_CRED_<NAME>_<FIELD>`` or from the file named by
``HOUSING_CONNECTOR_CRED_<NAME>_<FIELD>_FILE`` (for example
``HOUSING_CONNECTOR_CRED_GJJ_CQ_APP_SECRET_FILE=/run/secrets/gjj``).

The ``sandbox_<connector>`` credentials below are fixed demo values shared with the sandbox
(``connectors/sandbox``). A connector uses them when nothing else is configured, except in
production (``HOUSING_ENV=production``), where a demo credential is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from connectors.errors import CONNECTOR_MISCONFIGURED, connector_error

CRED_PREFIX = "HOUSING_CONNECTOR_CRED_"

#: SM2 demo key pairs (private, public x||y) for the two 国密 platforms.
_SM2_MEDICAL = (
    "17C1BC6E48CBF5247A7D6666F3EBDFDCA1FDB1412E26D1F33AC55555EB3B9B0C",
    "7e924a8b8e217f17c30c8403cd35e8d5daf9e889bf67dee523f1f2884457f1b5"
    "f71fedd49efebe26a1c0eff15e3f41e4ef514838a70db3c55f69a4b007115257",
)
_SM2_TAX = (
    "BA197BA84BEF56C72D8968628060E07C1262ECCD8CDD087649E4276F32C688D6",
    "df85edd7d36b27012794217d31155ae83dcc29a953492cedef1e442696080877"
    "5d2f920afd5c08d32b9b92af5bde7c506aaa86db1b2d6379cb57fecf1c979eaf",
)

#: Demo credentials, one per sandbox system, by credential name.
DEMO_CREDENTIALS: dict[str, dict[str, str]] = {
    "sandbox_hukou": {"app_key": "HJ-DEMO-APP", "app_secret": "4d55a71670514136eae9bb53"},
    "sandbox_residence_permit": {"app_key": "JZZ-DEMO-APP", "app_secret": "276f34a77c005d89e2bb3d46"},
    "sandbox_marriage": {"app_key": "MZ-HY-DEMO", "app_secret": "4d7e4a34bb4d34a92dc976fa"},
    "sandbox_subsistence": {"app_key": "MZ-DB-DEMO", "app_secret": "7dafc32b4f40403d0374be6a"},
    "sandbox_family_assets": {"client_id": "hdzx-demo-client", "client_secret": "028564f76eec687c0d3ce7a3"},
    "sandbox_social_insurance": {"paas_id": "renshe_demo", "paas_token": "29aac5debd92861ffe4347c7"},
    "sandbox_medical_insurance": {
        "app_id": "YB-DEMO-APP",
        "private_key": _SM2_MEDICAL[0],
        "public_key": _SM2_MEDICAL[1],
    },
    "sandbox_housing_fund": {"app_key": "GJJ-DEMO-APP", "app_secret": "f2424feafefa7ef573b2e56a"},
    "sandbox_real_estate": {"client_id": "bdc-demo-client", "client_secret": "dfc2ba453ff870e56bf019e1"},
    "sandbox_housing_contracts": {"client_id": "zj-demo-client", "client_secret": "f3b717f18e70f1ab62bbeef2"},
    "sandbox_vehicles": {"app_key": "JG-DEMO-APP", "app_secret": "d8d3d156363a77b3bce83483"},
    "sandbox_business": {"paas_id": "scjg_demo", "paas_token": "78e32346f94aff89572bdc29"},
    "sandbox_tax": {"app_id": "SW-DEMO-APP", "private_key": _SM2_TAX[0], "public_key": _SM2_TAX[1]},
    "sandbox_disability": {"paas_id": "canlian_demo", "paas_token": "e7a5d1b2935e0e8720a4a2a4"},
    "sandbox_sms": {"app_key": "SMS-DEMO-APP", "app_secret": "2c2d4769758a78fc2e2b797f"},
    "sandbox_publication_platform": {"client_id": "gs-demo-client", "client_secret": "aef5845a048720fefd596be8"},
    "sandbox_allocation_system": {"app_key": "PZ-DEMO-APP", "app_secret": "524837aefbea9224cebab6fc"},
}


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
