"""Countersign N times in a row under three web workers: does every case get all three signatures?

    .venv/bin/python -m bench.countersign.run --cases 50
    .venv/bin/python -m bench.countersign.run --cases 20 --restart-every 5 --web-workers 4

Starts the production topology of ``tests/production/topology.py`` (gunicorn, two job workers,
two schedulers, the sandbox; a fresh PostgreSQL database, the Redis database of
``HOUSING_TEST_REDIS`` or ``--redis``), then takes one case after another from the application
through 受理, the 14 source checks, 初审 and 复审 to the three departments' signatures, each
request on a new connection, so that consecutive signatures land on different web workers.
The first two departments approve and the third refuses: the case is rejected once all three
signatures are merged, which frees the household (one open application per ID number) for the
next round of the six eligible sandbox households. A case passes when it is rejected at 会签
with all three signatures in its data and history. Prints
one line per case and a summary (passed, failed, seconds per case: p50 / p95 / max); the exit
status is 1 if any case failed. ``tests/production`` runs the same with five cases.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from tests.production.steps import ELIGIBLE, People, add_district_reviewers, countersign_case
from tests.production.topology import Topology


def run(topology: Topology, people: People, cases: int, restart_every: int = 0, out=sys.stdout) -> dict:
    """Countersign ``cases`` cases one after another on a running topology; a summary dict."""
    seconds, failures = [], []
    for n in range(cases):
        if restart_every and n and n % restart_every == 0:
            topology.restart_web()
        key = ELIGIBLE[n % len(ELIGIBLE)]
        started = time.monotonic()
        try:
            case = countersign_case(people, key, last_refuses=True)
        except AssertionError as exc:
            failures.append({"case": n + 1, "household": key, "error": str(exc)[:2000]})
            print(f"{n + 1:3d} {key:18s} FAILED {str(exc)[:300]}", file=out, flush=True)
            continue
        seconds.append(time.monotonic() - started)
        print(f"{n + 1:3d} {key:18s} {case.number} countersigned in {seconds[-1]:.1f}s", file=out, flush=True)
    ordered = sorted(seconds)
    return {
        "cases": cases, "passed": len(seconds), "failed": len(failures), "failures": failures,
        "web_workers": topology.web_workers, "job_workers": topology.job_workers,
        "seconds_per_case": {
            "p50": round(statistics.median(ordered), 2) if ordered else None,
            "p95": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2) if ordered else None,
            "max": round(ordered[-1], 2) if ordered else None,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.countersign.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument("--restart-every", type=int, default=0, help="restart the web workers every N cases")
    parser.add_argument("--redis", default=os.environ.get("HOUSING_TEST_REDIS", "redis://127.0.0.1:6379/13"),
                        help="a Redis database this run may flush")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with Topology(args.redis, web_workers=args.web_workers, job_workers=args.job_workers) as topology:
        add_district_reviewers(topology)
        print(f"topology up in {time.monotonic() - started:.0f}s: gunicorn ×{args.web_workers} at {topology.url}, "
              f"housing worker ×{args.job_workers}, housing scheduler ×2, sandbox", flush=True)
        summary = run(topology, People(topology), args.cases, args.restart_every)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 1 if summary["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
