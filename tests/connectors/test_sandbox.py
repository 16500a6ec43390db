"""The sandbox server itself: systems, admin endpoints, refusals of unsigned requests, the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from connectors.base import CONNECTORS
from connectors.sandbox.faults import parse_header
from connectors.sandbox.server import _fault_arg, create_app


def test_every_connector_has_a_sandbox_system_with_its_scheme(admin):
    systems = {s["name"]: s for s in admin.systems()}
    for name, cls in CONNECTORS.items():
        assert name in systems, name
        assert systems[name]["prefix"] == cls.sandbox_prefix and systems[name]["scheme"] == cls.signing, name
    assert len({s["prefix"] for s in systems.values()}) == len(systems)
    assert len(systems) >= 17


@pytest.mark.parametrize("name", ["hukou", "marriage", "social_insurance", "tax", "real_estate", "sms"])
def test_an_unsigned_request_is_refused_as_the_platform_would(sandbox_url, name):
    prefix = CONNECTORS[name].sandbox_prefix
    answer = requests.get(f"{sandbox_url}{prefix}/ping", timeout=5)
    refused = answer.json()
    assert answer.status_code in (200, 401, 403)
    assert any(k in refused for k in ("code", "errcode", "retCode", "error"))
    assert refused.get("code") not in ("0000", "00", 200)


def test_admin_endpoints_validate_what_they_are_given(sandbox_url, admin):
    bad = requests.post(f"{sandbox_url}/__sandbox/faults", json={"source": "hukou", "fault": "fire"}, timeout=5)
    assert bad.status_code == 400 and "unknown fault" in bad.json()["error"]
    unknown = requests.post(f"{sandbox_url}/__sandbox/faults", json={"source": "nowhere", "fault": "5xx"}, timeout=5)
    assert unknown.status_code == 400
    admin.inject("tax", "latency", times=3, seconds=0.1)
    assert admin.faults() == {"tax": [{"fault": "latency", "times": 3, "seconds": 0.1, "scope": "data"}]}
    admin.clear_faults("tax")
    assert admin.faults() == {}


def test_households_are_listed_for_demos(sandbox_url):
    listed = requests.get(f"{sandbox_url}/__sandbox/households", timeout=5).json()
    assert {h["key"] for h in listed} >= {"eligible_single", "over_income", "yibao_gap"}


def test_unknown_paths_answer_404(sandbox_url):
    assert requests.get(f"{sandbox_url}/nowhere", timeout=5).status_code == 404


def test_reset_forgets_tokens_and_faults(sandbox_url, admin, settings):
    from connectors.sandbox.fixtures import declared_members
    from connectors.testing import run_operator

    run_operator("marriage/check", {"members": declared_members("eligible_single")}, settings)
    admin.inject("marriage", "5xx", times=None)
    admin.reset()
    assert admin.faults() == {} and admin.requests() == []
    # the cached request secret is now unknown to the platform: the connector refreshes it once
    run_operator("marriage/check", {"members": declared_members("eligible_single")}, settings)
    assert [r["route"] for r in admin.requests("marriage")][:2] == ["/api/hydj/query", "/refreshTokenByKey"]


def test_fault_header_and_cli_fault_parsing():
    fault = parse_header("latency;seconds=0.3")
    assert (fault.fault, fault.seconds, fault.scope) == ("latency", 0.3, "data")
    assert parse_header("5xx;scope=token").scope == "token"
    assert parse_header("5xx;scope=nowhere").scope == "data"
    assert parse_header("fire") is None and parse_header(None) is None
    assert _fault_arg("hukou=5xx:2") == ("hukou", {"fault": "5xx", "times": 2, "scope": "data"})
    assert _fault_arg("tax=timeout") == ("tax", {"fault": "timeout", "times": None, "scope": "data"})
    assert _fault_arg("marriage=5xx:2@token") == ("marriage", {"fault": "5xx", "times": 2, "scope": "token"})


def test_create_app_accepts_a_plain_dict_config():
    app = create_app({"hang_seconds": 0.5, "faults": {"sms": {"fault": "5xx", "times": 1}}})
    assert app.extensions["sandbox"].faults() == {"sms": [{"fault": "5xx", "times": 1, "seconds": None,
                                                           "scope": "data"}]}


def test_an_unknown_fault_scope_is_refused(admin):
    with pytest.raises(requests.HTTPError):
        admin.inject("marriage", "5xx", scope="everywhere")
    assert admin.faults() == {}


def test_the_cli_command_exists():
    result = subprocess.run([sys.executable, "-m", "connectors.sandbox", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and "--port" in result.stdout and "--fault" in result.stdout
