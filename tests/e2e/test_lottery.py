"""The public 摇号 record in the browser, and the standalone checker against the live server.

A visitor (no login) sees the round's seed hash and when it was published, masked participants
and 摇号后公布 in place of the seed; after the draw the seed and the masked order. Then
``scripts/verify-lottery`` runs as a separate program under the system Python (``-I``: no
project paths, no project packages) against the JSON the server serves, and refuses a copy whose
seed or order was changed.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT, close
from tests.e2e.conftest import LiveServer, make_live_app
from tests.support.lottery_data import HOUSEHOLDS, draw_round, open_round, seed_waiting_households

ROUND = "PZ2026-0901"
SYSTEM_PYTHON = "/usr/bin/python3"


def verify(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    """scripts/verify-lottery as a program of its own, outside the application's environment."""
    return subprocess.run([SYSTEM_PYTHON, "-I", str(ROOT / "scripts" / "verify-lottery"), *args], cwd=cwd,
                          input=stdin, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})


@pytest.fixture
def lottery_app(live_db):
    """A live app whose three waiting households take part in round ROUND, its hash published."""
    application = make_live_app(live_db)
    with application.app_context():
        seed_waiting_households()
        open_round(ROUND)
    yield application
    close(application)


def test_a_visitor_reads_the_hash_then_the_seed_and_the_masked_order(lottery_app, actors):
    with LiveServer(lottery_app) as server:
        visitor = actors(server.url)()
        page = visitor.goto("/publicity")
        page.get_by_role("link", name="摇号结果").first.click()
        expect(page.get_by_role("heading", name="保障性住房配租摇号公示")).to_be_visible()
        row = page.get_by_role("row").filter(has_text=ROUND)
        assert "已公布种子哈希，待摇号" in row.inner_text()
        page.get_by_role("link", name=ROUND).click()

        expect(page.get_by_role("heading", name=f"摇号公示 {ROUND}")).to_be_visible()
        seed_hash = page.get_by_test_id("seed-hash").inner_text()
        assert len(seed_hash) == 64 and page.get_by_test_id("seed-pending").inner_text() == "摇号后公布"
        assert page.get_by_test_id("seed-hash-published-at").inner_text().startswith("20")
        participants = page.get_by_test_id("participants").inner_text()
        for _number, name, id_number, masked in HOUSEHOLDS:
            assert masked in participants and id_number[-4:] not in participants  # 公示: no ID number at all
            assert name not in page.content() and id_number not in page.content()
        assert "种子的 SHA-256 等于事先公布的哈希值" in page.get_by_test_id("algorithm").inner_text()
        assert page.get_by_test_id("result").count() == 0
        visitor.shot("committed")

        with lottery_app.app_context():
            drawn = draw_round(ROUND)
        page.reload()
        assert page.get_by_test_id("round-status").inner_text() == "已摇号"
        seed = page.get_by_test_id("seed").inner_text()
        assert seed == drawn["seed"] and hashlib.sha256(seed.encode()).hexdigest() == seed_hash
        masked_of = {number: masked for number, _name, _id, masked in HOUSEHOLDS}
        rows = page.get_by_test_id("result").get_by_role("row").all()[1:]
        assert [r.inner_text().split("\t")[:3] for r in rows] == [
            [str(rank), number, masked_of[number]] for rank, number in enumerate(drawn["order"], start=1)]
        visitor.shot("drawn")

        page.get_by_role("link", name="English").click()
        expect(page.get_by_role("heading", name=f"Lottery {ROUND}")).to_be_visible()
        assert "Seed hash (SHA-256)" in page.get_by_test_id("commitment").inner_text()
        visitor.shot("english")


def test_the_standalone_checker_accepts_the_served_round_and_refuses_a_tampered_copy(lottery_app, tmp_path):
    with LiveServer(lottery_app) as server:
        url = f"{server.url}/api/v1/public/lottery/{ROUND}"
        pending = verify(url, cwd=tmp_path)
        assert pending.returncode == 3 and "本轮尚未摇号" in pending.stdout

        with lottery_app.app_context():
            draw_round(ROUND)
        checked = verify(url, cwd=tmp_path)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "✔ 种子哈希一致" in checked.stdout and "✔ 摇号顺序一致" in checked.stdout
        assert "结论：核对通过" in checked.stdout

        with urllib.request.urlopen(url, timeout=30) as answer:
            served = json.loads(answer.read().decode("utf-8"))

    copy = tmp_path / "round.json"
    copy.write_text(json.dumps(served, ensure_ascii=False), encoding="utf-8")
    assert verify(str(copy), cwd=tmp_path).returncode == 0  # the downloaded file checks out as the URL did

    other_seed = dict(served, seed=("0" if served["seed"][0] != "0" else "1") + served["seed"][1:])
    refused = verify("-", cwd=tmp_path, stdin=json.dumps(other_seed))
    assert refused.returncode == 1 and "✘ 种子哈希不一致" in refused.stdout and "结论：核对不通过" in refused.stdout

    result = served["result"]
    swapped = [dict(result[1], rank=1), dict(result[0], rank=2), *result[2:]]
    refused = verify("-", cwd=tmp_path, stdin=json.dumps(dict(served, result=swapped)))
    assert refused.returncode == 1 and "✘ 摇号顺序不一致：第 1 位应为" in refused.stdout
    assert "✔ 种子哈希一致" in refused.stdout

    forged = "f" * 64  # seed, hash and order rewritten together: only the hash saved before the draw shows it
    rehashed = dict(served, seed=forged, seed_hash=hashlib.sha256(forged.encode()).hexdigest(), result=[
        dict(p, rank=rank) for rank, p in enumerate(sorted(
            result, key=lambda p: hashlib.sha256(f"{forged}:{p['application_no']}".encode()).hexdigest()), start=1)])
    assert verify("-", cwd=tmp_path, stdin=json.dumps(rehashed)).returncode == 0
    refused = verify("--expect-hash", served["seed_hash"], "-", cwd=tmp_path, stdin=json.dumps(rehashed))
    assert refused.returncode == 1 and "✘ 种子哈希与您在摇号前保存的哈希" in refused.stdout
