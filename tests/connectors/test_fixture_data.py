"""The fixture file is clean: valid ID numbers, consistent households, outcomes inside the lines."""

from __future__ import annotations

import re

import pytest

from connectors.base.identity import birth_date_of, is_valid_id_number, sex_of
from connectors.sandbox import fixtures

REQUIRED_KEYS = {"eligible_single", "eligible_nuclear", "multi_generation", "over_income", "owns_property",
                 "undeclared_spouse", "vehicle_over_limit", "business_owner", "dibao_priority", "disabled_member",
                 "new_citizen_permit", "multi_gjj_accounts", "yibao_gap"}
HOUSEHOLDS = fixtures.households()
POLICY = fixtures.document()["policy"]


def income_line(size: int) -> int:
    lines = POLICY["income_line_per_person_month"]
    return lines["1"] if size == 1 else lines["2"] if size == 2 else lines["3+"]


def test_every_required_household_is_there_with_a_stable_key():
    assert REQUIRED_KEYS <= set(fixtures.keys())
    assert len(fixtures.keys()) == len(set(fixtures.keys()))
    with pytest.raises(KeyError, match="eligible_single"):
        fixtures.household("no_such_household")


@pytest.mark.parametrize("household", HOUSEHOLDS, ids=lambda h: h["key"])
def test_household_shape_and_people(household):
    assert household["housing_type"] in ("gongzufang", "baozufang")
    assert household["district"].endswith(("区", "县")) and household["label"]
    declared = household["declared"]
    assert re.fullmatch(r"1[3-9]\d{9}", declared["phone"])
    members = declared["members"]
    assert [m["relation"] for m in members].count("applicant") == 1
    assert declared["monthly_income"] == sum(m["monthly_income"] for m in members)
    for person in [*members, *household.get("undeclared", [])]:
        assert is_valid_id_number(person["id_number"]), person["name"]
        assert birth_date_of(person["id_number"]).isoformat() == person["birth_date"]
        assert sex_of(person["id_number"]) == person["sex"]
    assert set(household["records"]) <= {p["id_number"] for p in [*members, *household.get("undeclared", [])]}


@pytest.mark.parametrize("household", HOUSEHOLDS, ids=lambda h: h["key"])
def test_expected_outcome_is_consistent_with_the_lines(household):
    expected = household["expected"]
    size = len(household["declared"]["members"])
    assert expected["household_size"] == size
    assert expected["outcome"] in ("eligible", "eligible_priority", "ineligible")
    assert bool(expected["reasons"]) == (expected["outcome"] != "eligible")
    if household["housing_type"] == "gongzufang":
        assert expected["income_line"] == income_line(expected["verified_household_size"])
    verified = expected["verified_per_capita_income"]
    if expected["outcome"] != "ineligible":
        assert verified <= income_line(size) or household["housing_type"] == "baozufang"
        assert expected["per_capita_area"] < POLICY["area_line_per_person_m2"]
    if "over_income" in expected["reasons"]:
        assert verified > expected["income_line"] >= expected["declared_per_capita_income"]
    if "owns_property" in expected["reasons"]:
        assert expected["per_capita_area"] > POLICY["area_line_per_person_m2"]


def test_eligible_households_are_clearly_inside_every_line():
    for household in HOUSEHOLDS:
        expected = household["expected"]
        if household["housing_type"] == "gongzufang" and expected["outcome"] != "ineligible":
            assert expected["verified_per_capita_income"] <= 0.9 * expected["income_line"], household["key"]


def test_verified_income_follows_from_the_records():
    for household in HOUSEHOLDS:
        members = household["declared"]["members"]
        total = 0.0
        for member in members:
            records = household["records"].get(member["id_number"], {})
            total += (records.get("tax") or {}).get("monthly_income", 0)
            total += (records.get("social_insurance") or {}).get("pension", 0)
        for person in household.get("undeclared", []):
            total += household["records"][person["id_number"]]["tax"]["monthly_income"]
        size = household["expected"]["verified_household_size"]
        assert size == len(members) + len(household.get("undeclared", []))
        assert round(total / size, 2) == pytest.approx(household["expected"]["verified_per_capita_income"]), \
            household["key"]


def test_accessors_return_copies():
    one = fixtures.household("eligible_single")
    one["declared"]["members"].clear()
    assert fixtures.household("eligible_single")["declared"]["members"]
    assert fixtures.declared_members("eligible_nuclear")[1] == {
        "id_number": "500106198807091248", "name": "王丽", "relation": "spouse"}
