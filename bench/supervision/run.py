"""Supervision benchmark: one run over N active leases on the sandbox, against a baseline.

    HOUSING_TEST_REDIS=redis://127.0.0.1:6379/5 .venv/bin/python -m bench.supervision.run   # 1,000 leases, rq
    .venv/bin/python -m bench.supervision.run --leases 200 --batch 50 --batch-seconds 5
    .venv/bin/python -m bench.supervision.run --runner inline --leases 40 --batch 20

Both measured **in the same run**, against one sandbox over HTTP (no added latency):

* **(a) baseline** — the bare data-source calls a check needs, made directly in one thread:
  the 14 ``<source>/check`` operators for the household's members and ``utilities/usage``, per
  lease, nothing stored (what any re-check costs before an engine is involved); over the first
  ``--baseline-leases`` leases (all of them with ``--runner inline``);
* **(b) supervision** — each lease a ``supervision`` instance (the ``verification`` call
  activity's 14 sources as outbox jobs, the utilities reading, two DMN tables, the warning
  record), every step stored in PostgreSQL. With ``--runner rq`` (the default) it runs in the
  production topology of ``tests/production/topology.py`` — ``housing scheduler`` ×2 starting the
  batches by itself (``HOUSING_SUPERVISION_BATCH_SIZE`` / ``…_BATCH_SECONDS`` from ``--batch`` /
  ``--batch-seconds``), ``housing worker`` ×``--workers`` running the jobs from Redis, the
  ``housing sandbox`` process, a fresh database; the clock runs from the first check started to
  the last one finished. With ``--runner inline``
  :func:`app.supervision.schedule.start_batch` is called batch after batch in this process and
  the jobs run inline.

It prints leases/s of each, the ratio b/a, the load average during (b), the checks by status,
the warnings raised, and (rq) how many PostgreSQL deadlocks the processes logged.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date, timedelta

import psycopg2

from bench.common import ADMIN_URL

DB_NAME = "housing_bench_supervision"
SOURCES = ("hukou", "residence_permit", "marriage", "subsistence", "family_assets", "social_insurance",
           "medical_insurance", "housing_fund", "real_estate", "housing_contracts", "vehicles", "business", "tax",
           "disability")
KEYS = ("eligible_single", "eligible_nuclear", "multi_generation", "over_income", "dibao_priority",
        "disabled_member", "yibao_gap", "owns_property")


def _fresh_database() -> str:
    conn = psycopg2.connect(ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()
    return f"{ADMIN_URL.rsplit('/', 1)[0]}/{DB_NAME}"


def unit_code(index: int) -> str:
    """Every 10th lease the vacant fixture unit's profile would be too rare; the sandbox gives
    ordinary use for bench codes, the vacant and sublet fixture units for two of them."""
    return {3: "YZ-GZF-0502", 7: "SPB-GZF-1101"}.get(index, f"BENCH-{index:05d}")


def seed(leases: int) -> None:
    """``leases`` applications (cycling through fixture households) with an active lease each."""
    from app.db import db
    from app.models import Application, HouseholdMember, Lease
    from connectors.sandbox import fixtures

    start = date.today() - timedelta(days=90)
    with db.transaction() as session:
        for i in range(leases):
            h = fixtures.household(KEYS[i % len(KEYS)])
            members = h["declared"]["members"]
            head = members[0]
            number = f"GZF2026-B{i:05d}"
            case = Application(application_no=number, housing_type="gongzufang", district=h["district"],
                               applicant_username=f"bench{i}", applicant_name=head["name"],
                               applicant_name_masked=head["name"][0] + "*", applicant_id_number=head["id_number"],
                               applicant_phone=h["declared"]["phone"], household_type="nuclear",
                               household_size=len(members), status="leased", current_step="租赁")
            case.members = [HouseholdMember(position=p, name=m["name"], id_number=m["id_number"],
                                            relation=m["relation"],
                                            declared_monthly_income=float(m.get("monthly_income") or 0),
                                            employer=m.get("employer") or "") for p, m in enumerate(members)]
            session.add(case)
            session.flush()
            session.add(Lease(lease_no=f"L{number}", application_id=case.id, application_no=number,
                              housing_type="gongzufang", unit_code=unit_code(i), unit_address=f"示例小区{i}号",
                              unit_area=50.0, monthly_rent=600.0, deposit=1200.0, starts_on=start,
                              ends_on=start + timedelta(days=1095), schedule=[], status="active"))


def baseline(settings, leases: int) -> float:
    """(a): the same source calls, made directly; returns seconds."""
    from connectors.sandbox import fixtures
    from connectors.testing import run_operator

    started = time.perf_counter()
    for i in range(leases):
        key = KEYS[i % len(KEYS)]
        members = fixtures.declared_members(key)
        for source in SOURCES:
            run_operator(f"{source}/check", {"members": members}, settings)
        run_operator("utilities/usage", {"unit_code": unit_code(i), "tenant_id_number": members[0]["id_number"]},
                     settings)
    return time.perf_counter() - started


def run_inline(leases: int, batch: int) -> dict:
    """Seed, measure (a) then (b) with the inline runner in this process, return the figures."""
    from pathlib import Path

    from sqlalchemy import func, select

    from app.cli import migrate_database
    from app.config import Settings
    from app.db import db
    from app.factory import create_app
    from app.jobs.runner import InlineRunner
    from app.services import definition_service, job_service
    from app.supervision import schedule
    from app.supervision.models import SupervisionCheck
    from connectors.testing import FAST_SETTINGS, running_sandbox

    url = _fresh_database()
    migrate_database(url)
    root = Path(__file__).resolve().parents[2]
    out: dict = {"runner": "inline", "leases": leases, "batch": batch}
    with running_sandbox(latency_seconds=0.0) as (sandbox_url, _admin):
        settings = Settings(database_url=url, env="development", log_level="WARNING", sandbox_url=sandbox_url,
                            forms_dir=str(root / "forms"), extra=FAST_SETTINGS, supervision_batch_size=batch)
        app = create_app(settings, runner=InlineRunner(job_service.execute_batch, synchronous=True))
        with app.app_context():
            files = [(p.name, p.read_bytes()) for p in sorted((root / "processes").glob("*.bpmn"))
                     + sorted((root / "processes").glob("*.dmn"))]
            definition_service.deploy(files, "bench")
            seed(leases)
            out["baseline_s"] = baseline(settings, leases)
            print(f"(a) direct source calls: {leases / out['baseline_s']:.1f} leases/s", flush=True)
            batches = []
            load_before = os.getloadavg()[0]
            started = time.perf_counter()
            while True:
                t0 = time.perf_counter()
                done = schedule.start_batch(batch_size=batch)
                if not done:
                    break
                batches.append(time.perf_counter() - t0)
            out["supervision_s"] = time.perf_counter() - started
            out["load_average_1m"] = {"before": round(load_before, 1), "after": round(os.getloadavg()[0], 1)}
            with db.session() as session:
                out["checks"] = dict(session.execute(select(SupervisionCheck.status, func.count())
                                                     .group_by(SupervisionCheck.status)).all())
                rules: dict[str, int] = {}
                for warnings in session.scalars(select(SupervisionCheck.warnings)):
                    for w in warnings:
                        rules[w["rule"]] = rules.get(w["rule"], 0) + 1
                out["warnings_by_rule"] = rules
        out["batches"] = len(batches)
        out["batch_p50_s"] = sorted(batches)[len(batches) // 2] if batches else 0.0
        out["baseline_leases_per_s"] = round(leases / out["baseline_s"], 2)
        out["supervision_leases_per_s"] = round(leases / out["supervision_s"], 2)
        out["ratio_b_a"] = round(out["supervision_leases_per_s"] / out["baseline_leases_per_s"], 3)
        print(f"(b) supervision run: {out['supervision_leases_per_s']:.1f} leases/s in {len(batches)} batches "
              f"(p50 {out['batch_p50_s']:.1f} s each); ratio b/a {out['ratio_b_a']}", flush=True)
    return out


def _bench_app(database_url: str, sandbox_url: str):
    """An app of this process on the run's database (seeding, the baseline's settings)."""
    from pathlib import Path

    from app.config import Settings
    from app.factory import create_app
    from connectors.testing import FAST_SETTINGS

    root = Path(__file__).resolve().parents[2]
    settings = Settings(database_url=database_url, env="development", log_level="WARNING", sandbox_url=sandbox_url,
                        forms_dir=str(root / "forms"), extra=FAST_SETTINGS)
    return create_app(settings), settings


def _progress(url: str) -> dict:
    """Checks by status, jobs not finished, incidents, and the first start and last finish."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT status, count(*) FROM supervision_check GROUP BY status")
            statuses = dict(cur.fetchall())
            cur.execute("SELECT count(*) FROM job WHERE state IN ('queued', 'pending', 'running', 'succeeded', "
                        "'failed')")
            open_jobs = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM incident")
            incidents = cur.fetchone()[0]
            cur.execute("SELECT min(started_at), max(checked_at), count(DISTINCT started_at) FROM supervision_check")
            first, last, batches = cur.fetchone()
    finally:
        conn.close()
    return {"statuses": statuses, "open_jobs": open_jobs, "incidents": incidents, "first_started": first,
            "last_checked": last, "batches": batches}


def run_rq(leases: int, batch: int, batch_seconds: float, workers: int, redis_url: str, baseline_leases: int,
           timeout_minutes: float) -> dict:
    """(a) on a sample, then (b) in the production topology; return the figures."""
    from tests.production.topology import Topology

    out: dict = {"runner": "rq", "leases": leases, "batch": batch, "batch_seconds": batch_seconds,
                 "job_workers": workers, "schedulers": 2, "cores": os.cpu_count()}
    env = {"HOUSING_SUPERVISION_BATCH_SIZE": str(batch), "HOUSING_SUPERVISION_BATCH_SECONDS": str(batch_seconds)}
    # the leases exist before the schedulers start: otherwise a batch would be due with nothing to start
    with Topology(redis_url, web_workers=1, job_workers=workers, schedulers=0, extra_env=env) as topology:
        app, settings = _bench_app(topology.database_url, topology.sandbox_url)
        with app.app_context():
            out["baseline_leases"] = min(baseline_leases, leases)
            out["baseline_s"] = baseline(settings, out["baseline_leases"])
            print(f"(a) direct source calls: {out['baseline_leases'] / out['baseline_s']:.1f} leases/s", flush=True)
            seed(leases)
        loads = [os.getloadavg()[0]]
        topology.schedulers = [topology._spawn("scheduler", [str(topology_bin()), "scheduler"]) for _ in range(2)]
        started = time.monotonic()
        deadline = started + timeout_minutes * 60
        progress = _progress(topology.database_url)
        last_print = 0.0
        while time.monotonic() < deadline:
            time.sleep(2.0)
            loads.append(os.getloadavg()[0])
            progress = _progress(topology.database_url)
            done = sum(n for status, n in progress["statuses"].items() if status != "checking")
            if time.monotonic() - last_print >= 30:
                last_print = time.monotonic()
                print(f"  {time.monotonic() - started:6.0f}s: {done}/{leases} checked, "
                      f"{progress['open_jobs']} jobs open, load {loads[-1]:.1f}", flush=True)
            if done >= leases and not progress["open_jobs"]:
                break
        out["wall_s"] = round(time.monotonic() - started, 1)
        out["cpu_s_by_process"] = _cpu_seconds(topology)
        out["deadlocks_logged"] = sum(p.read_text(errors="replace").count("deadlock detected")
                                      for p in topology.logs.glob("*.log"))
        out["tracebacks"] = topology.problems()[:4000]
        with app.app_context():
            out["warnings_by_rule"] = _warnings_by_rule()
    first, last = progress["first_started"], progress["last_checked"]
    out["checks"] = progress["statuses"]
    out["incidents"] = progress["incidents"]
    out["open_jobs"] = progress["open_jobs"]
    out["batches"] = progress["batches"]
    out["finished"] = sum(n for status, n in progress["statuses"].items() if status != "checking") >= leases
    out["supervision_s"] = round((last - first).total_seconds(), 1) if first and last else None
    out["load_average_1m"] = {"min": round(min(loads), 1), "mean": round(sum(loads) / len(loads), 1),
                              "max": round(max(loads), 1)}
    out["baseline_leases_per_s"] = round(out["baseline_leases"] / out["baseline_s"], 2)
    if out["supervision_s"]:
        out["supervision_leases_per_s"] = round(leases / out["supervision_s"], 2)
        out["supervision_minutes"] = round(out["supervision_s"] / 60, 1)
        out["ratio_b_a"] = round(out["supervision_leases_per_s"] / out["baseline_leases_per_s"], 3)
        print(f"(b) supervision run: {out['supervision_leases_per_s']:.2f} leases/s, {leases} leases in "
              f"{out['supervision_minutes']} min ({out['batches']} batches); ratio b/a {out['ratio_b_a']}; "
              f"load average {out['load_average_1m']}", flush=True)
    return out


def _cpu_seconds(topology) -> dict[str, float]:
    """CPU seconds (user + system) each kind of process of the topology has used so far (Linux)."""
    from pathlib import Path

    from tests.production.topology import children

    ticks = os.sysconf("SC_CLK_TCK")
    conn = psycopg2.connect(ADMIN_URL)
    try:
        with conn.cursor() as cur:  # the server processes serving this run's database, still connected
            cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (topology.database_name,))
            backends = [row[0] for row in cur.fetchall()]
    finally:
        conn.close()
    kinds = {"worker": [p.pid for p in topology.workers], "scheduler": [p.pid for p in topology.schedulers],
             "sandbox": [topology.sandbox.pid], "web": [topology.gunicorn.pid, *children(topology.gunicorn.pid)],
             "postgresql_backends": backends}
    out = {}
    for kind, pids in kinds.items():
        total = 0.0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        out[kind] = round(total, 1)
    return out


def topology_bin():
    """The ``housing`` command of this environment."""
    from tests.production.topology import BIN

    return BIN / "housing"


def _warnings_by_rule() -> dict[str, int]:
    from sqlalchemy import select

    from app.db import db
    from app.supervision.models import SupervisionCheck

    rules: dict[str, int] = {}
    with db.session() as session:
        for warnings in session.scalars(select(SupervisionCheck.warnings)):
            for w in warnings:
                rules[w["rule"]] = rules.get(w["rule"], 0) + 1
    return rules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leases", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50, help="HOUSING_SUPERVISION_BATCH_SIZE")
    parser.add_argument("--batch-seconds", type=float, default=10.0, help="HOUSING_SUPERVISION_BATCH_SECONDS (rq)")
    parser.add_argument("--runner", choices=("rq", "inline"), default="rq")
    parser.add_argument("--workers", type=int, default=2, help="housing worker processes (rq)")
    parser.add_argument("--baseline-leases", type=int, default=100, help="leases the baseline calls cover (rq)")
    parser.add_argument("--timeout-minutes", type=float, default=90.0)
    parser.add_argument("--redis", default=os.environ.get("HOUSING_TEST_REDIS", "redis://127.0.0.1:6379/13"),
                        help="a Redis database this run may flush (rq)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.runner == "inline":
        out = run_inline(args.leases, args.batch)
    else:
        out = run_rq(args.leases, args.batch, args.batch_seconds, args.workers, args.redis, args.baseline_leases,
                     args.timeout_minutes)
    text = json.dumps(out, ensure_ascii=False, indent=1, default=str)
    print(text)
    if args.json:
        with open(args.json, "w") as fh:
            fh.write(text)
    return 0 if out.get("finished", True) else 1


if __name__ == "__main__":
    raise SystemExit(main())
