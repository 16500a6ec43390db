"""Age benchmark: does a step cost the same early and late in a 公租房 case's life?

    .venv/bin/python -m bench.age.run                  # 3 cases per mode, 5 probes per stage
    .venv/bin/python -m bench.age.run --cases 6 --probes 9 --json /tmp/age.json

On a fresh PostgreSQL database ``housing_bench_age`` and the sandbox over HTTP, cases of the
eligible sandbox households go through their whole life: submission, 受理 and the 14-source
verification, 初审, 复审, the three departments' 会签, 公示 with an objection investigated, the end
of 公示, a lottery allocation round and the lease. At each stage it measures, on the instance the
stage works on:

* **probe** — a step that changes nothing (:func:`app.services.step.with_instance` with an empty
  action: lock, load, snapshot, advance, persist, commit): the cost of carrying the state, as
  wall time and as this process's CPU time (which the machine's other load disturbs less: the
  wall time also waits for PostgreSQL and for a core);
* **user step** — the stage's own user task completed through ``task_service.complete`` (the jobs
  it starts run afterwards, outside the timing), wall and CPU time;
* **state** — the bytes of the instance row's state after the stage.

Both modes run **in the same run**, on the same households, one case after the other:

* **(a) full** — the state as it was stored before compaction: every task the case ever ran
  (``serializer.dumps``);
* **(b) live** — what the application stores: only live work (``serializer.dumps_live``,
  ADR 0021), finished work in ``process_instance_archive``.

Prints one table per mode (median milliseconds, median bytes) and the ratio b/a per stage.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DB_NAME = "housing_bench_age"
HOUSEHOLDS = ("eligible_nuclear", "multi_generation", "eligible_single")
#: where the case is; the user step of a stage is the one taken from there (受理 after submission, 初审
#: after verification, 复审, one 会签 signature, the objection's investigation during 公示, the lottery
#: draw, the lease signature); the case has no step of its own after 公示 (it is closed)
STAGES = ("submitted", "verified", "复审", "会签", "公示", "after 公示", "allocation", "lease")


class DeferredRunner:
    """The inline runner, except that jobs a timed step creates wait until :meth:`release`."""

    def __init__(self):
        from app.jobs.runner import InlineRunner
        from app.services import job_service

        self.inner = InlineRunner(job_service.execute_batch, synchronous=True)
        self.hold = False
        self.held: list[str] = []

    def submit(self, job_ids, force: bool = False) -> None:
        if self.hold:
            self.held.extend(job_ids)
        else:
            self.inner.submit(job_ids, force=force)

    def holds(self, job_id: str) -> bool:
        return job_id in self.held or self.inner.holds(job_id)

    def release(self) -> None:
        self.hold, held, self.held = False, self.held, []
        if held:
            self.inner.submit(held, force=True)


class Meter:
    """Collects probe and step times and state sizes per stage."""

    def __init__(self, runner: DeferredRunner, probes: int):
        self.runner, self.probes = runner, probes
        self.probe_ms: dict[str, list[float]] = {s: [] for s in STAGES}
        self.probe_cpu_ms: dict[str, list[float]] = {s: [] for s in STAGES}
        self.step_ms: dict[str, list[float]] = {s: [] for s in STAGES}
        self.step_cpu_ms: dict[str, list[float]] = {s: [] for s in STAGES}
        self.state_bytes: dict[str, list[int]] = {s: [] for s in STAGES}
        self.tasks: dict[str, list[int]] = {s: [] for s in STAGES}

    def probe(self, stage: str, instance_id: str) -> None:
        from app.db import db
        from app.models import ProcessInstance
        from app.services.step import with_instance

        for _ in range(self.probes):
            started, cpu = time.perf_counter(), time.process_time()
            with_instance(instance_id, lambda step: None, "bench")
            self.probe_ms[stage].append((time.perf_counter() - started) * 1000)
            self.probe_cpu_ms[stage].append((time.process_time() - cpu) * 1000)
        with db.session() as session:
            state = session.get(ProcessInstance, instance_id).state
        self.state_bytes[stage].append(len(state.encode("utf-8")))
        stored = json.loads(state)
        self.tasks[stage].append(len(stored["tasks"]) + sum(len(s["tasks"]) for s in stored["subprocesses"].values()))

    def step(self, stage: str, action: Callable[[], object]) -> None:
        self.runner.hold = True
        try:
            started, cpu = time.perf_counter(), time.process_time()
            action()
            self.step_ms[stage].append((time.perf_counter() - started) * 1000)
            self.step_cpu_ms[stage].append((time.process_time() - cpu) * 1000)
        finally:
            self.runner.release()

    def summary(self) -> dict:
        def med(values):
            return round(statistics.median(values), 1) if values else None

        return {s: {"probe_ms": med(self.probe_ms[s]), "probe_cpu_ms": med(self.probe_cpu_ms[s]),
                    "step_ms": med(self.step_ms[s]), "step_cpu_ms": med(self.step_cpu_ms[s]),
                    "state_bytes": med(self.state_bytes[s]), "state_bytes_max": max(self.state_bytes[s], default=None),
                    "tasks": med(self.tasks[s])} for s in STAGES}


def one_case(meter: Meter, key: str, sandbox_admin: str, unit_no: int) -> None:
    """One household's case through every stage."""
    from sqlalchemy import delete

    from app.contracts import signing as signing_codes
    from app.db import db
    from app.models import HouseholdClaim
    from app.services import case_service, instance_service, publication_service, task_service, tenancy_service
    from tests.processes.conftest import applicant, complete, household, ready_task, staff
    from tests.support.signing import last_code

    form = household(key)["form"]
    case = case_service.submit_application(applicant(key), form)
    number, district, iid = case["application_no"], case["district"], case["instance_id"]
    street = staff("street", "street_reviewer", district)
    meter.probe("submitted", iid)
    meter.step("submitted", lambda: complete(street, number, "acceptance",
                                             {"decision": "accept", "opinion": "材料齐全"}))
    meter.probe("verified", iid)  # the 14 checks ran: the case waits at 初审
    meter.step("verified", lambda: complete(street, number, "preliminary_review",
                                           {"decision": "approve", "opinion": "入户核查属实"}))
    meter.probe("复审", iid)
    meter.step("复审", lambda: complete(staff("district", "district_reviewer", district, "district_reviewer"), number,
                                       "district_review", {"decision": "approve", "opinion": "同意"}))
    meter.probe("会签", iid)
    for group in ("dept_minzheng", "dept_zhujian", "dept_renshe"):
        meter.step("会签", lambda g=group: complete(staff(g, g, None, "dept_reviewer"), number, "countersign",
                                                   {"signature": {"decision": "approve", "opinion": "同意"}}, g))
    publication_service.file_objection({
        "application_no": number, "objector_name": "王五", "objector_id_number": "500103199001011234",
        "objector_phone": "13800000000", "content": "该户另有住房，请核查。"})
    meter.probe("公示", iid)
    meter.step("公示", lambda: complete(staff("inv", "investigator", None, "city_reviewer"), number, "investigate",
                                       {"decision": "dismissed", "finding_text": "经核查，异议不成立"}))
    instance_service.fire_timers_now(iid, "bench")
    meter.probe("after 公示", iid)
    officer = staff("city", "allocation_officer", None, "city_reviewer")
    unit = {"code": f"AGE-{unit_no:04d}", "address": f"示例路{unit_no}号", "area": 50.0, "rent": 500.0}
    started_round = tenancy_service.start_allocation_round(officer, {
        "housing_type": "gongzufang", "district": district, "method": "lottery", "units": [unit]})
    round_no = started_round["round_no"]
    round_iid = ready_task(round_no, "confirm_draw").instance_id
    meter.probe("allocation", round_iid)
    meter.step("allocation", lambda: complete(officer, round_no, "confirm_draw",
                                              {"confirm": True, "witness": "公证员"}))
    complete(applicant(key), round_no, "respond_offer", {"response": {"decision": "accept"}})
    lease_key = f"L{number}"
    signing = ready_task(lease_key, "sign_lease")
    meter.probe("lease", signing.instance_id)
    # asking for the SMS code is a request of its own before the step (it sends an SMS, it moves
    # no workflow); the step is the signing task's completion with that code
    signing_codes.send_code(applicant(key), signing.id)
    code = last_code(sandbox_admin)
    meter.step("lease", lambda: task_service.complete(applicant(key), signing.id, {"agree": True, "sms_code": code}))
    complete(officer, lease_key, "confirm_move_in", {"moved_in_on": "2026-12-01", "keys_handed": True})
    with db.transaction() as session:  # the same household applies again in the other mode
        session.execute(delete(HouseholdClaim))


def run(cases: int, probes: int) -> dict:
    """Both modes on a fresh database; the figures."""
    from app.cli import migrate_database
    from app.engine import serializer
    from app.engine.compaction import Archive
    from app.factory import create_app
    from app.services import definition_service
    from bench.common import database
    from connectors.testing import FAST_SETTINGS, running_sandbox
    from tests.conftest import make_settings

    url, _ = database(DB_NAME, fresh=True)
    migrate_database(url)
    live_dumps = serializer.dumps_live
    runner = DeferredRunner()
    out: dict = {"cases": cases, "probes": probes}
    with running_sandbox(latency_seconds=0.0) as (sandbox_url, sandbox_admin):
        settings = make_settings(url, forms_dir=str(ROOT / "forms"), processes_dir=str(ROOT / "processes"),
                                 sandbox_url=sandbox_url, extra=FAST_SETTINGS, env="development")
        app = create_app(settings, runner=runner)
        with app.app_context():
            files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "processes").glob("*.bpmn"))
                     + sorted((ROOT / "processes").glob("*.dmn"))]
            definition_service.deploy(files, "bench")
            meters = {"full": Meter(runner, probes), "live": Meter(runner, probes)}
            modes = {"full": lambda wf: (serializer.dumps(wf), Archive()), "live": live_dumps}
            unit_no = 0
            for n in range(cases):  # alternate the modes so the machine's load falls on both alike
                for mode in ("full", "live"):
                    serializer.dumps_live = modes[mode]  # type: ignore[assignment]
                    try:
                        unit_no += 1
                        one_case(meters[mode], HOUSEHOLDS[n % len(HOUSEHOLDS)], sandbox_admin, unit_no)
                    finally:
                        serializer.dumps_live = live_dumps  # type: ignore[assignment]
                    print(f"case {n + 1} ({HOUSEHOLDS[n % len(HOUSEHOLDS)]}) done in mode {mode}", flush=True)
            out["full"] = meters["full"].summary()
            out["live"] = meters["live"].summary()
    return out


def report(out: dict) -> str:
    """The figures as a Markdown table."""
    lines = ["| stage | tasks a / b | state a / b (bytes, median; max b) | probe a / b (ms) | probe b/a "
             "| probe CPU a / b (ms) | user step a / b (ms) | step b/a | step CPU a / b (ms) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for stage in STAGES:
        a, b = out["full"][stage], out["live"][stage]

        def ratio(x, y):
            return f"{y / x:.2f}" if x and y else "—"

        def pair(x, y):
            return "—" if x is None and y is None else f"{x} / {y}"

        lines.append(f"| {stage} | {a['tasks']} / {b['tasks']} | {a['state_bytes']:,.0f} / {b['state_bytes']:,.0f}; "
                     f"{b['state_bytes_max']:,} | {a['probe_ms']} / {b['probe_ms']} | "
                     f"{ratio(a['probe_ms'], b['probe_ms'])} | {a['probe_cpu_ms']} / {b['probe_cpu_ms']} | "
                     f"{pair(a['step_ms'], b['step_ms'])} | "
                     f"{ratio(a['step_ms'], b['step_ms'])} | {pair(a['step_cpu_ms'], b['step_cpu_ms'])} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=3, help="cases per mode")
    parser.add_argument("--probes", type=int, default=5, help="no-op steps per stage and case")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    out = run(args.cases, args.probes)
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(report(out))


if __name__ == "__main__":
    main()
