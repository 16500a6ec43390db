"""Every Chinese text a page shows has an English entry in the gettext catalogue (app/translations/en)."""

from __future__ import annotations

import re
from pathlib import Path

from app.services.case_file_service import HISTORY_ACTIONS
from app.web.case_panels import DEPARTMENTS, VERDICTS
from app.web.errors import TITLES
from app.web.formatting import RELATIONS
from app.web.i18n import EN
from app.web.nav import ADMIN_NAV, MAIN_NAV
from app.web.portal import CASE_STATUS

WEB = Path(__file__).resolve().parents[2] / "app" / "web"
HAN = re.compile(r"[\u4e00-\u9fff]")
T_CALL = re.compile(r"""(?<![\w.])t\(\s*(["'])(.+?)\1""")
JINJA = re.compile(r"{[{%](.+?)[%}]}", re.S)
LITERAL = re.compile(r"""(["'])([^"'{}]*?[\u4e00-\u9fff][^"'{}]*?)\1""")


def _texts() -> set[str]:
    found: set[str] = set()
    for path in list(WEB.rglob("*.html")) + list(WEB.rglob("*.py")):
        if path.name == "catalogue.py" or path.name.endswith("_catalogue.py"):
            continue
        source = path.read_text(encoding="utf-8")
        found |= {m.group(2) for m in T_CALL.finditer(source) if HAN.search(m.group(2))}
        if path.suffix == ".html":  # Chinese literals inside template expressions, e.g. status maps
            for block in JINJA.finditer(source):
                found |= {m.group(2) for m in LITERAL.finditer(block.group(1))}
    found |= {e.label for e in MAIN_NAV + ADMIN_NAV} | set(TITLES.values())
    for labels in (HISTORY_ACTIONS, VERDICTS, DEPARTMENTS, CASE_STATUS, RELATIONS):
        found |= set(labels.values())
    return found


def test_every_page_text_has_an_english_translation():
    missing = sorted(t for t in _texts() if t not in EN)
    assert not missing, f"add to app/translations/en/LC_MESSAGES/messages.po: {missing}"


def test_nothing_lives_only_in_a_catalogue_registered_at_run_time(web_app):
    from app import l10n
    from app.web import i18n

    english = l10n.translations("en")
    assert not [k for k in i18n._REGISTERED if english.ugettext(k) == k]  # noqa: SLF001


def test_placeholders_match_between_languages():
    field = re.compile(r"{(\w+)}")
    wrong = [k for k, v in EN.items() if sorted(field.findall(k)) != sorted(field.findall(v))]
    assert not wrong
