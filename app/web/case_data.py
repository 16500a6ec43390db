"""A task's process data as labelled fields, for the task page's 案件数据 panel.

Process data is the diagrams' working memory: some of it is what a reviewer decides on (the
round's units and participants, the facts a warning rests on), much of it bookkeeping (check
ids, copies of earlier results). The panel shows the variables named in :data:`FIELDS` under
their labels, values in words (codes through :mod:`app.web.labels`, 是/否 for flags, lists
and tables for lists); a variable without a label is the diagrams' own and is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.web.labels import chinese

#: variable (or key inside one) → (Chinese, English)
FIELDS: dict[str, tuple[str, str]] = {
    "application_no": ("申请编号", "Application no."), "applicant_name": ("申请人", "Applicant"),
    "name": ("姓名", "Name"), "id_number": ("身份证号码", "ID number"), "phone": ("手机号码", "Mobile number"),
    "relation": ("关系", "Relation"),
    "district": ("区县", "District"), "housing_type": ("住房类型", "Housing type"),
    "household_type": ("家庭类型", "Household type"), "household_size": ("家庭人口数", "Household size"),
    "round_no": ("轮次", "Round"), "method": ("方式", "Method"), "participants": ("参与家庭", "Households taking part"),
    "seed_hash": ("种子哈希", "Seed hash"), "units": ("房源", "Units"), "code": ("房源编号", "Unit code"),
    "address": ("地址", "Address"), "area": ("面积（㎡）", "Area (m²)"), "rent": ("月租金（元）", "Monthly rent (CNY)"),
    "max_declines": ("最多可放弃次数", "Declines allowed"), "offer_days": ("答复期限（天）", "Days to answer"),
    "lease_no": ("合同编号", "Lease no."), "unit_code": ("房源编号", "Unit code"),
    "unit_address": ("房屋地址", "Unit address"), "monthly_rent": ("月租金（元）", "Monthly rent (CNY)"),
    "exit_ground": ("建议退出事由", "Suggested exit ground"), "arrears_months": ("累计欠缴租金月数",
    "Months in arrears"),
    "arrears_months_limit": ("欠租预警月数", "Months of arrears that warn"),
    "warnings": ("预警", "Warnings"), "rule": ("规则", "Rule"), "reason": ("说明", "Reason"),
    "evidence": ("依据", "Evidence"), "level": ("风险等级", "Risk level"), "ground": ("退出事由", "Exit ground"),
    "facts": ("核查事实", "Facts checked"),
    "per_capita_income": ("家庭人均月收入（元）", "Monthly income per person (CNY)"),
    "verified_monthly_income": ("核实家庭月收入（元）", "Verified monthly household income (CNY)"),
    "declared_monthly_income": ("申报家庭月收入（元）", "Declared monthly household income (CNY)"),
    "per_capita_area": ("人均住房建筑面积（㎡）", "Housing area per person (m²)"),
    "total_housing_area": ("住房建筑面积合计（㎡）", "Total housing area (m²)"),
    "total_assets": ("家庭金融资产（元）", "Financial assets (CNY)"),
    "max_vehicle_price": ("机动车最高购置价（元）", "Highest vehicle price (CNY)"),
    "vehicle_count": ("机动车数量", "Vehicles"), "local_hukou": ("本市户籍", "Local hukou"),
    "hukou_years": ("本市户籍年限", "Years of local hukou"), "has_permit": ("持居住证", "Holds a residence permit"),
    "permit_years": ("居住证年限", "Years of residence permit"), "owns_home": ("名下有房", "Owns a home"),
    "owns_business": ("有经营性资产", "Owns business assets"), "dibao": ("低保家庭", "Subsistence allowance household"),
    "tekun": ("特困人员", "Person in extreme poverty"), "disabled": ("家庭成员持残疾人证",
    "A member holds a disability card"),
    "elderly": ("老年人家庭", "Elderly household"), "youfu": ("优抚对象", "Entitled veterans' household"),
    "undeclared_spouse": ("配偶未申报", "Spouse not declared"), "applicant_age": ("申请人年龄", "Applicant's age"),
    "social_insurance_months": ("社会保险缴费月数", "Months of social insurance"),
    "property_transferred": ("近5年房产转让", "Property sold in the last 5 years"),
    "unregistered_contract": ("网签购房合同", "Registered purchase contract"),
    "current_housing_benefit": ("正在享受其他住房保障", "Receives other housing support"),
    "changes": ("与上次核查相比", "Since the last check"),
    "per_capita_income_before": ("上次核查人均月收入（元）", "Income per person at the last check (CNY)"),
    "members_missing": ("户籍注销的家庭成员", "Members whose hukou was cancelled"),
    "evidence_of": ("各项核查依据", "Evidence by rule"),
}
EN: dict[str, str] = dict(FIELDS.values())
#: keys whose values are codes of one kind (see app.web.labels)
KINDS = {"housing_type": "housing_type", "household_type": "household_type", "method": "method", "rule": "rule",
         "level": "reason", "ground": "reason", "exit_ground": "reason", "relation": "relation"}
#: keys whose keys are codes (a dict by rule id)
KEYED_BY_CODE = ("evidence_of",)


@dataclass
class Field:
    """One labelled value: ``text`` (a scalar in words), ``items`` (a list), ``rows`` (a table) or ``fields``."""

    label: str
    text: str | None = None
    items: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)


def words(value, kind: str | None = None) -> str:
    """A scalar in words (Chinese; the template passes it through ``t``)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if kind == "relation":
        from app.web.formatting import relation_name

        return relation_name(value)
    return str(chinese(value, kind)) if isinstance(value, str) else str(value)


def fields_of(data: dict) -> list[Field]:
    """The labelled variables of ``data``, in the order of :data:`FIELDS`."""
    if not isinstance(data, dict):
        return []
    out = []
    for key, (label, _en) in FIELDS.items():
        if key not in data or data[key] in (None, "", [], {}):
            continue
        shown = _field(key, label, data[key])
        if shown is not None:
            out.append(shown)
    return out


def _field(key: str, label: str, value) -> Field | None:
    kind = KINDS.get(key)
    if isinstance(value, dict):
        if key in KEYED_BY_CODE:
            return Field(label, fields=[Field(chinese(k, "rule"), text=words(v)) for k, v in value.items()
                                        if not isinstance(v, (dict, list))])
        inner = fields_of(value)
        return Field(label, fields=inner) if inner else None
    if isinstance(value, list):
        if all(isinstance(v, dict) for v in value):
            keys = [k for k in FIELDS if any(k in v for v in value)]
            if not keys:
                return None
            return Field(label, columns=[FIELDS[k][0] for k in keys],
                         rows=[[words(v.get(k), KINDS.get(k)) for k in keys] for v in value])
        return Field(label, items=[words(v, kind) for v in value if not isinstance(v, (dict, list))])
    return Field(label, text=words(value, kind))
