"""Statistics benchmark: the dashboard's panels and page over the inbox bench's 1,000,000 cases.

    .venv/bin/python -m bench.statistics.run                 # seed (once), refresh, measure
    .venv/bin/python -m bench.statistics.run --cases 100000  # a smaller run
    .venv/bin/python -m bench.statistics.run --fresh         # drop the database and seed again

The database ``housing_bench_statistics_<cases>`` is seeded by ``bench.inbox.seed`` (cases and
tasks) plus ``bench.statistics.seed`` (applications, verification calls and results, waiting
list, offers) and kept between runs. Each run rebuilds the summary tables (``refresh``, timed
once) and prints, per scenario, p50 / p95 / max over the repetitions of each panel
(``service.panel``: the SQL over the summaries plus the figures) and of the whole page
(``GET /statistics`` through Flask: session, four panels, district list, HTML).
"""

from __future__ import annotations

import json
import time

from bench.common import arguments, database
from bench.common import sizes as table_sizes
from bench.inbox.run import _timed
from bench.inbox.seed import seed
from bench.statistics.seed import seed_cases

#: name, username, filters (start / end as days back from today)
SCENARIOS = [
    ("city manager, last 12 months", "manager_city", {}),
    ("city manager, 江北区 · 保租房, 12 months", "manager_city", {"district": "江北区", "housing_type": "baozufang"}),
    ("city manager, last 30 days (daily)", "manager_city", {"days": 30}),
    ("district manager 渝中区, 12 months", "manager_yz", {}),
]
SUMMARIES = ("stat_application", "stat_duration", "stat_open_task", "stat_waiting", "stat_offer", "stat_source_call",
             "stat_source_check")


def measure(url: str, repeat: int) -> dict:
    """Refresh the summaries once, then time every scenario."""
    from datetime import timedelta

    from app.auth import tokens
    from app.config import Settings
    from app.factory import create_app
    from app.services import demo_service, user_service
    from app.statistics import refresh, service
    from app.web.session_auth import TOKEN_KEY

    settings = Settings(database_url=url, env="development", log_level="WARNING")
    app = create_app(settings)
    out = {"scenarios": []}
    with app.app_context():
        demo_service.load_demo_users()
        out["refresh_s"] = refresh.refresh()
        print(f"refresh: {out['refresh_s']:.1f} s", flush=True)
        out["summary_rows"] = table_sizes(url, tuple(SUMMARIES))
        print("summaries:", ", ".join(f"{k} {v:,}" for k, v in out["summary_rows"].items()), flush=True)
        client = app.test_client()
        for name, username, args in SCENARIOS:
            identity = user_service.authenticate(username, demo_service.DEMO_PASSWORD)
            base = service.default_filters()
            start = base.end - timedelta(days=args["days"] - 1) if "days" in args else base.start
            f = service.make_filters(start, base.end, args.get("district"), args.get("housing_type"))
            token, _ = tokens.issue(settings, identity, tokens.SESSION)
            with client.session_transaction() as session:
                session[TOKEN_KEY] = token
            query = {k: v for k, v in f.as_dict().items() if v}

            def page(query=query):
                response = client.get("/statistics", query_string=query)
                assert response.status_code == 200, response.status_code

            row = {"scenario": name, "panels": {}}
            for key in service.PANELS:
                row["panels"][key] = _timed(lambda key=key, who=identity, f=f: service.panel(who, key, f), repeat)
            row["page"] = _timed(page, max(10, repeat // 4))
            out["scenarios"].append(row)
            print(_line(row), flush=True)
    return out


def _line(row: dict) -> str:
    parts = [f"{row['scenario']:<40}"]
    for key, t in (*row["panels"].items(), ("PAGE", row["page"])):
        parts.append(f"{key} p50 {t['p50']:5.1f} p95 {t['p95']:5.1f}")
    return " | ".join(parts) + " ms"


def main(argv: list[str] | None = None) -> None:
    args = arguments(__doc__, 100, argv)

    from app.cli import migrate_database

    url, new = database(f"housing_bench_statistics_{args.cases}", args.fresh)
    migrate_database(url)
    if new:
        print(f"seeding {args.cases:,} cases …", flush=True)
        started = time.perf_counter()
        seed(url, args.cases)
        seed_cases(url)
        print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
    sizes = table_sizes(url, ("application", "human_task", "job", "verification_result", "waiting_list_entry",
                              "allocation_offer"))
    print("database:", ", ".join(f"{k} {v:,}" for k, v in sizes.items()), flush=True)
    figures = measure(url, args.repeat)
    if args.json:
        args.json.write_text(json.dumps({"sizes": sizes, **figures}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
