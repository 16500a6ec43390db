"""Languages of the pages: Chinese first, English available, through Flask-Babel and gettext.

Templates and views write their text in Chinese and pass it through :func:`t`; the Chinese is the
gettext message id and ``app/translations/en/LC_MESSAGES/messages.po`` gives its English (a test
keeps that catalogue complete). Flask-Babel picks the language (:func:`select_locale`): on pages
the one the session chose, in the API the one ``Accept-Language`` asks for, Chinese otherwise.

Errors and messages raised by services carry an id and values (:class:`app.l10n.Message`) and
render in the reader's language wherever they are shown (:func:`translate`, the ``message``
filter). Texts that come from data — form titles and choices from ``forms/``, step names from
``processes/`` — keep their English next to their source (:mod:`app.web.content_catalogue`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import flask_babel
from flask import Flask, current_app, has_request_context, request, session

from app import l10n
from app.web import content_catalogue
from app.web.content_catalogue import CONTENT, Catalogue, content_catalogues, read_catalogue

__all__ = ["CONTENT", "DEFAULT", "EN", "LANGUAGES", "Catalogue", "content_catalogues", "current_lang", "form_text",
           "html_lang", "init_app", "read_catalogue", "register_catalogue", "select_locale", "set_lang", "step_name",
           "t", "translate"]

LANGUAGES = l10n.LANGUAGES
DEFAULT = l10n.DEFAULT
#: texts a module added at run time with :func:`register_catalogue`, shown when gettext has none
_REGISTERED: dict[str, str] = {}
API_PREFIX = "/api/"
#: a message id (``case.not_found``) rather than a Chinese source text
_ID = re.compile(r"[a-z_]+(\.[a-z_]+)+")


class _English(Mapping[str, str]):
    """The English of the pages' Chinese texts, a read-only mapping (for checks and tools); ids left out."""

    def _messages(self) -> dict[str, str]:
        catalogue = l10n.translations("en")
        entries = {k: v for k, v in getattr(catalogue, "_catalog", {}).items()
                   if isinstance(k, str) and k and v and not _ID.fullmatch(k)}
        return {**_REGISTERED, **entries}

    def __getitem__(self, key: str) -> str:
        return self._messages()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._messages())

    def __len__(self) -> int:
        return len(self._messages())


#: every English text by its message id
EN: Mapping[str, str] = _English()


def register_catalogue(translations: dict[str, str]) -> None:
    """Add Chinese → English texts at run time (a text the gettext catalogue has keeps its own).

    Kept for modules not yet moved to the ``.po`` catalogue; ``tests/web/test_i18n.py`` fails for
    any entry registered this way that the ``.po`` does not hold, so nothing lives only here.
    """
    for zh, en in translations.items():
        _REGISTERED.setdefault(zh, en)


def select_locale() -> str:
    """The language of this request: ``Accept-Language`` in the API, the session's choice on pages, else Chinese."""
    if not has_request_context():
        return DEFAULT
    if request.path.startswith(API_PREFIX):
        return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT) or DEFAULT
    lang = session.get("lang", DEFAULT)
    return lang if lang in LANGUAGES else DEFAULT


def current_lang() -> str:
    """The language of this request (``zh`` unless the user or the API client asked for English)."""
    if has_request_context() and "babel" in current_app.extensions:
        locale = flask_babel.get_locale()
        if locale is not None and locale.language in LANGUAGES:
            return locale.language
    return select_locale()


def set_lang(lang: str) -> None:
    """Remember the user's language (unknown codes are ignored)."""
    if lang in LANGUAGES:
        session["lang"] = lang
        if "babel" in current_app.extensions:
            flask_babel.refresh()


def t(text: str, **values) -> str:
    """``text`` in this request's language, with ``{name}`` placeholders filled from ``values``."""
    lang = current_lang()
    if isinstance(text, l10n.Message):
        return text.render(lang)
    if lang != DEFAULT:
        english = l10n.gettext(text, lang)
        text = english if english != text else _REGISTERED.get(text, text)
    if not values:
        return text
    return text.format(**{k: l10n.localise(v, lang) for k, v in values.items()})


def html_lang() -> str:
    """The value of the page's ``<html lang>`` attribute."""
    return "zh-CN" if current_lang() == "zh" else "en"


def translate(text, domain: str | None = None):
    """A text shown to the reader that did not come from a template: a message or a data text.

    A :class:`~app.l10n.Message` (what services raise) renders by its id. A plain string is
    looked up in the ``domain`` content catalogue (``forms`` or ``processes``) and the other one,
    then as a page text; anything without English, and anything not a string, comes back unchanged.
    """
    lang = current_lang()
    if isinstance(text, l10n.Message):
        return text.render(lang)
    if not isinstance(text, str) or not text or lang == DEFAULT:
        return text
    found = content_catalogue.lookup(text, domain, lambda s: t(s))
    return found if found is not None else t(text)


def form_text(text):
    """A text from a form in ``forms/`` (title, help, choice) in the session's language."""
    return translate(text, "forms")


def step_name(text):
    """A step or process name from ``processes/`` in the session's language."""
    return translate(text, "processes")


def init_app(app: Flask) -> None:
    """Attach Flask-Babel (its locale selector and the gettext catalogues) and the template filters.

    A ``.mo`` missing or older than its ``.po`` is compiled first, so the catalogues in use are
    the ones in the source tree.
    """
    l10n.compile_catalogues()
    if "babel" not in app.extensions:
        flask_babel.Babel(app, locale_selector=select_locale, default_locale=DEFAULT, default_domain=l10n.DOMAIN,
                          default_translation_directories=str(l10n.TRANSLATIONS))
        app.before_request(flask_babel.refresh)  # the locale is the request's, even in an app context held longer
    app.jinja_env.filters.update(form_text=form_text, step_name=step_name, message=translate)
