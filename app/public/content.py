"""Shared checks for staff-edited public content: field cleaning, the editor's role, text search."""

from __future__ import annotations

from datetime import date

from app.auth.identity import Identity
from app.l10n import Message
from app.public.models import HOUSING_TYPES
from app.services.errors import Forbidden, ValidationFailed

#: roles that edit the policy library and the FAQ
EDITOR_ROLES = ("policy", "admin")
#: an uploaded PDF may be at most this large
MAX_PDF_BYTES = 10 * 1024 * 1024


def require_editor(actor: Identity) -> None:
    """Raise :class:`Forbidden` unless ``actor`` is policy staff or an admin."""
    if not actor.has_role(*EDITOR_ROLES):
        raise Forbidden("只有政策人员可以编辑公开内容")


class Cleaner:
    """Collects field errors while reading a submitted form, then raises them all at once."""

    def __init__(self, values: dict):
        self.values = values
        self.errors: dict[str, list[str]] = {}

    def text(self, name: str, limit: int, required: bool = True) -> str:
        value = str(self.values.get(name) or "").strip()
        if required and not value:
            self.errors.setdefault(name, []).append("必填")
        elif len(value) > limit:
            self.errors.setdefault(name, []).append(Message("content.too_long", limit=limit))
        return value

    def housing_type(self, name: str = "housing_type") -> str:
        value = str(self.values.get(name) or "").strip()
        if value not in HOUSING_TYPES:
            self.errors.setdefault(name, []).append("请选择住房类型")
        return value

    def day(self, name: str) -> date | None:
        raw = self.values.get(name)
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw or "").strip())
        except ValueError:
            self.errors.setdefault(name, []).append("日期格式应为 YYYY-MM-DD")
            return None

    def integer(self, name: str, default: int = 0) -> int:
        raw = str(self.values.get(name) if self.values.get(name) is not None else default).strip()
        try:
            value = int(raw or default)
        except ValueError:
            self.errors.setdefault(name, []).append("应为整数")
            return default
        if not -100000 <= value <= 100000:
            self.errors.setdefault(name, []).append("超出范围")
            return default
        return value

    def pdf(self, name: str = "pdf") -> tuple[str, bytes] | None:
        upload = self.values.get(name)
        if not upload:
            return None
        filename, content = upload
        if len(content) > MAX_PDF_BYTES:
            self.errors.setdefault(name, []).append("文件不能超过 10 MB")
        elif not content.startswith(b"%PDF-"):
            self.errors.setdefault(name, []).append("只能上传 PDF 文件")
        return (filename or "document.pdf")[-200:], content

    def done(self) -> None:
        if self.errors:
            raise ValidationFailed("提交的内容不符合要求", self.errors)


def like_pattern(words: str) -> str:
    """A LIKE pattern matching ``words`` literally anywhere (``%`` and ``_`` escaped with ``\\``)."""
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
