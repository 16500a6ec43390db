"""Inbox benchmark: 1,000,000 cases / 2,000,000 tasks in PostgreSQL; time the inbox query and page.

    .venv/bin/python -m bench.inbox.run                 # seed (once) and measure
    .venv/bin/python -m bench.inbox.run --cases 100000  # a smaller run
    .venv/bin/python -m bench.inbox.run --fresh         # drop the database and seed again

The database ``housing_bench_inbox_<cases>`` is kept between runs (seeding a million cases takes
minutes), migrated to head each time. For each scenario it prints p50 / p95 / max over the
repetitions of

* **query** — the rows of one inbox page (``inbox_service.inbox`` without the tab counts);
* **query+counts** — the same with the three capped tab counts the page shows;
* **page** — ``GET /inbox`` through Flask: session check, query, counts, filter options, HTML;
* **baseline** — in the same run, the API's ``task_service.list_tasks`` for the same user
  (``GET /api/v1/tasks``; it shares the inbox's paging in ``app/services/task_pages.py``).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from bench.common import arguments, database
from bench.common import sizes as table_sizes
from bench.inbox.seed import seed

ROOT = Path(__file__).resolve().parents[2]

#: name, username, inbox arguments
SCENARIOS = [
    ("street reviewer, pool, first page", "street_yz", {"tab": "groups"}),
    ("street reviewer, pool, page 2 (keyset)", "street_yz", {"tab": "groups", "page": 2}),
    ("street reviewer, pool, 保租房 + overdue", "street_yz",
     {"tab": "groups", "housing_type": "baozufang", "overdue": True}),
    ("street reviewer, mine", "street_yz", {"tab": "mine"}),
    ("street reviewer, done (100k rows)", "street_yz", {"tab": "done"}),
    ("street reviewer, by application no.", "street_yz", {"tab": "groups", "application_no": "auto"}),
    ("district reviewer, pool", "district_yz", {"tab": "groups"}),
    ("民政 countersign (city-wide), pool", "minzheng", {"tab": "groups"}),
    ("city reviewer, pool, one district", "city", {"tab": "groups", "district": "江北区"}),
]


def _timed(fn, repeat: int) -> dict:
    for _ in range(3):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50": statistics.median(samples), "p95": samples[int(len(samples) * 0.95) - 1], "max": samples[-1]}


def measure(url: str, repeat: int) -> list[dict]:
    """Time every scenario; returns one row per scenario."""
    from app.config import Settings
    from app.factory import create_app
    from app.services import demo_service

    settings = Settings(database_url=url, env="development", log_level="WARNING")
    app = create_app(settings)
    rows = []
    with app.app_context():
        demo_service.load_demo_users()
        client = app.test_client()
        for name, username, args in SCENARIOS:
            row = _scenario(settings, client, name, username, dict(args), repeat)
            rows.append(row)
            print(_line(row), flush=True)
    return rows


def _scenario(settings, client, name: str, username: str, args: dict, repeat: int) -> dict:
    from app.auth import tokens
    from app.services import demo_service, inbox_service, task_service, user_service
    from app.web.session_auth import TOKEN_KEY

    identity = user_service.authenticate(username, demo_service.DEMO_PASSWORD)
    page_no = args.pop("page", 1)
    if args.get("application_no") == "auto":  # a number in this user's pool, whatever the seed drew
        first = inbox_service.inbox(identity, inbox_service.InboxQuery(tab="groups"), with_counts=False)
        args["application_no"] = first.rows[-1].task["business_key"]
    q = inbox_service.InboxQuery(**args)
    if page_no > 1:
        q.cursor = inbox_service.inbox(identity, q, with_counts=False).next_cursor
    token, _ = tokens.issue(settings, identity, tokens.SESSION)
    with client.session_transaction() as session:
        session[TOKEN_KEY] = token
    query_args = {k: ("1" if v is True else v) for k, v in args.items()}
    if q.cursor:
        query_args["cursor"] = q.cursor

    def page():
        response = client.get("/inbox", query_string=query_args)
        assert response.status_code == 200, response.status_code

    row = {"scenario": name, "rows": len(inbox_service.inbox(identity, q, with_counts=False).rows),
           "query": _timed(lambda: inbox_service.inbox(identity, q, with_counts=False), repeat),
           "query+counts": _timed(lambda: inbox_service.inbox(identity, q), repeat),
           "page": _timed(page, repeat)}
    if q.tab != "done" and not q.housing_type and page_no == 1:
        flt = task_service.TaskFilter(district=q.district, business_key=q.application_no, mine_only=q.tab == "mine")
        row["baseline"] = _timed(lambda: task_service.list_tasks(identity, flt, 20), max(10, repeat // 10))
    return row


def _line(row: dict) -> str:
    parts = [f"{row['scenario']:<42} rows={row['rows']:>3}"]
    for key in ("query", "query+counts", "page", "baseline"):
        if key in row:
            parts.append(f"{key} p50 {row[key]['p50']:6.1f} p95 {row[key]['p95']:6.1f} ms")
    return " | ".join(parts)


def main(argv: list[str] | None = None) -> None:
    args = arguments(__doc__, 200, argv)

    from app.cli import migrate_database

    url, new = database(f"housing_bench_inbox_{args.cases}", args.fresh)
    migrate_database(url)
    if new:
        print(f"seeding {args.cases:,} cases / {2 * args.cases:,} tasks …", flush=True)
        started = time.perf_counter()
        seed(url, args.cases)
        print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
    sizes = table_sizes(url, ("process_instance", "human_task", "task_candidate"),
                        {"ready tasks": "SELECT count(*) FROM human_task WHERE status = 'ready'"})
    print("database:", ", ".join(f"{k} {v:,}" for k, v in sizes.items()), flush=True)
    rows = measure(url, args.repeat)
    if args.json:
        args.json.write_text(json.dumps({"sizes": sizes, "rows": rows}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
