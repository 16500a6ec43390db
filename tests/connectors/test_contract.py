"""The contract kit, run over every registered connector."""

from __future__ import annotations

import pytest

from app.engine.operators import load_operators
from connectors.base import CONNECTORS
from connectors.testing.contract import CHECKS, TOKEN_CHECKS, ContractKit, applicable_checks, uses_token

load_operators()
CASES = [(name, check) for name in sorted(CONNECTORS) for check in applicable_checks(CONNECTORS[name])]


@pytest.fixture(scope="module")
def kit(sandbox):
    return ContractKit(sandbox[0])


@pytest.mark.parametrize(("connector", "check"), CASES, ids=[f"{c}-{k}" for c, k in CASES])
def test_connector_honours_the_contract(kit, connector, check):
    kit.run(check, CONNECTORS[connector])


def test_every_connector_is_covered():
    assert len(CONNECTORS) >= 17


def test_every_connector_meets_every_fault_its_scheme_can_have():
    faults = {"retries", "timeout", "malformed", "latency", "signature", "expired_token"}
    for name, cls in CONNECTORS.items():
        checks = set(applicable_checks(cls))
        assert faults <= checks, name
        assert (set(TOKEN_CHECKS) <= checks) == uses_token(cls), name
    assert set(CHECKS) == {c for _, c in CASES}
    token_connectors = {n for n, c in CONNECTORS.items() if uses_token(c)}
    assert {"marriage", "subsistence", "housing_fund", "allocation_system", "family_assets", "real_estate",
            "housing_contracts", "publication_platform"} <= token_connectors


def test_the_kit_catches_a_connector_that_does_not_retry_malformed_answers(kit, monkeypatch):
    from connectors.base.http import HttpClient

    original = HttpClient.exchange

    def no_retries(self, *args, **kwargs):
        self.config = type(self.config)(**{**self.config.__dict__, "retries": 0})
        return original(self, *args, **kwargs)

    monkeypatch.setattr(HttpClient, "exchange", no_retries)
    with pytest.raises(AssertionError, match="2 malformed answers were not survived: MalformedResponse"):
        kit.run("malformed", CONNECTORS["tax"])


def test_the_kit_catches_a_connector_that_leaks_evidence(kit, monkeypatch):
    cls = CONNECTORS["hukou"]
    monkeypatch.setattr(cls, "mask_evidence", lambda self, value: value)
    with pytest.raises(AssertionError, match="unmasked"):
        kit.run("evidence_masking", cls)


def test_the_kit_catches_a_connector_that_forwards_undeclared_parameters(kit, monkeypatch):
    cls = CONNECTORS["vehicles"]
    original = cls.query_member

    def leaky(self, call, member, params):
        call.post("/api/v1/jdc/query", {"sfzmhm": member["id_number"], "case": params}, label="leak")
        return original(self, call, member, params)

    monkeypatch.setattr(cls, "run", lambda self, op, params, ctx: cls.check(self, dict(params), _call(self, ctx)))
    monkeypatch.setattr(cls, "query_member", leaky)
    with pytest.raises(AssertionError, match="undeclared parameter"):
        kit.run("declared_params_only", cls)


def _call(connector, ctx):
    from connectors.base.call import Call

    return Call(connector, ctx)
