"""Codes as people read them: statuses, rule ids, reasons and error codes, in Chinese and English.

The data keeps codes (``waiting``, ``income``, ``CircuitOpen``); a page shows
``{{ value|code_label("lease") }}``, the code's Chinese label passed through :func:`t`, so an
English session reads the English registered here. A code with no label shows as it is (a
test scans every page for codes that slipped through).
"""

from __future__ import annotations

from connectors.errors import ERROR_NAMES

#: kind → code → (Chinese, English)
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "instance": {"running": ("办理中", "In progress"), "completed": ("已办结", "Completed"),
                 "error": ("异常", "Error"), "cancelled": ("已撤销", "Cancelled"), "suspended": ("已暂停",
                 "Suspended")},
    "task": {"ready": ("待办理", "To do"), "claimed": ("已认领", "Claimed"), "completed": ("已完成", "Done"),
             "cancelled": ("已取消", "Cancelled")},
    "job": {"pending": ("等待重试", "Waiting to retry"), "queued": ("排队中", "Queued"), "running": ("执行中",
            "Running"),
            "succeeded": ("已返回", "Answered"), "applied": ("已完成", "Done"), "failed": ("已失败", "Failed"),
            "incident": ("异常待处理", "Incident"), "cancelled": ("已取消", "Cancelled")},
    "incident": {"open": ("待处理", "Open"), "resolved": ("已处理", "Resolved")},
    "waiting": {"waiting": ("轮候中", "On the waiting list"), "offered": ("已配租", "Offered"),
                "housed": ("已安置", "Housed"), "removed": ("已移出", "Removed")},
    "round": {"committed": ("已公布种子哈希，待摇号", "Seed hash published, draw to come"),
              "drawn": ("已摇号", "Drawn"), "closed": ("已摇号，配租已完成", "Drawn, allocation finished")},
    "offer": {"offered": ("待答复", "Awaiting an answer"), "accepted": ("已接受", "Accepted"),
              "declined": ("已放弃", "Declined"), "expired": ("已过期", "Expired")},
    "lease": {"drafted": ("待签约", "To be signed"), "signed": ("已签约", "Signed"), "active": ("履行中", "In force"),
              "ended": ("已终止", "Ended")},
    "verdict": {"pass": ("通过", "Pass"), "fail": ("不符合", "Fail"), "info": ("参考", "For reference"),
                "unavailable": ("无法核查", "Could not check"), "pending": ("待核查", "To be checked")},
    "method": {"automatic": ("系统核查", "Checked by the system"), "manual": ("人工核查", "Checked by hand"),
               "pending": ("待核查", "To be checked"), "lottery": ("摇号", "Lottery"), "selection": ("选房",
               "Selection")},
    "housing_type": {"gongzufang": ("公租房", "Public rental housing"),
                     "baozufang": ("保障性租赁住房", "Affordable rental housing")},
    "household_type": {"single": ("单身", "Single"), "nuclear": ("核心家庭", "Nuclear family"),
                       "multi_generation": ("多代同堂", "Several generations")},
    #: eligibility and supervision rules (the ``rule_id`` / ``risk_rule`` of the DMN tables)
    "rule": {"income": ("家庭收入", "Household income"), "housing_area": ("住房面积", "Housing area"),
             "property_transfer": ("近5年房产转让", "Property sold in the last 5 years"),
             "purchase_contract": ("网签购房合同", "Registered purchase contract"),
             "other_benefit": ("其他住房保障", "Other housing benefit"), "vehicle": ("机动车", "Vehicles"),
             "business": ("经营性资产", "Business assets"), "assets": ("金融资产", "Financial assets"),
             "spouse": ("婚姻状况", "Marital status"), "residence": ("户籍或居住证", "Hukou or residence permit"),
             "single_age": ("单身申请年龄", "Age of a single applicant"),
             "social_insurance": ("社会保险", "Social insurance"), "hukou": ("户籍", "Hukou"),
             "marriage": ("婚姻登记", "Marriage registration"), "member": ("家庭成员", "Household members"),
             "property": ("住房", "Housing owned"), "sublet": ("转租转借", "Subletting"), "vacancy": ("闲置",
             "Vacancy"),
             "arrears": ("欠缴租金", "Rent arrears"), "none": ("未发现风险", "No risk found")},
    #: reason codes, priority groups, risk levels and exit grounds the tables put out
    "reason": {"over_income": ("收入超标", "Income over the limit"), "owns_property": ("名下有房", "Owns a home"),
               "property_transferred": ("近5年转让过住房", "Sold a home in the last 5 years"),
               "unregistered_purchase_contract": ("有网签购房合同", "Has a registered purchase contract"),
               "vehicle_over_limit": ("机动车超过限额", "Vehicle over the limit"),
               "owns_business": ("有经营性资产", "Owns business assets"),
               "assets_over_limit": ("金融资产超过限额", "Financial assets over the limit"),
               "undeclared_spouse": ("配偶未申报", "Spouse not declared"),
               "residence_requirement": ("不满足户籍或居住证条件", "Hukou or residence permit requirement not met"),
               "insurance_months": ("社保缴费月数不足", "Too few months of social insurance"),
               "already_housed": ("已享受住房保障", "Already receives housing support"),
               "dibao": ("低保家庭", "Subsistence allowance household"), "tekun": ("特困人员",
               "Person in extreme poverty"),
               "disability": ("残疾人家庭", "Household with a disabled member"),
               "elderly": ("老年人家庭", "Elderly household"), "veteran": ("优抚对象", "Entitled veterans' household"),
               "high": ("高", "High"), "medium": ("中", "Medium"), "low": ("低", "Low"),
               "ineligible": ("不再符合保障条件", "No longer eligible"), "fraud": ("以欺骗手段取得",
               "Obtained by deception"),
               "voluntary": ("自愿退出", "Leaving voluntarily"), "no_ground": ("不构成退出条件", "No ground to exit")},
    "group": {"allocation_officer": ("配租办理", "Allocation office"),
              "city_reviewer": ("市住房保障中心", "City housing centre"),
              "district_reviewer": ("区住房保障复审", "District housing review")},
    "error": {code: (name, en) for code, (name, en) in {
        "SourceUnavailable": (ERROR_NAMES["SourceUnavailable"], "Source unavailable"),
        "CircuitOpen": (ERROR_NAMES["CircuitOpen"], "Source failing repeatedly; calls paused"),
        "MalformedResponse": (ERROR_NAMES["MalformedResponse"], "The source's answer could not be read"),
        "SignatureRejected": (ERROR_NAMES["SignatureRejected"], "The source refused the request signature"),
        "AuthenticationFailed": (ERROR_NAMES["AuthenticationFailed"], "The source refused our credentials"),
        "SourceRejected": (ERROR_NAMES["SourceRejected"], "The source refused the request"),
        "ConnectorMisconfigured": (ERROR_NAMES["ConnectorMisconfigured"], "The connector is misconfigured"),
        "InvalidParameters": (ERROR_NAMES["InvalidParameters"], "The request parameters are invalid"),
        "NoAnswer": (ERROR_NAMES["NoAnswer"], "The source did not answer"),
    }.items()},
}
#: the same rule ids and reason codes, whichever column they came from
LABELS["rule"] = {**LABELS["reason"], **LABELS["rule"]}
LABELS["reason"] = {**LABELS["rule"], **LABELS["reason"]}
EN: dict[str, str] = {zh: en for kind in LABELS.values() for zh, en in kind.values()}
EN.update({"数据源故障": "Source failure", "是": "Yes", "否": "No"})


def chinese(value, kind: str | None = None):
    """The Chinese label of a code (of ``kind`` first, then of any kind); anything else unchanged."""
    if not isinstance(value, str):
        return value
    if kind and value in LABELS.get(kind, {}):
        return LABELS[kind][value][0]
    for labels in LABELS.values():
        if value in labels:
            return labels[value][0]
    return value


def code_label(value, kind: str | None = None):
    """The code as the session's language names it (a template filter)."""
    from app.web.i18n import t

    label = chinese(value, kind)
    return t(label) if isinstance(label, str) and label != value else (value if value not in (None, "") else "—")
