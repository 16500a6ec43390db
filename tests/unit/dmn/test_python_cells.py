"""Tables written the SpiffWorkflow way: Python cells, evaluated by the host's evaluator."""

import pytest

from app.engine.dmn import DmnEvaluationError, evaluate_decision, parse_decisions, validate_dmn
from app.engine.dmn.model import Language

from .helpers import DATA, cell_matches, decision, evaluate, python_eval

SPIFF_XML = (DATA / "spiff_style.dmn").read_bytes()
PYTHON = "http://www.python.org"


@pytest.fixture(scope="module")
def spiff_table():
    return parse_decisions(SPIFF_XML, "spiff_style.dmn")["spiff_household_check"]


@pytest.mark.parametrize(("facts", "verdict", "rows"), [
    (dict(marital_status="single", income=3000, local_hukou=True, members=["a"]),
     {"decision": {"verdict": "approved", "note": "single, local, income 3000"}}, [1]),
    (dict(marital_status="married", income=9000, local_hukou=True, members=["a", "b", "c"]),
     {"decision": {"verdict": "approved", "note": "family of 3"}}, [2]),
    (dict(marital_status="married", income=13000, local_hukou=True, members=["a", "b", "c"]), {}, []),
    (dict(marital_status="divorced", income=9000, local_hukou=True, members=["a", "b"]), {}, []),
    (dict(marital_status="married", income=9000, local_hukou=False, members=["a", "b", "c"]),
     {"decision": {"verdict": "rejected", "note": "no local hukou"}}, [3]),
])
def test_spiffworkflow_style_table(spiff_table, facts, verdict, rows):
    result = evaluate_decision(spiff_table, facts, python_eval)
    assert result.outputs == verdict
    assert result.matched_rows == rows


def test_spiffworkflow_style_table_deploys_with_warnings_only(spiff_table):
    problems = validate_dmn(SPIFF_XML, "spiff_style.dmn")
    assert problems and all(p.severity == "warning" for p in problems)
    python_cells = [e for r in spiff_table.table.rules for e in r.input_entries + r.output_entries
                    if e.language is Language.PYTHON]
    # every Python cell, plus the input expression len(members), is flagged
    assert len(problems) == len(python_cells) + 1
    # while the FEEL-compatible cells stay FEEL
    assert spiff_table.table.rules[0].input_entries[1].language is Language.FEEL  # < 4978


@pytest.mark.parametrize("language", [PYTHON, "python", "Python3"])
def test_python_expression_language_makes_every_cell_python(language):
    d = decision([(['"single"'], ['"ok"']), (["< 4148"], ["1 + 1"])], language=language, hit_policy="FIRST")
    entries = [e for r in d.table.rules for e in r.input_entries + r.output_entries]
    assert {e.language for e in entries} == {Language.PYTHON}
    assert evaluate_decision(d, {"x": "single"}, python_eval).outputs == {"result": "ok"}
    assert evaluate_decision(d, {"x": 100}, python_eval).outputs == {"result": 2}


def test_cell_level_language_overrides_the_file():
    xml = (decision_xml_with_cell_language())
    d = parse_decisions(xml, "t.dmn")["d"]
    assert d.table.rules[0].input_entries[0].language is Language.FEEL


def decision_xml_with_cell_language():
    from .helpers import decision_xml

    return decision_xml([(['"a"'], ["1"])], language=PYTHON).replace(
        '<inputEntry id="r1i0">', '<inputEntry id="r1i0" expressionLanguage="https://www.omg.org/spec/DMN/20191111/FEEL/">')


@pytest.mark.parametrize(("cell", "value", "facts", "expected"), [
    ("'single'", "single", {}, True),
    ("'single'", "married", {}, False),
    ("in ['a', 'b']", "b", {}, True),
    ("in ['a', 'b']", "c", {}, False),
    ("not in ['a', 'b']", "c", {}, True),
    ("== 5", 5, {}, True),
    ("4 < ? < 6", 5, {}, True),
    ("4 < ? < 6", 6, {}, False),
    ("? == 'is it?'", "is it?", {}, True),  # a '?' inside quotes is left alone
    ("True", True, {}, True),
    ("None", None, {}, True),
    # SpiffWorkflow compares a whole expression with the input: (input) == (len(x) > 2)
    ("len(items) > 2", True, {"items": [1, 2, 3]}, True),
    ("len(items) > 2", 3, {"items": [1, 2, 3]}, False),
    ("? in items", 2, {"items": [1, 2, 3]}, True),
])
def test_python_cells_follow_spiffworkflow(cell, value, facts, expected):
    assert cell_matches(cell, value, facts=facts, python=True) is expected


def test_python_cells_get_the_facts_and_the_input_value():
    calls = []

    def recording_eval(expression, context):
        calls.append((expression, dict(context)))
        return python_eval(expression, context)

    d = decision([(["'a'"], ["'out'"])], inputs=("kind",))
    assert evaluate_decision(d, {"kind": "a", "other": 1}, recording_eval).outputs == {"result": "out"}
    test_call, output_call = calls
    assert test_call == ("(dmninputexpr) == ('a')", {"kind": "a", "other": 1, "dmninputexpr": "a"})
    assert output_call == ("'out'", {"kind": "a", "other": 1})


def test_feel_cells_never_reach_the_python_evaluator():
    def refusing_eval(expression, context):
        raise AssertionError(f"Python evaluator called for {expression!r}")

    d = decision([(['"a"', "< 5"], ['"ok"'])], inputs=("kind", "n"))
    assert evaluate_decision(d, {"kind": "a", "n": 1}, refusing_eval).outputs == {"result": "ok"}


def test_python_cell_without_an_evaluator_is_a_clear_error():
    with pytest.raises(DmnEvaluationError) as caught:
        evaluate([(['"other"'], ['"no"']), (["'single'"], ['"ok"'])], {"x": "single"}, hit_policy="FIRST")
    err = caught.value
    assert (err.row, err.rule_id, err.element_id) == (2, "r2", "r2i0")
    assert "no Python evaluator" in str(err)
    assert "double quotes" in str(err)  # why it was not read as FEEL


def test_python_evaluator_failure_names_the_rule_and_keeps_the_cause():
    def failing_eval(expression, context):
        raise NameError("name 'nope' is not defined")

    with pytest.raises(DmnEvaluationError) as caught:
        evaluate_decision(decision([(["> 5"], ["1"]), (["nope(1)"], ["2"])], hit_policy="FIRST"),
                          {"x": 1}, failing_eval)
    err = caught.value
    assert (err.row, err.element_id) == (2, "r2i0")
    assert isinstance(err.__cause__, NameError)
    assert "name 'nope' is not defined" in str(err)
    assert err.note == "Rule failed on row 2 (r2) of decision 'd', input 'x' cell 'nope(1)'"


def test_empty_output_in_a_python_table_is_an_empty_string():
    d = decision([(["-"], [""])], language=PYTHON)
    assert evaluate_decision(d, {"x": 1}, python_eval).outputs == {"result": ""}


def test_input_without_expression_uses_the_label_as_variable():
    from .helpers import decision_xml

    xml = decision_xml([(['"a"'], ["1"])], inputs=("kind",)).replace("<text>kind</text>", "<text></text>")
    d = parse_decisions(xml, "t.dmn")["d"]
    assert evaluate_decision(d, {"kind": "a"}).outputs == {"result": 1}
    assert evaluate_decision(d, {"kind": "b"}).outputs == {}


def test_failing_input_expression_is_named_as_such():
    def failing_eval(expression, context):
        raise TypeError("object of type 'NoneType' has no len()")

    d = decision([(["> 2"], ["1"])], inputs=("len(members)",))
    with pytest.raises(DmnEvaluationError) as caught:
        evaluate_decision(d, {"members": None}, failing_eval)
    err = caught.value
    assert err.element_id == "ie0"
    assert "input 'len(members)' expression 'len(members)'" in str(err)
    assert "has no len()" in str(err)
