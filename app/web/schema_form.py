"""HTML forms from the JSON Schemas in ``forms/``, and posted fields back into JSON.

Rendering covers what task forms use: strings (text, textarea, date, email), numbers, integers,
booleans, ``enum`` / ``oneOf`` choices (select or radio), arrays of choices (checkboxes), nested
objects (fieldsets with dotted names) and arrays of objects (rows named ``members.0.name``).
UI-schema keys follow react-jsonschema-form: ``ui:order``, ``ui:widget``, ``ui:help``,
``ui:placeholder``, ``ui:title``. Validation is the server's (:mod:`app.services.forms`), so
parsing only turns strings into the types the schema names and leaves judging to it.

A form built with ``growable=True`` lets the user add and remove rows of an array of objects:
the buttons submit ``_rows=add:<name>`` or ``_rows=remove:<name>.<i>`` and
:func:`row_action` redraws the form with the values kept (a script does the same in the page
without a round trip). Any number of rows parses back, whatever their indexes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from app.services.forms import choices_of

#: enum values rendered as action buttons on a task form, in this order of prominence
DECISION_FIELD = "decision"
#: the submit button that adds or removes a row instead of submitting the form
ROW_ACTION = "_rows"
#: the index of a row in a posted name: a short plain number (more rows than this no form has)
ROW_INDEX = re.compile(r"[0-9]{1,4}")
#: the index in the names of a row template; never a row index, so never parsed
ROW_PLACEHOLDER = "__row__"


@dataclass
class Field:
    """One input (or group of inputs) to render."""

    name: str
    title: str
    #: text textarea number integer boolean date select radio checkboxes object rows hidden
    kind: str
    required: bool = False
    value: Any = None
    choices: list[tuple[Any, str]] = field(default_factory=list)
    help: str = ""
    placeholder: str = ""
    errors: list[str] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    rows: list[list[Field]] = field(default_factory=list)
    #: rows may be added and removed on the page
    growable: bool = False
    #: an empty row (names hold ROW_PLACEHOLDER) the page script copies to add one
    template: list[Field] = field(default_factory=list)
    #: rows the list must keep (a required list keeps one; an optional one may have none)
    min_rows: int = 0


def build(schema: dict, ui: dict | None = None, values: dict | None = None,
          errors: dict[str, list[str]] | None = None, prefix: str = "", growable: bool = False) -> list[Field]:
    """The fields of an object schema, in ``ui:order`` then declaration order.

    ``growable`` gives arrays of objects add / remove buttons (unless their UI schema says
    ``"ui:options": {"addable": false}``).
    """
    ui, values, errors = ui or {}, values or {}, errors or {}
    props: dict = schema.get("properties") or {}
    order = [n for n in ui.get("ui:order", []) if n in props] + [n for n in props if n not in ui.get("ui:order", [])]
    required = set(schema.get("required") or [])
    return [_field(f"{prefix}{name}", props[name], ui.get(name) or {}, values.get(name), errors, name in required,
                   growable) for name in order]


def _field(name: str, prop: dict, ui: dict, value, errors, required: bool, growable: bool = False) -> Field:
    title = ui.get("ui:title") or prop.get("title") or name.rsplit(".", 1)[-1]
    widget = ui.get("ui:widget")
    base = dict(name=name, title=title, required=required, help=ui.get("ui:help") or prop.get("description", ""),
                placeholder=ui.get("ui:placeholder", ""), errors=errors.get(name, []),
                value=prop.get("default") if value is None else value)
    kind = prop.get("type")
    if widget == "hidden":
        return Field(kind="hidden", **base)
    if kind == "object":
        children = build(prop, ui, value if isinstance(value, dict) else {}, errors, f"{name}.", growable)
        return Field(kind="object", children=children, **base)
    if kind == "array":
        items = prop.get("items") or {}
        if items.get("type") == "object":
            current = [v if isinstance(v, dict) else {} for v in value] if isinstance(value, list) else []
            if not current and required:
                current.append({})  # a list the form requires starts with one row to fill in
            rows = [build(items, ui.get("items") or {}, v, errors, f"{name}.{i}.") for i, v in enumerate(current)]
            addable = (ui.get("ui:options") or {}).get("addable", True)
            template = build(items, ui.get("items") or {}, {}, {}, f"{name}.{ROW_PLACEHOLDER}.")
            return Field(kind="rows", rows=rows, growable=growable and addable, template=template,
                         min_rows=1 if required else 0, **base)
        return Field(kind="checkboxes", choices=choices_of(items), **base)
    if choices_of(prop):
        return Field(kind="radio" if widget == "radio" else "select", choices=choices_of(prop), **base)
    if kind == "boolean":
        return Field(kind="boolean", **base)
    if kind in ("number", "integer"):
        return Field(kind=kind, **base)
    if prop.get("format") == "date" or widget == "date":
        return Field(kind="date", **base)
    return Field(kind="textarea" if widget == "textarea" or prop.get("maxLength", 0) > 200 else "text", **base)


def parse(schema: dict, form: MultiDict, prefix: str = "", keep_blank_rows: bool = False) -> dict:
    """Posted fields as JSON typed by the schema; blank optional fields are left out.

    Rows of an array of objects are read whatever their indexes (a page script may leave gaps),
    in index order; wholly blank rows are dropped unless ``keep_blank_rows`` (redrawing a form).
    """
    out: dict = {}
    required = set(schema.get("required") or [])
    for name, prop in (schema.get("properties") or {}).items():
        key = f"{prefix}{name}"
        kind = prop.get("type")
        if kind == "object":
            value = parse(prop, form, f"{key}.", keep_blank_rows)
            if value:
                out[name] = value
        elif kind == "array" and (prop.get("items") or {}).get("type") == "object":
            rows = _rows(prop["items"], form, key, keep_blank_rows)
            # rows left blank are no answer: an optional list is left out, a required one stays
            # (empty) so that the schema says what is missing
            if rows or (name in required and _row_indexes(form, key)):
                out[name] = rows
        elif kind == "array":
            picked = form.getlist(key)
            if picked or f"{key}.present" in form:
                out[name] = [_scalar(prop.get("items") or {}, v) for v in picked]
        elif kind == "boolean":
            if key in form or f"{key}.present" in form:
                out[name] = form.get(key) in ("on", "true", "1")
        elif form.get(key, "") != "":
            out[name] = _scalar(prop, form.get(key))
    return out


def _rows(items: dict, form: MultiDict, key: str, keep_blank: bool = False) -> list[dict]:
    rows = [parse(items, form, f"{key}.{i}.", keep_blank) for i in _row_indexes(form, key)]
    return rows if keep_blank else [r for r in rows if not _blank(r)]


def _row_indexes(form: MultiDict, key: str) -> list[int]:
    """The row indexes posted under ``key``; a name whose index is no short plain number is no row."""
    heads = (k[len(key) + 1:].split(".", 1)[0] for k in form.keys() if k.startswith(key + "."))
    return sorted({int(head) for head in heads if ROW_INDEX.fullmatch(head)})


def _blank(row: dict) -> bool:
    return not any(v not in ("", None, False, [], {}) for v in row.values())


def row_action(schema: dict, form: MultiDict) -> dict | None:
    """The form's values after an add-row / remove-row button, or None if another button was used.

    ``add:<name>`` appends an empty row to the array ``name`` (dotted); ``remove:<name>.<i>``
    drops the row posted with index ``i``. Every other value is kept as posted, blank rows too.
    A name that is no array of the form (one inside a row, say) redraws the form unchanged.
    """
    action, _, target = form.get(ROW_ACTION, "").partition(":")
    if action not in ("add", "remove") or not target:
        return None
    if action == "remove":
        form = MultiDict([(k, v) for k, v in form.items(multi=True) if not k.startswith(target + ".")])
    values = parse(schema, form, keep_blank_rows=True)
    if action == "add":
        *path, last = target.split(".")
        holder, prop = values, schema
        for part in path:
            if not isinstance(holder, dict):  # a step into a row or a value: nothing to add to
                return values
            prop = (prop.get("properties") or {}).get(part) or {}
            holder = holder.setdefault(part, {})
        prop = (prop.get("properties") or {}).get(last) or {}
        if prop.get("type") == "array" and isinstance(holder, dict):
            rows = holder.setdefault(last, [])
            if len(rows) < prop.get("maxItems", 100):
                rows.append({})
    return values


def _scalar(prop: dict, raw: str):
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            number = float(raw)
            if not math.isfinite(number):
                return raw  # nan, inf and 1e999 are no amounts: the schema refuses the text
            return int(number) if number.is_integer() and "." not in raw else number
    except ValueError:
        return raw  # left for the schema to reject with a readable message
    if kind == "boolean":
        return raw in ("on", "true", "1")
    return raw


def decision_choices(schema: dict) -> list[tuple[Any, str, str]]:
    """The form's decision choices as action buttons: ``(value, label, style)``.

    The style says how the button looks: ``danger`` for rejecting, ``warn`` for sending back,
    ``primary`` otherwise.
    """
    prop = (schema.get("properties") or {}).get(DECISION_FIELD)
    return [(v, label, _style(str(v), label)) for v, label in (choices_of(prop) if prop else [])]


def _style(value: str, label: str) -> str:
    if "reject" in value or "不通过" in label or "不予" in label:
        return "danger"
    if "return" in value or "退回" in label or "补正" in label:
        return "warn"
    return "primary"
