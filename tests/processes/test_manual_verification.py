"""A source that is down, checked by hand: the rules read the clerk's facts as the source's own.

The same household runs twice through ``gongzufang_application``: once with 公安户籍 answering
(the recorded sandbox answer), once with 公安户籍 down and a clerk filling the manual-check form
(made from the connector's facts schema) with the same facts. The household facts, every DMN
rule's verdict and the suggested decision must be equal — for an eligible household and for one
whose hukou is not local.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from app.engine.operators import load_operators
from app.engine.scenarios import load_scenarios, run_scenario
from handlers.manual_forms import FORMS_DIR, form_for, source_connectors
from tests.processes.test_scenarios import documents

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
ACCEPT = {"complete": "acceptance", "data": {"decision": "accept", "opinion": "材料齐全，予以受理"}}


def _base(household: str) -> dict:
    scenario = next(s for s in load_scenarios(PROCESSES / "gongzufang_application.scenarios.json")
                    if s["name"] == "eligible_family_reaches_waiting_list")
    stub = json.loads((PROCESSES / "stubs" / "households" / f"{household}.json").read_text(encoding="utf-8"))
    scenario = copy.deepcopy(scenario)
    scenario["data"].update(copy.deepcopy(stub["data"]))
    scenario["operators"].update(copy.deepcopy(stub["operators"]))
    return scenario


def _hukou_answer(scenario: dict, not_local: bool) -> dict:
    answer = scenario["operators"]["hukou/check"]["result"]
    if not_local:
        for member in answer["members"]:
            member["facts"].update(local_hukou=False, hukou_province="四川省", hukou_city="成都市",
                                   hukou_district="武侯区", hukou_years=0)
    return answer


def _run(scenario: dict, steps: list[dict]):
    load_operators()
    scenario = dict(scenario, steps=steps, expect={"ready": ["preliminary_review"]})
    result = run_scenario(documents(), scenario)
    assert result.passed, result.failures
    return result.data


@pytest.mark.parametrize("not_local", [False, True], ids=["local_hukou", "hukou_elsewhere"])
def test_a_manual_hukou_check_gives_the_verdict_the_source_would_have_given(not_local):
    answered = _base("eligible_nuclear")
    answer = _hukou_answer(answered, not_local)
    by_source = _run(answered, [ACCEPT])

    down = copy.deepcopy(answered)
    down["operators"]["hukou/check"] = {"error": "SourceUnavailable", "message": "公安户籍接口维护"}
    rows = [{"name": m["name"], "found": m["found"], **m["facts"]} for m in answer["members"]]
    manual = {"complete": "manual_check", "data": {"manual_finding": {
        "verdict": "pass", "summary": "经查户籍底册逐人核实", "members": rows}}}
    by_hand = _run(down, [ACCEPT, manual])

    assert by_hand["facts"] == by_source["facts"]
    verdicts = [(r["rule"], r["verdict"], r["reason_code"]) for r in by_source["eligibility"]["rules"]]
    assert [(r["rule"], r["verdict"], r["reason_code"]) for r in by_hand["eligibility"]["rules"]] == verdicts
    assert by_hand["suggested_decision"] == by_source["suggested_decision"]
    assert by_source["suggested_decision"] == ("reject" if not_local else "approve")
    cells = by_hand["findings"]["table"]
    assert {c["hukou"]["method"] for c in cells.values()} == {"manual"}


def test_a_manual_check_without_facts_is_refused_by_its_form():
    schema = json.loads((FORMS_DIR / "hukou.schema.json").read_text(encoding="utf-8"))
    errors = list(Draft202012Validator(schema).iter_errors(
        {"manual_finding": {"verdict": "pass", "summary": "经核查无异常"}}))
    assert ["members" in e.message for e in errors] == [True]
    row_without_years = {"name": "刘建国", "local_hukou": True}
    errors = list(Draft202012Validator(schema).iter_errors(
        {"manual_finding": {"verdict": "pass", "summary": "经核查无异常", "members": [row_without_years]}}))
    assert ["hukou_years" in e.message for e in errors] == [True]


@pytest.mark.parametrize("cls", source_connectors(), ids=lambda c: c.name)
def test_every_source_has_its_manual_form_made_from_its_facts(cls):
    schema, ui = form_for(cls)
    Draft202012Validator.check_schema(schema)
    on_disk = json.loads((FORMS_DIR / f"{cls.name}.schema.json").read_text(encoding="utf-8"))
    assert on_disk == schema, "run: .venv/bin/python -m handlers.manual_forms"
    assert json.loads((FORMS_DIR / f"{cls.name}.uischema.json").read_text(encoding="utf-8")) == ui
    row = schema["properties"]["manual_finding"]["properties"]["members"]["items"]["properties"]
    assert all("\u4e00" <= p["title"][0] <= "\u9fff" for p in row.values()), "every field has a Chinese title"


def test_the_hukou_form_shows_one_row_per_member_and_posts_back_the_facts():
    from werkzeug.datastructures import MultiDict

    from app.web import schema_form
    from connectors.sources.hukou import HukouFacts
    from handlers.manual_forms import facts_of_row

    schema = json.loads((FORMS_DIR / "hukou.schema.json").read_text(encoding="utf-8"))
    ui = json.loads((FORMS_DIR / "hukou.uischema.json").read_text(encoding="utf-8"))
    prefill = {"manual_finding": {"members": [{"name": "刘建国", "found": True}, {"name": "王丽", "found": True}]}}
    [finding] = schema_form.build(schema, ui, prefill, {}, growable=True)
    rows = next(c for c in finding.children if c.name == "manual_finding.members")
    assert [r[0].value for r in rows.rows] == ["刘建国", "王丽"] and not rows.growable  # fixed rows
    titles = [f.title for f in rows.rows[0]]
    assert "本市户籍" in titles and "落户年限（整年）" in titles and "与户主关系" in titles
    posted = MultiDict({"manual_finding.verdict": "pass", "manual_finding.summary": "经查户籍底册",
                        "manual_finding.members.0.name": "刘建国", "manual_finding.members.0.found": "on",
                        "manual_finding.members.0.found.present": "1",
                        "manual_finding.members.0.local_hukou": "on",
                        "manual_finding.members.0.local_hukou.present": "1",
                        "manual_finding.members.0.hukou_years": "16",
                        "manual_finding.members.0.relation_to_head": "户主",
                        "manual_finding.members.1.name": "王丽", "manual_finding.members.1.hukou_years": "13",
                        "manual_finding.members.1.local_hukou.present": "1"})
    data = schema_form.parse(schema, posted)
    assert not list(Draft202012Validator(schema).iter_errors(data))
    first, second = data["manual_finding"]["members"]
    facts = facts_of_row("hukou", HukouFacts, first)
    assert facts["local_hukou"] is True and facts["hukou_years"] == 16 and facts["relation_to_head"] == "户主"
    assert set(facts) == set(HukouFacts().fields)
    assert facts_of_row("hukou", HukouFacts, second)["local_hukou"] is False
