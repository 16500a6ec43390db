"""Policy-impact preview: replay past decisions through an edited DMN file, following the
change through to each case's eligibility.

Every business rule task records the facts its table read and what it decided (see
:class:`app.models.DecisionEvaluation`). A changed table reaches a case's outcome through the
later decisions that read its outputs — in the 公租房 process ``gongzufang_income_line`` gives
``income_line``, which ``gongzufang_eligibility`` reads — and through the script that sums
those rules up (``summarize_eligibility`` sets ``eligibility["eligible"]``).

For each of the latest decided cases the preview replays the case's recorded decisions in the
order they ran: every table of the edited file, and every later table that reads an output
that changed, on the recorded facts with the new values substituted (later tables at the
version the case ran); tables the change does not reach keep their recorded outputs. The
case's eligibility is read from the last decision the change reached (its outputs changed or
it read a changed value): its ``eligible`` output, or
else the ``eligible`` value computed by the script tasks that read its outputs — re-run in the
sandbox on the data they ran on, with the new outputs substituted. Cases whose eligibility
flips are counted apart from cases where only an intermediate value changed. Nothing is
deployed or written.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import db
from app.engine import serializer
from app.engine.bounded import BoundedSandbox, Limits, ScriptMemoryError
from app.engine.dmn import Decision, DmnError, parse_decisions, validate_dmn
from app.engine.sandbox import ScriptError, ScriptTimeout
from app.engine.script_functions import SCRIPT_FUNCTIONS
from app.models import DecisionEvaluation, InstanceArchive, ProcessDefinition, ProcessInstance
from app.services import context
from app.services.errors import DeploymentInvalid, NotFound
from app.services.step import load_bundle

MAX_CASES = 5000
#: the name of the eligibility verdict, as a decision output or a key a script sets
VERDICT = "eligible"


def preview(decision_id: str, dmn_xml: bytes, file_name: str = "edited.dmn", limit: int = 500) -> dict:
    """What the edited file would change for the latest ``limit`` decided cases: per case the
    decisions whose outputs change (before / after, matched rows) and whether its eligibility
    flips. Cases are those that evaluated any decision of the file, newest first."""
    limit = max(1, min(limit, MAX_CASES))
    problems = validate_dmn(dmn_xml, file_name)
    errors = [p.as_dict() for p in problems if p.severity == "error"]
    if errors:
        raise DeploymentInvalid(f"{len(errors)} error(s) in the edited table", errors)
    edited = parse_decisions(dmn_xml, file_name)
    if decision_id not in edited:
        raise NotFound(f"the edited file has no decision {decision_id!r}")
    replay = _Replay(edited, BoundedSandbox(Limits.from_settings(context.settings()), SCRIPT_FUNCTIONS))
    changed, failed = [], []
    with db.session() as session:
        chains = _latest_chains(session, list(edited), limit)
        for chain in chains:
            try:
                case = replay.case(session, chain)
            except (DmnError, ScriptError) as exc:
                failed.append({"instance_id": chain[0].instance_id, "business_key": chain[0].business_key,
                               "error": str(exc)})
                if isinstance(exc, (ScriptTimeout, ScriptMemoryError)):
                    break  # the table itself is over its limits: the other cases would be too
                continue
            if case is not None:
                changed.append(case)
    flipped = sum(1 for c in changed if c["eligibility_changed"])
    return {"decision_id": decision_id, "cases": len(chains), "changed": changed,
            "eligibility_changed": flipped, "intermediate_changed": len(changed) - flipped, "failed": failed,
            "warnings": [p.as_dict() for p in problems if p.severity != "error"]}


def _latest_chains(session: Session, decision_ids: list[str], limit: int) -> list[list[DecisionEvaluation]]:
    """For the latest ``limit`` instances that evaluated one of ``decision_ids``: the latest
    evaluation of each decision they made, in the order these ran."""
    last = func.max(DecisionEvaluation.id).label("last")
    newest = session.execute(select(DecisionEvaluation.instance_id, last)
                             .where(DecisionEvaluation.decision_id.in_(decision_ids))
                             .group_by(DecisionEvaluation.instance_id).order_by(last.desc()).limit(limit)).all()
    chains: dict[str, dict[str, DecisionEvaluation]] = {instance_id: {} for instance_id, _last in newest}
    rows = session.scalars(select(DecisionEvaluation).where(DecisionEvaluation.instance_id.in_(list(chains)))
                           .order_by(DecisionEvaluation.id))
    for row in rows:
        chain = chains[row.instance_id]
        chain.pop(row.decision_id, None)  # a decision made again counts where it last ran
        chain[row.decision_id] = row
    return [list(chain.values()) for chain in chains.values()]


def _verdict(values: dict) -> bool | None:
    value = values.get(VERDICT)
    return value if isinstance(value, bool) else None


def _names_in(script: str) -> set[str]:
    return set(re.findall(r"[^\W\d]\w*", script or ""))


def _assigned_names(script: str) -> list[str]:
    """The variables a script assigns (where it sets ``eligible`` or ``x = {"eligible": ...}``)."""
    try:
        tree = ast.parse(script)
    except SyntaxError:
        return []
    names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
    return list(dict.fromkeys(names))


class _Replay:
    """Replays one case's decision chain; tables and script inputs are looked up once."""

    def __init__(self, edited: dict[str, Decision], sandbox: BoundedSandbox):
        self.edited = edited
        self.sandbox = sandbox
        self._tables: dict[tuple[int | None, str], Decision | None] = {}

    def table(self, session: Session, row: DecisionEvaluation) -> Decision:
        """The edited table, or the version of a later table the case ran."""
        if row.decision_id in self.edited:
            return self.edited[row.decision_id]
        key = (row.definition_id, row.decision_id)
        if key not in self._tables:
            definition = session.get(ProcessDefinition, row.definition_id) if row.definition_id else None
            if definition is None:
                definition = session.scalars(select(ProcessDefinition).where(
                    ProcessDefinition.key == row.decision_id, ProcessDefinition.kind == "decision")
                    .order_by(ProcessDefinition.version.desc()).limit(1)).first()
            parsed = parse_decisions(bytes(definition.file.content), definition.file.file_name) if definition else {}
            self._tables[key] = parsed.get(row.decision_id)
        table = self._tables[key]
        if table is None:
            raise DmnError(f"decision {row.decision_id!r} that the case ran is no longer stored")
        return table

    def case(self, session: Session, chain: list[DecisionEvaluation]) -> dict | None:
        """The changes for one case, or None when nothing it decided would change."""
        new_values: dict[str, Any] = {}
        steps: list[dict] = []
        final: tuple[DecisionEvaluation, dict] | None = None
        for row in chain:
            reads = [name for name in new_values if name in row.facts]
            if row.decision_id not in self.edited and not reads:
                continue
            facts = {**row.facts, **{name: new_values[name] for name in reads}}
            # the decision with its requirements (a literal decision has no table of its own)
            result = self.sandbox.decide(self.table(session, row), facts)
            after = result["outputs"]
            if reads or after != row.outputs:
                final = (row, after)  # the change reached this decision
            if after != row.outputs:
                steps.append({"decision_id": row.decision_id, "bpmn_id": row.bpmn_id, "before": row.outputs,
                              "after": after, "rules_before": [m.get("row") for m in row.matched],
                              "rules_after": [row for _id, row, _note in result["matched"]]})
                new_values.update({name: after.get(name) for name in set(row.outputs) | set(after)})
        if not steps or final is None:
            return None
        outcome = self.outcome(session, final[0], final[1], new_values)
        first = steps[0]
        return {"instance_id": chain[0].instance_id, "business_key": chain[0].business_key,
                "evaluated_at": chain[-1].evaluated_at.isoformat(), "decision_id": first["decision_id"],
                "before": first["before"], "after": first["after"], "rules_before": first["rules_before"],
                "rules_after": first["rules_after"], "changes": steps, "outcome": outcome,
                "eligibility_changed": outcome["changed"]}

    def outcome(self, session: Session, row: DecisionEvaluation, after: dict, new_values: dict) -> dict:
        """The case's eligibility before and after, read from the last decision of the chain."""
        before_value, after_value = _verdict(row.outputs), _verdict(after)
        source = "decision"
        if (before_value is None or after_value is None) and after != row.outputs:
            runs = self.script_runs(session, row.instance_id, set(row.outputs) | set(after))
            if runs:
                before_value, after_value = self.rerun(runs, {}), self.rerun(runs, new_values)
                source = "script"
        if before_value is None or after_value is None:
            changed, source = after != row.outputs, "decision"
        else:
            changed = before_value != after_value
        return {"decision_id": row.decision_id, "before": row.outputs, "after": after, "source": source,
                "eligible_before": before_value, "eligible_after": after_value, "changed": changed}

    def script_runs(self, session: Session, instance_id: str, outputs: set[str]) -> list[tuple[str, dict]]:
        """(script, the data it ran on) for the completed script tasks that read ``outputs``,
        in the order they ran (the last run of each)."""
        instance = session.get(ProcessInstance, instance_id)
        if instance is None:
            return []
        try:
            bundle = load_bundle(session, instance.process_key, instance.bundle)
            archived = session.scalars(select(InstanceArchive.tasks).where(InstanceArchive.instance_id == instance_id)
                                       .order_by(InstanceArchive.id)).all()
            workflow = serializer.loads_whole(instance.state, list(archived), bundle.spec, bundle.subprocess_specs)
        except Exception:  # noqa: BLE001 - a state that cannot be read only leaves the verdict unknown
            return []
        latest: dict[str, Any] = {}
        for wf in [workflow, *workflow.subprocesses.values()]:
            for task in wf.get_tasks(state=TaskState.COMPLETED):
                spec = task.task_spec
                if isinstance(spec, ScriptTask) and task.parent is not None and _names_in(spec.script) & outputs:
                    if spec.name not in latest or latest[spec.name].last_state_change < task.last_state_change:
                        latest[spec.name] = task
        ordered = sorted(latest.values(), key=lambda t: t.last_state_change)
        return [(t.task_spec.script, dict(t.parent.data)) for t in ordered]

    def rerun(self, runs: list[tuple[str, dict]], new_values: dict) -> bool | None:
        """The ``eligible`` value the scripts compute with ``new_values`` substituted."""
        carried: dict[str, Any] = {}
        verdict = None
        for script, data in runs:
            scope = {**data, **carried, **new_values}
            try:
                self.sandbox.execute(script, scope)
            except ScriptError:
                return None
            assigned = {k: scope[k] for k in _assigned_names(script) if k in scope}
            carried.update(assigned)
            for name, value in assigned.items():
                found = _verdict({VERDICT: value}) if name == VERDICT else (
                    _verdict(value) if isinstance(value, dict) else None)
                if found is not None:
                    verdict = found
        return verdict
