"""Regular expressions for FEEL's ``matches``, ``replace`` and ``split``, bounded.

Python's ``re`` backtracks: ``(a+)+$`` on forty ``a`` and a ``b`` runs for hours in C, where
no clock ticks. A pattern is therefore accepted only when it cannot backtrack badly: no
quantified group that itself holds a quantifier or an alternative (``(a+)+``, ``(a|ab)*``), no
back-reference or look-around, at most :data:`MAX_REPEATS` unbounded quantifiers, at most
:data:`MAX_PATTERN` characters; the text searched is at most :data:`MAX_INPUT` characters.
Anything else is refused with a :class:`~.errors.FeelEvaluationError` (at deploy, when the
pattern is a literal: see :func:`pattern_problem`). Flags are XPath's: ``i``, ``s``, ``m``,
``x`` and ``q`` (the pattern is plain text).
"""

from __future__ import annotations

import re
import re._constants as _c  # Python 3.11+
import re._parser as _sre
from functools import lru_cache

from .errors import FeelEvaluationError

MAX_PATTERN = 500
MAX_INPUT = 100_000
MAX_REPEATS = 4
_FLAGS = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE}
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT))
_REFUSED = {_c.GROUPREF: "a back-reference", _c.ASSERT: "a look-ahead or look-behind",
            _c.ASSERT_NOT: "a look-ahead or look-behind", _c.GROUPREF_EXISTS: "a conditional group"}


def pattern_problem(pattern: str, flags: str = "") -> str | None:
    """Why ``pattern`` is refused (None when it is accepted)."""
    try:
        _compiled(pattern, flags)
    except FeelEvaluationError as err:
        return str(err)
    return None


def compiled(pattern, flags=None) -> re.Pattern | None:
    """The compiled pattern; None for arguments of the wrong type; raises
    :class:`FeelEvaluationError` for a pattern that is refused or not valid."""
    if not isinstance(pattern, str) or (flags is not None and not isinstance(flags, str)):
        return None
    return _compiled(pattern, flags or "")


def check_input(text: str) -> None:
    if len(text) > MAX_INPUT:
        raise FeelEvaluationError(f"a regular expression searches at most {MAX_INPUT:,} characters")


@lru_cache(maxsize=256)
def _compiled(pattern: str, flags: str) -> re.Pattern:
    if len(pattern) > MAX_PATTERN:
        raise FeelEvaluationError(f"a regular expression may have at most {MAX_PATTERN} characters")
    unknown = set(flags) - set(_FLAGS) - {"q"}
    if unknown:
        raise FeelEvaluationError(f"unknown regular expression flag {sorted(unknown)[0]!r}")
    if "q" in flags:
        pattern = re.escape(pattern)
    mode = 0
    for flag in flags:
        mode |= _FLAGS.get(flag, 0)
    try:
        parsed = _sre.parse(pattern, mode)
    except (re.error, RecursionError, OverflowError) as err:
        raise FeelEvaluationError(f"not a valid regular expression {pattern!r}: {err}") from None
    repeats = _check(parsed, inside_repeat=False)
    if repeats > MAX_REPEATS:
        raise FeelEvaluationError(f"regular expression {pattern!r} has more than {MAX_REPEATS} unbounded "
                                  "repetitions (it could run for hours)")
    return re.compile(pattern, mode)


def _check(items, inside_repeat: bool) -> int:
    """Walks the parsed pattern; refuses risky shapes; returns the unbounded repeats seen."""
    count = 0
    for op, arg in items:
        if op in _REFUSED:
            raise FeelEvaluationError(f"regular expressions with {_REFUSED[op]} are not supported")
        if op in _REPEATS:
            low, high, sub = arg
            if inside_repeat:
                raise FeelEvaluationError("a repeated group may not repeat or branch inside (it could run "
                                          "for hours, e.g. (a+)+)")
            if high == _c.MAXREPEAT:
                count += 1
            count += _check(sub, inside_repeat=_is_complex(sub))
        elif op == _c.BRANCH:
            if inside_repeat:
                raise FeelEvaluationError("a repeated group may not repeat or branch inside (it could run "
                                          "for hours, e.g. (a|ab)*)")
            for branch in arg[1]:
                count += _check(branch, inside_repeat)
        elif op == _c.SUBPATTERN:
            count += _check(arg[-1], inside_repeat)
        elif op == _c.ATOMIC_GROUP if hasattr(_c, "ATOMIC_GROUP") else False:
            count += _check(arg, inside_repeat)
    return count


def _is_complex(sub) -> bool:
    """True when a repeated part is more than one character class (so it may backtrack)."""
    return not (len(sub) == 1 and sub[0][0] in (_c.LITERAL, _c.NOT_LITERAL, _c.IN, _c.ANY, _c.CATEGORY)) \
        or _has_repeat_or_branch(sub)


def _has_repeat_or_branch(sub) -> bool:
    return any(op in _REPEATS or op == _c.BRANCH for op, _ in sub)
