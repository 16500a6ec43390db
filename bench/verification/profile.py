"""Where a verification's CPU goes, by layer: N cases run in one process under cProfile.

The same work as ``bench.verification.run`` — ``--start import`` (the default): the cases
uploaded as a batch-import sheet, filed, accepted (受理) by the street clerks, the 14 source
checks against the sandbox over HTTP, the merge and what follows up to 初审; ``--start direct``:
a fixture household's ``verification`` instance started with its case row, its checks and
merge — but in one process with the inline runner and the operators called one after the
other on the profiled thread (the sandbox serves from a thread of its own, not profiled), so
every layer of this application's side shows: SpiffWorkflow, SQLAlchemy, the database driver,
the HTTP client, signing, JSON, this application's code — and, as layers of their own, the time
spent waiting for the sandbox's answers and for PostgreSQL.

    .venv/bin/python -m bench.verification.profile --cases 40
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import sys
import time
from pathlib import Path

from bench.engine.profile import LAYERS as ENGINE_LAYERS
from bench.engine.profile import shares_by_layer
from bench.engine.run import _drop_database, _fresh_database
from bench.verification.run import PROCESSES, accept_ready, case_data, households, prepare_import

LAYERS = [  # (layer, substrings of a function's file or name), first match wins
    ("waiting for the sandbox's answers", ("'recv_into' of", "'acquire' of '_thread.lock'")),
    ("HTTP client (requests, urllib3, sockets)", ("requests/", "urllib3/", "http/client", "socket", "ssl")),
    ("SM2/SM3 signing", ("connectors/signing", "gmssl")),
    ("state (de)serialisation", ("SpiffWorkflow/bpmn/serializer", "app/engine/serializer", "app/engine/compaction")),
    ("marshmallow", ("marshmallow",)),
    *ENGINE_LAYERS,
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--start", choices=("import", "direct"), default="import",
                        help="cases arrive by batch import and 受理, or as verification instances started directly")
    parser.add_argument("--pstats", type=Path, help="also write the raw profile here (for pstats or snakeviz)")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args(argv)
    os.environ.update({"HOUSING_ENV": "development", "HOUSING_LOG_LEVEL": "WARNING"})
    url = _fresh_database(args.pg_admin)
    app = stop = pool_threads = None
    try:
        from connectors.sandbox.server import start_in_thread

        sandbox_url, stop = start_in_thread(latency_seconds=0.0)
        os.environ.update({"HOUSING_DATABASE_URL": url, "HOUSING_PROCESSES_DIR": str(PROCESSES),
                           "HOUSING_SANDBOX_URL": sandbox_url})
        from app.cli import migrate_database
        from app.config import Settings
        from app.factory import create_app
        from app.jobs.runner import InlineRunner
        from app.services import batch_import_service, definition_service, instance_service, job_service
        from handlers.case_records import register_case

        migrate_database(url)
        # the checks a step calls itself (ADR 0025) on this thread too; the process's own count
        # comes back at the end (the test suite profiles in its own process)
        pool_threads, job_service.POOL_THREADS = job_service.POOL_THREADS, 1
        runner = InlineRunner(lambda ids: job_service.execute_batch(ids, threads=1), synchronous=True)
        app = create_app(Settings.from_env(), runner=runner)
        homes = households()
        with app.app_context():
            files = sorted(PROCESSES.glob("*.bpmn")) + sorted(PROCESSES.glob("*.dmn"))
            definition_service.deploy([(p.name, p.read_bytes()) for p in files], "bench")

            def one(i: int) -> None:
                data = case_data(homes, i)
                instance_service.start_instance(
                    "verification", {k: data[k] for k in ("application_no", "household", "district")},
                    data["application_no"], "bench",
                    before_commit=lambda session, instance: register_case(session, data, instance.id))

            def imported(first: int, n: int) -> None:
                officer, contents = prepare_import(app, n, first)
                for k, content in enumerate(contents):
                    batch_import_service.start_import(officer, f"bench-{first}-{k}.csv", content, background=False)
                while accept_ready():
                    pass

            work = imported if args.start == "import" else lambda first, n: [one(i) for i in range(first, first + n)]
            work(args.cases, 1)  # warm the caches
            profiler = cProfile.Profile()
            started, cpu = time.perf_counter(), time.process_time()
            profiler.enable()
            work(0, args.cases)
            profiler.disable()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        result = {
            "cases": args.cases, "ms_per_case": round(1000 * elapsed / args.cases, 1),
            "process_cpu_ms_per_case_with_sandbox": round(1000 * cpu / args.cases, 1),
            "share_of_time": shares_by_layer(profiler, LAYERS),
        }
        print(json.dumps(result, indent=2, ensure_ascii=False))
        if args.pstats:
            profiler.dump_stats(args.pstats)
    finally:
        if pool_threads is not None:
            from app.services import job_service

            job_service.POOL_THREADS = pool_threads
        if app is not None:
            app.extensions["housing.db"].dispose()
        if stop is not None:
            stop()
        _drop_database(args.pg_admin, url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
