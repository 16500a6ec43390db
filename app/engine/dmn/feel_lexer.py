"""Splits FEEL text into tokens.

Names are Unicode identifiers (``household``, ``家庭人数``); a name with spaces is not one
token (multi-word built-in names such as ``date and time`` are joined by the parser). Numbers
become :class:`~decimal.Decimal`. Strings are double-quoted with FEEL escapes. Characters that
people type by mistake get a hint: single quotes (Python, not FEEL), ``==``, and the full-width
punctuation of Chinese input methods.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import FeelSyntaxError

NUMBER = "number"
STRING = "string"
NAME = "name"
OP = "op"
TEMPORAL = "temporal"  # @"2025-01-01"
EOF = "eof"

_OPERATORS = ("..", "**", "<=", ">=", "!=", "<", ">", "=", "+", "-", "*", "/",
              "(", ")", "[", "]", "{", "}", ",", ".", ":", "?")
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_NAME_RE = re.compile(r"[^\W\d]\w*")
_SPACE_RE = re.compile(r"\s+")
_ESCAPES = {'"': '"', "\\": "\\", "'": "'", "n": "\n", "r": "\r", "t": "\t"}
_FULL_WIDTH = {
    "“": '"', "”": '"', "‘": "'", "’": "'", "，": ",", "（": "(", "）": ")", "【": "[", "】": "]",
    "＜": "<", "＞": ">", "＝": "=", "≤": "<=", "≥": ">=", "≠": "!=", "－": "-", "。": ".", "：": ":",
}


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``kind`` is one of the module constants, ``pos`` the 0-based offset."""

    kind: str
    value: Any
    pos: int

    def is_op(self, *values: str) -> bool:
        """True when this is one of the given operators/punctuation."""
        return self.kind == OP and self.value in values

    def is_word(self, *words: str) -> bool:
        """True when this is a name token spelling one of ``words``."""
        return self.kind == NAME and self.value in words


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``eof`` token; raises :class:`FeelSyntaxError`."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        space = _SPACE_RE.match(text, pos)
        if space:
            pos = space.end()
            continue
        char = text[pos]
        if char == '"':
            value, pos_after = _read_string(text, pos)
            tokens.append(Token(STRING, value, pos))
            pos = pos_after
            continue
        if char == "@" and text[pos + 1:pos + 2] == '"':
            value, pos_after = _read_string(text, pos + 1)
            tokens.append(Token(TEMPORAL, value, pos))
            pos = pos_after
            continue
        number = _NUMBER_RE.match(text, pos)
        if number and not (char == "." and _after_operand(tokens)):
            tokens.append(Token(NUMBER, Decimal(number.group()), pos))
            pos = number.end()
            continue
        name = _NAME_RE.match(text, pos)
        if name:
            tokens.append(Token(NAME, name.group(), pos))
            pos = name.end()
            continue
        pos = _read_operator(text, pos, tokens)
    tokens.append(Token(EOF, None, len(text)))
    return tokens


def _after_operand(tokens: list[Token]) -> bool:
    """True when a '.' here is a path step (``a.b``) rather than the start of ``.5``."""
    return bool(tokens) and (tokens[-1].kind in (NAME, STRING, NUMBER) or tokens[-1].is_op(")", "]", "?"))


def _read_operator(text: str, pos: int, tokens: list[Token]) -> int:
    if text.startswith("==", pos):
        raise FeelSyntaxError("'==' is not FEEL, equality is written '='", text, pos)
    for op in _OPERATORS:
        if text.startswith(op, pos):
            tokens.append(Token(OP, op, pos))
            return pos + len(op)
    char = text[pos]
    if char == "'":
        raise FeelSyntaxError("FEEL strings use double quotes, not single quotes", text, pos)
    if char in _FULL_WIDTH:
        raise FeelSyntaxError(f"full-width character {char!r}: type {_FULL_WIDTH[char]!r} instead", text, pos)
    raise FeelSyntaxError(f"unexpected character {char!r}", text, pos)


def _read_string(text: str, start: int) -> tuple[str, int]:
    """Reads the string literal whose opening quote is at ``start``."""
    out: list[str] = []
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == '"':
            return "".join(out), pos + 1
        if char == "\\":
            pos = _read_escape(text, pos, out)
            continue
        out.append(char)
        pos += 1
    raise FeelSyntaxError("unterminated string", text, start)


def _read_escape(text: str, pos: int, out: list[str]) -> int:
    code = text[pos + 1:pos + 2]
    if code in _ESCAPES:
        out.append(_ESCAPES[code])
        return pos + 2
    width = {"u": 4, "U": 6}.get(code)
    digits = text[pos + 2:pos + 2 + width] if width else ""
    if width and re.fullmatch(r"[0-9a-fA-F]+", digits) and len(digits) == width:
        try:
            out.append(chr(int(digits, 16)))
        except ValueError:
            raise FeelSyntaxError("invalid unicode escape", text, pos) from None
        return pos + 2 + width
    raise FeelSyntaxError(f"unknown escape '\\{code}'", text, pos)


class TokenStream:
    """A cursor over the tokens of one text, with the error messages a parser needs."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.i += 1
        return token

    def at_end(self) -> bool:
        return self.peek().kind == EOF

    def error(self, message: str, token: Token | None = None) -> FeelSyntaxError:
        return FeelSyntaxError(message, self.text, (token or self.peek()).pos)

    def expect_op(self, op: str) -> Token:
        if not self.peek().is_op(op):
            raise self.unexpected(f"expected '{op}'")
        return self.advance()

    def expect_word(self, word: str) -> Token:
        if not self.peek().is_word(word):
            raise self.unexpected(f"expected '{word}'")
        return self.advance()

    def unexpected(self, expectation: str = "") -> FeelSyntaxError:
        token = self.peek()
        if token.kind == EOF:
            return self.error(f"unexpected end of text{'; ' + expectation if expectation else ''}")
        shown = token.value if token.kind != STRING else f'"{token.value}"'
        message = f"unexpected '{shown}'" + (f"; {expectation}" if expectation else "")
        if token.kind == NAME and self.i > 0 and self.tokens[self.i - 1].kind == NAME:
            message += (" (names with spaces must be input data, decisions or knowledge models of the"
                        " DMN file, or context entries; else use e.g. monthly_income)")
        return self.error(message, token)

    def finish(self, node):
        if not self.at_end():
            raise self.unexpected()
        return node
