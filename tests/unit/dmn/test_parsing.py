"""Reading DMN files and reporting their problems."""

import pytest

from app.engine.dmn import DmnValidationError, HitPolicy, parse_decisions, validate_dmn
from app.engine.dmn.model import Aggregation, Language

from .helpers import DMN11, DMN12, DMN13, decision, decision_xml, evaluate


def problems_of(xml):
    return [p.as_dict() for p in validate_dmn(xml, "t.dmn")]


@pytest.mark.parametrize("namespace", [DMN11, DMN12, DMN13])
def test_reads_dmn_1_1_to_1_3(namespace):
    result = evaluate([(["< 5"], ['"small"']), ([">= 5"], ['"big"'])], {"x": 7}, namespace=namespace)
    assert result.outputs == {"result": "big"}


def test_model_has_everything_the_table_says():
    d = decision([(["< 5", '"a"'], ['"s"', "1"], "note one")], inputs=("x", "kind"), outputs=("size", "n"),
                 hit_policy="COLLECT", aggregation="SUM", output_values={"size": '"s","m"'},
                 input_types={"x": "number"})
    table = d.table
    assert (d.id, d.name, d.filename) == ("d", "Decision d", "test.dmn")
    assert table.hit_policy is HitPolicy.COLLECT and table.aggregation is Aggregation.SUM
    assert [(i.id, i.label, i.expression, i.type_ref) for i in table.inputs] == [
        ("in0", "x", "x", "number"), ("in1", "kind", "kind", None)]
    assert [(o.id, o.name, o.priority_values) for o in table.outputs] == [("out0", "size", ["s", "m"]),
                                                                          ("out1", "n", [])]
    rule = table.rules[0]
    assert (rule.id, rule.row_number, rule.description) == ("r1", 1, "note one")
    assert [e.text for e in rule.input_entries] == ["< 5", '"a"']
    assert [e.text for e in rule.output_entries] == ['"s"', "1"]
    assert all(e.language is Language.FEEL for e in rule.input_entries + rule.output_entries)


def test_several_decisions_per_file():
    second = ('<decision id="second" name="Second"><decisionTable id="t2" hitPolicy="FIRST">'
              '<input id="i2"><inputExpression id="ie2"><text>y</text></inputExpression></input>'
              '<output id="o2" name="other"/><rule id="s1">'
              '<inputEntry id="s1i"><text>&gt; 1</text></inputEntry>'
              '<outputEntry id="s1o"><text>"two"</text></outputEntry></rule></decisionTable></decision>'
              '<decision id="drd_only" name="Just a box"><literalExpression><text>1</text>'
              "</literalExpression></decision>")
    xml = decision_xml([(["-"], ['"one"'])], extra_decisions=second)
    decisions = parse_decisions(xml, "t.dmn")
    assert sorted(decisions) == ["d", "drd_only", "second"]
    assert decisions["second"].table.hit_policy is HitPolicy.FIRST
    from app.engine.dmn import evaluate_decision

    assert evaluate_decision(decisions["second"], {"y": 3}).outputs == {"other": "two"}
    assert evaluate_decision(decisions["d"], {"x": 3}).outputs == {"result": "one"}
    # a literal-expression decision is evaluated too (DMN 1.3 chapter 7): {variable: value}
    assert evaluate_decision(decisions["drd_only"], {}).outputs == {"Just a box": 1}
    assert problems_of(xml) == []


def test_a_bad_cell_is_reported_with_its_id_and_row():
    xml = decision_xml([(["< 5"], ['"ok"']), (["[1..5"], ['"bad"']), (["-"], ['"x" +'])])
    problems = problems_of(xml)
    assert [p["element_id"] for p in problems] == ["r2i0", "r3o0"]
    assert all(p["file"] == "t.dmn" and p["severity"] == "error" for p in problems)
    assert "rule 2 (r2), input 'x'" in problems[0]["message"]
    assert "rule 3 (r3), output 'result'" in problems[1]["message"]
    with pytest.raises(DmnValidationError) as caught:
        parse_decisions(xml, "t.dmn")
    assert [p.element_id for p in caught.value.problems] == ["r2i0", "r3o0"]


def test_a_feel_typo_that_is_valid_python_is_a_warning():
    problems = problems_of(decision_xml([(["<< 5"], ['"ok"']), (["-"], ["'single'"])]))
    assert [(p["element_id"], p["severity"]) for p in problems] == [("r1i0", "warning"), ("r2o0", "warning")]
    assert "read as a Python expression" in problems[0]["message"]
    assert "double quotes" in problems[1]["message"]


def test_python_tables_get_no_python_warnings():
    xml = decision_xml([(["'a'"], ["'single'"])], language="http://www.python.org")
    assert problems_of(xml) == []


def test_bad_input_expression_is_reported():
    problems = problems_of(decision_xml([(["-"], ["1"])], inputs=("a +",)))
    assert [p["element_id"] for p in problems] == ["ie0"]


@pytest.mark.parametrize(("xml", "element_id", "message"), [
    ("<definitions", None, "not well-formed XML"),
    ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="b"/>', "b",
     "not a DMN file"),
    (f'<definitions xmlns="{DMN13}" id="empty"/>', "empty", "the file has no decision"),
    (decision_xml([(["-"], ["1"])], hit_policy="SOMETIMES"), "table_d", "unknown hit policy"),
    (decision_xml([(["-"], ["1"])], hit_policy="FIRST", aggregation="SUM"), "table_d", "needs the COLLECT"),
    (decision_xml([(["-"], ["1"])], hit_policy="COLLECT", aggregation="AVG"), "table_d",
     "unknown aggregation"),
    (decision_xml([(["-"], ["1"])], hit_policy="PRIORITY"), "table_d", "needs output values"),
    (decision_xml([(["-", "-"], ["1"])]), "r1", "2 inputEntry cells for 1 columns"),
    (decision_xml([([], [])], outputs=()), "table_d", "no output column"),
    (decision_xml([(["-"], ["1"])], language="https://example.org/javascript"), "table_d", "not supported"),
    (decision_xml([(["-"], ["1"])], output_values={"result": "< 5"}), "out0", "list of literal values"),
])
def test_structural_problems(xml, element_id, message):
    problems = problems_of(xml)
    assert problems, "expected a problem"
    assert problems[0]["element_id"] == element_id
    assert message in problems[0]["message"]
    assert problems[0]["severity"] == "error"


def test_xml_syntax_error_has_a_line():
    problems = validate_dmn("<definitions>\n<oops>\n</definitions>", "t.dmn")
    assert problems[0].line is not None


def test_duplicate_decision_ids():
    second = decision_xml([(["-"], ["1"])]).split("<decision ", 1)[1].rsplit("</definitions>", 1)[0]
    xml = decision_xml([(["-"], ["1"])], extra_decisions="<decision " + second)
    assert "two decisions have the id 'd'" in problems_of(xml)[0]["message"]


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xml = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY s SYSTEM "file://{secret}">]>'
           + decision_xml([(["-"], ['"&s;"'])]))
    try:
        d = parse_decisions(xml, "t.dmn")["d"]
    except DmnValidationError:
        return  # refusing the file is fine too
    assert "TOP SECRET" not in (d.table.rules[0].output_entries[0].text or "")


def test_str_input_with_encoding_declaration():
    xml = '<?xml version="1.0" encoding="UTF-8"?>' + decision_xml([(["-"], ['"中文"'])])
    assert sorted(parse_decisions(xml, "t.dmn")) == ["d"]


def test_annotation_entries_are_read_as_descriptions():
    annotation = "<annotationEntry><text>依据：渝府办发〔2025〕1号</text></annotationEntry>"
    xml = decision_xml([(["-"], ["1"])]).replace('<rule id="r1">', f'<rule id="r1">{annotation}')
    d = parse_decisions(xml, "t.dmn")["d"]
    assert d.table.rules[0].description == "依据：渝府办发〔2025〕1号"


def test_valid_file_has_no_problems():
    assert problems_of(decision_xml([(["< 5"], ["1"]), ([">= 5"], ["2"])])) == []


def test_unquoted_text_in_a_string_column_is_a_warning():
    xml = decision_xml([(["single"], ["1"]), (['"married"'], ["2"])], input_types={"x": "string"})
    problems = problems_of(xml)
    assert [(p["element_id"], p["severity"]) for p in problems] == [("r1i0", "warning")]
    assert 'write "single" (in double quotes)' in problems[0]["message"]
    # in a number column a name is a fine reference to another fact
    assert problems_of(decision_xml([(["limit"], ["1"])], input_types={"x": "number"})) == []


def test_garbage_cells_never_escape_as_other_exceptions():
    import random

    from app.engine.dmn import DmnError, evaluate_decision

    from .helpers import python_eval

    pieces = list("()[].,<>=!?-+*/ \"'") + ["1", "2.5", "x", "a.b", "and", "or", "not", "if", "then",
                                            "else", "in", "between", "null", "true", "@", "some", "for",
                                            "count", "sum", "{", ":", "“", "item", 'date("2025-01-01")']
    rng = random.Random(20250101)
    for _ in range(2000):
        cell = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 7)))
        output = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 5)))
        xml = decision_xml([([cell], [output])], hit_policy="FIRST")
        problems = validate_dmn(xml, "fuzz.dmn")  # must not raise
        if any(p.severity == "error" for p in problems):
            continue
        d = parse_decisions(xml, "fuzz.dmn")["d"]
        for facts in ({"x": 1, "a": {"b": [1, 2]}}, {"x": None}, {"x": "a"}):
            try:
                evaluate_decision(d, facts, python_eval)
            except DmnError:
                pass


@pytest.mark.parametrize("cell", ["-" * 3000 + "5", "-" * 200_000 + "5", "(" * 300 + "1" + ")" * 300])
def test_absurdly_nested_cells_are_reported_not_raised(cell):
    problems = problems_of(decision_xml([([cell], ["1"])]))
    assert [p["element_id"] for p in problems] == ["r1i0"]
    assert "nested too deeply" in problems[0]["message"]
