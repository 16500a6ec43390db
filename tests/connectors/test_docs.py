"""docs/connectors.md keeps up with the code: every operator, fact, error code and household."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine.operators import load_operators, registry
from connectors.base import CONNECTORS, SourceConnector
from connectors.errors import ERROR_CODES
from connectors.sandbox import fixtures

DOC = (Path(__file__).resolve().parents[2] / "docs" / "connectors.md").read_text(encoding="utf-8")
load_operators()


@pytest.mark.parametrize("name", sorted(op.name for op in registry.all() if op.kind == "connector"))
def test_every_operator_is_documented(name):
    assert f"`{name}`" in DOC


@pytest.mark.parametrize("name", sorted(n for n, c in CONNECTORS.items() if issubclass(c, SourceConnector)))
def test_every_fact_is_documented(name):
    section = DOC[DOC.index(f"`{name}/check` — "):]
    section = section[: section.index("Verdict")]
    for fact in CONNECTORS[name].Facts().fields:
        assert f"`{fact}`" in section, f"{name}: fact {fact} is not documented"


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_every_error_code_is_documented(code):
    assert f"| `{code}` |" in DOC


@pytest.mark.parametrize("key", fixtures.keys())
def test_every_fixture_household_is_documented(key):
    assert f"| `{key}` |" in DOC
