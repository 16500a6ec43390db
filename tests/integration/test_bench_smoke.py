"""The database benchmarks still run (a small database, a few repeats): a benchmark that no
longer starts would leave docs/performance.md unreproducible."""

from __future__ import annotations

import json

import psycopg2
import pytest

from bench.common import ADMIN_URL

CASES = 300


@pytest.mark.parametrize("bench", ["inbox", "statistics"])
def test_the_benchmark_runs_on_a_small_database(bench, tmp_path, capsys):
    module = __import__(f"bench.{bench}.run", fromlist=["main"])
    out = tmp_path / "figures.json"
    try:
        module.main(["--cases", str(CASES), "--repeat", "2", "--fresh", "--json", str(out)])
    finally:
        conn = psycopg2.connect(ADMIN_URL)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "housing_bench_{bench}_{CASES}" WITH (FORCE)')
        conn.close()
    figures = json.loads(out.read_text())
    assert figures["sizes"], figures
    rows = figures["rows"] if bench == "inbox" else figures["scenarios"]
    assert rows and all(row.get("page", {}).get("p50", 0) > 0 for row in rows), rows[:1]
    assert "database:" in capsys.readouterr().out
