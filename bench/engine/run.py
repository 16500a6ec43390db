"""Engine benchmark: bare SpiffWorkflow in memory vs this host on PostgreSQL + Redis + RQ workers.

One diagram (16 flow nodes: a script, a parallel fan-out of 5 service tasks, a DMN table, an
exclusive gateway, 2 user tasks) runs N times each way in the same run:

(a) bare SpiffWorkflow in one process, service tasks answered inline, no persistence;
(b) this host: ``POST /api/v1/process-instances``, the 5 service tasks as jobs on RQ worker
    processes, both user tasks completed with ``POST /api/v1/tasks/{id}/complete``.

Prints instances/s of each, the ratio b/a, flow nodes/s, p50/p99 of the complete call and where
the host's time goes; ``--json`` writes the figures for docs/performance.md.

    .venv/bin/python -m bench.engine.run --instances 200 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BPMN = HERE / "engine_bench.bpmn"
DMN = HERE / "bench_eligibility.dmn"
MEMBERS = [{"income": 2000}, {"income": 1500}, {"income": 0}]


def bare_spiffworkflow(n: int) -> dict:
    """(a) Parse once, then run n workflows to the end in memory."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
    from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
    from SpiffWorkflow.util.task import TaskState

    class Inline(TaskDataEnvironment):
        def call_service(self, context, operation_name=None, operation_params=None, **_):
            return json.dumps({"value": operation_params["value"]["value"], "ok": True})

    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(BPMN))
    parser.add_dmn_file(str(DMN))
    spec, subprocesses = parser.get_spec("engine_bench"), parser.get_subprocess_specs("engine_bench")
    engine = PythonScriptEngine(environment=Inline())
    nodes = 0
    started = time.perf_counter()
    for _ in range(n):
        wf = BpmnWorkflow(spec, subprocesses, script_engine=engine)
        wf.get_next_task(state=TaskState.READY).data.update(members=MEMBERS)
        wf.do_engine_steps()
        while not wf.is_completed():
            for task in wf.get_tasks(state=TaskState.READY, manual=True):
                task.data.update(decision="approve", opinion="同意")
                task.run()
            wf.do_engine_steps()
        nodes += sum(1 for t in wf.get_tasks(state=TaskState.COMPLETED) if getattr(t.task_spec, "bpmn_id", None))
    elapsed = time.perf_counter() - started
    return {"instances": n, "seconds": elapsed, "instances_per_s": n / elapsed, "nodes": nodes,
            "nodes_per_s": nodes / elapsed}


class Stopwatch:
    """Accumulates seconds per label for 'where the time goes'."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.lock = threading.Lock()

    def wrap(self, owner, name: str, label: str) -> None:
        original = getattr(owner, name)
        watch = self

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                with watch.lock:
                    watch.totals[label] += time.perf_counter() - t0

        setattr(owner, name, timed)


def host(n: int, workers: int, database_url: str, redis_url: str, threads: int) -> dict:
    """(b) Run n instances through the API with RQ workers in separate processes."""
    import subprocess

    from redis import Redis

    from bench.common import cpu_ms, pg_backends

    os.environ.update({
        "HOUSING_DATABASE_URL": database_url, "HOUSING_JOB_RUNNER": "rq", "HOUSING_REDIS_URL": redis_url,
        "HOUSING_OPERATOR_MODULES": "bench.engine.operators", "HOUSING_LOG_LEVEL": "WARNING",
        "HOUSING_JWT_SECRET": "bench", "HOUSING_SECRET_KEY": "bench", "HOUSING_ENV": "development",
        "PYTHONPATH": str(ROOT),
    })
    Redis.from_url(redis_url).flushdb()
    from app import cli, heap
    from app.auth import tokens
    from app.config import Settings
    from app.db import db
    from app.engine import serializer
    from app.engine.runtime import Run
    from app.factory import create_app
    from app.services import step as step_module

    settings = Settings.from_env()
    cli.migrate_database(database_url)
    app = create_app(settings)
    watch = Stopwatch()
    watch.wrap(serializer, "loads", "load state (deserialize)")
    watch.wrap(serializer, "dumps", "save state (serialize)")
    watch.wrap(Run, "advance", "engine steps")
    watch.wrap(step_module, "persist", "persist (projections + serialize)")
    with app.app_context():
        from app.services import user_service

        password = uuid.uuid4().hex
        user_service.upsert_user("bench", "bench", password, ["admin"], ["admin"], None)
        token, _ = tokens.issue(settings, user_service.authenticate("bench", password))
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    files = {"files": [(BPMN.open("rb"), BPMN.name), (DMN.open("rb"), DMN.name)]}
    assert client.post("/api/v1/process-definitions", data=files, headers=headers,
                       content_type="multipart/form-data").status_code == 201
    heap.settle()  # as app.wsgi does in a web worker
    procs = [subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(workers)]
    complete_ms: list[float] = []
    start_ms: list[float] = []
    lock = threading.Lock()
    try:
        time.sleep(1.5)  # workers connect
        with app.app_context(), db.session() as session:
            pg0 = {pid: cpu_ms(pid) for pid in pg_backends(session)}
        cpu0 = {"driver": cpu_ms(os.getpid(), frozenset(str(p.pid) for p in procs)),
                "rq workers": sum(cpu_ms(p.pid) for p in procs)}
        t0 = time.perf_counter()

        def start_one(i: int) -> str:
            with app.app_context():
                s = time.perf_counter()
                r = client.post("/api/v1/process-instances", headers=headers, json={
                    "process_key": "engine_bench", "business_key": f"B-{i}", "data": {"members": MEMBERS}})
                with lock:
                    start_ms.append((time.perf_counter() - s) * 1000)
                assert r.status_code == 201, r.get_json()
                return r.get_json()["id"]

        def complete_one(task_id: str) -> None:
            with app.app_context():
                s = time.perf_counter()
                r = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers,
                                json={"data": {"decision": "approve", "opinion": "同意"}})
                with lock:
                    complete_ms.append((time.perf_counter() - s) * 1000)
                assert r.status_code == 200, r.get_json()

        with ThreadPoolExecutor(threads) as pool:
            ids = list(pool.map(start_one, range(n)))
            done = 0
            while done < n:
                with app.app_context():
                    page = client.get("/api/v1/tasks?process_key=engine_bench&limit=200", headers=headers)
                    tasks = [t["id"] for t in page.get_json()["items"]]
                if tasks:
                    list(pool.map(complete_one, tasks))
                else:
                    time.sleep(0.05)
                with app.app_context():
                    from sqlalchemy import func, select

                    from app.db import db
                    from app.models import ProcessInstance

                    with db.session() as session:
                        done = session.scalar(select(func.count()).where(ProcessInstance.status == "completed"))
                if time.perf_counter() - t0 > 600:
                    raise RuntimeError("benchmark did not finish in 10 minutes")
        elapsed = time.perf_counter() - t0
        with app.app_context(), db.session() as session:  # read while the workers' connections live
            backends = pg_backends(session)
        cpu = {"driver": cpu_ms(os.getpid(), frozenset(str(p.pid) for p in procs)) - cpu0["driver"],
               "rq workers": sum(cpu_ms(p.pid) for p in procs) - cpu0["rq workers"],
               "PostgreSQL backends": sum(cpu_ms(pid) - pg0.get(pid, 0.0) for pid in backends)}
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)
    with app.app_context():
        history = client.get(f"/api/v1/process-instances/{ids[0]}/history", headers=headers).get_json()["items"]
        db.dispose()  # the database is dropped next
    nodes = len(history) * n
    return {
        "instances": n, "seconds": elapsed, "instances_per_s": n / elapsed, "nodes": nodes,
        "nodes_per_s": nodes / elapsed, "workers": workers, "driver_threads": threads,
        "complete_ms": {"p50": _pct(complete_ms, 50), "p99": _pct(complete_ms, 99), "count": len(complete_ms)},
        "start_ms": {"p50": _pct(start_ms, 50), "p99": _pct(start_ms, 99)},
        "in_driver_seconds": dict(watch.totals),
        "cpu_ms_per_instance": {k: round(v / n, 1) for k, v in cpu.items()},
    }


def _pct(values: list[float], p: int) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))], 2)


def _fresh_database(admin_url: str) -> str:
    import psycopg2

    name = f"housing_bench_{uuid.uuid4().hex[:6]}"
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def _drop_database(admin_url: str, url: str) -> None:
    import psycopg2

    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="driver threads calling the API")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)

    a = bare_spiffworkflow(args.instances)
    url = _fresh_database(args.pg_admin)
    try:
        b = host(args.instances, args.workers, url, args.redis_url, args.threads)
    finally:
        _drop_database(args.pg_admin, url)
    result = {"bare_spiffworkflow": a, "host": b, "ratio_b_over_a": b["instances_per_s"] / a["instances_per_s"],
              "cpu_count": os.cpu_count()}
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\n(a) bare SpiffWorkflow: {a['instances_per_s']:.1f} instances/s, {a['nodes_per_s']:.0f} nodes/s")
    print(f"(b) this host:         {b['instances_per_s']:.1f} instances/s, {b['nodes_per_s']:.0f} nodes/s")
    print(f"b/a = {result['ratio_b_over_a']:.3f}; complete p50 {b['complete_ms']['p50']} ms, "
          f"p99 {b['complete_ms']['p99']} ms")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
