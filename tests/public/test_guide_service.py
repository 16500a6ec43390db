"""服务指南 figures come from the deployed decisions and process, and follow a new version."""

from __future__ import annotations

from app.public import guide_service
from tests.public.conftest import deploy_income_line


def test_the_income_lines_and_standards_are_the_deployed_decision_outputs(deployed):
    guide = guide_service.guide("gongzufang")
    lines = {row["size"]: row["line"] for row in guide.income_lines}
    assert lines == {1: 4978, 2: 4563, 3: 4148, 4: 4148, 5: 4148}
    standards = {s["name"]: s["value"] for s in guide.standards}
    assert standards["area_line"] == 15 and standards["min_permit_years"] == 1
    assert not any(name.startswith("score_") for name in standards)  # scoring weights are not conditions
    assert "gongzufang_income_line v1" in guide.sources and not guide.missing
    assert ("公租房收入线", 1) in guide.source_names  # what the page shows: the table's name, not its id


def test_a_changed_cell_in_a_new_version_changes_the_guide(deployed):
    deploy_income_line(4321)
    guide = guide_service.guide("gongzufang")
    assert {row["size"]: row["line"] for row in guide.income_lines}[3] == 4321
    assert "gongzufang_income_line v2" in guide.sources


def test_steps_deadlines_and_documents_come_from_the_process(deployed):
    guide = guide_service.guide("gongzufang")
    steps = {s.id: (s.name, s.days, s.days_max) for s in guide.steps}
    assert steps["acceptance"] == ("受理审查", 5, None)  # acceptance_days in the first script
    assert steps["preliminary_review"] == ("初审", 3, 5)  # 3, or 5 for 低保/特困 households
    assert steps["district_review"] == ("复审", 5, None)  # dueInWorkingDays
    assert steps["publish"] == ("公示", 7, None)  # publication_days
    assert guide.parameters["supplement_days"] == 10
    assert guide.documents[:2] == ["id_card", "hukou_book"] and guide.conditional_documents == ["marriage_certificate"]


def test_baozufang_has_no_income_line_but_its_own_standards(deployed):
    guide = guide_service.guide("baozufang")
    assert guide.income_lines == [] and not guide.missing
    assert {s["name"]: s["value"] for s in guide.standards}["min_social_insurance_months"] == 6
    assert {s.id: s.days for s in guide.steps}["publish"] == 5


def test_nothing_deployed_is_said_rather_than_guessed(public_app):
    guide = guide_service.guide("gongzufang")
    assert guide.income_lines == [] and guide.steps == []
    assert set(guide.missing) == {"gongzufang_standards", "gongzufang_application"}
