"""Repeated rows (household members): any number parses back; add / remove redraws keep the values."""

from __future__ import annotations

import json

import pytest
from werkzeug.datastructures import MultiDict

from app.web import schema_form
from tests.conftest import ROOT

APPLICATION = json.loads((ROOT / "forms" / "application.schema.json").read_text(encoding="utf-8"))
MEMBERS = "household.members"


def _member(form: list, index: int, name: str, id_number: str, relation: str) -> None:
    form += [(f"{MEMBERS}.{index}.name", name), (f"{MEMBERS}.{index}.id_number", id_number),
             (f"{MEMBERS}.{index}.relation", relation), (f"{MEMBERS}.{index}.monthly_income", "0")]


def _family(indexes=(0, 1, 2)) -> MultiDict:
    form: list = [("household.type", "nuclear")]
    people = [("张三丰", "110105199001011234", "applicant"), ("李梅", "110105199202021236", "spouse"),
              ("张小宝", "110105201803031238", "child")]
    for index, person in zip(indexes, people, strict=True):
        _member(form, index, *person)
    return MultiDict(form)


def _members(values: dict) -> list[dict]:
    return values["household"]["members"]


def test_any_number_of_rows_parses_back_whatever_their_indexes():
    assert [m["name"] for m in _members(schema_form.parse(APPLICATION, _family()))] == ["张三丰", "李梅", "张小宝"]
    # a page script that removed rows leaves gaps and high indexes: order is by index
    gappy = schema_form.parse(APPLICATION, _family(indexes=(3, 7, 12)))
    assert [m["relation"] for m in _members(gappy)] == ["applicant", "spouse", "child"]
    assert _members(gappy)[2]["monthly_income"] == 0


def test_blank_rows_are_dropped_when_submitting_but_kept_when_redrawing():
    form = _family()
    form.add(f"{MEMBERS}.3.name", "")
    form.add(f"{MEMBERS}.3.monthly_income", "0")
    assert len(_members(schema_form.parse(APPLICATION, form))) == 3
    assert len(_members(schema_form.parse(APPLICATION, form, keep_blank_rows=True))) == 4


def test_the_add_button_redraws_with_one_more_empty_row_and_the_values_kept():
    form = MultiDict([(k, v) for k, v in _family().items(multi=True) if not k.startswith(f"{MEMBERS}.2.")])
    form.add(schema_form.ROW_ACTION, f"add:{MEMBERS}")
    values = schema_form.row_action(APPLICATION, form)
    assert values is not None
    assert [m.get("name") for m in _members(values)] == ["张三丰", "李梅", None]
    fields = schema_form.build(APPLICATION, None, values, growable=True)
    rows = next(f for f in fields if f.name == "household").children
    members = next(f for f in rows if f.name == MEMBERS)
    assert members.growable and len(members.rows) == 3  # the empty row added is the row to fill in
    assert members.rows[1][0].name == f"{MEMBERS}.1.name" and members.rows[1][0].value == "李梅"


def test_the_remove_button_drops_exactly_that_row():
    form = _family(indexes=(0, 4, 9))
    form.add(schema_form.ROW_ACTION, f"remove:{MEMBERS}.4")
    assert [m["name"] for m in _members(schema_form.row_action(APPLICATION, form))] == ["张三丰", "张小宝"]


def test_other_buttons_are_not_row_actions_and_rows_are_capped():
    assert schema_form.row_action(APPLICATION, _family()) is None
    assert schema_form.row_action(APPLICATION, MultiDict({schema_form.ROW_ACTION: "drop:x"})) is None
    form = MultiDict([(f"{MEMBERS}.{i}.name", f"成员{i}") for i in range(12)])
    form.add(schema_form.ROW_ACTION, f"add:{MEMBERS}")
    assert len(_members(schema_form.row_action(APPLICATION, form))) == 12  # maxItems of the form


def test_rows_grow_only_where_asked():
    plain = next(f for f in schema_form.build(APPLICATION) if f.name == "household").children
    assert not next(f for f in plain if f.name == MEMBERS).growable
    assert len(next(f for f in plain if f.name == MEMBERS).rows) == 1  # a fresh form: one empty row
    ui = {"household": {"members": {"ui:options": {"addable": False}}}}
    fixed = next(f for f in schema_form.build(APPLICATION, ui, growable=True) if f.name == "household").children
    assert not next(f for f in fixed if f.name == MEMBERS).growable


def test_an_add_button_naming_a_field_inside_a_row_redraws_the_form_unchanged():
    form = _family()
    form.add(schema_form.ROW_ACTION, f"add:{MEMBERS}.0.name")  # a step through a list, not an object
    values = schema_form.row_action(APPLICATION, form)
    assert values is not None and [m["name"] for m in _members(values)] == ["张三丰", "李梅", "张小宝"]


@pytest.mark.parametrize("index", ["9" * 5000, "²", "١", "12345"], ids=["huge", "superscript", "arabic", "5-digit"])
def test_a_row_index_that_is_not_a_short_number_is_not_a_row(index):
    form = _family()
    form.add(f"{MEMBERS}.{index}.name", "王五")
    assert [m["name"] for m in _members(schema_form.parse(APPLICATION, form))] == ["张三丰", "李梅", "张小宝"]
    form.add(schema_form.ROW_ACTION, f"add:{MEMBERS}")
    assert len(_members(schema_form.row_action(APPLICATION, form))) == 4


@pytest.mark.parametrize("raw", ["nan", "inf", "-Infinity", "1e999", "9" * 5000],
                         ids=["nan", "inf", "-inf", "overflow", "huge"])
def test_a_number_that_is_not_finite_is_left_for_the_schema_to_refuse(raw):
    form = _family()
    form.setlist(f"{MEMBERS}.0.monthly_income", [raw])
    assert _members(schema_form.parse(APPLICATION, form))[0]["monthly_income"] == raw
