"""Languages of the pages: Chinese first, English available.

Templates and views write their text in Chinese and pass it through :func:`t`; with English
chosen, :data:`app.web.catalogue.EN` supplies the translation (a missing entry shows the Chinese,
and a test keeps the catalogue complete). The choice lives in the session. A feature with many
texts of its own may keep them in its own module and add them with :func:`register_catalogue`.
"""

from __future__ import annotations

from flask import session

from app.web.catalogue import EN

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT = "zh"


def register_catalogue(translations: dict[str, str]) -> None:
    """Add a feature's Chinese → English texts to :data:`EN` (a text already there keeps its own)."""
    for zh, en in translations.items():
        EN.setdefault(zh, en)


def current_lang() -> str:
    """The language of this session (``zh`` unless the user chose English)."""
    lang = session.get("lang", DEFAULT)
    return lang if lang in LANGUAGES else DEFAULT


def set_lang(lang: str) -> None:
    """Remember the user's language (unknown codes are ignored)."""
    if lang in LANGUAGES:
        session["lang"] = lang


def t(text: str, **values) -> str:
    """``text`` in the session's language, with ``{name}`` placeholders filled from ``values``."""
    if current_lang() == "en":
        text = EN.get(text, text)
    return text.format(**values) if values else text


def html_lang() -> str:
    """The value of the page's ``<html lang>`` attribute."""
    return "zh-CN" if current_lang() == "zh" else "en"
