"""Parses FEEL text into the syntax tree of :mod:`.feel_ast`.

Two entry points: :func:`parse_expression` for input expressions and output entries, and
:func:`parse_unary_tests` for input entries. Function names are resolved against the built-ins
while parsing, so an unknown function (``len(x)``) is a syntax error, as are Python spellings
(``True``, ``None``, ``==``, single quotes); the cell compiler relies on that to recognise
Python cells. Built-ins take named arguments too (``substring(string: "a", start position: 1)``).

Names with spaces (``Years of Service``) are names the caller declares (``names``: the input
data, decisions and business knowledge models of a DMN file), and the keys of contexts and the
parameters of functions inside the text; the longest declared name wins. A declared name
followed by ``(`` calls the function it holds (``Loan Payment(rate, term)``, or with named
arguments ``Loan Payment(rate: 0.05, term: 36)``).

Expressions: numbers, ``"strings"`` (FEEL escapes), ``true``/``false``/``null``,
``@"2025-01-01"`` temporals; names (Unicode identifiers without spaces) and paths
``household.size``; filters ``members[age >= 18]`` and indexes ``members[1]``/``[-1]``; calls
of the built-ins (multi-word ones such as ``date and time`` too); ``+ - * / **`` and negation;
``= != < <= > >=``, ``between .. and ..``, ``x in <tests>``; ``and``/``or``;
``if .. then .. else``; ``some/every x in .. satisfies ..``; ``for x in .. return ..``; lists
``[1, 2]`` and ranges ``[a..b]``, ``(a..b]``, ``]a..b[`` ...; contexts ``{a: 1, "b": a + 1}``;
``function(a, b) a + b``; ``x instance of number`` (``list<number>`` too).

Unary tests (input cells): ``-`` or empty; ``< <= > >= = !=`` followed by an expression;
ranges; any expression (the input equals it, is in it when it is a list or range, or, when it
uses ``?`` or is a boolean expression, it is true); comma lists of these; ``not(...)``.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from . import feel_ast as ast
from .errors import FeelError, FeelSyntaxError
from .feel_builtins import BUILTINS, MULTI_WORD_NAMES, parse_temporal, positional
from .feel_lexer import EOF, NAME, NUMBER, OP, STRING, TEMPORAL, Token, TokenStream

COMPARISON_OPS = ("=", "!=", "<", "<=", ">", ">=")
RESERVED = {"and", "or", "if", "then", "else", "for", "in", "return", "some", "every", "satisfies",
            "between", "instance", "of", "function"}
PYTHON_WORDS = {"True": "true", "False": "false", "None": "null"}
MAX_DEPTH = 30  # nested brackets/expressions; each level costs ~17 Python frames


def _depth_guard(parse):
    """Turns running out of Python stack (``------5`` a thousand times) into a syntax error."""
    @functools.wraps(parse)
    def guarded(text: str, names=()):
        try:
            return parse(text, names)
        except RecursionError:
            raise FeelSyntaxError("expression is nested too deeply", text) from None
    return guarded


@_depth_guard
def parse_expression(text: str, names=()) -> ast.Node:
    """The syntax tree of a FEEL expression; raises :class:`FeelSyntaxError`. ``names`` are the
    declared names that may hold spaces."""
    parser = _Parser(text, names)
    return parser.finish(parser.expression())


@_depth_guard
def parse_unary_tests(text: str, names=()) -> ast.UnaryTests:
    """The syntax tree of a FEEL unary-tests cell (``-``, ``< 5``, ``[1..2]``, ``"a","b"``,
    ``not(...)``, ``? > 5``); raises :class:`FeelSyntaxError`."""
    parser = _Parser(text, names)
    if parser.at_end() or (parser.peek().is_op("-") and parser.peek(1).kind == EOF):
        return ast.UnaryTests(())
    if parser.peek().is_word("not") and parser.peek(1).is_op("("):
        start = parser.i
        try:
            parser.i += 2
            tests = parser.positive_unary_tests()
            parser.expect_op(")")
            return parser.finish(ast.UnaryTests(tests, negated=True))
        except FeelSyntaxError:
            parser.i = start  # e.g. ``not(a) or b``: an expression that starts with a call
    return parser.finish(ast.UnaryTests(parser.positive_unary_tests()))


class _Parser(TokenStream):
    """A recursive-descent parser over the token list of one text."""

    def __init__(self, text: str, names=()):
        super().__init__(text)
        self.names: set[tuple[str, ...]] = {tuple(name.split()) for name in names if " " in name.strip()}
        self.known: set[str] = {name for name in names if " " not in name.strip()}
        self.depth = 0
        self.in_endpoint = False  # a range's end: ``[1..10[`` must not read ``10[`` as a filter

    # -- unary tests ---------------------------------------------------------------------
    def positive_unary_tests(self) -> tuple[ast.Node, ...]:
        tests = [self.positive_unary_test()]
        while self.peek().is_op(","):
            self.advance()
            tests.append(self.positive_unary_test())
        return tuple(tests)

    def positive_unary_test(self, inside_in: bool = False) -> ast.Node:
        """One test; after ``x in`` it binds tighter than ``and``/``or``."""
        token = self.peek()
        if token.is_op(*COMPARISON_OPS):
            self.advance()
            return ast.UnaryCompare(token.value, self.additive())
        expression = self.additive() if inside_in else self.expression()
        if isinstance(expression, ast.RangeLiteral):
            return expression
        return ast.ExpressionTest(expression, ast.uses_input(expression))

    # -- expressions ---------------------------------------------------------------------
    def expression(self) -> ast.Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("expression is nested too deeply")
        try:
            token = self.peek()
            if token.is_word("if"):
                return self.if_expression()
            if token.is_word("some", "every"):
                kind = self.advance().value
                bindings = self.bindings("satisfies")
                with self.declaring([name for name, _ in bindings]):
                    return ast.Quantified(kind, bindings, self.expression())
            if token.is_word("for"):
                self.advance()
                bindings = self.bindings("return")
                with self.declaring([name for name, _ in bindings]):
                    return ast.For(bindings, self.expression())
            if token.is_word("function") and self.peek(1).is_op("("):
                return self.function_definition()
            return self.disjunction()
        finally:
            self.depth -= 1

    def function_definition(self) -> ast.Node:
        self.expect_word("function")
        self.expect_op("(")
        params: list[str] = []
        while not self.peek().is_op(")"):
            if params:
                self.expect_op(",")
            params.append(self.declared_name((":", ",", ")")))
            if self.peek().is_op(":"):  # a parameter type: read, not enforced
                self.advance()
                self.type_name()
        self.advance()
        with self.declaring(params):
            body = self.expression()
        return ast.FunctionDef(tuple(params), body)

    def declared_name(self, stops: tuple[str, ...]) -> str:
        """A name being declared (a parameter, a context key): words up to one of ``stops``,
        or a string literal."""
        token = self.peek()
        if token.kind == STRING:
            self.advance()
            return token.value
        words = []
        while self.peek().kind in (NAME, NUMBER) and not self.peek().is_op(*stops):
            words.append(str(self.advance().value))
        if not words or words[0] in RESERVED or self.tokens[self.i - len(words)].kind != NAME:
            raise self.unexpected("expected a name")
        return " ".join(words)

    def declaring(self, names):
        """A ``with`` block in which ``names`` (possibly with spaces) are known."""
        parser = self

        class _Scope:
            def __enter__(self):
                self.added = {tuple(n.split()) for n in names if " " in n.strip()} - parser.names
                self.singles = {n for n in names if " " not in n.strip()} - parser.known
                parser.names |= self.added
                parser.known |= self.singles

            def __exit__(self, *exc):
                parser.names -= self.added
                parser.known -= self.singles
        return _Scope()

    def context(self) -> ast.Node:
        self.expect_op("{")
        entries: list[tuple[str, ast.Node]] = []
        keys: list[str] = []
        while not self.peek().is_op("}"):
            if entries:
                self.expect_op(",")
            key = self.declared_name((":",))
            self.expect_op(":")
            with self.declaring([*keys, key]):  # a function entry may call itself
                entries.append((key, self.nested(self.expression)))
            keys.append(key)
        self.advance()
        return ast.Context(tuple(entries))

    _TYPE_WORDS = (("days", "and", "time", "duration"), ("years", "and", "months", "duration"),
                   ("date", "and", "time",))

    def type_name(self) -> str:
        """A FEEL type: ``number``, ``date and time``, ``list<string>``, ``context``..."""
        for words in self._TYPE_WORDS:
            if all(self.peek(k).is_word(w) for k, w in enumerate(words)):
                self.i += len(words)
                return " ".join(words)
        token = self.advance()
        if token.kind != NAME:
            self.i -= 1
            raise self.unexpected("expected a type name")
        name = token.value
        while self.peek().is_op(".") and self.peek(1).kind == NAME:  # a qualified name (feel.number)
            self.advance()
            name = self.advance().value
        if self.peek().is_op("<"):
            self.advance()
            inner = self.type_name()
            if not self.peek().is_op(">"):
                raise self.unexpected("expected '>'")
            self.advance()
            return f"{name}<{inner}>"
        return name

    def if_expression(self) -> ast.Node:
        self.expect_word("if")
        condition = self.expression()
        self.expect_word("then")
        then = self.expression()
        self.expect_word("else")
        return ast.If(condition, then, self.expression())

    def bindings(self, terminator: str) -> tuple[tuple[str, ast.Node], ...]:
        bindings = []
        while True:
            name = self.advance()
            if name.kind != NAME or name.value in RESERVED:
                raise self.error("expected a variable name", name)
            self.expect_word("in")
            domain = self.disjunction()
            if terminator == "return" and self.peek().is_op(".."):  # ``for i in 1..n``: integers
                self.advance()
                domain = ast.RangeLiteral(domain, self.disjunction(), True, True)
            bindings.append((name.value, domain))
            if not self.peek().is_op(","):
                break
            self.advance()
        self.expect_word(terminator)
        return tuple(bindings)

    def left_associative(self, operand, node_type, operators: tuple[str, ...]) -> ast.Node:
        """``operand (op operand)*`` folded to the left, for ``or``, ``and``, ``+``, ``*``..."""
        node = operand()
        while self.peek().value in operators and self.peek().kind in (OP, NAME):
            op = self.advance().value
            node = node_type(op, node, operand())
        return node

    def disjunction(self) -> ast.Node:
        return self.left_associative(self.conjunction, ast.Logical, ("or",))

    def conjunction(self) -> ast.Node:
        return self.left_associative(self.comparison, ast.Logical, ("and",))

    def comparison(self) -> ast.Node:
        node = self.additive()
        token = self.peek()
        if token.is_op(*COMPARISON_OPS):
            self.advance()
            node = ast.Comparison(token.value, node, self.additive())
        elif token.is_word("between"):
            self.advance()
            low = self.additive()
            self.expect_word("and")
            node = ast.Between(node, low, self.additive())
        elif token.is_word("in"):
            self.advance()
            node = ast.In(node, self.in_tests())
        elif token.is_word("instance") and self.peek(1).is_word("of"):
            self.i += 2
            return ast.InstanceOf(node, self.type_name())
        else:
            return node
        if self.peek().is_op(*COMPARISON_OPS) or self.peek().is_word("between", "in"):
            raise self.error("comparisons cannot be chained; combine them with 'and'")
        return node

    def in_tests(self) -> ast.UnaryTests:
        """The right side of ``x in ...``: one positive unary test or ``(test, test, ...)``."""
        if self.peek().is_op("("):
            start = self.i
            try:
                return ast.UnaryTests((self.positive_unary_test(inside_in=True),))
            except FeelSyntaxError:
                self.i = start
            self.advance()
            tests = self.nested(self.positive_unary_tests)
            self.expect_op(")")
            return ast.UnaryTests(tests)
        return ast.UnaryTests((self.positive_unary_test(inside_in=True),))

    def additive(self) -> ast.Node:
        return self.left_associative(self.multiplicative, ast.Arithmetic, ("+", "-"))

    def multiplicative(self) -> ast.Node:
        return self.left_associative(self.power, ast.Arithmetic, ("*", "/"))

    def power(self) -> ast.Node:
        return self.left_associative(self.negation, ast.Arithmetic, ("**",))

    def negation(self) -> ast.Node:
        if self.peek().is_op("-"):
            self.advance()
            operand = self.negation()
            if isinstance(operand, ast.Literal) and isinstance(operand.value, Decimal):
                return ast.Literal(-operand.value)
            return ast.Negate(operand)
        return self.postfix()

    def postfix(self) -> ast.Node:
        node = self.primary()
        while True:
            token = self.peek()
            if token.is_op("."):
                self.advance()
                name = self.advance()
                if name.kind != NAME:
                    raise self.error("expected a name after '.'", name)
                node = ast.Path(node, name.value)
            elif token.is_op("[") and not self.in_endpoint:
                self.advance()
                condition = self.nested(self.expression)
                self.expect_op("]")
                node = ast.Filter(node, condition)
            elif token.is_op("("):
                node = self.invocation(node)
            else:
                return node

    def nested(self, parse):
        """Parses inside brackets, where a filter is allowed again."""
        saved, self.in_endpoint = self.in_endpoint, False
        try:
            return parse()
        finally:
            self.in_endpoint = saved

    def primary(self) -> ast.Node:
        token = self.peek()
        if token.kind in (NUMBER, STRING):
            self.advance()
            return ast.Literal(token.value)
        if token.kind == TEMPORAL:
            self.advance()
            try:
                return ast.Literal(parse_temporal(token.value))
            except FeelError as err:
                raise self.error(str(err), token) from None
        if token.kind == NAME:
            return self.name_or_call()
        if token.is_op("?"):
            self.advance()
            return ast.InputRef()
        if token.is_op("("):
            self.advance()
            inner = self.nested(self.expression)
            if self.peek().is_op(".."):
                return self.range_rest(inner, start_closed=False)
            self.expect_op(")")
            return inner
        if token.is_op("["):
            return self.list_or_range()
        if token.is_op("]"):
            self.advance()
            start = self.nested(self.additive)
            return self.range_rest(start, start_closed=False)
        if token.is_op("{"):
            return self.context()
        raise self.unexpected()

    def list_or_range(self) -> ast.Node:
        self.expect_op("[")
        if self.peek().is_op("]"):
            self.advance()
            return ast.ListLiteral(())
        first = self.nested(self.expression)
        if self.peek().is_op(".."):
            return self.range_rest(first, start_closed=True)
        items = [first]
        while self.peek().is_op(","):
            self.advance()
            items.append(self.nested(self.expression))
        self.expect_op("]")
        return ast.ListLiteral(tuple(items))

    def range_rest(self, start: ast.Node, start_closed: bool) -> ast.RangeLiteral:
        self.expect_op("..")
        saved, self.in_endpoint = self.in_endpoint, True
        try:
            end = self.additive()
        finally:
            self.in_endpoint = saved
        closing = self.advance()
        if not closing.is_op("]", "[", ")"):
            self.i -= 1
            raise self.unexpected("a range ends with ']', '[' or ')'")
        return ast.RangeLiteral(start, end, start_closed, end_closed=closing.value == "]")

    def name_or_call(self) -> ast.Node:
        token = self.peek()
        for words in MULTI_WORD_NAMES:
            span = len(words)
            if all(self.peek(k).is_word(w) for k, w in enumerate(words)) and self.peek(span).is_op("("):
                self.i += span
                return self.call(" ".join(words), token)
        declared = self.declared_match()
        if declared:
            self.i += len(declared)
            return ast.Name(" ".join(declared))
        self.advance()
        name = token.value
        if name in ("true", "false"):
            return ast.Literal(name == "true")
        if name == "null":
            return ast.Literal(None)
        if name in PYTHON_WORDS:
            raise self.error(f"'{name}' is Python; FEEL writes {PYTHON_WORDS[name]}", token)
        if name in RESERVED:
            self.i -= 1
            raise self.unexpected()
        if self.peek().is_op("(") and name in BUILTINS:
            return self.call(name, token)
        if self.peek().is_op("(") and name not in self.known:
            return self.call(name, token)  # an unknown function: the error says so
        return ast.Name(name)

    def declared_match(self) -> tuple[str, ...] | None:
        """The longest declared name with spaces starting here, as its words."""
        best = None
        for words in self.names:
            if (best is None or len(words) > len(best)) and all(
                    self.peek(k).kind in (NAME, NUMBER) and str(self.peek(k).value) == w
                    for k, w in enumerate(words)):
                best = words
        return best

    def invocation(self, function: ast.Node) -> ast.Invoke:
        """``f(a, b)`` or ``f(x: a, y: b)`` on a function value."""
        self.expect_op("(")
        args: list[ast.Node] = []
        named: list[tuple[str, ast.Node]] = []
        while not self.peek().is_op(")"):
            if args or named:
                self.expect_op(",")
            if self.is_named_argument():
                name = self.declared_name((":",))
                self.expect_op(":")
                named.append((name, self.nested(self.expression)))
            elif named:
                raise self.error("named and positional arguments cannot be mixed")
            else:
                args.append(self.nested(self.expression))
        self.advance()
        return ast.Invoke(function, tuple(args), tuple(named))

    def is_named_argument(self, start: int = 0) -> bool:
        """True when the tokens from ``start`` on are ``name :`` (a name of one or more words)."""
        k = start
        while self.peek(k).kind in (NAME, NUMBER):
            k += 1
        return k > start and self.peek(start).kind == NAME and self.peek(k).is_op(":")

    def call_with_names(self, name: str, token: Token) -> ast.Call:
        """``substring(string: "abc", start position: 2)``: named arguments of a built-in,
        put in the order of its parameters (an argument left out is null)."""
        invoke = self.invocation(ast.Name(name))
        if invoke.args:
            raise self.error("named and positional arguments cannot be mixed", token)
        named = dict(invoke.named)
        args = positional(name, named)
        if args is None:
            raise self.error(f"'{name}' has no parameters named {', '.join(sorted(named))}", token)
        low = BUILTINS[name][1]
        if len(args) < low or any(arg is None for arg in args[:low]):
            raise self.error(f"'{name}' needs its first {low} argument(s)", token)
        return ast.Call(name, tuple(arg if arg is not None else ast.Literal(None) for arg in args))

    def call(self, name: str, token: Token) -> ast.Call:
        if name not in BUILTINS:
            raise self.error(f"unknown function '{name}'", token)
        if self.peek(1).kind == NAME and self.is_named_argument(1):
            return self.call_with_names(name, token)
        self.expect_op("(")
        args: list[ast.Node] = []
        if not self.peek().is_op(")"):
            args.append(self.nested(self.expression))
            while self.peek().is_op(","):
                self.advance()
                args.append(self.nested(self.expression))
        if self.peek().is_op(":"):
            raise self.error("named and positional arguments cannot be mixed")
        self.expect_op(")")
        _, low, high = BUILTINS[name]
        if len(args) < low or (high is not None and len(args) > high):
            expected = f"{low}" if low == high else f"{low} to {high}" if high else f"at least {low}"
            raise self.error(f"'{name}' takes {expected} argument(s), not {len(args)}", token)
        return ast.Call(name, tuple(args))
