"""The suggested review opinion: Chinese text a reviewer can adopt, built from the findings.

It states the household, the verified per-capita income against the income line, the housing
area against the area line, every rule that failed (from the DMN), every source finding that
contradicts the application, sources checked by hand or still unavailable, the priority groups
and score, and ends with a suggestion. The reviewer decides; the text only saves typing and
makes sure nothing the sources said is overlooked.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from app.engine.operators import operator
from handlers.household_facts import applicant_of

HOUSEHOLD_TYPES = {"single": "单身", "nuclear": "核心家庭", "multi_generation": "多代同堂"}
HOUSING_NAMES = {"gongzufang": "公租房", "baozufang": "保租房"}
RELATIONS = {"applicant": "申请人", "spouse": "配偶", "child": "子女", "parent": "父母", "co_applicant": "共同申请人",
             "other": "家庭成员"}


class OpinionParams(Schema):
    """Parameters of ``opinion/suggest``."""

    housing_type = fields.String(required=True)
    household = fields.Dict(required=True)
    findings = fields.Dict(required=True, metadata={"description": "the verification table and facts"})
    eligibility = fields.Dict(required=True, metadata={"description": "rules, standards, priority groups"})
    ranking = fields.Dict(load_default=dict, metadata={"description": "ranking/priority_score result"})


def money(value: float) -> str:
    """``3200`` → ``3,200``; ``3033.33`` → ``3,033.33``."""
    value = round(float(value or 0), 2)
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def _size_label(size: int) -> str:
    return "单人户" if size == 1 else ("2人户" if size == 2 else "3人及以上家庭")


def suggest(housing_type: str, household: dict, findings: dict, eligibility: dict, ranking: dict) -> dict:
    """The opinion text and the points it rests on (pure)."""
    facts = findings.get("facts") or {}
    standards = eligibility.get("standards") or {}
    members = household.get("members") or []
    size = len(members) or 1
    applicant = applicant_of(members).get("name") or "申请人"
    housing_name = HOUSING_NAMES.get(housing_type, housing_type)
    parts = [f"经核查，申请人{applicant}家庭共{size}人（{HOUSEHOLD_TYPES.get(household.get('type'), '家庭')}）"]
    income, line = float(facts.get("per_capita_income") or 0), standards.get("income_line")
    if line:
        relation = "低于" if income <= float(line) else "超过"
        parts.append(f"家庭人均月收入{money(income)}元，{relation}{_size_label(size)}标准{money(line)}元")
    else:
        parts.append(f"家庭人均月收入{money(income)}元（{housing_name}不设收入线）")
    declared = float(facts.get("declared_per_capita_income") or 0)
    if line and income > declared + 1:
        parts.append(f"申报人均月收入{money(declared)}元，核实收入高于申报")
    area, area_line = float(facts.get("per_capita_area") or 0), standards.get("area_line")
    if area <= 0:
        parts.append("家庭成员名下无住房")
    elif area_line:
        relation = "未超过" if area <= float(area_line) else "超过"
        parts.append(f"家庭人均住房建筑面积{money(area)}平方米，{relation}{money(area_line)}平方米标准")
    failed = [r for r in eligibility.get("rules") or [] if r.get("verdict") == "fail"]
    for rule in failed:
        if rule.get("rule") not in ("income", "housing_area"):
            parts.append(rule["reason"])
    text = "，".join(parts) + "。"
    text += _source_sentence(findings)
    if facts.get("medical_gap_months"):
        text += f"近12个月医保断缴{facts['medical_gap_months']}个月，请核实是否影响连续参保要求。"
    labels = eligibility.get("priority_labels") or []
    if labels:
        text += f"属{'、'.join(labels)}，为优先保障对象。"
    if ranking.get("score") is not None and not failed:
        text += f"轮候分{money(ranking['score'])}分。"
    if failed:
        text += f"不符合{housing_name}保障条件，建议不予通过。"
    else:
        text += f"符合{housing_name}保障条件，建议通过。"
    return {"text": text, "eligible": not failed, "failed_rules": [r.get("reason_code") for r in failed]}


def _source_sentence(findings: dict) -> str:
    counts = findings.get("counts") or {}
    sources = findings.get("sources") or []
    members = findings.get("members") or []
    total = len(sources) * len(members)
    text = f"共向{len(sources)}个数据源核查{len(members)}名成员{total}项"
    fails = findings.get("fail_findings") or []
    if fails:
        items = [f"{f['source_name']}：{RELATIONS.get(f['relation'], '')}{f['name']}{f['summary']}" for f in fails]
        text += f"，发现不符{len(fails)}项（" + "；".join(items) + "）"
    else:
        text += "，未发现与申报不符的情况"
    manual = sum(1 for cells in (findings.get("table") or {}).values() for c in cells.values()
                 if c.get("method") == "manual")
    if manual:
        text += f"，其中{manual}项为人工核查"
    if counts.get("unavailable"):
        text += f"，另有{counts['unavailable']}项数据源未返回、待人工核查"
    return text + "。"


@operator("opinion/suggest", params=OpinionParams, inline=True)
def suggest_operator(params: dict, ctx) -> dict:
    """The suggested review opinion (Chinese) from the findings and the eligibility rules."""
    return suggest(params["housing_type"], params["household"], params["findings"], params["eligibility"],
                   params["ranking"])
