"""What the page scan looks for: the visible text of a page, and the codes that must not show in it.

A page's visible text is its text nodes outside ``<script>``, ``<style>`` and ``<template>``, plus
the attributes a person reads (``title``, ``placeholder``, ``aria-label``, ``alt`` and a
button's ``value``). The codes are gathered from the code and the data rather than listed by
hand: the status values in the database after the scenario, the strings the DMN tables put out
(rule ids such as ``income``), the connector names and the error codes and classes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import text

from app.db import db

#: attributes whose values a person reads
READABLE = ("title", "placeholder", "aria-label", "alt")
HIDDEN_TAGS = ("script", "style", "template")
#: where a page shows text as it is: identifiers, program output, a value to edit
CODE_TAGS = ("code", "kbd", "samp", "textarea")
#: status words the issue saw on Chinese pages; the rest come from the data and the code
SEEN = {"waiting", "offered", "drawn", "drafted", "signed", "active", "ended", "queued", "applied", "pending",
        "running", "completed", "ready", "claimed", "failed", "incident", "approved", "rejected", "accepted",
        "declined", "open", "closed", "resolved", "warned", "dismissed", "pass", "fail", "unknown", "manual",
        "automatic", "in_review", "in_publication", "leased", "exited", "withdrawn", "published", "objected"}
#: columns whose values are codes with a label
CODE_COLUMNS = ("status", "state", "verdict", "method", "decision", "kind", "channel", "ground", "reason_code",
                "housing_type", "household_type", "relation", "source", "error_code", "rule", "outcome")
#: a code is a lower-case identifier (``in_review``) or an error class (``CircuitOpen``)
CODE_RE = re.compile(r"^(?:[a-z][a-z0-9_]{2,}|[A-Z][a-z]+(?:[A-Z][a-z]+)+)$")
PY_WORDS = re.compile(r"(?<![\w-])(None|True|False)(?![\w-])")
PY_VALUE = re.compile(r"[=:]\s*(None|True|False)\b")
REPR_RES = [
    (re.compile(r"\[\s*'|\{\s*'\w+'\s*:"), "a Python list or dict"),
    (re.compile(r"<(?:app|connectors|handlers)\.\w|object at 0x[0-9a-f]+"), "a Python object"),
    (re.compile(r'\{\s*"[^"\n]+"\s*:|\[\s*\{\s*"|\[\s*"[^"\n]*"\s*,'), "a JSON dump"),
]


class VisibleText(HTMLParser):
    """The text a person reads on a page, one piece per text node or readable attribute.

    Each piece says whether it sits in ``<code>``, ``<kbd>`` or ``<samp>``, where a page shows an
    identifier as an identifier on purpose (a connector's name for the integrator who types it
    into a diagram), or in a ``<textarea>``, a value the person edits. A ``<pre data-verbatim>``
    quotes a document as it is (a deployed DMN file, a platform's answer kept as evidence) and is
    left out.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[tuple[str, bool]] = []
        self._hidden = 0
        self._code = 0
        self._verbatim = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in HIDDEN_TAGS:
            self._hidden += 1
            return
        if tag == "pre" and "data-verbatim" in values:
            self._verbatim += 1
            return
        if tag in CODE_TAGS:
            self._code += 1
        for name in READABLE:
            if values.get(name):
                self.pieces.append((values[name], False))
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.pieces.append((values["value"], False))

    def handle_endtag(self, tag):
        if tag in HIDDEN_TAGS and self._hidden:
            self._hidden -= 1
        elif tag == "pre" and self._verbatim:
            self._verbatim -= 1
        elif tag in CODE_TAGS and self._code:
            self._code -= 1

    def handle_data(self, data):
        if not self._hidden and not self._verbatim and data.strip():
            self.pieces.append((data.strip(), self._code > 0))


def visible_text(html: str) -> list[tuple[str, bool]]:
    """``(text, is_code)`` for every piece of a page a person reads."""
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.pieces


def dmn_outputs(folder: Path) -> set[str]:
    """The string literals the DMN tables put out (rule ids, reason codes)."""
    found: set[str] = set()
    for path in folder.glob("*.dmn"):
        for element in ET.parse(path).iter():
            if element.tag.endswith("outputEntry"):
                for body in element.itertext():
                    found.update(re.findall(r'"([A-Za-z][A-Za-z0-9_]*)"', body))
    return found


def data_codes() -> set[str]:
    """The distinct values of every code column in the database, as the scenario left them."""
    query = text("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
                 "current_schema() AND data_type IN ('character varying', 'text') AND column_name = ANY(:c)")
    found: set[str] = set()
    with db.session() as session:
        for table, column in session.execute(query, {"c": list(CODE_COLUMNS)}).all():
            found.update(v for v in session.scalars(text(f'SELECT DISTINCT "{column}" FROM "{table}" LIMIT 200'))
                         if isinstance(v, str))
    return found


def error_classes() -> set[str]:
    """The names of the exceptions the app, connectors and handlers define, and the connectors' error codes."""
    from connectors.errors import ERROR_CODES

    names = set(ERROR_CODES)
    todo = [Exception]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in ("app", "connectors", "handlers"):
                names.add(sub.__name__)
    return names


def connector_names() -> set[str]:
    from connectors.base.registry import CONNECTORS

    return set(CONNECTORS)


def code_vocabulary(processes: Path) -> set[str]:
    """Every code that must not show on a Chinese page."""
    words = SEEN | dmn_outputs(processes) | data_codes() | error_classes() | connector_names()
    return {w for w in words if CODE_RE.match(w)}


@dataclass
class Findings:
    """What the scan found, page by page."""

    problems: list[str] = field(default_factory=list)

    def add(self, lang: str, who: str, url: str, what: str, piece: str) -> None:
        self.problems.append(f"[{lang}] {url} as {who}: {what}: {piece[:160]!r}")


def scan_codes(pieces: list[tuple[str, bool]], vocabulary: set[str]) -> list[tuple[str, str]]:
    """``(what, piece)`` for every English code, dump or repr in a Chinese page's text.

    A code in ``<code>`` or quoted as a literal (``"single"`` in a help text) is shown on purpose.
    """
    found = []
    pattern = _word_pattern(frozenset(vocabulary))
    for piece, is_code in pieces:
        match = None if is_code else pattern.search(piece)
        if match:
            found.append((f"the code {match.group(0)!r}", piece))
        found.extend((what, piece) for regex, what in REPR_RES if regex.search(piece))
        if not is_code and PY_WORDS.search(piece):
            found.append(("a Python None/True/False", piece))
    return found


def scan_repr(pieces: list[tuple[str, bool]]) -> list[tuple[str, str]]:
    """``(what, piece)`` for every dump or repr in an English page's text (where None, True and
    False are words, unless they stand alone or follow ``=`` or ``:``)."""
    found = []
    for piece, _is_code in pieces:
        found.extend((what, piece) for regex, what in REPR_RES if regex.search(piece))
        if piece in ("None", "True", "False") or PY_VALUE.search(piece):
            found.append(("a Python None/True/False", piece))
    return found


_patterns: dict[frozenset, re.Pattern] = {}


def _word_pattern(vocabulary: frozenset) -> re.Pattern:
    if vocabulary not in _patterns:
        words = "|".join(sorted((re.escape(w) for w in vocabulary), key=len, reverse=True))
        _patterns[vocabulary] = re.compile(rf"(?<![A-Za-z0-9_/.@\"-])(?:{words})(?![A-Za-z0-9_/@\"-])")
    return _patterns[vocabulary]
