"""Supervision benchmark: one run over N active leases on the sandbox, against a baseline.

    .venv/bin/python -m bench.supervision.run                  # 1,000 leases, batches of 50
    .venv/bin/python -m bench.supervision.run --leases 200 --batch 25

Both measured **in the same run**, on a fresh database ``housing_bench_supervision`` and one
sandbox over HTTP (no added latency):

* **(a) baseline** — the bare data-source calls a check needs, made directly in one thread:
  the 14 ``<source>/check`` operators for the household's members and ``utilities/usage``, per
  lease, nothing stored (what any re-check costs before an engine is involved);
* **(b) supervision** — :func:`app.supervision.schedule.start_batch` batch after batch until every
  lease is checked: each lease a ``supervision`` instance (the ``verification`` call activity's
  14 sources as outbox jobs, the utilities reading, two DMN tables, the warning record), jobs run
  by the inline runner, every step stored in PostgreSQL.

It prints leases/s of each, the ratio b/a, the time per batch and the warnings raised.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date, timedelta

import psycopg2

from bench.inbox.run import ADMIN_URL

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


def run(leases: int, batch: int) -> dict:
    """Seed, measure (a) then (b), return the figures."""
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
    out: dict = {"leases": leases, "batch": batch}
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
            started = time.perf_counter()
            while True:
                t0 = time.perf_counter()
                done = schedule.start_batch(batch_size=batch)
                if not done:
                    break
                batches.append(time.perf_counter() - t0)
            out["supervision_s"] = time.perf_counter() - started
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leases", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    print(json.dumps(run(args.leases, args.batch), ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
