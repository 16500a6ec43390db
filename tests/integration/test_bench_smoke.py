"""The database benchmarks still run (a small database, a few repeats): a benchmark that no
longer starts would leave docs/performance.md unreproducible."""

from __future__ import annotations

import json

import pytest

from bench.common import drop

CASES = 300


@pytest.mark.parametrize("bench", ["inbox", "statistics"])
def test_the_benchmark_runs_on_a_small_database(bench, tmp_path, capsys):
    module = __import__(f"bench.{bench}.run", fromlist=["main"])
    out = tmp_path / "figures.json"
    try:
        module.main(["--cases", str(CASES), "--repeat", "2", "--fresh", "--json", str(out)])
    finally:
        drop(f"housing_bench_{bench}_{CASES}")
    figures = json.loads(out.read_text())
    assert figures["sizes"], figures
    rows = figures["rows"] if bench == "inbox" else figures["scenarios"]
    assert rows and all(row.get("page", {}).get("p50", 0) > 0 for row in rows), rows[:1]
    assert "database:" in capsys.readouterr().out


def test_the_signing_benchmark_runs_and_both_sides_verify_each_other(tmp_path, capsys):
    from bench.signing import run

    out = tmp_path / "figures.json"
    assert run.main(["--rounds", "10", "--pure-rounds", "2", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert figures["failures"] == 0 and figures["cross_checks"] == 4
    assert 0 < figures["c_sign_us"] < figures["pure_sign_us"]
    assert "cross-verified 4 signatures, 0 failures" in capsys.readouterr().out


def test_the_supervision_benchmark_runs_inline_on_a_few_leases(tmp_path):
    from bench.supervision import run

    out = tmp_path / "figures.json"
    try:
        assert run.main(["--runner", "inline", "--leases", "8", "--batch", "8", "--json", str(out)]) == 0
    finally:
        drop(run.DB_NAME)
    figures = json.loads(out.read_text())
    assert sum(figures["checks"].values()) == 8 and "checking" not in figures["checks"], figures["checks"]
    assert figures["warnings_by_rule"]["income"] == 1 and figures["supervision_leases_per_s"] > 0


def test_the_age_benchmark_runs_one_case_per_mode(tmp_path):
    from bench.age import run as age

    out = tmp_path / "age.json"
    try:
        age.main(["--cases", "1", "--probes", "1", "--json", str(out)])
    finally:
        drop(age.DB_NAME)
    figures = json.loads(out.read_text())
    for stage in age.STAGES:
        live = figures["live"][stage]
        assert live["probe_ms"] > 0 and live["state_bytes_max"] <= 30_000, (stage, live)
    assert figures["full"]["verified"]["state_bytes"] > 3 * figures["live"]["verified"]["state_bytes"]


def test_the_engine_profile_runs_and_counts_statements(capsys):
    from bench.engine import profile

    assert profile.main(["--instances", "2"]) == 0
    out = capsys.readouterr().out
    figures = json.loads(out[out.index("{"):])
    assert figures["instances"] == 2 and figures["commits_per_instance"] >= 4
    assert 20 < figures["statements_per_instance"] < 80, figures
    assert profile.main(["--instances", "2", "--plain"]) == 0  # unprofiled: the CPU per instance
    out = capsys.readouterr().out
    plain = json.loads(out[out.index("{"):])
    assert plain["cpu_ms_per_instance"] > 0 and "share_of_time" not in plain
    assert plain["statements_per_instance"] == figures["statements_per_instance"]


def test_the_verification_profile_runs_and_splits_by_layer(capsys):
    from app.services import job_service
    from bench.verification import profile

    threads = job_service.POOL_THREADS
    assert profile.main(["--cases", "2"]) == 0
    assert job_service.POOL_THREADS == threads > 1  # the profile's one thread does not outlive it
    out = capsys.readouterr().out
    shares = json.loads(out[out.index("{"):])["share_of_time"]
    assert shares["SpiffWorkflow engine"] > 0 and shares["HTTP client (requests, urllib3, sockets)"] > 0, shares
    assert 0.99 < sum(shares.values()) < 1.01


@pytest.mark.parametrize(("start", "jobs", "resumes"), [("import", 15, 1), ("direct", 14, 1)])
def test_the_verification_benchmark_runs_from_the_batch_import_and_directly(start, jobs, resumes, tmp_path):
    """A few cases through the real shape (RQ worker processes, the sandbox over HTTP): every
    one verified, with the jobs and resumes the diagrams and ADRs 0023 and 0025 make of it: from
    the import, the resume after 受理 calls the 14 checks itself (and writes them as jobs)."""
    import subprocess
    import sys

    from tests.conftest import REDIS_URL, ROOT

    out = tmp_path / "figures.json"
    redis_url = REDIS_URL.rsplit("/", 1)[0] + "/11"  # a database of its own: the bench empties it
    run = subprocess.run([sys.executable, "-m", "bench.verification.run", "--cases", "4", "--workers", "1",
                          "--start", start, "--redis-url", redis_url, "--timeout", "120", "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert figures["cases"] == 4 and figures["start"] == start and figures["jobs_not_applied"] == 0
    assert (figures["jobs_per_case"], figures["resumes_per_case"]) == (jobs, resumes), figures
    assert all(v > 0 for v in figures["cpu_ms_per_case"].values()), figures
