"""Decision requirements graphs, boxed expressions and knowledge models (DMN 1.3 chapters 6, 7),
evaluated on the small models in tests/fixtures/dmn with the results the specification gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.engine.dmn import DecisionEngine, DmnEvaluationError, evaluate_decision, parse_decisions, validate_dmn

MODELS = Path(__file__).parents[2] / "fixtures" / "dmn"


def decisions(name: str) -> dict:
    return parse_decisions((MODELS / name).read_bytes(), name)


@pytest.mark.parametrize(("facts", "outputs", "row"), [
    # per capita 900 < 1000: rule 1, 2000 * Rate; Rate invokes the knowledge model with 12 years
    ({"Years of Service": 12, "Monthly Income": 2700, "Household Size": 3}, {"subsidy": 1000, "tier": "full"}, 1),
    ({"Years of Service": 2, "Monthly Income": 2700, "Household Size": 3}, {"subsidy": 600, "tier": "full"}, 1),
    # rule 2 calls the knowledge model by name from FEEL: Subsidy Rate(0) = 0.3
    ({"Years of Service": 2, "Monthly Income": 4500, "Household Size": 3}, {"subsidy": 300, "tier": "partial"}, 2),
    ({"Years of Service": 2, "Monthly Income": 9000, "Household Size": 3}, {"subsidy": 0, "tier": "none"}, 3),
])
def test_a_table_on_top_of_a_graph_evaluates_its_requirements_first(facts, outputs, row):
    result = evaluate_decision(decisions("drg_subsidy.dmn")["subsidy"], facts)
    assert result.outputs == outputs
    assert result.matched_rows == [row]


def test_a_required_decision_can_be_evaluated_alone_and_names_its_value():
    model = decisions("drg_subsidy.dmn")
    assert evaluate_decision(model["per_capita"], {"Monthly Income": 3000, "Household Size": 4}).outputs == {
        "Per Capita Income": 750}
    assert evaluate_decision(model["rate"], {"Years of Service": 10}).outputs == {"Rate": 0.5}


def test_context_relation_list_function_and_a_table_knowledge_model():
    result = evaluate_decision(decisions("boxed_expressions.dmn")["household_summary"],
                               {"members": [{"age": 8}, {"age": 35}, {"age": 70}]})
    assert result.outputs == {"Household Summary": {"bands": ["minor", "adult", "senior"], "points": 7,
                                                    "valid": True}}


def test_years_and_months_durations_and_zoned_date_times_in_a_literal_decision():
    [value] = evaluate_decision(decisions("literal_dates.dmn")["residence"],
                                {"Resident Since": "2022-08-31", "Application Date": "2025-03-01"}).outputs.values()
    assert value["lived"] == "P2Y6M" and value["qualifies"] is True
    assert value["lease end"] == dt.datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert value["weekday"] == "Saturday"


@pytest.mark.parametrize(("name", "element_id", "construct"), [
    ("unsupported_service.dmn", "service_1", "decision services are not supported"),
    ("unsupported_conditional.dmn", "cond_1", "boxed conditional"),
    ("unsupported_java.dmn", "java_fn", "functions are not supported"),
    ("unsupported_cycle.dmn", "d_a", "cycle"),
])
def test_unsupported_constructs_are_errors_naming_the_element(name, element_id, construct):
    errors = [p for p in validate_dmn((MODELS / name).read_bytes(), name) if p.severity == "error"]
    assert [p.element_id for p in errors] == [element_id]
    assert construct in errors[0].message


def test_a_requirement_on_a_missing_element_is_an_error():
    xml = (MODELS / "drg_subsidy.dmn").read_text().replace('href="#per_capita"', 'href="#gone"')
    [error] = validate_dmn(xml, "x.dmn")
    assert error.element_id == "subsidy" and "'gone'" in error.message


def test_a_knowledge_model_calling_itself_without_end_stops_with_an_error():
    xml = (MODELS / "drg_subsidy.dmn").read_text().replace(
        "if years &gt;= 10 then 0.5 else 0.3", "Subsidy Rate(years + 1)")
    engine = DecisionEngine(parse_decisions(xml, "x.dmn")["rate"])
    with pytest.raises(DmnEvaluationError, match="levels deep"):
        engine.evaluate({"Years of Service": 1})


def test_a_failing_literal_decision_names_the_decision():
    xml = (MODELS / "drg_subsidy.dmn").read_text().replace(
        "Monthly Income / Household Size", "count(for i in Monthly Income return i)")
    # a for over a huge list of facts is over the budget: the error names the decision
    facts = {"Monthly Income": list(range(200_000)), "Household Size": 1, "Years of Service": 1}
    with pytest.raises(DmnEvaluationError, match="Per Capita Income"):
        evaluate_decision(parse_decisions(xml, "x.dmn")["per_capita"], facts)

