"""The steps of a 公租房 case as its people take them over HTTP, shared by the scenarios and the bench.

Applicants and staff are the demo users (``housing demo-data``) plus a street and a district
reviewer for each district the sandbox's households live in (:func:`add_district_reviewers`).
Every step is a request on a new connection; work the job workers do in between (the 14 source
checks, the handlers) is waited for by polling the API, as a client would.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading

from tests.production.client import ApiUser, PageUser, sign_with_sms_code, wait_for
from tests.production.topology import ROOT, Topology

HOUSEHOLDS = ROOT / "processes" / "stubs" / "households"
DEPARTMENTS = (("minzheng", "dept_minzheng"), ("zhujian", "dept_zhujian"), ("renshe", "dept_renshe"))
#: reviewers of the districts the demo users do not cover (pinyin initials, as street_yz / street_jb)
DISTRICT_CODES = {"渝中区": "yz", "江北区": "jb", "沙坪坝区": "spb", "九龙坡区": "jlp", "北碚区": "bb",
                  "江津区": "jj"}
#: the sandbox households that pass every check of 公租房 (connectors/sandbox/fixtures/households.json)
ELIGIBLE = ("eligible_single", "eligible_nuclear", "multi_generation", "dibao_priority", "disabled_member",
            "yibao_gap")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: how long the job workers may take for the source checks of one case on a busy machine
VERIFY_TIMEOUT = 180

_ADD_USERS = """
import json, sys
from app.factory import create_app
from app.services import user_service
from app.services.demo_service import DEMO_PASSWORD
app = create_app()
with app.app_context():
    for user in json.loads(sys.argv[1]):
        user_service.upsert_user(*user[:2], DEMO_PASSWORD, *user[2:])
"""


def add_district_reviewers(topology: Topology) -> None:
    """A street and a district reviewer (password demo123) for every district in DISTRICT_CODES."""
    users = []
    for district, code in DISTRICT_CODES.items():
        users.append((f"street_{code}", f"{district}街道审核", ["reviewer"], ["street_reviewer"], district))
        users.append((f"district_{code}", f"{district}住保复审", ["district_reviewer"], ["district_reviewer"],
                      district))
    add_users(topology, users)


def add_users(topology: Topology, users: list[tuple]) -> None:
    """Users (username, display name, roles, groups, district; password demo123) created the way an
    administrator's script would: the app's user service, in a process of its own configured by the
    same environment as the topology."""
    done = subprocess.run([sys.executable, "-c", _ADD_USERS, json.dumps(users, ensure_ascii=False)], cwd=ROOT,
                          env=topology.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def household_form(key: str) -> dict:
    """The application form of a sandbox household (what its applicant types in)."""
    return json.loads((HOUSEHOLDS / f"{key}.json").read_text(encoding="utf-8"))["form"]


class People:
    """The users of one topology, each logged in once (a token outlives every web restart)."""

    def __init__(self, topology: Topology):
        self.topology = topology
        self._api: dict[str, ApiUser] = {}
        self._lock = threading.Lock()

    def __call__(self, username: str) -> ApiUser:
        with self._lock:
            if username not in self._api:
                self._api[username] = ApiUser(self.topology.url, username)
            return self._api[username]

    def pages(self, username: str | None = None) -> PageUser:
        """A fresh page session (a real login) for ``username``; ``None``: a visitor."""
        return PageUser(self.topology.url, username)

    def street(self, district: str) -> ApiUser:
        return self(f"street_{DISTRICT_CODES[district]}")

    def district(self, district: str) -> ApiUser:
        return self(f"district_{DISTRICT_CODES[district]}")


class Case:
    """One application as its steps go: number, instance, district, and the decisions taken."""

    def __init__(self, people: People, created: dict, applicant: str):
        self.people = people
        self.number: str = created["application_no"]
        self.instance_id: str = created.get("instance_id") or people(applicant).case(self.number)["instance_id"]
        self.applicant = applicant
        self.district: str = people(applicant).case(self.number)["district"]
        #: (bpmn_id, username, decision, opinion) of every task completed, in order
        self.decisions: list[tuple[str, str, str | None, str | None]] = []
        #: the business keys of the instances the case's tasks belonged to (the case, its lease, a round)
        self.business_keys: list[str] = [self.number]

    def complete(self, username: str, bpmn_id: str, data: dict, business_key: str | None = None) -> dict:
        done = self.people(username).complete(business_key or self.number, bpmn_id, data)
        if business_key and business_key not in self.business_keys:
            self.business_keys.append(business_key)
        inner = data.get("signature") or data.get("manual_finding") or data.get("response") or data
        self.decisions.append((bpmn_id, username, inner.get("decision") or inner.get("verdict"),
                               inner.get("opinion") or inner.get("summary") or inner.get("finding_text")))
        return done

    def sign_lease(self, lease_no: str, sandbox_url: str, username: str = "applicant") -> dict:
        """The tenant signs with the SMS code (see :func:`tests.production.client.sign_with_sms_code`)."""
        done = sign_with_sms_code(self.people(username), lease_no, sandbox_url)
        if lease_no not in self.business_keys:
            self.business_keys.append(lease_no)
        self.decisions.append(("sign_lease", username, None, None))
        return done

    def view(self, username: str = "admin") -> dict:
        return self.people(username).case(self.number)

    def instance(self) -> dict:
        return self.people("admin").get(f"/process-instances/{self.instance_id}")

    def wait_for_step(self, step: str, timeout: float = VERIFY_TIMEOUT) -> dict:
        return self._wait(lambda c: c["step"] == step, timeout, f"step {step}")

    def wait_for_status(self, status: str, timeout: float = 120) -> dict:
        return self._wait(lambda c: c["status"] == status, timeout, f"status {status}")

    def wait_until(self, reached, what: str, timeout: float = 120) -> dict:
        """The case's view once ``reached(view)`` holds."""
        return self._wait(reached, timeout, what)

    def _wait(self, reached, timeout: float, what: str) -> dict:
        seen: list[dict] = []

        def check() -> dict | None:
            seen[:] = [self.view()]
            return seen[0] if reached(seen[0]) else None

        try:
            return wait_for(check, timeout, f"{self.number} at {what}")
        except AssertionError as exc:
            last = seen[0] if seen else {}
            raise AssertionError(f"{exc}; the case is {last.get('status')} at {last.get('step')}, its instance "
                                 f"waits for {self.waiting_for()}") from None

    def waiting_for(self) -> dict:
        """What the case's instance waits for (ready tasks, events, incidents), for failure messages."""
        details = self.instance()
        return {"status": details.get("status"), "ready": [t["bpmn_id"] for t in details.get("ready_tasks", [])],
                "waiting": details.get("waiting_events"), "incidents": details.get("incidents")}


def apply(people: People, key: str, applicant: str = "applicant") -> Case:
    """The applicant submits a sandbox household's form through ``POST /api/v1/applications``."""
    created = people(applicant).post("/applications", expect=201, json=household_form(key))
    assert created["status"] == "submitted" and created["step"] == "受理", created
    return Case(people, created, applicant)


def accept(case: Case) -> None:
    """受理 by the street; the 14 source checks then run on the job workers."""
    case.complete(case.people.street(case.district).username, "acceptance",
                  {"decision": "accept", "opinion": "材料齐全，予以受理"})


def review(case: Case) -> None:
    """初审 (once the checks are done) and 复审, both approving."""
    case.wait_for_step("初审")
    street, district = case.people.street(case.district).username, case.people.district(case.district).username
    case.complete(street, "preliminary_review", {"decision": "approve", "opinion": "经入户核查，家庭情况与申报一致"})
    case.complete(district, "district_review", {"decision": "approve", "opinion": "复审通过，提交会签"})
    case.wait_for_step("会签", timeout=60)


REFUSAL = "申请人在外地有稳定工作单位缴纳社保，与申报不符"


def signature(username: str, refuse: bool = False) -> dict:
    """A department's countersign form: approve, or refuse with its reason."""
    if refuse:
        return {"decision": "reject", "opinion": f"{username}：{REFUSAL}", "reason_code": "other"}
    return {"decision": "approve", "opinion": f"{username}：经核对，同意"}


def countersign(case: Case, *, concurrently: bool = False, before_each=None, last_refuses: bool = False) -> None:
    """The three departments sign: one by one (``before_each()`` before every signature; the last one
    refusing if ``last_refuses``), or all at once."""
    def sign(username: str) -> None:
        refuse = last_refuses and username == DEPARTMENTS[-1][0]
        case.complete(username, "countersign", {"signature": signature(username, refuse)})

    if not concurrently:
        for username, _ in DEPARTMENTS:
            if before_each is not None:
                before_each()
            sign(username)
        return
    for username, _ in DEPARTMENTS:  # every department's task is there before anyone signs
        case.people(username).wait_for_task(case.number, "countersign")
    barrier, errors = threading.Barrier(len(DEPARTMENTS)), []

    def run(username: str) -> None:
        try:
            barrier.wait(30)
            sign(username)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(u,)) for u, _ in DEPARTMENTS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert not errors, errors


def end_publication(case: Case) -> dict:
    """The operator ends the 公示 period (fires the instance's timers once it waits for the period's
    end, as the timers page shows it); the case joins the waiting list."""
    wait_for(lambda: any(e["bpmn_id"] == "period_ends" for e in case.instance().get("waiting_events") or []), 60,
             f"{case.number} to wait for the end of its 公示 period")
    fired = case.people("operator").post(f"/process-instances/{case.instance_id}/timers/fire")
    assert fired["fired"] >= 1, fired
    return case.wait_for_status("waiting")


def assert_countersigned(case: Case, last_refused: bool = False) -> None:
    """All three signatures are in the instance data and the history, each by its department."""
    expected = [signature(u, last_refused and u == DEPARTMENTS[-1][0]) for u, _ in DEPARTMENTS]
    data = case.instance()["data"]
    signatures = data["countersign_signatures"]
    signatures = list(signatures.values()) if isinstance(signatures, dict) else signatures
    key = lambda s: s["opinion"]  # noqa: E731
    assert sorted(({k: s[k] for k in ("decision", "opinion")} for s in signatures), key=key) == \
        sorted(({k: s[k] for k in ("decision", "opinion")} for s in expected), key=key), signatures
    nodes = case.people("admin").get(f"/process-instances/{case.instance_id}/history")["items"]
    signers = [n["actor"] for n in nodes if n["bpmn_id"] == "countersign" and n["type"] == "userTask"]
    assert sorted(signers) == sorted(u for u, _ in DEPARTMENTS), nodes
    goes_on = "countersign_rejected" if last_refused else "open_publication"
    assert goes_on in [n["bpmn_id"] for n in nodes], f"the case did not go on to {goes_on}"


def countersign_case(people: People, key: str, *, concurrently: bool = False, before_each=None,
                     last_refuses: bool = False, applicant: str = "applicant") -> Case:
    """One case from application through the three departments' countersign: into 公示, or, when the
    last department refuses, rejected (which frees the household to apply again)."""
    case = apply(people, key, applicant)
    accept(case)
    review(case)
    countersign(case, concurrently=concurrently, before_each=before_each, last_refuses=last_refuses)
    case.wait_for_status("rejected" if last_refuses else "in_publication", timeout=60)
    assert_countersigned(case, last_refuses)
    return case


def upload(name: str = "材料.pdf") -> tuple[str, bytes, str]:
    return (name, PDF, "application/pdf")

