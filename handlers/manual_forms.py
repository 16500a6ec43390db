"""The manual-check form of each data source, made from the connector's own facts schema.

When a source stays down after its retries, ``verification.bpmn`` hands it to a person (人工核查
数据源). That person must record the same facts the source would have answered, member by member,
or the eligibility tables would read a 户籍 check "passed" by a clerk as "no local hukou". So the
form of that task is the connector's ``Facts`` schema turned into JSON Schema:

* every scalar fact (boolean, number, whole number, text, date, one of a list) becomes a field of
  a member row, titled in Chinese from :data:`FACT_TITLES`;
* a fact that is a list of records (accounts, properties, contracts) is summarised by the scalar
  facts beside it (``owns_home``, ``total_area`` …); where the tables read only the list
  (住建 contracts and benefits), :data:`LIST_SUMMARIES` names a yes/no question whose answer
  stands for the list;
* facts with a default in the connector (``local_hukou``, ``hukou_years`` …) are required.

``python -m handlers.manual_forms`` writes ``forms/manual_verification/<source>.schema.json`` and
its UI schema; a test keeps the files equal to what this module makes. :func:`facts_of_row` turns
a submitted row back into the facts the connector would have returned.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from marshmallow import fields, missing
from marshmallow.validate import OneOf

FORMS_DIR = Path(__file__).resolve().parents[1] / "forms" / "manual_verification"

#: Chinese titles of the facts (keys of the connectors' Facts schemas)
FACT_TITLES = {
    "local_hukou": "本市户籍", "hukou_province": "户籍所在省", "hukou_city": "户籍所在市",
    "hukou_district": "户籍所在区县", "hukou_address": "户籍地址", "hukou_since": "迁入日期",
    "hukou_years": "落户年限（整年）", "household_no": "户号", "relation_to_head": "与户主关系",
    "name_matched": "姓名与身份证号一致", "has_permit": "持有居住证", "permit_no": "居住证号",
    "permit_city": "居住证所在市",
    "permit_district": "居住证所在区县", "issued_on": "发证日期", "valid_until": "有效期至",
    "permit_years": "持证年限（整年）", "marital_status": "婚姻状况", "spouse_id_number": "配偶身份证号",
    "spouse_name": "配偶姓名", "married_on": "结婚登记日期", "divorced_on": "离婚登记日期",
    "former_spouse_id_number": "前配偶身份证号", "spouse_declared": "配偶已在申请中申报",
    "registrations": "婚姻登记次数",
    "dibao": "低保对象", "tekun": "特困人员", "since": "认定日期", "monthly_allowance": "每月救助金（元）",
    "deposits": "存款（元）", "securities": "有价证券（元）", "insurance": "商业保险现金价值（元）",
    "total_assets": "资产合计（元）", "report_date": "核对报告日期", "status": "参保状态", "employer": "单位",
    "contribution_base": "缴费基数（元）", "months_paid": "缴费月数", "continuous_months": "连续缴费月数",
    "pension_monthly": "养老金（元/月）", "identity_matched": "身份信息一致", "insured": "已参保",
    "insurance_type": "险种", "insurance_status": "参保状态", "insured_since": "参保日期",
    "suspended_on": "暂停日期", "gap_months": "近12个月断缴月数", "cross_region": "有异地就医备案",
    "cross_region_place": "异地就医地", "sealed_accounts": "封存账户数", "months_deposited": "缴存月数",
    "monthly_income_estimate": "按缴存基数推算月收入（元）", "has_loan": "有公积金贷款", "owns_home": "名下有住房",
    "total_area": "住房建筑面积合计（平方米）", "transferred_within_5y": "五年内有住房转让", "vehicle_count": "车辆数",
    "max_vehicle_price": "最高车辆购置价（元）", "owns_business": "为企业法定代表人或股东",
    "total_capital": "认缴出资合计（元）",
    "monthly_income": "月均应税收入（元）", "months_taxed": "纳税月数", "total_income": "收入合计（元）",
    "tax_paid": "已缴税额（元）", "disabled": "持有残疾人证", "category": "残疾类别", "grade": "残疾等级（1–4）",
    "has_degree": "有学历学位", "highest_level": "最高学历", "school": "毕业院校", "major": "专业",
    "graduated_on": "毕业日期", "years_since_graduation": "毕业年限（整年）",
}

#: Chinese names of the values a text fact may take
CHOICE_TITLES = {
    "single": "未婚", "married": "已婚", "divorced": "离婚", "widowed": "丧偶", "unknown": "不详",
    "active": "正常", "suspended": "暂停", "retired": "退休", "employee": "职工", "resident": "城乡居民",
}

#: list facts asked as one yes/no question: source → {question key: (title, list fact, the entry it stands for)}
LIST_SUMMARIES: dict[str, dict[str, tuple[str, str, dict]]] = {
    "housing_contracts": {
        "has_unregistered_contract": ("有已网签备案、尚未登记的购房合同", "unregistered_contracts", {"manual": True}),
        "has_current_benefit": ("正在享受其他住房保障", "benefits_received", {"manual": True, "current": True}),
    },
}

_KINDS = ((fields.Boolean, {"type": "boolean"}), (fields.Integer, {"type": "integer", "minimum": 0}),
          (fields.Float, {"type": "number", "minimum": 0}), (fields.Date, {"type": "string", "format": "date"}),
          (fields.String, {"type": "string", "maxLength": 200}))


def _scalar_schema(field: fields.Field) -> dict | None:
    for kind, schema in _KINDS:
        if isinstance(field, kind):
            out = dict(schema)
            for validator in field.validators:
                if isinstance(validator, OneOf):
                    out = {"type": "string", "enum": list(validator.choices),
                           "enumNames": [CHOICE_TITLES.get(c, c) for c in validator.choices]}
            return out
    return None


def _row_schema(source: str, facts_cls) -> tuple[dict, list[str]]:
    props: dict[str, Any] = {"name": {"type": "string", "title": "姓名", "minLength": 1, "maxLength": 50},
                             "found": {"type": "boolean", "title": "查有该成员的记录"}}
    required = ["name"]
    for key, field in facts_cls().fields.items():
        schema = _scalar_schema(field)
        if schema is None:
            continue
        props[key] = {**schema, "title": FACT_TITLES.get(key, key)}
        if field.load_default is not missing and schema["type"] != "boolean":
            required.append(key)
    for key, (title, _list, _entry) in LIST_SUMMARIES.get(source, {}).items():
        props[key] = {"type": "boolean", "title": title}
    return {"type": "object", "required": required, "properties": props}, list(props)


def form_for(connector_cls) -> tuple[dict, dict]:
    """The JSON Schema and UI schema of the manual check of one source connector."""
    row, order = _row_schema(connector_cls.name, connector_cls.Facts)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"manual_verification/{connector_cls.name}.schema.json",
        "title": f"人工核查：{connector_cls.title}",
        "description": f"{connector_cls.title}接口不可用时，由核查人员通过部门系统或书面函询逐人核实，"
                       "填写该数据源本应返回的事实；资格规则按这些事实判断，与接口返回时相同。",
        "type": "object",
        "required": ["manual_finding"],
        "properties": {"manual_finding": {
            "type": "object", "title": "核查结论", "required": ["verdict", "summary", "members"],
            "properties": {
                "verdict": {"type": "string", "enum": ["pass", "fail", "info"],
                            "enumNames": ["未发现不符", "发现不符", "仅供参考"], "title": "结论"},
                "summary": {"type": "string", "minLength": 4, "maxLength": 1000, "title": "核查情况"},
                "reference": {"type": "string", "maxLength": 100, "title": "函询文号或系统截图编号"},
                "members": {"type": "array", "title": "逐人核查事实", "minItems": 1, "maxItems": 30, "items": row},
            },
        }},
    }
    ui = {"manual_finding": {
        "ui:order": ["verdict", "summary", "reference", "members"],
        "verdict": {"ui:widget": "radio", "ui:help": "发现与申报不符（如隐瞒房产、收入）选“发现不符”。"},
        "summary": {"ui:widget": "textarea",
                    "ui:placeholder": "例：经函询区公安分局户政科，申请人户籍在本市渝中区，2012年迁入。"},
        "members": {"ui:options": {"addable": False, "removable": False}, "items": {"ui:order": order},
                    "ui:help": "每位家庭成员一行，按部门系统或函询结果逐项填写；"
                               "未查到记录的成员取消勾选“查有该成员的记录”。"},
    }}
    return schema, ui


def facts_of_row(source: str, facts_cls, row: dict) -> dict:
    """The facts a connector would have returned, from one submitted member row (JSON-ready)."""
    out: dict[str, Any] = {}
    for key, field in facts_cls().fields.items():
        value = row.get(key)
        if value is None:
            default = field.load_default
            value = (default() if callable(default) else default) if default is not missing else None
        out[key] = value
    for key, (_title, list_key, entry) in LIST_SUMMARIES.get(source, {}).items():
        if row.get(key):
            out[list_key] = list(out.get(list_key) or []) + [dict(entry)]
    return out


def source_connectors() -> list:
    """Every registered data-source connector (those with a ``Facts`` schema), by name."""
    from connectors.base.registry import CONNECTORS, import_connector_modules

    import_connector_modules()
    return [cls for _name, cls in sorted(CONNECTORS.items()) if getattr(cls, "Facts", None) is not None]


def write_forms(target: Path = FORMS_DIR) -> list[Path]:
    """Write every source's manual-check form; the paths written."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for cls in source_connectors():
        schema, ui = form_for(cls)
        for suffix, document in (("schema", schema), ("uischema", ui)):
            path = target / f"{cls.name}.{suffix}.json"
            path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_forms():
        print(written_path)
