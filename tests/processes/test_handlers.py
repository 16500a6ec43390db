"""Handlers that compute: the lottery, the score, the opinion, the facts, the schedule, the PDF."""

from __future__ import annotations

import re
import zlib
from datetime import date

from handlers import lottery
from handlers.contract import add_years, rent_schedule
from handlers.household_facts import age_on, derive_facts, member_income
from handlers.opinion import money, suggest
from handlers.pdf import render_text_pdf
from handlers.priority import priority_score
from handlers.publication import batch_of, period

PEOPLE = [f"GZF2026-{i:06d}" for i in range(1, 21)]


def test_a_lottery_is_reproducible_from_the_revealed_seed_and_binds_the_operator():
    seed = lottery.new_seed()
    order = lottery.draw_order(seed, PEOPLE)
    assert sorted(order) == PEOPLE and order == lottery.draw_order(seed, list(reversed(PEOPLE)))
    assert lottery.verify(seed, lottery.commitment(seed), PEOPLE, order)
    assert not lottery.verify(seed + "0", lottery.commitment(seed), PEOPLE, order)  # another seed is caught
    assert not lottery.verify(seed, lottery.commitment(seed), PEOPLE, order[1:] + order[:1])
    assert lottery.draw_order("abc", PEOPLE) != lottery.draw_order("abd", PEOPLE)


def test_priority_score_adds_groups_income_gap_housing_and_household():
    weights = {"income": 40.0, "housing": 10.0, "per_member": 2.0, "max_members": 8.0}
    eligibility = {"standards": {"income_line": 4000, "area_line": 15}, "priority_points": 30}
    result = priority_score({"per_capita_income": 1000, "per_capita_area": 0, "household_size": 3}, eligibility,
                            weights)
    assert result == {"score": 74.0, "parts": {"groups": 30.0, "income": 30.0, "housing": 10.0, "household": 4}}
    over = priority_score({"per_capita_income": 5000, "per_capita_area": 7.5, "household_size": 1},
                          {"standards": {"income_line": None, "area_line": 15}}, weights)
    assert over["parts"] == {"groups": 0.0, "income": 0.0, "housing": 5.0, "household": 0}


def test_priority_score_weights_are_the_tables_not_the_handlers():
    facts = {"per_capita_income": 1000, "per_capita_area": 0, "household_size": 7}
    eligibility = {"standards": {"income_line": 4000, "area_line": 15}, "priority_points": 0}
    result = priority_score(facts, eligibility, {"income": 20.0, "housing": 4.0, "per_member": 3.0, "max_members": 9.0})
    assert result["parts"] == {"groups": 0.0, "income": 15.0, "housing": 4.0, "household": 9.0}


def test_the_suggested_opinion_states_income_against_the_line_in_chinese():
    findings = {"facts": {"per_capita_income": 3200, "declared_per_capita_income": 3200, "per_capita_area": 0},
                "sources": ["hukou", "tax"], "members": [{}, {}, {}], "counts": {"unavailable": 0},
                "fail_findings": [], "table": {}}
    household = {"type": "nuclear", "members": [{"name": "刘建国"}, {"name": "王丽"}, {"name": "刘子涵"}]}
    eligibility = {"standards": {"income_line": 4148, "area_line": 15}, "rules": [], "priority_labels": []}
    text = suggest("gongzufang", household, findings, eligibility, {"score": 24.5})["text"]
    assert text.startswith("经核查，申请人刘建国家庭共3人（核心家庭），"
                           "家庭人均月收入3,200元，低于3人及以上家庭标准4,148元")
    assert text.endswith("符合公租房保障条件，建议通过。") and "共向2个数据源核查3名成员6项" in text
    failed = dict(eligibility, rules=[{"rule": "spouse", "verdict": "fail", "reason_code": "undeclared_spouse",
                                       "reason": "婚姻登记显示有未申报的配偶"}])
    rejected = suggest("gongzufang", household, findings, failed, {})
    assert "婚姻登记显示有未申报的配偶" in rejected["text"] and rejected["text"].endswith("建议不予通过。")
    assert money(4148) == "4,148" and money(3033.333) == "3,033.33"


def test_facts_take_the_highest_verified_income_and_skip_contribution_bases():
    member = {"id_number": "500103199405120136", "monthly_income": 3000}
    table = {member["id_number"]: {"tax": {"facts": {"monthly_income": 3500}},
                                   "social_insurance": {"facts": {"status": "active", "contribution_base": 9000}},
                                   "housing_fund": {"facts": {"monthly_income_estimate": 3200}}}}
    assert member_income(member, table) == 3500
    facts = derive_facts({"type": "single", "members": [dict(member, relation="applicant", name="陈晓东")]}, table,
                         today=date(2026, 5, 12))
    assert facts["per_capita_income"] == 3500 and facts["applicant_age"] == 32 and not facts["undeclared_spouse"]
    assert age_on("500103199405120136", date(2026, 5, 11)) == 31


def test_rent_schedule_and_publication_period_follow_the_calendar():
    schedule = rent_schedule(date(2026, 12, 2), add_years(date(2026, 12, 2), 1), 500, 1000)
    assert schedule[0] == {"due_on": "2026-12-02", "amount": 1000, "kind": "deposit"}
    assert [s["due_on"] for s in schedule[1:3]] == ["2026-12-05", "2027-01-05"] and len(schedule) == 13
    assert add_years(date(2028, 2, 29), 1) == date(2029, 2, 28)
    number, title = batch_of("gongzufang", "渝中区", "2026-12-01")
    assert number == "GZF20261201-渝中区" and title == "渝中区2026年12月1日公租房资格审核结果公示"
    times = period(7)
    assert times["starts_on"] < times["ends_on"] and times["ends_at"][:10] >= times["ends_on"]


def test_the_contract_pdf_is_well_formed_with_chinese_text():
    pdf = render_text_pdf("住房租赁合同", "甲方：渝中区住房保障中心\n" * 120)
    assert pdf.startswith(b"%PDF-1.7") and pdf.rstrip().endswith(b"%%EOF")
    xref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    assert pdf[xref:xref + 4] == b"xref"
    offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n", pdf)]
    assert all(re.match(rb"\d+ 0 obj", pdf[o:o + 12]) for o in offsets)
    pages = re.findall(rb"/Type /Page /Parent", pdf)
    assert len(pages) == 3  # 120 lines wrap onto three A4 pages
    streams = re.findall(rb"stream\n(.*?)\nendstream", pdf, re.S)
    text = zlib.decompress(streams[0]).decode("ascii")
    assert "<" + "".join(f"{ord(c):04X}" for c in "住房租赁合同") + ">" in text


def test_deadlines_skip_the_national_day_holiday_and_count_make_up_workdays():
    from handlers.calendar import deadline

    # 2025-09-30 (Tue) + 3 working days: 1–8 October are holidays, 28 Sep and 11 Oct are make-up workdays
    result = deadline(3, "2025-09-30T10:00:00+08:00")
    assert result["deadline_on"] == "2025-10-11" and result["coverage_note"] is None  # Thu, Fri, make-up Sat
    assert result["deadline_at"].startswith("2025-10-11T16:00:00")


def test_cases_on_versions_from_before_the_weights_were_cells_are_scored_as_promised():
    """Such a version passes no ``weights``; the operator scores with the weights it then had."""
    from app.engine.operators import registry
    from handlers.priority import LEGACY_WEIGHTS, score_operator

    op = registry.get("ranking/priority_score")
    assert op.func is score_operator and "weights" not in op.required_params()
    facts = {"per_capita_income": 1000, "per_capita_area": 0, "household_size": 3}
    eligibility = {"standards": {"income_line": 4000, "area_line": 15}, "priority_points": 30}
    params = op.load_params({"housing_type": "gongzufang", "facts": facts, "eligibility": eligibility})
    assert score_operator(params, None) == priority_score(facts, eligibility, LEGACY_WEIGHTS)
    assert score_operator(params, None)["score"] == 74.0
