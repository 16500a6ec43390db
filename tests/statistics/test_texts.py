"""Every Chinese text of the dashboard has English (the page catalogue or the dashboard's own)."""

from __future__ import annotations

import re
from pathlib import Path

from app.statistics import labels
from app.web.i18n import EN

PACKAGE = Path(__file__).resolve().parents[2] / "app" / "statistics"
HAN = re.compile(r"[\u4e00-\u9fff]")
LITERAL = re.compile(r"""(["'])([^"'\n]*?[\u4e00-\u9fff][^"'\n]*?)\1""")
#: labels.py lists step names too: those come from the diagrams and their own catalogue
SKIP = {"catalogue.py", "refresh.py", "__init__.py", "export.py", "labels.py"}


def _texts() -> set[str]:
    found: set[str] = set()
    for path in list(PACKAGE.rglob("*.py")) + list(PACKAGE.rglob("*.html")):
        if path.name in SKIP:
            continue
        source = re.sub(r'"""[\s\S]*?"""', "", path.read_text(encoding="utf-8"))  # not the docstrings
        source = "\n".join(line.split("#", 1)[0] if path.suffix == ".py" else line for line in source.splitlines())
        found |= {re.sub(r"{\w+\.(\w+)}", r"{\1}", m.group(2)) for m in LITERAL.finditer(source)}
    for mapping in (labels.PANEL_TITLES, labels.HOUSING_TYPES, labels.HOUSEHOLD_TYPES, labels.CHANNELS):
        found |= set(mapping.values())
    found |= set(labels.COMPLAINT_CATEGORIES)
    return found


def test_every_dashboard_text_has_english():
    known = EN
    texts = _texts()
    assert "按期完成率 %" in texts and "统计分析" in texts  # the scan sees the texts at all
    missing = sorted(t for t in texts if t not in known)
    assert not missing, f"add to app/translations/en/LC_MESSAGES/messages.po: {missing}"
