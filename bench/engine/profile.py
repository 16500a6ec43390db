"""Where the host's time goes: the benchmark diagram run in one process, profiled by layer.

Runs N instances of ``engine_bench`` through the services (inline job runner, PostgreSQL) under
cProfile and sums the time spent inside each layer's own code — SpiffWorkflow, the database
driver, SQLAlchemy, state (de)serialisation, the sandbox, this application — plus the
statements and transactions each instance costs.

    .venv/bin/python -m bench.engine.profile --instances 40
    .venv/bin/python -m bench.engine.profile --instances 200 --plain   # CPU per instance, unprofiled
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from collections import Counter

from bench.engine.run import BPMN, DMN, MEMBERS, _drop_database, _fresh_database

LAYERS = [  # (layer, substrings of a function's file or name), first match wins
    ("database wait (psycopg2)", ("psycopg2", "method 'execute' of", "method 'commit' of", "executemany")),
    ("SQLAlchemy", ("sqlalchemy",)),
    ("SpiffWorkflow engine", ("SpiffWorkflow/bpmn/serializer", "SpiffWorkflow/serializer")),
    ("SpiffWorkflow engine", ("SpiffWorkflow",)),
    ("JSON", ("json/",)),
    ("sandbox (RestrictedPython)", ("RestrictedPython", "app/engine/sandbox")),
    ("application code", ("/app/", "/handlers/", "/connectors/", "/bench/")),
]


def _layer(filename: str, name: str, layers: list = LAYERS) -> str:
    key = f"{filename} {name}"
    for layer, needles in layers:
        if any(n in key for n in needles):
            return layer
    return "Python runtime and other libraries"


def shares_by_layer(profiler: cProfile.Profile, layers: list = LAYERS) -> dict[str, float]:
    """Each layer's share of the profiled time (a function's own time goes to its layer)."""
    totals: Counter = Counter()
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in pstats.Stats(profiler).stats.items():
        totals[_layer(filename, name, layers)] += tottime
    total = sum(totals.values()) or 1.0
    return {k: round(v / total, 3) for k, v in totals.most_common()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=40)
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--dump", metavar="FILE", help="also write the raw profile (pstats) to FILE")
    parser.add_argument("--plain", action="store_true",
                        help="no profiler: this process's CPU and wall time per instance, as they are")
    args = parser.parse_args(argv)
    url = _fresh_database(args.pg_admin)
    os.environ.update({"HOUSING_OPERATOR_MODULES": "bench.engine.operators", "HOUSING_LOG_LEVEL": "WARNING",
                       "HOUSING_ENV": "development"})
    from sqlalchemy import event

    from app.auth.identity import Identity
    from app.cli import migrate_database
    from app.config import Settings
    from app.factory import create_app
    from app.jobs.runner import InlineRunner
    from app.services import definition_service, instance_service, job_service, task_service

    app = None
    try:
        migrate_database(url)
        app = create_app(Settings.from_env(database_url=url), runner=InlineRunner(job_service.execute_batch, True))
        counts: Counter = Counter()
        engine = app.extensions["housing.db"].engine
        event.listen(engine, "before_cursor_execute", lambda *a: counts.update(["statements"]))
        event.listen(engine, "commit", lambda *a: counts.update(["commits"]))
        admin = Identity("admin", roles=("admin",))
        with app.app_context():
            definition_service.deploy([(BPMN.name, BPMN.read_bytes()), (DMN.name, DMN.read_bytes())], "bench")

            def one(i: int) -> None:
                instance_service.start_instance("engine_bench", {"members": MEMBERS}, f"P{i}", "bench")
                for _ in range(2):
                    flt = task_service.TaskFilter(business_key=f"P{i}")
                    task = task_service.list_tasks(admin, flt)["items"][0]
                    task_service.complete(admin, task["id"], {"decision": "approve", "opinion": "同意"})

            for i in range(20 if args.plain else 1):  # warm the caches (every one the timed runs use)
                one(-1 - i)
            counts.clear()
            profiler = cProfile.Profile()
            started, cpu = time.perf_counter(), time.process_time()
            if not args.plain:
                profiler.enable()
            for i in range(args.instances):
                one(i)
            profiler.disable()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        if args.dump:
            profiler.dump_stats(args.dump)
        result = {
            "instances": args.instances, "ms_per_instance": 1000 * elapsed / args.instances,
            "statements_per_instance": counts["statements"] / args.instances,
            "commits_per_instance": counts["commits"] / args.instances,
        }
        if args.plain:
            result["cpu_ms_per_instance"] = 1000 * cpu / args.instances
        else:
            result["share_of_time"] = shares_by_layer(profiler)
        print(json.dumps(result, indent=2, ensure_ascii=False))
    finally:
        if app is not None:
            app.extensions["housing.db"].dispose()
        _drop_database(args.pg_admin, url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
