"""Literal service-task parameters are checked against the operator's declared types."""

from __future__ import annotations

import pytest

from app.engine.param_types import literal_problem

HOUSING_TYPE = {"type": "string", "enum": ["gongzufang", "baozufang"]}


@pytest.mark.parametrize(("value", "schema"), [
    ("'gongzufang'", HOUSING_TYPE),
    ("24", {"type": "integer"}),
    ("24", {"type": "number"}),
    ("2.5", {"type": "number"}),
    ("True", {"type": "boolean"}),
    ("['a', 'b']", {"type": "array"}),
    ("{'a': 1}", {"type": "object"}),
    ("None", {"type": "integer"}),                  # no value: the schema decides at run time
    ("household['members']", {"type": "array"}),    # an expression: checked when it runs
    ("months + 1", {"type": "integer"}),
    ("'anything'", {}),                             # an operator that declares no type
    ("gongzufang_literal := 1", {"type": "string"}),  # not a literal (the compile check refuses it)
])
def test_values_that_fit_or_cannot_be_known_before_they_run(value, schema):
    assert literal_problem(value, schema) is None


@pytest.mark.parametrize(("value", "schema", "words"), [
    ("'jingjifang'", HOUSING_TYPE, "one of 'gongzufang', 'baozufang'"),
    ("'24'", {"type": "integer"}, "expects an integer"),
    ("2.5", {"type": "integer"}, "expects an integer"),
    ("True", {"type": "integer"}, "expects an integer"),
    ("1", {"type": "boolean"}, "expects True or False"),
    ("3", {"type": "array"}, "expects a list"),
    ("'x'", {"type": "object"}, "expects a dict"),
])
def test_literals_of_the_wrong_type_or_outside_the_choices_are_named(value, schema, words):
    problem = literal_problem(value, schema)
    assert problem and words in problem and value in problem
