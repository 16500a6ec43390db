"""Texts that come from data, not from the pages: form strings from ``forms/``, step names and
instructions from ``processes/``.

They are content owned by policy staff and keep their English next to their source
(``forms/i18n/en.json``, ``processes/i18n/en.json``: Chinese → English), read here per request. A
text with values in it (an instruction a diagram filled in, ``异议人李四于…提出异议：…``) matches an
entry with placeholders and takes its English, provided the values can be told apart in only one
way. Messages of the pages and the services do not come here: they are gettext messages
(:mod:`app.l10n`), looked up by id.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import current_app, g

log = logging.getLogger(__name__)
#: the content catalogues and where each lives, relative to its settings directory
CONTENT = {"forms": ("forms_dir", "i18n/en.json"), "processes": ("processes_dir", "i18n/en.json")}
_PLACEHOLDER = re.compile(r"{(\w+)}")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Catalogue:
    """Chinese → English entries, with those that have ``{name}`` placeholders split to match."""

    entries: dict[str, str]
    patterns: list[tuple[list[str], list[str], str]]

    @classmethod
    def of(cls, entries: dict[str, str]) -> Catalogue:
        return cls(entries, _compile(entries))


def read_catalogue(path: Path) -> Catalogue:
    """The entries of one JSON catalogue file; none (and a warning) if it is missing or unreadable."""
    try:
        stat = path.stat()
    except OSError:
        return Catalogue({}, [])
    return _read(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _read(path: str, _mtime: int, _size: int) -> Catalogue:
    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("translation catalogue %s not loaded: %s", path, exc)
        return Catalogue({}, [])
    if not isinstance(entries, dict):
        log.warning("translation catalogue %s not loaded: not a JSON object", path)
        return Catalogue({}, [])
    return Catalogue.of({k: v for k, v in entries.items()
                         if isinstance(k, str) and isinstance(v, str) and v.strip()})


def content_catalogues() -> dict[str, Catalogue]:
    """The English of ``forms/`` and ``processes/`` by domain, read once per request.

    A file changed on disk is read again on the next request, so a line added to a catalogue
    shows without a restart.
    """
    if "content_en" not in g:
        settings = current_app.extensions["housing.settings"]
        g.content_en = {domain: read_catalogue(Path(getattr(settings, setting)) / name)
                        for domain, (setting, name) in CONTENT.items()}
    return g.content_en


def lookup(text: str, domain: str | None, fallback: Callable[[str], str]) -> str | None:
    """The English of a data text: the ``domain`` catalogue first, then the other, exactly, then by pattern.

    ``fallback`` translates a value matched in a pattern that no content catalogue has (a page
    text). None when nothing matches.
    """
    content = content_catalogues()
    catalogues = ([content[domain]] if domain in content else []) + [c for d, c in content.items() if d != domain]
    for catalogue in catalogues:
        if text in catalogue.entries:
            return catalogue.entries[text]
    if not _HAN.search(text):
        return None
    for catalogue in catalogues:
        for parts, names, english in catalogue.patterns:
            values = _fill(parts, text)
            if values is not None:
                filled = zip(names, values, strict=True)
                return english.format(**{n: _value(v, list(content.values()), fallback) for n, v in filled})
    return None


def _exact(text: str, catalogues: list[Catalogue], fallback: Callable[[str], str]) -> str:
    for catalogue in catalogues:
        if text in catalogue.entries:
            return catalogue.entries[text]
    return fallback(text)


def _value(text: str, catalogues: list[Catalogue], fallback: Callable[[str], str]) -> str:
    """A value matched in a text, translated; a list (joined with 、 or ；) item by item if each has English."""
    for separator, joiner in (("、", ", "), ("；", "; ")):
        parts = [p for p in text.split(separator) if p]
        english = [_exact(part, catalogues, fallback) for part in parts]
        if separator in text and parts and all(e != p for e, p in zip(english, parts, strict=True)):
            return joiner.join(english) + (joiner.rstrip() if text.endswith(separator) else "")
    return _exact(text, catalogues, fallback)


def _compile(entries: dict[str, str]) -> list[tuple[list[str], list[str], str]]:
    """The entries with placeholders as ``(literal parts, names, english)``, the most literal first.

    Only entries with at least two Chinese characters outside their placeholders and no two
    placeholders side by side qualify, so a bare ``{a}：{b}`` cannot swallow every message and two
    values are always parted by a literal (a text that still splits more than one way is left
    alone by :func:`_fill`); so do only those whose English uses no other placeholder.
    """
    out = []
    for chinese, english in entries.items():
        names = _PLACEHOLDER.findall(chinese)
        literal = _PLACEHOLDER.sub("", chinese)
        if not names or len(_HAN.findall(literal)) < 2 or "}{" in chinese or not _formats(english, names):
            continue
        out.append((_PLACEHOLDER.split(chinese)[::2], names, english, len(literal)))
    out.sort(key=lambda p: -p[3])
    return [p[:3] for p in out]


def _formats(english: str, names: list[str]) -> bool:
    """Whether ``english`` fills in with ``names`` alone (a mistyped placeholder is left out, not raised)."""
    try:
        english.format(**dict.fromkeys(names, ""))
    except (KeyError, IndexError, ValueError):
        log.warning("translation %r does not fit the placeholders %s; left out", english, names)
        return False
    return True


def _fill(parts: list[str], text: str) -> list[str] | None:
    """The values in ``text`` between the literal ``parts`` (each value non-empty), or None.

    A value may hold the literal that follows it (an objector named 张于明 before ``于{date}``),
    so the first place of a literal is not always its place. Every literal is placed as early
    as it can go, then as late: any way of splitting the text lies between the two, so when
    they agree the split is the only one, and when they differ the text splits more than one
    way and None leaves it in Chinese rather than guess. Two passes, no backtracking, however
    long the text and whatever it repeats.
    """
    head, tail = parts[0], parts[-1]
    if not text.startswith(head) or not text.endswith(tail):
        return None
    start, end = len(head), len(text) - len(tail)
    literals = parts[1:-1]
    earliest, latest = _earliest(literals, text, start, end), _latest(literals, text, start, end)
    if start >= end or earliest is None or earliest != latest:
        return None
    bounds = [start, *(b for found, literal in zip(earliest, literals, strict=True)
                       for b in (found, found + len(literal))), end]
    return [text[a:b] for a, b in zip(bounds[::2], bounds[1::2], strict=True)]


def _earliest(literals: list[str], text: str, start: int, end: int) -> list[int] | None:
    """Where each literal starts, each at its first place leaving non-empty values; None if none fits."""
    places, pos = [], start
    for literal in literals:
        found = text.find(literal, pos + 1, end - 1)
        if found < 0:
            return None
        places.append(found)
        pos = found + len(literal)
    return places


def _latest(literals: list[str], text: str, start: int, end: int) -> list[int] | None:
    """Where each literal starts, each at its last place leaving non-empty values; None if none fits."""
    places, limit = [], end
    for literal in reversed(literals):
        found = text.rfind(literal, start + 1, limit - 1)
        if found < 0:
            return None
        places.append(found)
        limit = found
    return places[::-1]
