"""HTML forms from the JSON Schemas in ``forms/``, and posted fields back into JSON.

Rendering covers what task forms use: strings (text, textarea, date, email), numbers, integers,
booleans, ``enum`` / ``oneOf`` choices (select or radio), arrays of choices (checkboxes), nested
objects (fieldsets with dotted names) and arrays of objects (rows named ``members.0.name``).
UI-schema keys follow react-jsonschema-form: ``ui:order``, ``ui:widget``, ``ui:help``,
``ui:placeholder``, ``ui:title``. Validation is the server's (:mod:`app.services.forms`), so
parsing only turns strings into the types the schema names and leaves judging to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

#: enum values rendered as action buttons on a task form, in this order of prominence
DECISION_FIELD = "decision"


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


def choices_of(prop: dict) -> list[tuple[Any, str]]:
    """``(value, label)`` pairs of an enum (labels from ``enumNames``) or ``oneOf`` of consts."""
    if "enum" in prop:
        names = prop.get("enumNames") or prop.get("x-enumNames") or []
        return [(v, names[i] if i < len(names) else str(v)) for i, v in enumerate(prop["enum"])]
    return [(c["const"], c.get("title", str(c["const"]))) for c in prop.get("oneOf", []) if "const" in c]


def build(schema: dict, ui: dict | None = None, values: dict | None = None,
          errors: dict[str, list[str]] | None = None, prefix: str = "") -> list[Field]:
    """The fields of an object schema, in ``ui:order`` then declaration order."""
    ui, values, errors = ui or {}, values or {}, errors or {}
    props: dict = schema.get("properties") or {}
    order = [n for n in ui.get("ui:order", []) if n in props] + [n for n in props if n not in ui.get("ui:order", [])]
    required = set(schema.get("required") or [])
    return [_field(f"{prefix}{name}", props[name], ui.get(name) or {}, values.get(name), errors, name in required)
            for name in order]


def _field(name: str, prop: dict, ui: dict, value, errors, required: bool) -> Field:
    title = ui.get("ui:title") or prop.get("title") or name.rsplit(".", 1)[-1]
    widget = ui.get("ui:widget")
    base = dict(name=name, title=title, required=required, help=ui.get("ui:help") or prop.get("description", ""),
                placeholder=ui.get("ui:placeholder", ""), errors=errors.get(name, []),
                value=prop.get("default") if value is None else value)
    kind = prop.get("type")
    if widget == "hidden":
        return Field(kind="hidden", **base)
    if kind == "object":
        children = build(prop, ui, value if isinstance(value, dict) else {}, errors, prefix=f"{name}.")
        return Field(kind="object", children=children, **base)
    if kind == "array":
        items = prop.get("items") or {}
        if items.get("type") == "object":
            current = value if isinstance(value, list) else []
            rows = [build(items, ui.get("items") or {}, v if isinstance(v, dict) else {}, errors, f"{name}.{i}.")
                    for i, v in enumerate(current + [{}])]
            return Field(kind="rows", rows=rows, **base)
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


def parse(schema: dict, form: MultiDict, prefix: str = "") -> dict:
    """Posted fields as JSON typed by the schema; blank optional fields are left out."""
    out: dict = {}
    for name, prop in (schema.get("properties") or {}).items():
        key = f"{prefix}{name}"
        kind = prop.get("type")
        if kind == "object":
            value = parse(prop, form, f"{key}.")
            if value:
                out[name] = value
        elif kind == "array" and (prop.get("items") or {}).get("type") == "object":
            rows = _rows(prop["items"], form, key)
            if rows or key + ".0." in "".join(form.keys()):
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


def _rows(items: dict, form: MultiDict, key: str) -> list[dict]:
    indexes = sorted({int(k[len(key) + 1:].split(".", 1)[0]) for k in form.keys()
                      if k.startswith(key + ".") and k[len(key) + 1:].split(".", 1)[0].isdigit()})
    rows = [parse(items, form, f"{key}.{i}.") for i in indexes]
    return [r for r in rows if any(v not in ("", None, False, [], {}) for v in r.values())]


def _scalar(prop: dict, raw: str):
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            number = float(raw)
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
