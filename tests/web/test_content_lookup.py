"""Looking texts from data up in the catalogues: domain first, placeholders, no failure on bad files."""

from __future__ import annotations

import json
import os
import time

import pytest

from app.l10n import Message
from app.web import i18n
from tests.web.languages import bare_app, in_language


@pytest.fixture
def content_app(tmp_path):
    """A bare app whose forms/ and processes/ catalogues live in ``tmp_path``."""
    forms, processes = tmp_path / "forms", tmp_path / "processes"
    for folder, entries in ((forms, {"受理": "Accept", "审核结论": "Review decision", "身份证": "ID card"}),
                            (processes, {"受理": "Acceptance", "初审": "First review",
                                         "异议人{who}于{day}提出异议：{content}。请核实。":
                                             "{who} objected on {day}: {content}. Please check.",
                                         "系统比对缺少：{missing}。": "Missing: {missing}."})):
        (folder / "i18n").mkdir(parents=True)
        (folder / "i18n" / "en.json").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return bare_app(tmp_path, forms, processes)


def test_each_domain_reads_its_own_catalogue_first(content_app):
    assert in_language(content_app, "en", i18n.form_text, "受理") == "Accept"
    assert in_language(content_app, "en", i18n.step_name, "受理") == "Acceptance"
    assert in_language(content_app, "en", i18n.step_name, "审核结论") == "Review decision"  # the other catalogue
    assert in_language(content_app, "en", i18n.form_text, "办理记录") == "Case history"  # the pages' catalogue


def test_chinese_sessions_and_texts_without_english_stay_as_they_are(content_app):
    assert in_language(content_app, "zh", i18n.step_name, "初审") == "初审"
    assert in_language(content_app, "en", i18n.step_name, "新加的环节") == "新加的环节"
    assert in_language(content_app, "en", i18n.form_text, None) is None


def test_a_service_message_with_values_takes_its_english_by_id(content_app):
    text = Message("document.type_not_allowed", name="证明.docx")
    assert in_language(content_app, "en", i18n.translate, text) == "证明.docx: only PDF, JPG and PNG files are accepted"
    assert in_language(content_app, "en", i18n.translate, Message("case.not_found", no="GZF-1")) == \
        "Application GZF-1 not found"
    assert in_language(content_app, "zh", i18n.translate, text) == "证明.docx：只接受 PDF、JPG、PNG 文件"


def test_a_filled_in_sentence_is_not_matched_against_the_pages_catalogue(content_app):
    """Only content from forms/ and processes/ is matched by pattern; a service sends an id instead."""
    assert in_language(content_app, "en", i18n.translate, "申请 GZF-1 不存在") == "申请 GZF-1 不存在"


def test_a_broken_catalogue_file_shows_chinese_instead_of_failing(content_app, tmp_path):
    (tmp_path / "processes" / "i18n" / "en.json").write_text("{not json", encoding="utf-8")
    assert in_language(content_app, "en", i18n.step_name, "初审") == "初审"
    (tmp_path / "forms" / "i18n" / "en.json").unlink()
    assert in_language(content_app, "en", i18n.form_text, "审核结论") == "审核结论"


def test_an_english_line_with_a_mistyped_placeholder_shows_chinese_instead_of_failing(content_app, tmp_path):
    path = tmp_path / "processes" / "i18n" / "en.json"
    path.write_text(json.dumps({"请核对{who}的申请": "Check {whom}'s application", "第{n}次补交": "Supplement {n"},
                               ensure_ascii=False), encoding="utf-8")
    assert in_language(content_app, "en", i18n.step_name, "请核对张三的申请") == "请核对张三的申请"
    assert in_language(content_app, "en", i18n.step_name, "第2次补交") == "第2次补交"


def test_an_added_line_shows_without_a_restart(content_app, tmp_path):
    path = tmp_path / "processes" / "i18n" / "en.json"
    assert in_language(content_app, "en", i18n.step_name, "复审") == "复审"
    path.write_text(json.dumps({"复审": "Second review", "初审": "First review"}, ensure_ascii=False),
                    encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    assert in_language(content_app, "en", i18n.step_name, "复审") == "Second review"


def test_values_in_a_message_are_translated_item_by_item_when_each_has_english(content_app):
    def english(text: str) -> str:
        return in_language(content_app, "en", i18n.step_name, text)

    assert english("系统比对缺少：身份证、受理。") == "Missing: ID card, Accept."
    assert english("系统比对缺少：身份证、房产证。") == "Missing: 身份证、房产证."


def test_a_value_holding_the_next_literal_is_never_cut_short(content_app):
    def english(text: str) -> str:
        return in_language(content_app, "en", i18n.step_name, text)

    # "张于明于…" splits two ways (张 | 明于2026… or 张于明 | 2026…): no guess, the Chinese as it is
    ambiguous = "异议人张于明于2026-11-02提出异议：有房。请核实。"
    assert english(ambiguous) == ambiguous
    plain = "异议人李四于2026-11-02提出异议：有房。请核实。"
    assert english(plain) == "李四 objected on 2026-11-02: 有房. Please check."


def test_matching_a_long_text_that_repeats_the_literals_stays_fast(content_app):
    def english_in_time(text: str) -> str:
        started = time.perf_counter()
        english = in_language(content_app, "en", i18n.step_name, text)
        assert time.perf_counter() - started < 1.0
        return english

    content = "于提出异议" * 20_000  # every 于 a candidate, but only one 提出异议：
    assert english_in_time(f"异议人李四于2026-11-02提出异议：{content}。请核实。") == \
        f"李四 objected on 2026-11-02: {content}. Please check."
    crafted = f"异议人{'于' * 50_000}提出异议：{'提出异议：。请核实' * 20_000}。请核实。"
    assert english_in_time(crafted) == crafted  # splits countless ways: left in Chinese
