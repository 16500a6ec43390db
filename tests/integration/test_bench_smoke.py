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


def test_the_age_benchmark_runs_one_case_per_mode(tmp_path):
    from bench.age import run as age

    out = tmp_path / "age.json"
    try:
        age.main(["--cases", "1", "--probes", "1", "--json", str(out)])
    finally:
        conn = psycopg2.connect(ADMIN_URL)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{age.DB_NAME}" WITH (FORCE)')
        conn.close()
    figures = json.loads(out.read_text())
    for stage in age.STAGES:
        live = figures["live"][stage]
        assert live["probe_ms"] > 0 and live["state_bytes_max"] <= 30_000, (stage, live)
    assert figures["full"]["verified"]["state_bytes"] > 3 * figures["live"]["verified"]["state_bytes"]
