"""The 水电气 connector: its contract, what the fixture units show, and its operator for the modeler."""

from __future__ import annotations

import pytest

from app.engine.operators import load_operators, registry
from connectors.sources.utilities import UtilitiesConnector, change_ratio, vacant_run
from connectors.testing import run_operator
from connectors.testing.contract import ContractKit, applicable_checks

CHEN = "500103199405120136"  # 陈晓东, the tenant of the vacant unit
LIU = "500106198603181153"  # 刘建国, the tenant of the sublet unit


@pytest.mark.parametrize("check", applicable_checks(UtilitiesConnector))
def test_utilities_honours_the_contract(sandbox_url, check):
    ContractKit(sandbox_url).run(check, UtilitiesConnector)


def test_a_vacant_unit_shows_months_of_near_zero_use(settings):
    result = run_operator("utilities/usage", {"unit_code": "YZ-GZF-0502", "tenant_id_number": CHEN}, settings)
    details = result["details"]
    assert details["vacant_months"] == 4
    assert len(details["months"]) == 6 and details["months"][-1]["electricity_kwh"] < 5
    assert details["holder_is_tenant"] is True and details["holder_name"] == "陈*东"


def test_a_sublet_unit_changes_pattern_and_names_another_holder(settings):
    result = run_operator("utilities/usage", {"unit_code": "SPB-GZF-1101", "tenant_id_number": LIU}, settings)
    details = result["details"]
    assert details["vacant_months"] == 0
    assert details["usage_change_ratio"] >= 2.5
    assert details["holder_is_tenant"] is False and details["holder_name"] == "郭*刚"
    assert "50010619910314211X" not in str(result)


def test_an_ordinary_unit_is_neither(settings):
    details = run_operator("utilities/usage", {"unit_code": "ANY-UNIT-9", "months": 12}, settings)["details"]
    assert (details["vacant_months"], details["holder_is_tenant"], len(details["months"])) == (0, None, 12)
    assert 0.5 < details["usage_change_ratio"] < 2


def test_the_signs_are_computed_from_the_months():
    zero = {"water_m3": 0.1, "electricity_kwh": 1.0, "gas_m3": 0.0}
    used = {"water_m3": 8.0, "electricity_kwh": 150.0, "gas_m3": 9.0}
    limits = {"water_m3": 0.5, "electricity_kwh": 5.0, "gas_m3": 0.5}
    assert vacant_run([used, zero, used, zero, zero, zero], limits) == 3
    assert vacant_run([zero, used], limits) == 0
    assert change_ratio([used, used, used, {**used, "electricity_kwh": 450.0}] * 1 + [used, used]) == pytest.approx(
        (450 + 150 + 150) / 3 / 150, rel=0.01)


def test_utilities_shows_up_for_the_modeler_without_touching_app():
    load_operators()
    described = registry.get("utilities/usage").describe()
    assert described["kind"] == "connector"
    assert set(described["parameters"]["properties"]) == {"unit_code", "tenant_id_number", "months"}
