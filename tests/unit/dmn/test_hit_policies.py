"""Every hit policy and aggregation, and the shape of their results."""

import pytest

from app.engine.dmn import HitPolicyViolation

from .helpers import evaluate

# score bands of an income per person; rules 2 and 3 overlap at 2000..3000
BANDS = [
    (["< 2000"], ['"low"', "30"], "very low income"),
    (["[1000..3000]"], ['"medium"', "20"], "low income"),
    (["[2000..5000]"], ['"high"', "10"], "middle income"),
]
OUTPUTS = ("band", "score")


def bands(policy, income, **kwargs):
    return evaluate(BANDS, {"x": income}, hit_policy=policy, outputs=OUTPUTS, **kwargs)


def test_unique_returns_the_one_match_and_which_rule_it_was():
    result = bands("UNIQUE", 4000)
    assert result.outputs == {"band": "high", "score": 10}
    assert result.matched_rows == [3]
    assert result.matched_rule_ids == ["r3"]
    assert result.matched[0].description == "middle income"
    assert result.hit_policy == "UNIQUE"


def test_unique_is_the_default_hit_policy():
    assert bands(None, 4000).hit_policy == "UNIQUE"
    with pytest.raises(HitPolicyViolation):
        bands(None, 2500)


def test_unique_overlap_is_an_error_naming_the_rules():
    with pytest.raises(HitPolicyViolation) as caught:
        bands("UNIQUE", 2500)
    message = str(caught.value)
    assert "UNIQUE" in message
    assert "row 2 (r2)" in message and "row 3 (r3)" in message
    assert caught.value.rules == [(2, "r2"), (3, "r3")]


def test_no_match_gives_an_empty_dict():
    result = bands("UNIQUE", 9000)
    assert result.outputs == {}
    assert result.matched == []


def test_first_takes_the_first_match_in_rule_order():
    assert bands("FIRST", 2500).outputs == {"band": "medium", "score": 20}
    assert bands("FIRST", 2500).matched_rows == [2]
    assert bands("FIRST", 1500).matched_rows == [1]


def test_priority_follows_the_order_of_output_values():
    ranked = {"band": '"high","medium","low"'}
    assert bands("PRIORITY", 2500, output_values=ranked).outputs["band"] == "high"
    assert bands("PRIORITY", 1500, output_values=ranked).outputs["band"] == "medium"
    reversed_rank = {"band": '"low","medium","high"'}
    assert bands("PRIORITY", 1500, output_values=reversed_rank).outputs["band"] == "low"
    assert bands("PRIORITY", 2500, output_values=reversed_rank).matched_rows == [2]


def test_priority_uses_the_second_output_to_break_ties():
    rules = [(["-"], ['"yes"', '"b"']), (["-"], ['"yes"', '"a"']), (["-"], ['"no"', '"c"'])]
    result = evaluate(rules, {"x": 1}, hit_policy="PRIORITY", outputs=("ok", "grade"),
                      output_values={"ok": '"yes","no"', "grade": '"a","b","c"'})
    assert result.outputs == {"ok": "yes", "grade": "a"}
    assert result.matched_rows == [2]


def test_any_returns_the_agreed_output():
    rules = [(["> 0"], ['"ok"']), (["< 10"], ['"ok"']), (["> 100"], ['"other"'])]
    result = evaluate(rules, {"x": 5}, hit_policy="ANY")
    assert result.outputs == {"result": "ok"}
    assert result.matched_rows == [1, 2]


def test_any_with_disagreeing_rules_is_an_error():
    rules = [(["> 0"], ['"ok"']), (["< 10"], ['"refused"'])]
    with pytest.raises(HitPolicyViolation, match="disagree") as caught:
        evaluate(rules, {"x": 5}, hit_policy="ANY")
    assert "'ok'" in str(caught.value) and "'refused'" in str(caught.value)


def test_rule_order_lists_outputs_in_rule_order():
    result = bands("RULE ORDER", 2500)
    assert result.outputs == {"band": ["medium", "high"], "score": [20, 10]}
    assert result.matched_rows == [2, 3]


def test_output_order_lists_outputs_by_priority():
    result = bands("OUTPUT ORDER", 2500, output_values={"band": '"high","medium","low"'})
    assert result.outputs == {"band": ["high", "medium"], "score": [10, 20]}
    assert result.matched_rows == [3, 2]


def test_collect_lists_outputs_of_every_match():
    assert bands("COLLECT", 1500).outputs == {"band": ["low", "medium"], "score": [30, 20]}
    assert bands("COLLECT", 9000).outputs == {}


@pytest.mark.parametrize(("aggregation", "income", "expected"), [
    ("SUM", 2500, 30),
    ("SUM", 1500, 50),
    ("MIN", 2500, 10),
    ("MAX", 2500, 20),
    ("COUNT", 2500, 2),
    ("COUNT", 1500, 2),
    ("COUNT", 500, 1),
    ("COUNT", 9000, 0),
    ("SUM", 9000, None),
    ("MAX", 9000, None),
])
def test_collect_aggregations(aggregation, income, expected):
    rules = [(ins, [outs[1]]) for ins, outs, _ in BANDS]
    result = evaluate(rules, {"x": income}, hit_policy="COLLECT", aggregation=aggregation, outputs=("score",))
    assert result.outputs == {"score": expected}
    assert result.aggregation == aggregation


def test_count_counts_equal_values_too_and_skips_nulls():
    rules = [(["-"], ["1"]), (["-"], ["1"]), (["-"], ["null"])]
    result = evaluate(rules, {"x": 0}, hit_policy="COLLECT", aggregation="COUNT")
    assert result.outputs == {"result": 2}


def test_sum_of_decimals_is_exact():
    rules = [(["-"], ["0.1"]), (["-"], ["0.2"])]
    assert evaluate(rules, {"x": 0}, hit_policy="COLLECT", aggregation="SUM").outputs == {"result": 0.3}


def test_sum_of_a_string_names_the_rule():
    rules = [(["-"], ["1"]), (["-"], ['"two"'])]
    with pytest.raises(Exception, match=r"SUM needs a number, but row 2 \(r2\) gives 'two'"):
        evaluate(rules, {"x": 0}, hit_policy="COLLECT", aggregation="SUM")


def test_min_max_work_on_dates():
    rules = [(["-"], ['date("2025-03-01")']), (["-"], ['date("2024-12-01")'])]
    earliest = evaluate(rules, {"x": 0}, hit_policy="COLLECT", aggregation="MIN").outputs["result"]
    latest = evaluate(rules, {"x": 0}, hit_policy="COLLECT", aggregation="MAX").outputs["result"]
    assert (str(earliest), str(latest)) == ("2024-12-01", "2025-03-01")


def test_dotted_output_names_build_nested_dicts():
    rules = [(["-"], ['"approved"', "12"])]
    result = evaluate(rules, {"x": 0}, outputs=("verdict.status", "verdict.score"))
    assert result.outputs == {"verdict": {"status": "approved", "score": 12}}
    assert result.matched[0].outputs == {"verdict": {"status": "approved", "score": 12}}


def test_dotted_output_names_in_collect_follow_spiffworkflow():
    rules = [(["-"], ['"a"', "1"]), (["-"], ['"b"', "2"])]
    result = evaluate(rules, {"x": 0}, hit_policy="COLLECT", outputs=("item.code", "item.rank"))
    assert result.outputs == {"item": [{"code": "a", "rank": 1}, {"code": "b", "rank": 2}]}


def test_outputs_are_plain_python_numbers():
    result = evaluate([(["-"], ["1 / 4", "6 / 2"])], {"x": 0}, outputs=("a", "b"))
    assert result.outputs == {"a": 0.25, "b": 3}
    assert type(result.outputs["a"]) is float and type(result.outputs["b"]) is int


def test_empty_output_cell_is_null():
    assert evaluate([(["-"], [""])], {"x": 0}).outputs == {"result": None}


def test_table_without_inputs_always_matches():
    result = evaluate([([], ['"always"'])], {}, inputs=())
    assert result.outputs == {"result": "always"}


def test_result_as_dict_is_json_ready():
    import json

    data = bands("RULE ORDER", 2500).as_dict()
    assert json.loads(json.dumps(data))["matched"][0] == {
        "rule_id": "r2", "row": 2, "description": "low income", "outputs": {"band": "medium", "score": 20}}
