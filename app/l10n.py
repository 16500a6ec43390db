"""The UI's texts in gettext catalogues (``app/translations/<lang>/LC_MESSAGES/messages.po``).

Two kinds of message id live in one ``messages`` domain:

* a page text is its own Chinese source (``"办理记录"``), the gettext convention: the Chinese
  needs no entry and ``en`` gives the English;
* an error code, a service message and a status or rule label is a dotted id
  (``"error.not_found"``, ``"case.not_found"``): ``zh`` and ``en`` both give its text, so the
  code, not a sentence, is what services raise and what the catalogues are keyed by.

Texts use ``{name}`` placeholders (``python-brace-format``). A service raises a :class:`Message`
— an id with its values — and whoever shows it renders it in the reader's language: the page
in the session's, the API in the one ``Accept-Language`` asks for. A ``.mo`` is compiled from its
``.po`` by ``pybabel compile`` in ``scripts/test`` and ``scripts/serve``, and again here whenever it
is missing or older than its ``.po`` (:func:`compile_catalogues`), so an edited ``.po`` never
meets a stale ``.mo``. This module imports no Flask: services and jobs use it outside requests.
"""

from __future__ import annotations

import logging
import os
import tempfile
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"
LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT = "zh"


def compile_catalogues(directory: Path = TRANSLATIONS, force: bool = False) -> list[Path]:
    """Compile each ``.po`` under ``directory`` whose ``.mo`` is missing or older; the ``.mo`` files written.

    A directory that cannot be written (an installed, read-only package) is logged and left: the
    catalogues are then read from the ``.po`` itself (:func:`translations`).
    """
    written = []
    for po in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = po.with_suffix(".mo")
        if not force and _fresh(po, mo):
            continue
        try:
            _write_atomically(mo, _compiled(po))
        except OSError as exc:
            log.warning("cannot write %s (%s); the catalogue is compiled in memory instead", mo, exc)
            continue
        written.append(mo)
    return written


def _fresh(po: Path, mo: Path) -> bool:
    try:
        return mo.stat().st_mtime_ns >= po.stat().st_mtime_ns
    except OSError:
        return False


def _compiled(po: Path) -> bytes:
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=po.parents[1].name, domain=DOMAIN)
    out = BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang`` (an empty one for a language without a catalogue)."""
    po = TRANSLATIONS / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        stamp = po.stat().st_mtime_ns
    except OSError:
        return NullTranslations()
    return _load(lang, stamp)


@lru_cache(maxsize=8)
def _load(lang: str, _stamp: int) -> NullTranslations:
    po = TRANSLATIONS / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    compile_catalogues()
    mo = po.with_suffix(".mo")
    data = mo.read_bytes() if _fresh(po, mo) else _compiled(po)
    return Translations(BytesIO(data), domain=DOMAIN)


def gettext(msgid: str, lang: str) -> str:
    """``msgid`` in ``lang``; an id with no entry in ``lang`` falls back to Chinese, then to itself."""
    text = translations(lang).ugettext(msgid)
    if text == msgid and lang != DEFAULT:
        text = translations(DEFAULT).ugettext(msgid)
    return text


def render(msgid: str, lang: str, params: dict | None = None) -> str:
    """The text of ``msgid`` in ``lang`` with its ``{name}`` placeholders filled from ``params``.

    A value that is itself a :class:`Message` is rendered in the same language; a text whose
    placeholders do not fit (a mistyped translation) shows its Chinese instead of failing.
    """
    text = gettext(msgid, lang)
    if not params:
        return text
    values = {k: localise(v, lang) for k, v in params.items()}
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        log.warning("translation of %r in %s does not fit its values %s", msgid, lang, sorted(values))
        return gettext(msgid, DEFAULT).format(**values) if lang != DEFAULT else text


def localise(value, lang: str):
    """``value`` for a reader of ``lang``: a :class:`Message` rendered, lists and dicts item by item."""
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, list | tuple):
        return type(value)(localise(v, lang) for v in value)
    if isinstance(value, dict):
        return {k: localise(v, lang) for k, v in value.items()}
    return value


class Message(str):
    """A message known by its id and values; as a string it is the Chinese text.

    ``raise NotFound(Message("case.not_found", no=no))`` keeps ``str(exc)``, logs and the
    existing Chinese checks as they were, while a page or the API calls :meth:`render` with
    the reader's language.
    """

    id: str
    params: dict

    def __new__(cls, msgid: str, /, **params) -> Message:
        self = super().__new__(cls, render(msgid, DEFAULT, params))
        self.id = msgid
        self.params = params
        return self

    def render(self, lang: str) -> str:
        """The message in ``lang``."""
        return render(self.id, lang, self.params)

    def __reduce__(self):
        return _rebuild, (self.id, self.params)


def _rebuild(msgid: str, params: dict) -> Message:
    return Message(msgid, **params)


def error_title(code: str, lang: str, fallback: str = "") -> str:
    """The label of error ``code`` in ``lang`` (its ``error.<code>`` entry), else ``fallback``."""
    msgid = f"error.{code}"
    text = gettext(msgid, lang)
    return fallback if text == msgid and fallback else text
