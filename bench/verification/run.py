"""Verification throughput: N households checked against all 14 sources, 2 RQ workers, the sandbox.

Deploys the shipped ``processes/`` on a fresh database, starts the connector sandbox and RQ
worker processes (``housing worker``), then starts N instances of ``verification`` — the call
activity every application runs after it is filed — each with a fixture household (3–6 members)
and its own application number, and waits until every instance has completed. Reports cases/s,
the job batches and resumes each case cost, and the CPU milliseconds per case by process: the
driver (starting instances), the RQ workers (operators, connectors, resuming), the sandbox and
the PostgreSQL backends of the benchmark's database.

    .venv/bin/python -m bench.verification.run --cases 1000 --workers 2 --redis-url redis://127.0.0.1:6379/7
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.engine.run import _drop_database, _fresh_database

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
TICK = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_ms(pid: int) -> float:
    """User + system CPU of a process and of its live child processes so far (0 if it is gone)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # the process, or its child
            total += (int(fields[11]) + int(fields[12])) * 1000 / TICK
    return total


def households() -> list[dict]:
    """The recorded fixture households' process data."""
    return [json.loads(path.read_text(encoding="utf-8"))["data"]
            for path in sorted((PROCESSES / "stubs" / "households").glob("*.json"))]


def _id_number(i: int, member: int, original: str) -> str:
    """A well-formed ID number of its own for member ``member`` of case ``i`` (same birth date
    and sex as the fixture's), so that every case is a separate open application."""
    body = f"{500000 + i % 100000:06d}{original[6:14]}{member:02d}{original[16]}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def case_data(homes: list[dict], i: int) -> dict:
    """The process data of case ``i``: a fixture household under new ID numbers."""
    data = json.loads(json.dumps(homes[i % len(homes)]))
    numbers = {}
    for k, m in enumerate(data["household"]["members"]):
        numbers[m["id_number"]] = m["id_number"] = _id_number(i, k, m["id_number"])
    applicant = data.get("applicant") or {}
    applicant["id_number"] = numbers.get(applicant.get("id_number"), _id_number(i, 99, applicant["id_number"]))
    data["application_no"] = f"BENCH-{i:06d}"
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="driver threads starting instances")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--timeout", type=float, default=3600, help="give up after this many seconds")
    parser.add_argument("--sandbox", choices=("gunicorn", "werkzeug"), default="gunicorn",
                        help="serve the sandbox with gunicorn (keep-alive) or the development server")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the workers and drop the database
    url = _fresh_database(args.pg_admin)
    port = _free_port()
    env = {
        "HOUSING_DATABASE_URL": url, "HOUSING_JOB_RUNNER": "rq", "HOUSING_REDIS_URL": args.redis_url,
        "HOUSING_LOG_LEVEL": "WARNING", "HOUSING_ENV": "development", "HOUSING_PROCESSES_DIR": str(PROCESSES),
        "HOUSING_SANDBOX_URL": f"http://127.0.0.1:{port}", "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    from redis import Redis

    Redis.from_url(args.redis_url).flushdb()
    procs: list[subprocess.Popen] = []
    try:
        result = _run(args, url, port, procs)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)
        _drop_database(args.pg_admin, url)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\n{result['cases']} cases in {result['seconds']:.1f} s: {result['cases_per_s']:.1f} cases/s; "
          f"CPU ms per case {result['cpu_ms_per_case']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def _run(args, url: str, port: int, procs: list[subprocess.Popen]) -> dict:
    from sqlalchemy import func, select, text

    from app import cli
    from app.config import Settings
    from app.db import db
    from app.factory import create_app
    from app.models import AuditEvent, Job, ProcessInstance
    from app.services import definition_service, instance_service
    from handlers.case_records import register_case

    cli.migrate_database(url)
    app = create_app(Settings.from_env())
    with app.app_context():
        files = sorted(PROCESSES.glob("*.bpmn")) + sorted(PROCESSES.glob("*.dmn"))
        definition_service.deploy([(p.name, p.read_bytes()) for p in files], "bench")
    if args.sandbox == "gunicorn":  # keep-alive connections, as a platform's HTTP front keeps them
        sandbox = [sys.executable, "-m", "gunicorn", "-k", "gthread", "--threads", "16", "-w", "1",
                   "--keep-alive", "30", "--no-control-socket", "-b", f"127.0.0.1:{port}",
                   'connectors.sandbox.server:create_app({"latency_seconds": 0.0})']
    else:  # the development server `housing sandbox` runs: one connection per request
        sandbox = [sys.executable, "-m", "connectors.sandbox", "--port", str(port), "--latency-seconds", "0",
                   "--quiet"]
    procs.append(subprocess.Popen(sandbox, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    procs += [subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(args.workers)]
    time.sleep(2.0)  # the sandbox listens, the workers connect
    homes = households()
    n = args.cases

    def start(i: int) -> None:
        data = case_data(homes, i)
        with app.app_context():  # the case row in the same transaction, as a filed application has it
            instance_service.start_instance(
                "verification", {k: data[k] for k in ("application_no", "household", "district")},
                data["application_no"], "bench",
                before_commit=lambda session, instance: register_case(session, data, instance.id))

    def backends() -> list[int]:
        with app.app_context(), db.session() as session:
            return list(session.scalars(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")))

    cpu0 = {"driver": _self_cpu_ms(), "workers": sum(_cpu_ms(p.pid) for p in procs[1:]),
            "sandbox": _cpu_ms(procs[0].pid)}
    pg0 = {pid: _cpu_ms(pid) for pid in backends()}
    t0 = time.perf_counter()
    with ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(start, range(n)))
    done = 0
    while done < n:
        time.sleep(0.5)
        with app.app_context(), db.session() as session:
            done = session.scalar(select(func.count()).where(
                ProcessInstance.process_key == "verification", ProcessInstance.status == "completed")) or 0
        if time.perf_counter() - t0 > args.timeout:
            with app.app_context(), db.session() as session:
                jobs = session.execute(select(Job.state, Job.error_code, func.count()).group_by(
                    Job.state, Job.error_code)).all()
                statuses = session.execute(select(ProcessInstance.status, func.count()).group_by(
                    ProcessInstance.status)).all()
            raise RuntimeError(f"only {done} of {n} cases verified in {args.timeout:.0f} s; "
                               f"jobs {jobs}, instances {statuses}")
    elapsed = time.perf_counter() - t0
    pg = sum(_cpu_ms(pid) - pg0.get(pid, 0.0) for pid in backends())
    cpu = {"driver": _self_cpu_ms() - cpu0["driver"],
           "rq workers": sum(_cpu_ms(p.pid) for p in procs[1:]) - cpu0["workers"],
           "sandbox": _cpu_ms(procs[0].pid) - cpu0["sandbox"], "PostgreSQL backends": pg}
    with app.app_context(), db.session() as session:
        jobs = session.scalar(select(func.count()).select_from(Job)) or 0
        attempts = session.scalar(select(func.sum(Job.attempts))) or 0
        resumes = session.scalar(select(func.count()).where(AuditEvent.action == "jobs.applied")) or 0
        manual = session.scalar(select(func.count()).where(Job.state != "applied")) or 0
    app.extensions["housing.db"].dispose()
    return {
        "cases": n, "workers": args.workers, "seconds": round(elapsed, 2), "cases_per_s": round(n / elapsed, 2),
        "jobs_per_case": round(jobs / n, 2), "job_attempts_per_case": round(attempts / n, 2),
        "resumes_per_case": round(resumes / n, 2), "jobs_not_applied": manual,
        "cpu_ms_per_case": {k: round(v / n, 1) for k, v in cpu.items()},
        "cpu_ms_per_case_total": round(sum(cpu.values()) / n, 1), "cpu_count": os.cpu_count(),
        "load_average_after": os.getloadavg()[0],
    }


def _self_cpu_ms() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return (usage.ru_utime + usage.ru_stime) * 1000


if __name__ == "__main__":
    sys.exit(main())
