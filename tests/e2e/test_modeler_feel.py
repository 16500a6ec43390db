"""FEEL decision tables drawn in dmn-js evaluate as written: every unary-test form typed into
the editor's cells and every hit policy chosen from its menu, checked on the XML it saves."""

from __future__ import annotations

import pytest

from app.engine.dmn import HitPolicyViolation, evaluate_decision, parse_decisions
from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.services import definition_service, demo_service, job_service
from tests.e2e.conftest import LiveServer
from tests.modeler.assets import ensure_built
from tests.modeler.conftest import HERE, modeler_settings

CELLS = {  # rule → (cell, the FEEL unary test typed into it)
    "R1": ("R1_income", "<= 4148"),
    "R2": ("R2_income", "[1000..2000]"),
    "R3": ("R3_score", "(0..10]"),
    "R4": ("R4_type", '"single","nuclear"'),
    "R5": ("R5_type", 'not("single")'),
}
ALL_MATCH = {"income": 1500, "household_type": "nuclear", "score": 10}       # every rule matches
FEW_MATCH = {"income": 5000, "household_type": "single", "score": 0}         # R4 and R6 only
EXPECTED = {  # hit policy menu entry (the page is in Chinese) → (outputs for ALL_MATCH, for FEW_MATCH)
    "首个（First）": (10, 3),
    "优先级（Priority）": (20, 3),
    "规则顺序（Rule order）": ([10, 20, 5, 3, 2, 1], [3, 1]),
    "汇集（Collect）": ([10, 20, 5, 3, 2, 1], [3, 1]),
    "汇集求和（Sum）": (41, 4),
    "汇集最小值（Min）": (1, 1),
    "汇集最大值（Max）": (20, 3),
    "汇集计数（Count）": (6, 2),
}


@pytest.fixture(scope="module", autouse=True)
def bundles():
    ensure_built()


def _type_cell(page, cell_id: str, text: str) -> None:
    page.locator(f"td[data-element-id={cell_id}] [contenteditable]").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)  # as pasted: typing "(" would make the editor add ")"
    page.click("h1")


def _choose_hit_policy(page, label: str) -> str:
    page.click(".hit-policy .dms-input-select")
    page.click(f".dms-select-options .option:text-is('{label}')")
    return page.evaluate("window.housingModeler.modeler.saveXML().then(r => r.xml)")


def _points(xml: str, facts: dict):
    decision = parse_decisions(xml.encode(), "feel_forms.dmn")["feel_forms"]
    return evaluate_decision(decision, facts).outputs.get("points")


def test_unary_tests_and_hit_policies_drawn_in_the_editor(live_db, actors):
    app = create_app(modeler_settings(live_db), runner=InlineRunner(job_service.execute_batch, synchronous=True))
    with app.app_context():
        demo_service.load_demo_users()
        definition_service.deploy([("feel_forms.dmn", (HERE / "fixtures" / "feel_forms.dmn").read_bytes())], "test")
    with LiveServer(app) as server:
        officer = actors(server.url)("policy")
        page = officer.page
        officer.goto("/admin/modeler/edit/feel_forms")
        page.wait_for_selector("#modeler-canvas[data-ready='1']")
        for cell_id, text in CELLS.values():
            _type_cell(page, cell_id, text)
        page.click("[data-testid=validate]")
        page.wait_for_selector("[data-testid=no-problems]")

        for label, (all_match, few_match) in EXPECTED.items():
            xml = _choose_hit_policy(page, label)
            assert (_points(xml, ALL_MATCH), _points(xml, FEW_MATCH)) == (all_match, few_match), label

        xml = _choose_hit_policy(page, "任一（Any）")
        with pytest.raises(HitPolicyViolation):
            _points(xml, FEW_MATCH)           # R4 gives 3, R6 gives 1
        _type_cell(page, "R6_points", "3")
        xml = page.evaluate("window.housingModeler.modeler.saveXML().then(r => r.xml)")
        assert _points(xml, FEW_MATCH) == 3   # now they agree

        xml = _choose_hit_policy(page, "唯一（Unique）")  # the default: dmn-js leaves hitPolicy out
        with pytest.raises(HitPolicyViolation):
            _points(xml, ALL_MATCH)
        page.click("[data-testid=validate]")
        page.wait_for_selector("[data-testid=problem][data-severity=error]")  # an overlap blocks a deploy
        flagged = page.eval_on_selector_all("[data-testid=problem][data-severity=error]",
                                            "els => els.map(e => e.dataset.elementId)")
        assert flagged and set(flagged) <= {"R1", "R2", "R3", "R4", "R5", "R6", "Table_feel_forms", "feel_forms"}
        officer.shot("unique-overlaps")
        _choose_hit_policy(page, "首个（First）")
        page.fill("[data-testid=deploy-comment]", "加分规则改为 FIRST（UNIQUE 有重叠）")
        page.click("[data-testid=deploy]")
        page.wait_for_selector("[data-testid=deployed][data-key=feel_forms][data-version='2']")
        assert officer.console_errors == []
