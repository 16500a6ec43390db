"""FEEL expressions as used in input expressions and output entries."""

import datetime as dt
from decimal import Decimal

import pytest

from app.engine.dmn.errors import FeelEvaluationError, FeelSyntaxError
from app.engine.dmn.feel_eval import evaluate
from app.engine.dmn.feel_parser import parse_expression, parse_unary_tests
from app.engine.dmn.feel_values import to_python

FACTS = {
    "household": {"size": 3, "monthly_income": 12000.5, "city": "重庆", "owns_home": False},
    "members": [{"name": "张三", "age": 45}, {"name": "李四", "age": 43}, {"name": "张小", "age": 12}],
    "家庭人数": 3,
    "apply_date": dt.date(2025, 3, 15),
    "scores": [3, 1, 2],
}


def feel(text, facts=FACTS):
    return to_python(evaluate(parse_expression(text), facts))


@pytest.mark.parametrize(("text", "expected"), [
    ("household.size", 3),
    ("household.monthly_income / household.size", 4000.1666666666666666666666667),
    ("家庭人数 + 1", 4),
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("2 ** 10", 1024),
    ("-household.size", -3),
    ("10 / 4", 2.5),
    ("0.1 + 0.2", 0.3),
    ("0.1 + 0.2 = 0.3", True),
    ('"公租房" + "申请"', "公租房申请"),
    ('household.city + "市"', "重庆市"),
    ("household.size >= 3 and not(household.owns_home)", True),
    ("household.size > 5 or household.owns_home", False),
    ('if household.size >= 3 then "family" else "small"', "family"),
    ('if missing then "yes" else "no"', "no"),  # a null condition takes the else branch
    ("household.size between 1 and 3", True),
    ("household.size in [1..2]", False),
    ("household.size in (1, 2, 3)", True),
    ("household.size in (< 2, > 2)", True),
    ("household.size in [1..2] or household.size = 3", True),
    ("members[1].name", "张三"),
    ("members[-1].age", 12),
    ("members.age", [45, 43, 12]),
    ("count(members[age >= 18])", 2),
    ("members[age < 18].name", ["张小"]),
    ("some m in members satisfies m.age < 18", True),
    ("every m in members satisfies m.age < 18", False),
    ("for m in members return m.age + 1", [46, 44, 13]),
    ("[1, 2, 3]", [1, 2, 3]),
    ("[]", []),
])
def test_expressions(text, expected):
    assert feel(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("count(scores)", 3),
    ("sum(scores)", 6),
    ("sum(1, 2, 3.5)", 6.5),
    ("min(scores)", 1),
    ("max(scores)", 3),
    ("max(4, 9, 2)", 9),
    ("mean(scores)", 2),
    ("sum([])", None),
    ("min([])", None),
    ("abs(-4.5)", 4.5),
    ("floor(4.7)", 4),
    ("floor(-4.2)", -5),
    ("ceiling(4.2)", 5),
    ("decimal(2.345, 2)", 2.34),  # half even
    ("round half up(2.345, 2)", 2.35),
    ("modulo(10, 3)", 1),
    ("string length(\"公租房\")", 3),
    ('upper case("abc")', "ABC"),
    ('lower case("ABC")', "abc"),
    ('substring("20250315", 1, 4)', "2025"),
    ('contains("重庆市渝中区", "渝中")', True),
    ('starts with("渝A123", "渝")', True),
    ('ends with("abc", "x")', False),
    ("string(12.50)", "12.5"),
    ('number("4148")', 4148),
    ('number("abc")', None),
    ("not(true)", False),
    ("not(5)", None),
    ("list contains(scores, 2)", True),
    ("all([true, true])", True),
    ("all([true, false, null])", False),
    ("any([false, null])", None),
    ("sum(scores) > 5", True),
])
def test_builtins(text, expected):
    assert feel(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ('date("2025-01-01")', dt.date(2025, 1, 1)),
    ("date(2025, 2, 28)", dt.date(2025, 2, 28)),
    ('date("2025-02-30")', None),
    ('date("2025-03-01") - date("2025-01-01")', dt.timedelta(days=59)),
    ('date("2025-01-01") + duration("P10D")', dt.date(2025, 1, 11)),
    ('apply_date - duration("P15D")', dt.date(2025, 2, 28)),
    ("apply_date.year", 2025),
    ("apply_date.month", 3),
    ('apply_date < date("2025-04-01")', True),
    ('date and time("2025-01-01T08:30:00").hour', 8),
    ('@"2025-01-01"', dt.date(2025, 1, 1)),
    ('duration("PT36H")', dt.timedelta(hours=36)),
])
def test_dates_and_durations(text, expected):
    assert feel(text) == expected


def test_years_and_months_durations_are_values_of_their_own():
    # DMN 1.3 10.3.2.3.8: years and months duration, compared and added in months
    assert feel('duration("P18Y") = @"P216M"') is True
    assert feel('duration("P1Y") > duration("P11M")') is True
    assert feel('duration("P1Y3D")') is None  # no FEEL duration mixes months and days


@pytest.mark.parametrize("text", [
    "missing", "missing.deeper.still", "household.missing", "missing + 1", "missing * 2",
    '"a" + 1', "1 / 0", "missing > 3", "-missing", "household.size > \"3\"", "members[9]",
    "true and null", "null or false", "count(missing)", "abs(\"x\")", "10 ** 1000000",
])
def test_null_propagates_instead_of_crashing(text):
    assert feel(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("missing = null", True),
    ("null = null", True),
    ("household.size = null", False),
    ("missing != 3", True),
    ("false and missing", False),
    ("true or missing", True),
])
def test_equality_and_logic_with_null(text, expected):
    assert feel(text) is expected


def test_numbers_are_exact_decimals_inside():
    value = evaluate(parse_expression("1 / 3"), {})
    assert isinstance(value, Decimal)
    assert value == Decimal(1) / Decimal(3)


@pytest.mark.parametrize(("text", "message"), [
    ("'single'", "double quotes"),
    ("a == 1", "'=' is not FEEL|'==' is not FEEL"),
    ("True", "FEEL writes true"),
    ("None", "FEEL writes null"),
    ("len(x) > 2", "unknown function 'len'"),
    ("4 < x < 6", "cannot be chained"),
    ("monthly income > 3", "names with spaces"),
    ("{a: 1 b}", "expected '}'|unexpected"),
    ("function(x", "expected a name|expected"),
    ("x instance of 3", "expected a type name"),
    ("substring(string: \"a\", 1)", "cannot be mixed"),
    ("substring(text: \"a\")", "no parameters named text"),
    ("count(1, 2)", "takes 1 argument"),
    ("(1 + 2", r"expected '\)'"),
    ("[1..5", "a range ends with"),
    ('"unterminated', "unterminated string"),
    ("“单身”", "full-width character"),
    ("x ＝ 1", "full-width character"),
    ("household.", "expected a name after '.'"),
    ("if a then b", "expected 'else'"),
    ("#", "unexpected character"),
])
def test_syntax_errors_say_what_is_wrong(text, message):
    with pytest.raises(FeelSyntaxError, match=message) as caught:
        parse_expression(text)
    assert caught.value.position is not None


def test_syntax_error_gives_the_column():
    with pytest.raises(FeelSyntaxError) as caught:
        parse_expression("a + * 2")
    assert caught.value.position == 4
    assert "column 5" in str(caught.value)


def test_deep_nesting_is_a_syntax_error_not_a_crash():
    with pytest.raises(FeelSyntaxError, match="nested too deeply"):
        parse_expression("(" * 500 + "1" + ")" * 500)


def test_unary_tests_parse_shapes():
    assert parse_unary_tests("-").is_any
    assert parse_unary_tests("   ").is_any
    assert parse_unary_tests('not("a")').negated
    assert len(parse_unary_tests('"a", "b", [1..2]').tests) == 3
    # not(...) followed by more is an ordinary expression, not a negated list
    assert not parse_unary_tests("not(a) or b").negated


@pytest.mark.parametrize("text", [
    "substring(\"abc\", 10 ** 999998)", "date(10 ** 999998, 1, 1)", "[1, 2][10 ** 999998]",
    "decimal(1.5, 10 ** 30)", 'duration("P99999999999999D")', "10 ** 999998",
])
def test_huge_numbers_give_null_quickly(text):
    # int() of a number like 1E+999998 takes many seconds; such values must never reach it
    assert feel(text) is None


def test_iterations_are_bounded():
    facts = {"xs": list(range(100))}
    assert feel("count(for a in xs, b in xs return a + b)", facts) == 10_000
    with pytest.raises(FeelEvaluationError, match="list items"):
        feel("for a in xs, b in xs, c in xs return a", facts)


@pytest.mark.parametrize(("text", "expected"), [
    ('@"2025-01-01T08:00:00"', dt.datetime(2025, 1, 1, 8, 0)),
    ('@"08:30:00"', dt.time(8, 30)),
    ('@"P2D"', dt.timedelta(days=2)),
    ("date(2025, 1)", None),
    ('time("25:00:00")', None),
])
def test_more_temporals(text, expected):
    assert feel(text) == expected


def test_a_bad_temporal_literal_is_a_syntax_error():
    with pytest.raises(FeelSyntaxError, match="not a date"):
        parse_expression('@"2025-13-01"')


@pytest.mark.parametrize("text", ["-" * 3000 + "5", "not(" * 400 + "true" + ")" * 400, "[" * 300 + "]" * 300])
def test_any_deep_nesting_is_a_syntax_error(text):
    with pytest.raises(FeelSyntaxError, match="nested too deeply"):
        parse_expression(text)


def test_reasonable_nesting_still_parses():
    assert feel("(" * 25 + "1 + 1" + ")" * 25) == 2


def test_nested_iterations_share_one_budget():
    facts = {"xs": list(range(60))}
    assert feel("count(for a in xs return count(xs[item > a]))", facts) == 60
    with pytest.raises(FeelEvaluationError, match="list items"):
        feel("for a in xs return for b in xs return for c in xs return 1", facts)
