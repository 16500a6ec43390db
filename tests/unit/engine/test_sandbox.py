"""The sandbox refuses escapes and stops runaway code, with a clear error and a line number."""

from __future__ import annotations

import pytest

from app.engine.sandbox import Sandbox, SandboxViolation, ScriptError, ScriptTimeout, compile_check

ESCAPES = [
    ("import os", "import is not allowed"),
    ("from os import path", "import is not allowed"),
    ("open('/etc/passwd').read()", '"open" is not available'),
    ("().__class__.__bases__[0].__subclasses__()", "starts with"),
    ("(lambda: 1).__globals__", "starts with"),
    ("eval('1+1')", "not allowed"),
    ("exec('x=1')", "not allowed"),
    ("getattr(1, '__class__')", '"getattr" is not available'),
    ("type(1)", '"type" is not available'),
    ("class A: pass", "Class definitions are not allowed"),
    ("__import__('os')", "starts with"),
]


@pytest.mark.parametrize("source,message", ESCAPES)
def test_escapes_are_refused_before_running(source, message):
    with pytest.raises(SandboxViolation) as info:
        compile_check(source, "exec")
    assert message in str(info.value)
    assert info.value.line_number == 1


RUNAWAYS = [
    ("while True:\n    pass", ScriptTimeout),
    ("x = [i for i in range(10**9)]", SandboxViolation),
    ("x = 10 ** 10 ** 8", SandboxViolation),
    ("x = 'a' * 10 ** 10", SandboxViolation),
    ("x = [0] * 10 ** 9", SandboxViolation),
    ("x = 1 << 10 ** 7", SandboxViolation),
    ("x = pow(10, 10 ** 8)", SandboxViolation),
    ("def f(n):\n    return f(n + 1)\nf(0)", ScriptTimeout),
    ("s = '{0.__class__}'.format(1)", SandboxViolation),
]


@pytest.mark.parametrize("source,error", RUNAWAYS)
def test_runaway_code_is_stopped(source, error):
    with pytest.raises(error):
        Sandbox(timeout=0.3).execute(source, {})


def test_scripts_read_and_write_data_and_results_stay_json():
    data = {"members": [{"income": 3000}, {"income": 1000}]}
    Sandbox().execute(
        "total = sum(m['income'] for m in members)\nper_capita = total / len(members)\n"
        "names = {'a', 'b'}\nwhen = date(2026, 1, 2)\ndel members", data)
    assert data == {"total": 4000, "per_capita": 2000.0, "names": ["a", "b"], "when": "2026-01-02"}


def test_expressions_see_extra_functions():
    sandbox = Sandbox(functions={"double": lambda x: 2 * x})
    assert sandbox.evaluate("double(n) + 1", {"n": 4}) == 9


def test_unsaveable_values_are_refused_with_the_variable_name():
    with pytest.raises(ScriptError, match="'x' holds a function"):
        Sandbox().execute("f = lambda: 1\nx = [f]", {})


def test_runtime_errors_carry_the_line_number():
    with pytest.raises(ScriptTimeout) as info:
        Sandbox(timeout=0.2).execute("a = 1\nb = 2\nwhile True:\n    a = a + 1", {})
    assert info.value.line_number in (3, 4)
