"""JSON text for the database, written by orjson (a compiled encoder) as :func:`json.dumps` writes it.

An instance's state is written at every step, and finished work cut from it at the end of a
call activity (the 14 checks' tasks are about 90 KB); the JSON columns of a step's rows (jobs'
parameters and results, audit payloads, verification facts) are written with it. orjson
writes a 19 KB state in a fifth of the standard library's time. See ADR 0024.

Where orjson would write something else, the standard library's way is kept:

* a value orjson cannot write (an integer beyond 64 bits) is written by :mod:`json` instead;
* dates and times and dataclasses go to ``default`` as they do with :func:`json.dumps` (orjson
  would write them itself);
* dictionary keys that are not text are written as :func:`json.dumps` writes them
  (``1`` → ``"1"``, ``None`` → ``"null"``);
* text is written as it is (``ensure_ascii=False``), without spaces.

(orjson also writes enums and UUIDs itself; no stored value holds one: a script's values and an
operator's results are plain JSON values.)

The value read back is the same; the text may differ in form (a control character's escape),
which nothing compares. A float that is not a number is written ``null`` (:mod:`json` writes
``NaN``, which is not JSON: PostgreSQL refuses it, and a script's value cannot be one). Reading
stays with :func:`json.loads`: orjson reads an integer beyond 64 bits as a float.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dumps(value: Any, default: Callable[[Any], Any] | None = None) -> str:
    """``json.dumps(value, default=default, separators=(",", ":"), ensure_ascii=False)``,
    written by orjson where it can."""
    try:
        return orjson.dumps(value, default=default, option=_OPTIONS).decode()
    except orjson.JSONEncodeError:  # beyond orjson (or nothing can write it: json says so the same way)
        return json.dumps(value, default=default, separators=(",", ":"), ensure_ascii=False)
