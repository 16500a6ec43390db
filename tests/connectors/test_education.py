"""The connector added by following docs/connectors.md: its findings, its contract, its operator."""

from __future__ import annotations

import pytest

from app.engine.operators import load_operators, registry
from connectors.sandbox import fixtures
from connectors.sources.education import EducationConnector
from connectors.testing import run_operator
from connectors.testing.contract import ContractKit, applicable_checks


@pytest.mark.parametrize("check", applicable_checks(EducationConnector))
def test_education_honours_the_contract(sandbox_url, check):
    ContractKit(sandbox_url).run(check, EducationConnector)


def test_education_findings_match_the_fixtures(settings):
    nuclear = fixtures.declared_members("eligible_nuclear")
    members = fixtures.declared_members("new_citizen_permit") + fixtures.declared_members("multi_gjj_accounts")
    result = run_operator("education/check", {"members": members + nuclear[:1], "within_years": 10}, settings)
    li_na, wang_lei, liu = result["members"]
    assert (li_na["verdict"], li_na["facts"]["highest_level"], li_na["facts"]["graduated_on"]) == (
        "pass", "bachelor", "2020-06-30")
    assert wang_lei["verdict"] == "info" and wang_lei["facts"]["years_since_graduation"] >= 12
    assert (liu["found"], liu["verdict"], liu["facts"]["has_degree"]) == (False, "info", False)


def test_education_shows_up_for_the_modeler_without_touching_app():
    load_operators()
    described = registry.get("education/check").describe()
    assert described["kind"] == "connector"
    assert set(described["parameters"]["properties"]) == {"members", "within_years"}
    facts = described["result"]["properties"]["members"]["items"]["properties"]["facts"]["properties"]
    assert "graduated_on" in facts and facts["graduated_on"]["format"] == "date"
