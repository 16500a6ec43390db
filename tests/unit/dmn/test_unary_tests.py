"""Every FEEL unary-test form, evaluated as an input cell of a real table."""

import datetime as dt

import pytest

from .helpers import cell_matches

CASES = [
    # comparisons
    ("<= 4148", 4148, True),
    ("<= 4148", 4148.01, False),
    ("< 4148", 4148, False),
    ("< 4148", 4147.99, True),
    (">= 3", 3, True),
    (">= 3", 2, False),
    ("> 3", 3, False),
    ("> 3", 4, True),
    ("= 5", 5, True),
    ("= 5", 5.0, True),
    ("= 5", 6, False),
    ("!= 5", 5, False),
    ("!= 5", 6, True),
    ("< -1.5", -2, True),
    ("< -1.5", -1.5, False),
    # a float fact equals the decimal literal it was written as
    ("<= 4148.1", 4148.1, True),
    ("= 0.3", 0.1 + 0.2, False),  # 0.30000000000000004 really is above 0.3
    # ranges, closed and open at either end, in both notations
    ("[1000..2000]", 1000, True),
    ("[1000..2000]", 2000, True),
    ("[1000..2000]", 999.99, False),
    ("[1000..2000]", 2000.01, False),
    ("(0..10]", 0, False),
    ("(0..10]", 10, True),
    ("]0..10]", 0, False),
    ("]0..10]", 0.001, True),
    ("[0..10)", 10, False),
    ("[0..10[", 10, False),
    ("[0..10[", 0, True),
    ("]0..10[", 5, True),
    ("]0..10[", 10, False),
    ("(0..10)", 0, False),
    ("[1.5..2.5]", 2.5, True),
    ('["a".."c"]', "b", True),
    ('["a".."c"]', "d", False),
    # lists (disjunction)
    ('"single","nuclear"', "nuclear", True),
    ('"single","nuclear"', "single", True),
    ('"single","nuclear"', "extended", False),
    ("1, 3, [5..7]", 6, True),
    ("1, 3, [5..7]", 4, False),
    ("< 0, > 100", -1, True),
    ("< 0, > 100", 50, False),
    # not(...)
    ('not("single")', "single", False),
    ('not("single")', "nuclear", True),
    ('not("a", "b")', "b", False),
    ('not("a", "b")', "c", True),
    ("not([1..5])", 3, False),
    ("not([1..5])", 6, True),
    ("not(< 5)", 5, True),
    # any
    ("-", "anything", True),
    ("-", None, True),
    ("", 42, True),
    # literals
    ("true", True, True),
    ("true", False, False),
    ("false", False, True),
    ("null", None, True),
    ("null", 0, False),
    ('"已婚"', "已婚", True),
    ('"say \\"hi\\""', 'say "hi"', True),
    ("42", 42, True),
    ("42", "42", False),  # a string is not a number
    # ? inside a unary test
    ("? > 5", 6, True),
    ("? > 5", 5, False),
    ("? > 5 and ? < 10", 7, True),
    ("? > 5 and ? < 10", 10, False),
    ("modulo(?, 2) = 0", 4, True),
    ("modulo(?, 2) = 0", 3, False),
    ('starts with(?, "渝")', "渝A12345", True),
    # an expression that evaluates to a list or range
    ("[1, 2, 3]", 2, True),
    ("[1, 2, 3]", 4, False),
]


@pytest.mark.parametrize(("cell", "value", "expected"), CASES)
def test_unary_test_forms(cell, value, expected):
    assert cell_matches(cell, value) is expected


DATES = [
    ('date("2025-01-01")', dt.date(2025, 1, 1), True),
    ('date("2025-01-01")', dt.date(2025, 1, 2), False),
    ('< date("2025-01-01")', dt.date(2024, 12, 31), True),
    ('[date("2025-01-01")..date("2025-12-31")]', dt.date(2025, 6, 30), True),
    ('[date("2025-01-01")..date("2025-12-31")]', dt.date(2026, 1, 1), False),
    ('>= @"2025-01-01"', dt.date(2025, 1, 1), True),
    ('< date and time("2025-01-01T08:00:00")', dt.datetime(2025, 1, 1, 7, 59), True),
]


@pytest.mark.parametrize(("cell", "value", "expected"), DATES)
def test_date_cells(cell, value, expected):
    assert cell_matches(cell, value) is expected


def test_iso_string_facts_are_dates_when_the_input_is_typed_date():
    # stored facts come back from JSON with dates as strings
    assert cell_matches('< date("2025-01-01")', "2024-06-30", input_type="date")
    assert not cell_matches('< date("2025-01-01")', "2025-06-30", input_type="date")
    # untyped, a string is not comparable with a date: no match rather than a crash
    assert not cell_matches('< date("2025-01-01")', "2024-06-30")


@pytest.mark.parametrize("cell", ["< 5", "<= 5", "> 5", ">= 5", "[1..10]", "(1..10)", '"a"', "5",
                                  "? > 5", "date(\"2025-01-01\")", "= 5"])
def test_null_input_matches_no_test_but_does_not_crash(cell):
    assert cell_matches(cell, None) is False


@pytest.mark.parametrize(("cell", "value", "expected"), [
    ("< 5", "abc", False),  # different types are not comparable
    ('"abc"', 5, False),
    ("!= 5", "abc", False),  # not comparable is not "different"
    ("[1..10]", "5", False),
    ("true", 1, False),  # a boolean is not a number
    ("1", True, False),
])
def test_type_mismatch_is_no_match(cell, value, expected):
    assert cell_matches(cell, value) is expected


def test_endpoints_may_be_expressions_over_the_facts():
    facts = {"limit": {"per_person": 4148}, "size": 3}
    assert cell_matches("<= limit.per_person * size", 12444, facts=facts)
    assert not cell_matches("<= limit.per_person * size", 12445, facts=facts)
    assert cell_matches("[limit.per_person..limit.per_person + 100]", 4200, facts=facts)
    # a missing name is null: the comparison is null, so no match
    assert not cell_matches("<= missing_limit", 1, facts=facts)


def test_boolean_expression_without_question_mark():
    # DMN 1.3: a cell that is a boolean expression matches when it is true
    assert cell_matches("household_size >= 3", 100, facts={"household_size": 3})
    assert not cell_matches("household_size >= 3", 100, facts={"household_size": 2})
