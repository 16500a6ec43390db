"""Codes as people read them: statuses, rule ids, reasons and error codes, in Chinese and English.

The data keeps codes (``waiting``, ``income``, ``CircuitOpen``); a page shows
``{{ value|code_label("lease") }}``, the code's Chinese label passed through :func:`t`, so an
English session reads the catalogue's English (``app/translations``). A code with no label shows as it is (a
test scans every page for codes that slipped through).
"""

from __future__ import annotations

from connectors.errors import ERROR_NAMES

#: kind → code → its Chinese label (the English is the gettext catalogue's, ``app/translations``)
LABELS: dict[str, dict[str, str]] = {
    "instance": {"running": "办理中", "completed": "已办结",
                 "error": "异常", "cancelled": "已撤销", "suspended": "已暂停"},
    "task": {"ready": "待办理", "claimed": "已认领", "completed": "已完成",
             "cancelled": "已取消"},
    "job": {"pending": "等待重试", "queued": "排队中", "running": "执行中",
            "succeeded": "已返回", "applied": "已完成", "failed": "已失败",
            "incident": "异常待处理", "cancelled": "已取消"},
    "incident": {"open": "待处理", "resolved": "已处理"},
    "waiting": {"waiting": "轮候中", "offered": "已配租",
                "housed": "已安置", "removed": "已移出"},
    "round": {"committed": "已公布种子哈希，待摇号",
              "drawn": "已摇号", "closed": "已摇号，配租已完成"},
    "offer": {"offered": "待答复", "accepted": "已接受",
              "declined": "已放弃", "expired": "已过期"},
    "lease": {"drafted": "待签约", "signed": "已签约", "active": "履行中",
              "ended": "已终止"},
    "verdict": {"pass": "通过", "fail": "不符合", "info": "参考",
                "unavailable": "无法核查", "pending": "待核查"},
    "method": {"automatic": "系统核查", "manual": "人工核查",
               "pending": "待核查", "lottery": "摇号", "selection": "选房"},
    "housing_type": {"gongzufang": "公租房",
                     "baozufang": "保障性租赁住房"},
    "household_type": {"single": "单身", "nuclear": "核心家庭",
                       "multi_generation": "多代同堂"},
    #: eligibility and supervision rules (the ``rule_id`` / ``risk_rule`` of the DMN tables)
    "rule": {"income": "家庭收入", "housing_area": "住房面积",
             "property_transfer": "近5年房产转让",
             "purchase_contract": "网签购房合同",
             "other_benefit": "其他住房保障", "vehicle": "机动车",
             "business": "经营性资产", "assets": "金融资产",
             "spouse": "婚姻状况", "residence": "户籍或居住证",
             "single_age": "单身申请年龄",
             "social_insurance": "社会保险", "hukou": "户籍",
             "marriage": "婚姻登记", "member": "家庭成员",
             "property": "住房", "sublet": "转租转借", "vacancy": "闲置",
             "arrears": "欠缴租金", "none": "未发现风险"},
    #: reason codes, priority groups, risk levels and exit grounds the tables put out
    "reason": {"over_income": "收入超标", "owns_property": "名下有房",
               "property_transferred": "近5年转让过住房",
               "unregistered_purchase_contract": "有网签购房合同",
               "vehicle_over_limit": "机动车超过限额",
               "owns_business": "有经营性资产",
               "assets_over_limit": "金融资产超过限额",
               "undeclared_spouse": "配偶未申报",
               "residence_requirement": "不满足户籍或居住证条件",
               "insurance_months": "社保缴费月数不足",
               "already_housed": "已享受住房保障",
               "dibao": "低保家庭", "tekun": "特困人员",
               "disability": "残疾人家庭",
               "elderly": "老年人家庭", "veteran": "优抚对象",
               "high": "高", "medium": "中", "low": "低",
               "ineligible": "不再符合保障条件", "fraud": "以欺骗手段取得",
               "voluntary": "自愿退出", "no_ground": "不构成退出条件"},
    "group": {"allocation_officer": "配租办理",
              "city_reviewer": "市住房保障中心",
              "district_reviewer": "区住房保障复审"},
    "error": dict(ERROR_NAMES),
}
#: the same rule ids and reason codes, whichever column they came from
LABELS["rule"] = {**LABELS["reason"], **LABELS["rule"]}
LABELS["reason"] = {**LABELS["rule"], **LABELS["reason"]}


def chinese(value, kind: str | None = None):
    """The Chinese label of a code (of ``kind`` first, then of any kind); anything else unchanged."""
    if not isinstance(value, str):
        return value
    if kind and value in LABELS.get(kind, {}):
        return LABELS[kind][value]
    for labels in LABELS.values():
        if value in labels:
            return labels[value]
    return value


def code_label(value, kind: str | None = None):
    """The code as the session's language names it (a template filter)."""
    from app.web.i18n import t

    label = chinese(value, kind)
    return t(label) if isinstance(label, str) and label != value else (value if value not in (None, "") else "—")
