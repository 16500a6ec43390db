"""Task forms from ``forms/``: JSON Schema validation of submitted data, on the server.

The same schema renders the form in the browser; here it decides what is accepted. Only the
fields a form declares are taken into the process data, so a submission cannot overwrite a
process variable (``eligible``, say) that its form does not ask for.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from app.privacy import mask_tree
from app.services import context
from app.services.errors import ValidationFailed


class FormNotFound(LookupError):
    """The form file named by a task does not exist."""


def form_path(form_key: str) -> Path:
    """The file of a form key, refusing anything outside ``forms/``."""
    base = Path(context.settings().forms_dir).resolve()
    path = (base / form_key).resolve()
    if base not in path.parents or not path.is_file():
        raise FormNotFound(form_key)
    return path


def load_form(form_key: str) -> dict:
    """The parsed JSON of a form file."""
    path = form_path(form_key)
    return _load(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=256)
def _load(path: str, _mtime: int) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


@lru_cache(maxsize=256)
def _validator(path: str, mtime: int) -> Draft202012Validator:
    return Draft202012Validator(_load(path, mtime), format_checker=FormatChecker())


def validate_submission(form_key: str | None, data: dict) -> dict:
    """The declared part of ``data`` if it satisfies the form; raises :class:`ValidationFailed`."""
    if not form_key:
        return data
    try:
        path = form_path(form_key)
    except FormNotFound:
        raise ValidationFailed(f"the task's form {form_key!r} is missing on the server",
                               {"form": [f"{form_key} not found"]}) from None
    schema = _load(str(path), path.stat().st_mtime_ns)
    validator = _validator(str(path), path.stat().st_mtime_ns)
    errors: dict[str, list[str]] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        field = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            field = ".".join(filter(None, [field, missing]))
        errors.setdefault(field or "_", []).append(_message(error))
    if errors:
        raise ValidationFailed("提交的数据未通过表单校验", errors)
    declared = schema.get("properties")
    if not declared or schema.get("additionalProperties") is True:
        return data
    return {k: v for k, v in data.items() if k in declared}


#: what a failed check of the form's schema means, in words (the pages' catalogue has the English);
#: the validator's own message quotes values the way Python writes them (``True was expected``)
CHECK_MESSAGES = {"required": "必填", "enum": "不在可选范围内", "minLength": "太短", "maxLength": "太长",
                  "pattern": "格式不正确", "type": "类型不正确", "minimum": "太小", "maximum": "太大",
                  "exclusiveMinimum": "太小", "exclusiveMaximum": "太大", "format": "格式不正确",
                  "minItems": "数量不足", "maxItems": "数量过多", "const": "请勾选确认", "uniqueItems": "有重复项"}


def _message(error) -> str:
    return CHECK_MESSAGES.get(error.validator, "不符合要求")


def audit_view(data: dict, limit: int = 2000) -> dict:
    """Submitted data as the audit trail keeps it: masked and bounded."""
    masked = mask_tree(data)
    text = json.dumps(masked, ensure_ascii=False)
    if len(text) <= limit:
        return masked
    return {"_truncated": text[:limit]}


def choices_of(prop: dict) -> list[tuple[Any, str]]:
    """``(value, label)`` pairs of an enum (labels from ``enumNames``) or ``oneOf`` of consts."""
    if "enum" in prop:
        names = prop.get("enumNames") or prop.get("x-enumNames") or []
        return [(v, names[i] if i < len(names) else str(v)) for i, v in enumerate(prop["enum"])]
    return [(c["const"], c.get("title", str(c["const"]))) for c in prop.get("oneOf", []) if "const" in c]
