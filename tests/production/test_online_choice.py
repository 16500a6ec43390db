"""在线选房 through the production topology (gunicorn ×3, two job workers, two schedulers, PostgreSQL,
Redis; see conftest.py and topology.py): the city officer imports units through the stock's CSV
import and starts two choice rounds over the same stock on the 配租 page; households log in and
pick units through ``POST /api/v1/choice/rounds/<round>/choice``; two households whose windows are
open at the same time race for one unit with concurrent requests (exactly one wins, the other keeps
its window and takes another unit); web and job workers are restarted between picks; a missed
window, fired through the operators' timer API, counts as a decline and passes the turn; at the end
both rounds are closed and the winners' leases have started.

The window is whole hours (``window_hours`` is an integer, at least 1), so the scenario does not
wait for it to pass: the operator fires the round's timer, as the scheduler does at the deadline.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time

import pytest

from tests.production.client import CSRF, request, wait_for
from tests.production.topology import ROOT
from tests.support.lottery_data import units_csv

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("settled"), pytest.mark.timeout(600)]

#: the households of the two rounds: usernames that log in (password demo123), in queue order
HOUSEHOLDS = ("xuanfang1", "xuanfang2", "xuanfang3", "xuanfang4", "xuanfang5")
FIRST = 901  # application numbers GZF2026-000901 …, far from the ones the sequence hands out
UNITS = 6
PREFIX = "YZ-AA"  # sorts before the demo stock, so that the rounds take exactly these units
ROUND_NO = re.compile(r"已发起配租 (PZ\d{4}-\d{4})")

_SEED = """
import json, sys
from app.factory import create_app
from app.services import user_service
from app.services.demo_service import DEMO_PASSWORD
from tests.support.lottery_data import seed_queue
usernames, first = json.loads(sys.argv[1]), int(sys.argv[2])
app = create_app()
with app.app_context():
    for i, username in enumerate(usernames, start=1):
        user_service.upsert_user(username, f"选房家庭{i}", DEMO_PASSWORD, ["applicant"], ["applicant"], None)
    print(json.dumps(seed_queue(len(usernames), tuple(usernames), first=first)))
"""


def seed_households(topology) -> list[str]:
    """Users who log in and their households waiting in 渝中区, in queue order (as an administrator's
    script would add them, in a process of its own with the topology's environment)."""
    done = subprocess.run([sys.executable, "-c", _SEED, json.dumps(HOUSEHOLDS), str(FIRST)], cwd=ROOT,
                          env=topology.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def start_rounds(people, database, sizes: tuple[int, ...]) -> list[tuple[str, str]]:
    """Officers start choice rounds on the 配租 page at the same moment (one session each); the
    rounds' numbers and instances, in the order of ``sizes``."""
    form = {"housing_type": "gongzufang", "district": "渝中区", "method": "choice", "source": "stock",
            "unit_count": str(UNITS), "window_hours": "1"}
    officers = [people.pages("city") for _ in sizes]
    gate, pages = threading.Barrier(len(sizes)), [""] * len(sizes)

    def start(i: int) -> None:
        token = CSRF.search(officers[i].get("/allocation?housing_type=gongzufang&district=渝中区").text)[1]
        gate.wait(30)
        answer = officers[i]._keep(request("POST", f"{officers[i].base}/allocation/rounds", expect=302,
                                           cookies=officers[i].cookies,
                                           data={**form, "households": str(sizes[i]), "csrf_token": token}))
        pages[i] = officers[i].get(answer.headers["Location"].removeprefix(officers[i].base)).text

    threads = [threading.Thread(target=start, args=(i,)) for i in range(len(sizes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    numbers = [ROUND_NO.search(page) for page in pages]  # the page says 已发起配租 <number>
    assert all(numbers), pages
    started = []
    for found in numbers:
        [instance] = database.instances(found[1])
        started.append((found[1], instance["id"]))
    return started


def opened(database, round_nos: list[str]) -> dict[str, dict] | None:
    """The rounds once every one has taken its households (``allocation/commit`` on a job worker)."""
    rows = database.rows("SELECT round_no, participants, units FROM allocation_round WHERE round_no = ANY(%s) "
                         "AND status = 'choosing'", round_nos)
    return {r["round_no"]: r for r in rows} if len(rows) == len(round_nos) else None


def my_turn(people, username: str, round_no: str) -> dict:
    """The household's view once its window is open."""
    return wait_for(lambda: (v := people(username).get(f"/choice/rounds/{round_no}"))["my_turn"] and v, 120,
                    f"the turn of {username} in {round_no}")


def pick(people, username: str, round_no: str, unit_code: str, expect: int = 200) -> dict:
    return people(username).post(f"/choice/rounds/{round_no}/choice", expect=expect, json={"unit_code": unit_code})


def test_households_choose_online_race_for_a_unit_and_a_missed_window_passes_the_turn(topology, people, database):
    numbers = seed_households(topology)
    number_of = dict(zip(HOUSEHOLDS, numbers, strict=True))

    # the officer imports the units through the stock's CSV import (the API's multipart upload)
    imported = people("city").post("/stock/imports", files={"file": ("房源.csv", units_csv(UNITS, PREFIX), "text/csv")})
    assert len(imported["created"]) == UNITS and imported["problems"] == [], imported

    # two rounds over the same six units, started at the same moment: one takes the first three
    # households of the queue, the other the next two (whichever committed first takes the first ones)
    started = start_rounds(people, database, (3, 2))
    (first, first_instance), (second, _) = started
    rounds = wait_for(lambda: opened(database, [first, second]), 120, "both rounds to open")
    together = rounds[first]["participants"] + rounds[second]["participants"]
    assert sorted(together) == numbers, rounds  # no household is in both rounds
    assert rounds[first]["participants"] in (numbers[:3], numbers[2:]), rounds  # each takes the queue's next
    assert len(rounds[first]["participants"]) == 3 and len(rounds[second]["participants"]) == 2
    assert [u["code"] for u in rounds[first]["units"]] == [u["code"] for u in rounds[second]["units"]]
    name_of = {n: u for u, n in number_of.items()}
    h1, h2, h3 = (name_of[n] for n in rounds[first]["participants"])
    h4, h5 = (name_of[n] for n in rounds[second]["participants"])
    ranked = rounds[first]["participants"]

    one, four = my_turn(people, h1, first), my_turn(people, h4, second)
    assert (one["rank"], one["households"], len(one["units"])) == (1, 3, UNITS)
    assert one["current"]["rank"] == 1 and 3500 < one["current"]["seconds_left"] <= 3600  # the hour's window
    waiting = people(h2).get(f"/choice/rounds/{first}")
    assert (waiting["rank"], waiting["my_turn"], waiting["status"]) == (2, False, "waiting")
    early = pick(people, h2, first, one["units"][0]["code"], expect=409)
    assert early["error_code"] == "not_your_turn" and "现在不是您的选房时间" in early["detail"], early
    following = people("city").get(f"/choice/rounds/{first}")  # the officer follows the round
    assert following["round_status"] == "choosing" and following["current"]["application_no"] == ranked[0]
    assert (following["units_total"], following["units_left"]) == (UNITS, UNITS)

    # the race: both windows open, one unit, two requests in flight at once (each on its own
    # connection, so on two of gunicorn's workers, which serve one request at a time)
    target = one["units"][0]["code"]
    assert target in [u["code"] for u in four["units"]]
    racers = [(h1, first), (h4, second)]
    gate, answers = threading.Barrier(len(racers)), [None] * len(racers)
    spans: list[tuple[float, float]] = [(0.0, 0.0)] * len(racers)

    def race(i: int) -> None:
        username, round_no = racers[i]
        headers = people(username).headers
        gate.wait(30)
        began = time.monotonic()
        answer = request("POST", f"{topology.url}/api/v1/choice/rounds/{round_no}/choice", headers=headers,
                         json={"unit_code": target})
        spans[i] = (began, time.monotonic())
        answers[i] = (answer.status_code, answer.json())

    threads = [threading.Thread(target=race, args=(i,)) for i in range(len(racers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(a[0] for a in answers) == [200, 409], answers
    assert max(s[0] for s in spans) < min(s[1] for s in spans), spans  # both were in flight together
    winner = next(i for i, a in enumerate(answers) if a[0] == 200)
    loser = 1 - winner
    won, problem = answers[winner][1], answers[loser][1]
    assert won["unit_code"] == target and won["application_no"] == number_of[racers[winner][0]]
    assert problem["error_code"] == "unit_taken" and problem["title"] == "该房源已被其他家庭选定", problem
    assert f"房源 {target} 已被其他家庭选定，请从刷新后的房源中另选一套" in problem["detail"], problem
    [unit] = database.rows("SELECT id, status, held_by FROM housing_unit WHERE code = %s", target)
    assert (unit["status"], unit["held_by"]) == ("reserved", number_of[racers[winner][0]])
    reservations = database.rows("SELECT actor, ref FROM housing_unit_status_change WHERE unit_id = %s "
                                 "AND to_status = 'reserved'", unit["id"])
    assert reservations == [{"actor": racers[winner][0], "ref": number_of[racers[winner][0]]}]

    # the loser's window is still open; the list it reads again no longer has the unit: it takes another
    loser_name, loser_round = racers[loser]
    again = my_turn(people, loser_name, loser_round)
    codes = [u["code"] for u in again["units"]]
    assert target not in codes and len(codes) == UNITS - 1
    taken = {target: racers[winner][0], codes[0]: loser_name}
    assert pick(people, loser_name, loser_round, codes[0])["unit_code"] == codes[0]
    late = pick(people, loser_name, loser_round, codes[1], expect=409)
    assert late["error_code"] == "not_your_turn" and "您的选房时间已结束" in late["detail"], late

    topology.restart_web()
    two = my_turn(people, h2, first)  # the next turn, opened by a job worker
    assert target not in [u["code"] for u in two["units"]]
    topology.restart_workers()

    # the second household lets its window pass: the timer fires (as the scheduler fires it at the
    # deadline), which counts a decline and passes the turn to the third household
    wait_for(lambda: any(e["bpmn_id"] == "choice_window" for e in people("admin").get(
        f"/process-instances/{first_instance}").get("waiting_events") or []), 60, "the window's timer")
    fired = people("operator").post(f"/process-instances/{first_instance}/timers/fire")
    assert fired["fired"] == 1, fired
    three = my_turn(people, h3, first)
    missed = people(h2).get(f"/choice/rounds/{first}")
    assert (missed["status"], missed["my_turn"]) == ("expired", False), missed
    page = people.pages(h2).get(f"/choice/{first}").text
    assert "您在选房时限内未选定房源，计为放弃一次；您仍在轮候名单中。" in page
    [entry] = database.rows("SELECT status, declines FROM waiting_list_entry WHERE application_no = %s",
                            number_of[h2])
    assert entry == {"status": "waiting", "declines": 1}

    free = [u["code"] for u in three["units"]]
    assert not set(free) & set(taken) and len(free) == UNITS - 2
    assert pick(people, h3, first, free[0])["unit_code"] == free[0]
    taken[free[0]] = h3
    topology.restart_web()
    five = my_turn(people, h5, second)
    free = [u["code"] for u in five["units"]]
    assert not set(free) & set(taken) and len(free) == UNITS - 3
    assert pick(people, h5, second, free[-1])["unit_code"] == free[-1]
    taken[free[-1]] = h5

    # both rounds close; the households who chose read their unit, and their leases have started
    for round_no in (first, second):
        closed = wait_for(lambda r=round_no: (p := people("city").get(f"/choice/rounds/{r}"))["round_status"]
                          == "closed" and p, 120, f"{round_no} to close")
        assert closed["units_left"] == UNITS - len(taken)
    progress = people("city").get(f"/choice/rounds/{first}")
    assert [(row["application_no"], row["status"]) for row in progress["rows"]] == [
        (ranked[0], "accepted"), (ranked[1], "expired"), (ranked[2], "accepted")]
    held = {r["code"]: r["held_by"] for r in database.rows(
        "SELECT code, held_by FROM housing_unit WHERE status = 'reserved'")}
    assert held == {code: number_of[name] for code, name in taken.items()}
    chosen = people.pages(h3).get(f"/choice/{first}").text
    assert "您已选定房源" in chosen and "请等待签约通知" in chosen
    for name in (h1, h3, h4, h5):
        lease_no = f"L{number_of[name]}"
        assert [i["status"] for i in database.instances(lease_no)] == ["running"], lease_no
        people(name).wait_for_task(lease_no, "sign_lease")
    assert database.instances(f"L{number_of[h2]}") == []
    for instance in database.rows("SELECT i.status FROM process_instance i JOIN allocation_round r "
                                  "ON r.instance_id = i.id WHERE r.round_no = ANY(%s)", [first, second]):
        assert instance["status"] == "completed"
