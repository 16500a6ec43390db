"""Verification throughput: N households checked against all 14 sources, 2 RQ workers, the sandbox.

Deploys the shipped ``processes/`` on a fresh database, starts the connector sandbox and RQ
worker processes (``housing worker``), then, with each case a fixture household (3–6 members)
under ID numbers and an application number of its own:

* ``--start import`` (the default): a city officer uploads the cases as batch-import sheets
  (CSV, one row per member, at most 5,000 rows a sheet) and the import starts one 公租房/保租房
  application per household; street clerks of each district accept (受理) every case as it
  reaches their inbox, which starts its ``verification`` call activity; the run ends when every
  case has all 14 sources checked for every member and waits at 初审 (or, had a source failed
  for good, at 人工核查). The officer's applicant accounts and the sheets are made before the
  clock starts; reading and checking the sheets, filing the cases and 受理 are timed.
* ``--start direct``: N ``verification`` instances started directly with their case rows, and
  the run ends when every one has completed.

Reports cases/s, the job batches and resumes each case cost, and the CPU milliseconds per case
by process: the driver (the import and the clerks, or the starts), the RQ workers (operators,
connectors, resuming), the sandbox and the PostgreSQL backends of the benchmark's database.

    .venv/bin/python -m bench.verification.run --cases 1000 --workers 2 --redis-url redis://127.0.0.1:6379/7
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import cpu_ms, pg_backends
from bench.engine.run import _drop_database, _fresh_database

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    parser.add_argument("--start", choices=("import", "direct"), default="import",
                        help="cases arrive by batch import and 受理, or as verification instances started directly")
    parser.add_argument("--threads", type=int, default=2, help="driver threads importing sheets or starting instances")
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
    from sqlalchemy import func, select

    from app import cli, heap
    from app.config import Settings
    from app.db import db
    from app.factory import create_app
    from app.models import AuditEvent, Job, ProcessInstance
    from app.services import definition_service

    cli.migrate_database(url)
    app = create_app(Settings.from_env())
    with app.app_context():
        files = sorted(PROCESSES.glob("*.bpmn")) + sorted(PROCESSES.glob("*.dmn"))
        definition_service.deploy([(p.name, p.read_bytes()) for p in files], "bench")
    heap.settle()  # the driver stands for the web tier: as app.wsgi does in a web worker
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
    n = args.cases
    if args.start == "import":
        feed, count_done = _by_import(app, n, args.threads)
    else:
        feed, count_done = _direct(app, n, args.threads)

    def backends() -> list[int]:
        with app.app_context(), db.session() as session:
            return pg_backends(session)

    def driver_cpu_ms() -> float:  # this process and its script evaluators, not the workers or the sandbox
        return cpu_ms(os.getpid(), frozenset(str(p.pid) for p in procs))

    cpu0 = {"driver": driver_cpu_ms(), "workers": sum(cpu_ms(p.pid) for p in procs[1:]),
            "sandbox": cpu_ms(procs[0].pid)}
    pg0 = {pid: cpu_ms(pid) for pid in backends()}
    t0 = time.perf_counter()
    finished = feed()
    done = 0
    while done < n:
        # the count reads every case at 初审: at 10,000 cases every half second it was a fifth of
        # the database's CPU; a pause of a hundredth of the time so far keeps the error under 1 %
        time.sleep(max(0.5, (time.perf_counter() - t0) / 100))
        with app.app_context(), db.session() as session:
            done = count_done(session)
        if time.perf_counter() - t0 > args.timeout:
            with app.app_context(), db.session() as session:
                jobs = session.execute(select(Job.state, Job.error_code, func.count()).group_by(
                    Job.state, Job.error_code)).all()
                statuses = session.execute(select(ProcessInstance.status, func.count()).group_by(
                    ProcessInstance.status)).all()
            raise RuntimeError(f"only {done} of {n} cases verified in {args.timeout:.0f} s; "
                               f"jobs {jobs}, instances {statuses}")
    finished()
    elapsed = time.perf_counter() - t0
    pg = sum(cpu_ms(pid) - pg0.get(pid, 0.0) for pid in backends())
    cpu = {"driver": driver_cpu_ms() - cpu0["driver"],
           "rq workers": sum(cpu_ms(p.pid) for p in procs[1:]) - cpu0["workers"],
           "sandbox": cpu_ms(procs[0].pid) - cpu0["sandbox"], "PostgreSQL backends": pg}
    with app.app_context(), db.session() as session:
        jobs = session.scalar(select(func.count()).select_from(Job)) or 0
        attempts = session.scalar(select(func.sum(Job.attempts))) or 0
        resumes = session.scalar(select(func.count()).where(AuditEvent.action == "jobs.applied")) or 0
        manual = session.scalar(select(func.count()).where(Job.state != "applied")) or 0
    app.extensions["housing.db"].dispose()
    return {
        "cases": n, "workers": args.workers, "seconds": round(elapsed, 2), "cases_per_s": round(n / elapsed, 2),
        "jobs_per_case": round(jobs / n, 2), "job_attempts_per_case": round(attempts / n, 2),
        "resumes_per_case": round(resumes / n, 2), "jobs_not_applied": manual, "start": args.start,
        "cpu_ms_per_case": {k: round(v / n, 1) for k, v in cpu.items()},
        "cpu_ms_per_case_total": round(sum(cpu.values()) / n, 1), "cpu_count": os.cpu_count(),
        "load_average_after": os.getloadavg()[0],
    }


def _direct(app, n: int, threads: int):
    """Starts N ``verification`` instances with their case rows; done when all have completed."""
    from sqlalchemy import func, select

    from app.models import ProcessInstance
    from app.services import instance_service
    from handlers.case_records import register_case

    homes = households()

    def start(i: int) -> None:
        data = case_data(homes, i)
        with app.app_context():  # the case row in the same transaction, as a filed application has it
            instance_service.start_instance(
                "verification", {k: data[k] for k in ("application_no", "household", "district")},
                data["application_no"], "bench",
                before_commit=lambda session, instance: register_case(session, data, instance.id))

    def feed():
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(start, range(n)))
        return lambda: None

    def count_done(session) -> int:
        return session.scalar(select(func.count()).where(
            ProcessInstance.process_key == "verification", ProcessInstance.status == "completed")) or 0

    return feed, count_done


#: the verified case waits at 初审 — or at 人工核查, had a source failed for good
VERIFIED_AT = ("preliminary_review", "manual_check")
MAX_SHEET_ROWS = 5000
#: tasks a clerk accepts per look at the inbox
ACCEPT_PAGE = 100


def _by_import(app, n: int, threads: int):
    """Makes the officer, N applicant accounts and the sheets; the feed uploads them while clerks accept."""
    import threading

    from sqlalchemy import func, select

    from app.models import HumanTask
    from app.services import batch_import_service

    officer, contents = prepare_import(app, n)
    stop = threading.Event()

    def upload(k: int) -> None:
        with app.app_context():
            job = batch_import_service.start_import(officer, f"bench-{k}.csv", contents[k], background=False)
            if job.problems or job.done != job.valid:
                raise RuntimeError(f"sheet {k}: {job.problems[:3]}")

    def clerk() -> None:  # the street clerks: 受理 whatever reached their inbox, then look again a second later
        with app.app_context():
            while not stop.is_set():
                if accept_ready() < ACCEPT_PAGE:  # not a query per accepted case: it reads every ready task
                    stop.wait(1.0)

    def feed():
        clerks = threading.Thread(target=clerk, name="clerk")
        clerks.start()

        def finished() -> None:
            stop.set()
            clerks.join()
        try:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(upload, range(len(contents))))
        except BaseException:  # a refused sheet: the clerks stop too, and the run fails
            finished()
            raise
        return finished

    def count_done(session) -> int:
        return session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.bpmn_id.in_(VERIFIED_AT), HumanTask.status == "ready")) or 0

    return feed, count_done


def prepare_import(app, n: int, first: int = 0):
    """A city officer, N applicant accounts (``bench_a000000`` … for cases ``first`` …) and the
    sheets naming them: (the officer's identity, the CSV files)."""
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from app.db import db
    from app.models import User
    from app.services import user_service
    from app.services.batch_import_rows import TITLES, csv_bytes

    forms = [json.loads(path.read_text(encoding="utf-8"))["form"]
             for path in sorted((PROCESSES / "stubs" / "households").glob("*.json"))]
    password = generate_password_hash("bench-password")
    with app.app_context():
        user_service.upsert_user("bench_city", "市住保中心（基准）", "bench-password", ["city_reviewer"],
                                 ["city_reviewer"], None)
        with db.transaction() as session:
            session.execute(insert(User), [
                {"username": f"bench_a{i:06d}", "display_name": f"申请人{i}", "password_hash": password,
                 "roles": ["applicant"], "groups": ["applicant"], "district": None, "active": True,
                 "token_version": 0} for i in range(first, first + n)])
        with db.session() as session:
            officer = user_service.identity_of(session.scalar(select(User).where(User.username == "bench_city")))
    sheets: list[list[list[str]]] = []
    for i in range(first, first + n):
        rows = sheet_rows(forms, i)
        if not sheets or len(sheets[-1]) + len(rows) > MAX_SHEET_ROWS:
            sheets.append([TITLES])
        sheets[-1].extend(rows)
    return officer, [csv_bytes(rows) for rows in sheets]


def accept_ready(limit: int = ACCEPT_PAGE) -> int:
    """The street clerks of each district accept (受理) up to ``limit`` cases waiting for it; how many."""
    from sqlalchemy import select

    from app.auth.identity import Identity
    from app.db import db
    from app.models import HumanTask
    from app.services import task_service

    with db.session() as session:
        ready = session.execute(select(HumanTask.id, HumanTask.district).where(
            HumanTask.bpmn_id == "acceptance", HumanTask.status == "ready").limit(limit)).all()
    for task_id, district in ready:
        clerk = Identity(f"street_{district}", "街道受理", ("reviewer",), ("street_reviewer",), district)
        task_service.complete(clerk, task_id, {"decision": "accept", "opinion": "材料齐全"})
    return len(ready)


def sheet_rows(forms: list[dict], i: int) -> list[list[str]]:
    """Case ``i`` as batch-import rows: a fixture household's form under ID numbers of its own."""
    form = forms[i % len(forms)]
    head = form["applicant"]
    declared = form.get("declared") or {}

    def flag(value) -> str:
        return "是" if value else "否"

    rows = []
    for k, m in enumerate(form["household"]["members"]):
        row = [str(i + 1), "", "", "", m["name"], _id_number(i, k, m["id_number"]), m["relation"],
               str(m.get("monthly_income", 0)), m.get("employer", "")] + [""] * 9
        if m["id_number"] == head["id_number"]:
            row[1:4] = [form["housing_type"], form["district"], form["household"]["type"]]
            row[9:] = [head["phone"], f"bench_a{i:06d}", head.get("address", ""), str(declared.get("deposits", 0)),
                       str(declared.get("securities", 0)), str(declared.get("vehicles", 0)),
                       flag(declared.get("owns_property")), flag(declared.get("business")), flag(form["authorization"])]
            rows.insert(0, row)
        else:
            rows.append(row)
    return rows


if __name__ == "__main__":
    sys.exit(main())
