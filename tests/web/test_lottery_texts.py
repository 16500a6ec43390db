"""Every Chinese text of the public lottery pages has English (the pages' catalogue or the lottery's own)."""

from __future__ import annotations

import re
from pathlib import Path

from app.lottery.views import STATUS_NAMES
from app.web.i18n import EN

PACKAGE = Path(__file__).resolve().parents[2] / "app" / "lottery"
T_CALL = re.compile(r"""(?<![\w.])t\(\s*(["'])(.+?)\1""")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _texts() -> set[str]:
    found = {m.group(2) for path in PACKAGE.rglob("*.html")
             for m in T_CALL.finditer(path.read_text(encoding="utf-8")) if HAN.search(m.group(2))}
    return found | set(STATUS_NAMES.values()) | {"摇号结果", "摇号轮次不存在"}


def test_every_lottery_page_text_has_english():
    texts = _texts()
    assert "种子哈希（SHA-256）" in texts and "摇号后公布" in texts  # the scan sees the templates at all
    missing = sorted(t for t in texts if t not in EN)
    assert not missing, f"add to app/translations/en/LC_MESSAGES/messages.po: {missing}"


def test_placeholders_match_between_languages():
    field = re.compile(r"{(\w+)}")
    assert not [k for k, v in EN.items() if sorted(field.findall(k)) != sorted(field.findall(v))]
