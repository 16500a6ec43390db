"""For every fixture household, every source, every member: the findings over real HTTP
match what the fixture says they should be."""

from __future__ import annotations

import pytest

from connectors.base.dates import add_months, iso_month, today
from connectors.sandbox import fixtures
from connectors.testing import run_operator

SOURCES = (
    "hukou", "residence_permit", "marriage", "subsistence", "family_assets", "social_insurance",
    "medical_insurance", "housing_fund", "real_estate", "housing_contracts", "vehicles", "business", "tax",
    "disability",
)
CASES = [(h["key"], s) for h in fixtures.households() for s in SOURCES]


def month_start_ago(months: int) -> str:
    """The first day of the month ``months`` before the current one, ISO."""
    return f"{add_months(iso_month(today()), -months)}-01"


def matches(expected, actual) -> bool:
    """Fixture expectations: a plain value, or ``{"gte": n}``, ``{"eq": v}``, ``{"len": n}``,
    ``{"months_ago": n}`` (the first day of the month n months back)."""
    if isinstance(expected, dict) and expected and set(expected) <= {"gte", "eq", "len", "months_ago"}:
        if "gte" in expected:
            return actual is not None and actual >= expected["gte"]
        if "len" in expected:
            return len(actual) == expected["len"]
        if "months_ago" in expected:
            return actual == month_start_ago(expected["months_ago"])
        return actual == expected["eq"]
    return expected == actual


@pytest.mark.parametrize(("household", "source"), CASES, ids=[f"{h}-{s}" for h, s in CASES])
def test_findings_match_the_fixture(sandbox_url, settings, household, source):
    members = fixtures.declared_members(household)
    result = run_operator(f"{source}/check", {"members": members}, settings)
    expected = fixtures.household(household)["expected"]["members"]
    assert [m["id_number"] for m in result["members"]] == [m["id_number"] for m in members]
    for finding in result["members"]:
        want = expected[finding["id_number"]][source]
        label = f"{household}/{source}/{finding['name']}"
        assert finding["found"] == want["found"], f"{label}: found {finding['found']} ({finding['summary']})"
        assert finding["verdict"] == want["verdict"], f"{label}: verdict {finding['verdict']} ({finding['summary']})"
        for key, value in want["facts"].items():
            assert matches(value, finding["facts"][key]), f"{label}: {key} = {finding['facts'][key]!r}, want {value}"


def test_every_member_has_an_expectation_for_every_source():
    for household in fixtures.households():
        for member in household["declared"]["members"]:
            assert set(household["expected"]["members"][member["id_number"]]) == set(SOURCES), household["key"]


def test_undeclared_spouse_is_flagged_by_marriage_and_family_links(settings):
    members = fixtures.declared_members("undeclared_spouse")
    spouse = fixtures.household("undeclared_spouse")["undeclared"][0]["id_number"]
    marriage = run_operator("marriage/check", {"members": members}, settings)["members"][0]
    assert marriage["verdict"] == "fail" and marriage["facts"]["spouse_id_number"] == spouse
    assert marriage["facts"]["spouse_declared"] is False
    assert spouse not in marriage["summary"]  # the summary shows the ID number masked
    medical = run_operator("medical_insurance/check", {"members": members}, settings)["members"][0]
    assert medical["facts"]["undeclared_family_links"] == [spouse]
    declaring_him = members + [{"id_number": spouse, "name": "何军", "relation": "spouse"}]
    again = run_operator("marriage/check", {"members": declaring_him}, settings)["members"][0]
    assert again["verdict"] == "pass" and again["facts"]["spouse_declared"] is True


def test_a_name_that_does_not_match_the_id_number_fails_identity_checks(settings):
    member = dict(fixtures.declared_members("eligible_single")[0], name="陈晓冬")
    hukou = run_operator("hukou/check", {"members": [member]}, settings)["members"][0]
    assert hukou["verdict"] == "fail" and hukou["facts"]["name_matched"] is False
    medical = run_operator("medical_insurance/check", {"members": [member]}, settings)["members"][0]
    assert medical["found"] is True and medical["verdict"] == "fail"
    assert medical["facts"]["identity_matched"] is False


def test_someone_no_source_knows_is_not_found_everywhere(settings):
    stranger = [{"id_number": "11010519491231002X", "name": "王小明", "relation": "applicant"}]
    for source in SOURCES:
        result = run_operator(f"{source}/check", {"members": stranger}, settings)
        assert result["members"][0]["found"] is False, source


def test_limits_given_as_parameters_turn_info_into_pass_or_fail(settings):
    members = fixtures.declared_members("vehicle_over_limit")
    over = run_operator("vehicles/check", {"members": members, "price_limit": 150000}, settings)
    assert [m["verdict"] for m in over["members"]] == ["fail", "pass"]
    nuclear = fixtures.declared_members("eligible_nuclear")
    under = run_operator("vehicles/check", {"members": nuclear, "price_limit": 150000}, settings)
    assert under["members"][0]["verdict"] == "pass"
    owner = fixtures.declared_members("business_owner")
    assert run_operator("business/check", {"members": owner, "capital_limit": 500000}, settings)[
        "members"][0]["verdict"] == "fail"
    assert run_operator("business/check", {"members": owner, "capital_limit": 2000000}, settings)[
        "members"][0]["verdict"] == "pass"


def test_the_window_parameter_changes_what_is_counted(settings):
    members = fixtures.declared_members("yibao_gap")
    six = run_operator("medical_insurance/check", {"members": members, "months": 4}, settings)["members"][0]
    assert six["facts"]["months_paid"] == 4 and six["facts"]["gap_months"] == 0 and six["verdict"] == "pass"
    fund = run_operator("housing_fund/check", {"members": members, "months": 24}, settings)["members"][0]
    assert fund["facts"]["months_deposited"] == 21
    tax = run_operator("tax/check", {"members": members, "months": 3}, settings)["members"][0]
    assert tax["facts"]["months_taxed"] == 3


def test_hukou_city_parameter_decides_what_is_local(settings):
    members = fixtures.declared_members("new_citizen_permit")
    result = run_operator("hukou/check", {"members": members, "city": "南充市"}, settings)
    assert result["members"][0]["facts"]["local_hukou"] is True


def test_the_yibao_gap_shows_when_insurance_was_suspended(settings):
    result = run_operator("medical_insurance/check", {"members": fixtures.declared_members("yibao_gap")}, settings)
    [member] = result["members"]
    assert member["facts"]["suspended_on"] == month_start_ago(7)  # left the old employer: the gap's first month
    assert (member["facts"]["insured"], member["facts"]["insurance_status"]) == (True, "active")  # resumed since
    assert f"{month_start_ago(7)}曾暂停参保" in member["summary"]
    [answer] = [e["answer"] for e in result["evidence"] if e["request"] == "1101"]
    assert answer["output"]["insuinfo"][0]["paus_insu_date"] == month_start_ago(7)  # the platform's own field


def test_nobody_else_in_the_fixtures_was_ever_suspended(settings):
    for household in fixtures.keys():
        if household == "yibao_gap":
            continue
        result = run_operator("medical_insurance/check", {"members": fixtures.declared_members(household)}, settings)
        assert [m["facts"]["suspended_on"] for m in result["members"]] == [None] * len(result["members"]), household
