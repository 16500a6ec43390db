"""Policy-impact preview: replay past decisions through an edited decision table.

Every business rule task records the facts its table read (see
:class:`app.models.DecisionEvaluation`). An edited table is evaluated on the facts of the
latest decided cases, and the cases whose outputs would change are listed — before anyone
deploys the change.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import db
from app.engine.dmn import DmnError, evaluate_decision, parse_decisions, validate_dmn
from app.engine.sandbox import Sandbox, to_json_value
from app.engine.script_functions import SCRIPT_FUNCTIONS
from app.models import DecisionEvaluation
from app.services import context
from app.services.errors import DeploymentInvalid, NotFound

MAX_CASES = 5000


def preview(decision_id: str, dmn_xml: bytes, file_name: str = "edited.dmn", limit: int = 500) -> dict:
    """Outputs of the edited table vs the recorded ones, for the latest ``limit`` cases."""
    limit = max(1, min(limit, MAX_CASES))
    problems = validate_dmn(dmn_xml, file_name)
    errors = [p.as_dict() for p in problems if p.severity == "error"]
    if errors:
        raise DeploymentInvalid(f"{len(errors)} error(s) in the edited table", errors)
    decisions = parse_decisions(dmn_xml, file_name)
    if decision_id not in decisions:
        raise NotFound(f"the edited file has no decision {decision_id!r}")
    decision = decisions[decision_id]
    sandbox = Sandbox(timeout=context.settings().script_timeout, functions=SCRIPT_FUNCTIONS)
    with db.session() as session:
        latest = (select(func.max(DecisionEvaluation.id)).where(DecisionEvaluation.decision_id == decision_id)
                  .group_by(DecisionEvaluation.instance_id).scalar_subquery())
        rows = session.scalars(select(DecisionEvaluation).where(DecisionEvaluation.id.in_(latest))
                               .order_by(DecisionEvaluation.id.desc()).limit(limit)).all()
    changed, failed = [], []
    for row in rows:
        try:
            result = evaluate_decision(decision, row.facts, python_eval=sandbox.evaluate)
        except DmnError as exc:
            failed.append({"instance_id": row.instance_id, "business_key": row.business_key, "error": str(exc)})
            continue
        after = to_json_value(result.outputs, "outputs")
        if after != row.outputs:
            changed.append({
                "instance_id": row.instance_id, "business_key": row.business_key,
                "evaluated_at": row.evaluated_at.isoformat(), "before": row.outputs, "after": after,
                "rules_before": [m.get("row") for m in row.matched], "rules_after": result.matched_rows,
            })
    return {"decision_id": decision_id, "cases": len(rows), "changed": changed, "failed": failed,
            "warnings": [p.as_dict() for p in problems if p.severity != "error"]}
