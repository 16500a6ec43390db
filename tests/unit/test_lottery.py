"""The draw algorithm sha256-sort-v1 against fixed vectors (the same ones docs/lottery.md lists),
and the standalone checker scripts/verify-lottery agreeing with it without importing the app."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path

import pytest

from handlers import lottery

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = ["GZF2026-000003", "GZF2026-000001", "GZF2026-000002", "GZF2026-000010", "BZF2026-000001"]
#: (seed, SHA-256(seed), drawn order of PEOPLE) — published in docs/lottery.md
VECTORS = [
    ("7" * 64, "c0b6304bd6ce9b3e65150392c91a3aa76803a59c29e46f9fb2b9aac235e58386",
     ["GZF2026-000003", "GZF2026-000002", "GZF2026-000001", "GZF2026-000010", "BZF2026-000001"]),
    ("a3f1" * 16, "40f01b99607201f4d394d89042b93e62aab9ced9a54c030f1549512dcb675f5f",
     ["BZF2026-000001", "GZF2026-000010", "GZF2026-000002", "GZF2026-000001", "GZF2026-000003"]),
]


def load_checker():
    """scripts/verify-lottery as a module (it has no .py suffix: it is run as a program)."""
    loader = importlib.machinery.SourceFileLoader("verify_lottery", str(ROOT / "scripts" / "verify-lottery"))
    spec = importlib.util.spec_from_loader("verify_lottery", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.mark.parametrize(("seed", "seed_hash", "order"), VECTORS)
def test_fixed_vectors(seed, seed_hash, order):
    assert lottery.commitment(seed) == seed_hash
    assert lottery.draw_order(seed, PEOPLE) == order
    assert lottery.verify(seed, seed_hash, PEOPLE, order)


def test_the_key_is_sha256_of_seed_colon_application_number():
    assert lottery.draw_key("0" * 64, "GZF2026-000001") == \
        "5ef7fe1a7604ae453a375b69e482447e31d0fa9e2ff6869e2f7488d715f245d6"
    assert lottery.commitment("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert lottery.ALGORITHM == "sha256-sort-v1"


def test_the_order_does_not_depend_on_how_the_list_was_given_and_duplicates_count_once():
    seed = VECTORS[0][0]
    assert lottery.draw_order(seed, list(reversed(PEOPLE)) + PEOPLE[:2]) == VECTORS[0][2]


def test_the_independent_checker_recomputes_the_same_orders():
    checker = load_checker()
    for seed, seed_hash, order in VECTORS:
        assert checker.sha256_hex(seed) == seed_hash
        assert checker.recompute(seed, PEOPLE) == order
    seed = lottery.new_seed()
    many = [f"GZF2026-{n:06d}" for n in range(1, 300)]
    assert checker.recompute(seed, many) == lottery.draw_order(seed, many)
