"""The static check for UNIQUE tables whose rules can match the same facts."""

import pytest

from app.engine.dmn import validate_dmn

from .helpers import decision_xml


def overlap_errors(rules, inputs=("x",), hit_policy=None):
    outputs = [["1"]] * len(rules)
    xml = decision_xml([(ins, out) for ins, out in zip(rules, outputs, strict=True)], inputs=inputs,
                       hit_policy=hit_policy)
    problems = [p for p in validate_dmn(xml, "t.dmn") if "same facts" in p.message]
    assert all(p.severity == "error" for p in problems)  # a certain overlap blocks the deploy
    return [(p.element_id, p.message) for p in problems]


@pytest.mark.parametrize(("first", "second"), [
    ("< 10", "> 5"),
    ("<= 5", ">= 5"),
    ("[1..5]", "[5..9]"),
    ("[1..5]", "3"),
    ('"a","b"', '"b","c"'),
    ("-", "7"),
    ('not("a")', '"b"'),
    ('not("a")', 'not("b")'),
    ("not([1..5])", "6"),
    ("not(< 5)", "5"),
    ("!= 5", "6"),
    ("true", "true"),
    ("null", "-"),
    ("< 5, > 10", "11"),
])
def test_overlapping_cells_are_reported(first, second):
    errors = overlap_errors([[first], [second]])
    assert len(errors) == 1
    element_id, message = errors[0]
    assert element_id == "r2"
    assert "rules row 1 (r1) and row 2 (r2) can match the same facts" in message


@pytest.mark.parametrize(("first", "second"), [
    ("< 5", ">= 5"),
    ("<= 5", "> 5"),
    ("[1..5)", "[5..9]"),
    ("[1..5]", "(5..9]"),
    ("]1..5[", "5"),
    ('"a","b"', '"c"'),
    ('not("a", "b")', '"a"'),
    ("not([1..5])", "3"),
    ("not(< 5)", "4"),
    ("!= 5", "5"),
    ("true", "false"),
    ("1", '"1"'),  # different types never meet
    ("< 5, > 10", "[5..10]"),
])
def test_disjoint_cells_are_not_reported(first, second):
    assert overlap_errors([[first], [second]]) == []


def test_rules_overlap_only_if_every_input_overlaps():
    assert overlap_errors([["< 5", '"a"'], ["< 5", '"b"']], inputs=("x", "y")) == []
    assert len(overlap_errors([["< 5", '"a"'], ["< 9", "-"]], inputs=("x", "y"))) == 1


def test_undecidable_cells_are_skipped_not_guessed():
    # names, '?', functions and Python cells cannot be judged statically
    assert overlap_errors([["< limit"], ["< 5"]]) == []
    assert overlap_errors([["? > 1"], ["5"]]) == []
    assert overlap_errors([["'a'"], ["'a'"]]) == []  # Python cells: only the "read as Python" warning


def test_only_unique_tables_are_checked():
    assert overlap_errors([["< 10"], ["> 5"]], hit_policy="FIRST") == []
    assert overlap_errors([["< 10"], ["> 5"]], hit_policy="COLLECT") == []


def test_every_overlapping_pair_is_reported():
    errors = overlap_errors([["-"], ["1"], ["2"]])
    assert [element for element, _ in errors] == ["r2", "r3"]
