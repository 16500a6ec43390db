"""Process data and decision results in words: labelled fields, codes as labels, no lists or dumps."""

from __future__ import annotations

from app.web import labels
from app.web.case_data import fields_of
from app.web.case_panels import decision_view
from tests.web.languages import bare_app, in_language

#: what the supervision risk table collects for a lease whose income went over the line
RISK = {"decision_id": "supervision_risk", "name": "动态监管风险预警",
        "columns": {"risk_rule": "规则", "risk_level": "风险等级", "risk_ground": "建议退出事由",
                    "risk_reason": "说明"},
        "inputs": {"facts.owns_business": "注册经营",
                   "income_line > 0 and facts.per_capita_income > income_line": "超线"},
        "outputs": {"risk_rule": ["income", "none"], "risk_level": ["high", "none"],
                    "risk_ground": ["ineligible", "none"], "risk_reason": ["家庭人均月收入超过保障标准", "无"]},
        "facts": {"facts": {"owns_business": False, "per_capita_income": 5833.33}}, "matched": []}


def test_collected_results_become_one_row_per_matched_rule_under_the_tables_labels():
    shown = decision_view(RISK)
    assert shown["columns"] == ["规则", "风险等级", "建议退出事由", "说明"]
    assert shown["rows"] == [["家庭收入", "高", "不再符合保障条件", "家庭人均月收入超过保障标准"],
                             ["未发现风险", "未发现风险", "未发现风险", "无"]]
    # only the facts a column reads by a plain path, under the column's label, in words
    assert shown["facts_read"] == [("注册经营", "否")]


def test_process_data_shows_labelled_variables_in_words_and_leaves_the_rest_out():
    data = {"round_no": "PZ2026-0002", "method": "lottery", "housing_type": "gongzufang", "check_id": 2,
            "baseline": {"first_check": False}, "units": [{"code": "YZ-0101", "area": 45.0, "floor": 3}],
            "facts": {"local_hukou": True, "per_capita_income": 5833.33, "hukou_found": ["500105********019X"]}}
    shown = {f.label: f for f in fields_of(data)}
    assert list(shown) == ["住房类型", "轮次", "方式", "房源", "核查事实"]  # check_id, baseline: bookkeeping
    assert shown["方式"].text == "摇号" and shown["住房类型"].text == "公租房"
    assert (shown["房源"].columns, shown["房源"].rows) == (["房源编号", "面积（㎡）"], [["YZ-0101", "45.0"]])
    assert [(f.label, f.text) for f in shown["核查事实"].fields] == [("家庭人均月收入（元）", "5833.33"),
                                                                   ("本市户籍", "是")]


def test_a_code_reads_in_the_sessions_language_and_an_unknown_one_stays(tmp_path):
    app = bare_app(tmp_path, tmp_path, tmp_path)
    from app.web.i18n import register_catalogue

    register_catalogue(labels.EN)
    assert in_language(app, "zh", labels.code_label, "active", "lease") == "履行中"
    assert in_language(app, "en", labels.code_label, "active", "lease") == "In force"
    paused = "Source failing repeatedly; calls paused"
    assert in_language(app, "en", labels.code_label, "CircuitOpen", "error") == paused
    assert in_language(app, "zh", labels.code_label, "brand_new_state", "lease") == "brand_new_state"
    assert in_language(app, "zh", labels.code_label, None) == "—"
