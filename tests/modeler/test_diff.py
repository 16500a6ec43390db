"""The element diff of two versions: added, removed, changed (with what changed) and moved."""

from __future__ import annotations

from app.services import definition_diff_service, definition_service
from app.services.definition_diff_service import diff_xml
from tests.modeler.conftest import BPMN, DMN, fixture_text

ORIGINAL = fixture_text(BPMN)


def _ids(items):
    return sorted(i["id"] if isinstance(i, dict) else i for i in items)


def test_identical_files_have_no_difference():
    assert diff_xml(ORIGINAL.encode(), ORIGINAL.encode()) == {"added": [], "removed": [], "changed": [], "moved": []}


def test_a_changed_timer_marks_only_its_event_and_names_what_changed():
    edited = ORIGINAL.replace("workdays_from_now(10)", "workdays_from_now(7)")
    result = diff_xml(ORIGINAL.encode(), edited.encode())
    assert _ids(result["changed"]) == ["publicity_period"]
    change = result["changed"][0]
    assert change["changes"] == ["timerEventDefinition"] and change["type"] == "intermediateCatchEvent"
    assert "workdays_from_now(10)" in change["before"]["children"][0]
    assert "workdays_from_now(7)" in change["after"]["children"][0]
    assert result["added"] == result["removed"] == result["moved"] == []


def test_operator_and_name_changes_are_reported_per_element():
    edited = ORIGINAL.replace('id="test/echo"', 'id="test/flaky_once"').replace('name="街道初审"', 'name="街道审核"')
    result = diff_xml(ORIGINAL.encode(), edited.encode())
    changes = {c["id"]: c["changes"] for c in result["changed"]}
    assert changes == {"verify_income": ["spiffworkflow:serviceTaskOperator"], "street_review": ["name"]}


def test_removed_added_and_moved_elements():
    removed = ORIGINAL \
        .replace('<bpmn:endEvent id="end_approved" name="公示结束">', '<bpmn:task id="archive" name="归档">') \
        .replace('</bpmn:endEvent>\n    <bpmn:sequenceFlow id="f1"', '</bpmn:task>\n    <bpmn:sequenceFlow id="f1"') \
        .replace('bpmnElement="end_approved"', 'bpmnElement="archive"') \
        .replace('targetRef="end_approved"', 'targetRef="archive"')
    moved = removed.replace('<dc:Bounds x="250" y="120" width="100" height="80" />',
                            '<dc:Bounds x="260" y="110" width="100" height="80" />')
    result = diff_xml(ORIGINAL.encode(), moved.encode())
    assert _ids(result["removed"]) == ["end_approved"] and _ids(result["added"]) == ["archive"]
    assert result["moved"] == ["verify_income"]
    assert _ids(result["changed"]) == ["f6"]  # the flow now ends at the new task


def test_a_changed_decision_cell_is_reported_with_its_rule_untouched():
    original = fixture_text(DMN)
    edited = original.replace("&lt;= 4148", "&lt;= 4500")
    result = diff_xml(original.encode(), edited.encode())
    assert _ids(result["changed"]) == ["Income_three"]
    assert result["changed"][0]["before"]["children"] == ["<text>&lt;= 4148</text>"]


def test_diff_of_deployed_versions(modeler_app):
    edited = ORIGINAL.replace("workdays_from_now(10)", "workdays_from_now(7)")
    definition_service.deploy([(BPMN, edited.encode())], "policy", "公示期改为 7 个工作日")
    result = definition_diff_service.diff_versions("gzf_trial", 1, 2)
    assert result["kind"] == "process" and (result["from_version"], result["to_version"]) == (1, 2)
    assert _ids(result["changed"]) == ["publicity_period"]
