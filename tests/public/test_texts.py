"""Every Chinese text the public-service pages and services show has an English entry."""

from __future__ import annotations

import re
from pathlib import Path

from app.public import EDITOR_ENTRIES, SERVICE_ENTRY
from app.public.views import TYPE_NAMES
from app.web.i18n import EN
from app.web.portal import CASE_STATUS
from tests.web.test_i18n import HAN, JINJA, LITERAL, T_CALL

PACKAGE = Path(__file__).resolve().parents[2] / "app" / "public"
#: messages services raise: the Chinese string literals in raise/append calls
MESSAGE = re.compile(r"""(?:Error|Found|Publishable|Published|Matched|Limited|Forbidden|Failed|append)"""
                     r"""\(\s*f?(["'])(.+?)\1""")


def _texts() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*"):
        if path.suffix not in (".html", ".py") or path.name in ("texts.py", "demo.py"):
            continue
        source = path.read_text(encoding="utf-8")
        found |= {m.group(2) for m in T_CALL.finditer(source) if HAN.search(m.group(2))}
        if path.suffix == ".html":
            for block in JINJA.finditer(source):
                found |= {m.group(2) for m in LITERAL.finditer(block.group(1))}
        else:
            found |= {re.sub(r"{[^}]*}", "{}", m.group(2)) for m in MESSAGE.finditer(source) if HAN.search(m.group(2))}
    found |= {SERVICE_ENTRY.label} | {e.label for e in EDITOR_ENTRIES} | set(TYPE_NAMES.values())
    return found


def test_every_public_text_has_english():
    known = set(EN) | {re.sub(r"{[^}]*}", "{}", k) for k in EN}
    missing = sorted(t for t in _texts() if t not in known and t not in CASE_STATUS.values())
    assert not missing, f"add to app/translations/en/LC_MESSAGES/messages.po: {missing}"


def test_placeholders_match_between_languages():
    field = re.compile(r"{(\w+)}")
    assert not [k for k, v in EN.items() if sorted(field.findall(k)) != sorted(field.findall(v))]
