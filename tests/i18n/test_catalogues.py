"""The gettext catalogues: complete for every id the code uses, compiled from the ``.po`` when stale."""

from __future__ import annotations

import ast
import re
import shutil
import time
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app import l10n
from app.services.errors import DomainError

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
FIELD = re.compile(r"{(\w+)}")
HAN = re.compile(r"[\u4e00-\u9fff]")
#: the codes the HTTP layer itself answers with (app/api/errors.py)
HTTP_CODES = {"internal_error", "bad_request", "unauthorized", "method_not_allowed", "request_entity_too_large",
              "unsupported_media_type", "unprocessable_entity", "internal_server_error"}


def catalogue(lang: str) -> dict[str, str]:
    with (l10n.TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


def message_calls() -> dict[str, tuple[set[str], str]]:
    """Every ``Message("id", name=…)`` in app/: id → (the value names passed, where)."""
    found: dict[str, tuple[set[str], str]] = {}
    for path in sorted(APP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Message"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                names = {k.arg for k in node.keywords if k.arg}
                found.setdefault(node.args[0].value, (names, f"{path.relative_to(ROOT)}:{node.lineno}"))
    return found


def error_codes() -> set[str]:
    from app.factory import create_app
    from tests.conftest import make_settings

    create_app(make_settings("sqlite://"))  # imports every context, so every error class exists

    def walk(cls):
        yield cls
        for sub in cls.__subclasses__():
            yield from walk(sub)

    return {cls.code for cls in walk(DomainError)}


def test_every_message_id_the_code_raises_has_chinese_and_english_with_its_values():
    zh, en = catalogue("zh"), catalogue("en")
    calls = message_calls()
    assert "case.not_found" in calls  # the scan sees the services at all
    problems = []
    for msgid, (names, where) in calls.items():
        for lang, entries in (("zh", zh), ("en", en)):
            text = entries.get(msgid)
            if not text:
                problems.append(f"{where}: {msgid} has no {lang} entry")
            elif set(FIELD.findall(text)) != names:
                problems.append(f"{where}: {msgid} ({lang}) uses {sorted(FIELD.findall(text))}, not {sorted(names)}")
    assert not problems


def test_every_error_code_has_a_chinese_and_an_english_label():
    codes = error_codes() | HTTP_CODES
    assert {"case_not_found", "validation_failed", "lottery_round_not_found"} <= codes
    zh, en = catalogue("zh"), catalogue("en")
    missing = sorted(f"error.{c} ({lang})" for c in codes for lang, entries in (("zh", zh), ("en", en))
                     if not entries.get(f"error.{c}"))
    assert not missing
    chinese = re.compile(r"[\u4e00-\u9fff]")
    assert all(chinese.search(zh[f"error.{c}"]) and not chinese.search(en[f"error.{c}"]) for c in codes)


def test_ids_have_the_same_placeholders_in_both_languages():
    zh, en = catalogue("zh"), catalogue("en")
    wrong = [k for k in zh if sorted(FIELD.findall(zh[k])) != sorted(FIELD.findall(en.get(k, "")))]
    assert not wrong


def test_a_message_is_its_chinese_text_and_renders_in_english_by_its_id():
    message = l10n.Message("case.not_found", no="GZF2026-000001")
    assert message == "申请 GZF2026-000001 不存在"
    assert message.render("en") == "Application GZF2026-000001 not found"
    nested = l10n.Message("complaint.unknown_channel", channel=l10n.Message("case.not_found", no="X"))
    assert "申请 X 不存在" in nested and "Application X not found" in nested.render("en")


def test_an_edited_po_is_compiled_again_and_a_missing_mo_is_made(tmp_path):
    folder = tmp_path / "translations"
    shutil.copytree(l10n.TRANSLATIONS, folder, ignore=shutil.ignore_patterns("*.mo"))
    po = folder / "en" / "LC_MESSAGES" / "messages.po"
    assert {p.parent.parent.name for p in l10n.compile_catalogues(folder)} == {"zh", "en"}
    assert l10n.compile_catalogues(folder) == []  # fresh: nothing to do
    time.sleep(0.01)
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Application {no} not found"',
                                                          'msgstr "No application {no}"'), encoding="utf-8")
    assert l10n.compile_catalogues(folder) == [po.with_suffix(".mo")]
    from babel.support import Translations

    with po.with_suffix(".mo").open("rb") as handle:
        assert Translations(handle).ugettext("case.not_found") == "No application {no}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_shipped_mo_files_match_their_po(lang):
    l10n.compile_catalogues()
    entries = catalogue(lang)
    compiled = l10n.translations(lang)
    assert all(compiled.ugettext(k) == v for k, v in entries.items() if v)


#: errors of the command line only, which print Chinese and English together
CLI_ONLY = {"app/audit/roles.py"}


def test_no_error_is_raised_as_a_filled_in_chinese_sentence():
    """A message with values is raised as ``Message(id, **values)``: its English is found by id, not by pattern."""
    found = []
    for path in sorted(APP.rglob("*.py")):
        if str(path.relative_to(ROOT)) in CLI_ONLY:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                for part in ast.walk(node.exc):
                    if isinstance(part, ast.JoinedStr) and HAN.search(ast.unparse(part)):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found


def test_every_plain_chinese_error_message_has_english():
    """A message without values may stay keyed by its Chinese (a page text); it still needs its English."""
    english = catalogue("en")
    missing = []
    for path in sorted(APP.rglob("*.py")):
        if str(path.relative_to(ROOT)) in CLI_ONLY:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
                first = node.exc.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str) and HAN.search(first.value) \
                        and not english.get(first.value):
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {first.value}")
    assert not missing, "add to app/translations/en/LC_MESSAGES/messages.po"
