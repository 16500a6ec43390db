"""FEEL of DMN 1.3 chapter 10: the examples the specification gives for the built-in functions,
names with spaces, contexts, functions, ``instance of``, years-and-months durations and zoned
date-times, and the bounds that keep them cheap."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from app.engine.dmn.errors import FeelEvaluationError, FeelSyntaxError
from app.engine.dmn.feel_eval import evaluate
from app.engine.dmn.feel_parser import parse_expression
from app.engine.dmn.feel_values import to_plain


def feel(text, facts=None, names=()):
    return to_plain(evaluate(parse_expression(text, names), facts or {}))


@pytest.mark.parametrize(("text", "expected"), [
    # 10.3.4.3 string functions
    ('substring("foobar", 3)', "obar"),
    ('substring("foobar", -2, 1)', "a"),
    ('string length("foo")', 3),
    ('upper case("aBc4")', "ABC4"),
    ('lower case("aBc4")', "abc4"),
    ('substring before("foobar", "bar")', "foo"),
    ('substring before("foobar", "xyz")', ""),
    ('substring after("foobar", "ob")', "ar"),
    ('substring after("", "a")', ""),
    ('replace("abcd", "(ab)|(a)", "[1=$1][2=$2]")', "[1=ab][2=]cd"),
    ('contains("foobar", "of")', False),
    ('starts with("foobar", "fo")', True),
    ('ends with("foobar", "r")', True),
    ('matches("foobar", "^fo*b")', True),
    ('split("John Doe", "\\\\s")', ["John", "Doe"]),
    ('split("a;b;c;;", ";")', ["a", "b", "c", "", ""]),
    ('string join(["a","b","c"], "_and_")', "a_and_b_and_c"),
    ('string join(["a",null,"c"])', "ac"),
    # 10.3.4.4 list functions
    ("list contains([1,2,3], 2)", True),
    ("count([1,2,3])", 3),
    ("min([1,2,3])", 1), ("max(1,2,3)", 3), ("sum([1,2,3])", 6), ("mean([1,2,3])", 2),
    ("all([false,null,true])", False), ("any([false,null,true])", True),
    ("sublist([4,5,6], 1, 2)", [4, 5]),
    ("append([1], 2, 3)", [1, 2, 3]),
    ("concatenate([1,2],[3])", [1, 2, 3]),
    ("insert before([1,3],1,2)", [2, 1, 3]),
    ("remove([1,2,3], 2)", [1, 3]),
    ("reverse([1,2,3])", [3, 2, 1]),
    ("index of([1,2,3,2],2)", [2, 4]),
    ("union([1,2],[2,3])", [1, 2, 3]),
    ("distinct values([1,2,3,2,1])", [1, 2, 3]),
    ("flatten([[1,2],[[3]], 4])", [1, 2, 3, 4]),
    ("product([2, 3, 4])", 24),
    ("median(8, 2, 5, 3, 4)", 4), ("median([6, 1, 2, 3])", 2.5),
    ("stddev(2, 4, 7, 5)", 2.0816659994661326),
    ("mode(6, 3, 9, 6, 6)", [6]), ("mode([6, 1, 9, 6, 1])", [1, 6]), ("mode([])", []),
    ("sort([3,1,4,5,2], function(x,y) x < y)", [1, 2, 3, 4, 5]),
    # 10.3.4.5 numeric functions
    ("decimal(1/3, 2)", 0.33), ("decimal(1.5, 0)", 2), ("decimal(2.5, 0)", 2),
    ("floor(1.5)", 1), ("floor(-1.5)", -2), ("ceiling(1.5)", 2), ("ceiling(-1.5)", -1),
    ("abs(-10)", 10), ("modulo(12, 5)", 2), ("modulo(-12, 5)", 3), ("modulo(12, -5)", -3),
    ("sqrt(16)", 4), ("decimal(log(10), 4)", 2.3026), ("decimal(exp(5), 4)", 148.4132),
    ("odd(5)", True), ("odd(2)", False), ("even(2)", True),
    # 10.3.4.6 date and time, 10.3.2.3 durations
    ('day of year(date(2019, 9, 17))', 260),
    ('day of week(date(2019, 9, 17))', "Tuesday"),
    ('month of year(date(2019, 9, 17))', "September"),
    ('week of year(date(2019, 9, 17))', 38), ('week of year(date(2003, 12, 29))', 1),
    ('week of year(date(2005, 1, 1))', 53),
    ('years and months duration(date("2011-12-22"), date("2013-08-24"))', "P1Y8M"),
    ('duration("P1Y2M")', "P1Y2M"), ('@"P26M"', "P2Y2M"), ('-duration("P1Y")', "-P1Y"),
    ('duration("P1Y") + duration("P6M")', "P1Y6M"),
    ('duration("P1Y") * 2', "P2Y"),
    ('duration("P1Y") / duration("P3M")', 4),
    ('date("2024-01-31") + duration("P1M")', dt.date(2024, 2, 29)),
    ('date("2024-03-31") - @"P1M"', dt.date(2024, 2, 29)),
    ('@"P1Y2M".years', 1), ('@"P1Y2M".months', 2),
    ('duration("P2DT3H") * 2', "P4DT6H"),
    ('@"2019-03-31T02:30:00@Asia/Shanghai" = @"2019-03-30T18:30:00Z"', True),
    ('date and time("2019-03-31T02:30:00@Asia/Shanghai").timezone', "Asia/Shanghai"),
    ('date and time("2019-03-31T02:30:00+08:00") > date and time("2019-03-30T18:29:00Z")', True),
    ('time("10:30:00@Asia/Shanghai").hour', 10),
    # 10.3.4.11 range functions (points and ranges)
    ("before(1, 10)", True), ("before([1..5], [6..8])", True), ("before([1..5], (5..8])", True),
    ("after([6..8], [1..5])", True),
    ("meets([1..5], [5..8])", True), ("met by([5..8], [1..5])", True),
    ("overlaps([1..5], [3..8])", True), ("overlaps([1..5], [6..8])", False),
    ("overlaps before([1..5], [3..8])", True), ("overlaps after([3..8], [1..5])", True),
    ("finishes(5, [1..5])", True), ("finished by([1..5], 5)", True),
    ("includes([1..10], 5)", True), ("during(5, [1..10])", True),
    ("starts(1, [1..5])", True), ("started by([1..5], 1)", True),
    ("coincides([1..5], [1..5])", True), ("coincides(5, 6)", False),
    # 10.3.4.12 context functions
    ('get value({key1: "value1"}, "key1")', "value1"),
    ('get value({key1: "value1"}, "unexistent-key")', None),
    ('get entries({key1: "value1", key2: "value2"})',
     [{"key": "key1", "value": "value1"}, {"key": "key2", "value": "value2"}]),
    ('context put({x: 1}, "y", 2)', {"x": 1, "y": 2}),
    ("context merge([{x:1}, {y:2}, {x:3}])", {"x": 3, "y": 2}),
    # 10.3.1.2 named parameters of built-ins
    ('substring(string: "foobar", start position: 3)', "obar"),
    ('substring(start position: 2, length: 3, string: "foobar")', "oob"),
    ('date(year: 2025, month: 3, day: 1)', dt.date(2025, 3, 1)),
    ("decimal(scale: 1, n: 2.25)", 2.2),
    # 10.3.2.7 contexts, 10.3.2.9 functions, instance of
    ('{a: 1, b: a + 1, "c d": b * 2}', {"a": 1, "b": 2, "c d": 4}),
    ("{a: 2, f: function(x) x * a, r: f(5)}.r", 10),
    ("{fact: function(n) if n <= 1 then 1 else n * fact(n - 1)}.fact(5)", 120),
    ("{f: function(a, b) a - b}.f(b: 1, a: 5)", 4),
    ("(function(x) x + 1)(2)", 3),
    ("for i in 1..3 return i * i", [1, 4, 9]), ("for i in 3..1 return i", [3, 2, 1]),
    ("5 instance of number", True), ('"5" instance of number', False),
    ("[1, 2] instance of list<number>", True), ('[1, "2"] instance of list<number>', False),
    ('@"P1Y" instance of years and months duration', True),
    ('@"P1D" instance of days and time duration', True),
    ('@"2019-01-01T00:00:00" instance of date and time', True),
    ("{a: 1} instance of context", True), ("null instance of Any", False),
    ("(function(x) x) instance of function", True),
])
def test_specification_examples(text, expected):
    assert feel(text) == expected


def test_names_with_spaces_are_the_declared_ones_longest_first():
    names = ["Years of Service", "Years", "Monthly Income"]
    facts = {"Years of Service": 12, "Years": 3, "Monthly Income": 3000}
    assert feel("Years of Service * 2 + Years", facts, names) == 27
    assert feel("if Years of Service >= 10 then Monthly Income * 0.5 else 0", facts, names) == 1500
    with pytest.raises(FeelSyntaxError, match="names with spaces"):
        parse_expression("Years of Duty + 1", names)


def test_a_function_argument_count_beyond_the_parameters_gives_null():
    assert feel("{f: function(a) a}.f(1, 2)") is None


def test_regular_expressions_that_could_backtrack_for_hours_are_refused_quickly():
    start = time.monotonic()
    for pattern in ("(a+)+$", "(a|aa)*b", "(\\\\w+\\\\s?)+$", "(a)\\\\1", "a*a*a*a*a*b"):
        with pytest.raises(FeelEvaluationError, match="regular expression|repeated group"):
            feel(f'matches("{"a" * 40}b", "{pattern}")')
    assert time.monotonic() - start < 1


def test_regular_expressions_search_bounded_text():
    with pytest.raises(FeelEvaluationError, match="at most"):
        feel('matches(text, "a")', {"text": "a" * 200_000})


def test_lists_built_by_functions_count_against_the_budget():
    doubling = "{a: [1,2,3,4,5,6,7,8,9,10], b: concatenate(a,a,a,a,a,a,a,a,a,a), " \
               "c: concatenate(b,b,b,b,b,b,b,b,b,b), d: concatenate(c,c,c,c,c,c,c,c,c,c), " \
               "e: concatenate(d,d,d,d,d,d,d,d,d,d), f: concatenate(e,e,e,e,e,e,e,e,e,e)}.f[1]"
    with pytest.raises(FeelEvaluationError, match="list items"):
        feel(doubling)


def test_texts_built_by_functions_are_bounded():
    with pytest.raises(FeelEvaluationError, match="characters"):
        feel('string join(for i in l return "x", "yyyyyyyyyyyyyyyyyyyy")', {"l": list(range(90_000))})


def test_an_integer_range_is_charged_before_it_is_made():
    with pytest.raises(FeelEvaluationError, match="list items"):
        feel("count(for i in 1..1000000000000 return i)")


def test_recursion_is_bounded():
    with pytest.raises(FeelEvaluationError, match="levels deep"):
        feel("{f: function(n) f(n + 1)}.f(1)")
