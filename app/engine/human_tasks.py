"""How a READY user task appears in the inbox: groups, assignee, form, due date, instructions.

Read from the task's ``spiffworkflow:properties`` (names as SpiffArena writes them, plus a few
of the host's own):

============================  =============================================================
``formJsonSchemaFilename``    the JSON Schema in ``forms/`` the submitted data must satisfy
``formUiSchemaFilename``      its UI schema
``formJsonSchemaFilenameExpression`` an expression giving the form file for this task (a
                              multi-instance child: ``"manual_verification/" + source["source"]
                              + ".schema.json"``); the plain property is the fallback
``formUiSchemaFilenameExpression``   the same for the UI schema
``candidateGroups``           comma-separated groups that may claim the task
``candidateGroupsExpression`` an expression giving a group or list of groups (multi-instance)
``assigneeExpression``        an expression giving the username the task is assigned to
``dueInWorkingDays``          deadline in working days from when the task became ready
``dueDateExpression``         an expression giving an ISO due time
``districtVariable``          data variable holding the district (default ``district``)
============================  =============================================================

Without ``candidateGroups``, the lane's own ``candidateGroups`` property applies, and failing
that the lane name itself; a task in no lane is open to every staff user (group ``*``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from jinja2.sandbox import SandboxedEnvironment

from app.engine import workdays
from app.engine.parser import split_groups

log = logging.getLogger(__name__)
ANY_STAFF = "*"
_jinja = SandboxedEnvironment(autoescape=False)


@dataclass
class TaskView:
    """The inbox fields of one human task."""

    id: str
    bpmn_id: str
    name: str
    lane: str | None
    form_key: str | None
    ui_form_key: str | None
    instructions: str
    candidate_groups: list[str]
    assignee: str | None
    district: str | None
    due_at: datetime | None
    problems: list[str] = field(default_factory=list)


@lru_cache(maxsize=512)
def _template(source: str):
    """A compiled instructions template (compiling costs more than rendering)."""
    return _jinja.from_string(source)


def properties(task_spec) -> dict:
    """The ``spiffworkflow:properties`` of a task spec."""
    return (getattr(task_spec, "extensions", None) or {}).get("properties", {}) or {}


def describe(task, lane_groups: dict[str, list[str]]) -> TaskView:
    """Project a READY SpiffWorkflow task into inbox fields (never raises on bad expressions)."""
    spec = task.task_spec
    props = properties(spec)
    engine = task.workflow.script_engine
    problems: list[str] = []

    def evaluate(expr: str):
        try:
            return engine.evaluate(task, expr)
        except Exception as exc:  # a modelling error must not lose the task
            problems.append(f"{expr!r}: {exc}")
            log.warning("task %s: cannot evaluate %r: %s", spec.bpmn_id, expr, exc)
            return None

    groups: list[str] = []
    if props.get("candidateGroupsExpression"):
        value = evaluate(props["candidateGroupsExpression"])
        groups = [str(v) for v in value] if isinstance(value, (list, tuple)) else split_groups(value)
    if not groups and props.get("candidateGroups"):
        groups = split_groups(props["candidateGroups"])
    if not groups and spec.lane:
        groups = lane_groups.get(spec.lane) or [spec.lane]
    if not groups:
        groups = [ANY_STAFF]

    assignee = None
    if props.get("assigneeExpression"):
        value = evaluate(props["assigneeExpression"])
        assignee = str(value) if value else None

    due_at = None
    if props.get("dueInWorkingDays"):
        try:
            due_at = workdays.add_working_days(workdays.now_utc(), int(props["dueInWorkingDays"]))
        except ValueError as exc:
            problems.append(f"dueInWorkingDays: {exc}")
    elif props.get("dueDateExpression"):
        value = evaluate(props["dueDateExpression"])
        if value:
            try:
                due_at = datetime.fromisoformat(str(value))
                if due_at.tzinfo is None:
                    due_at = due_at.replace(tzinfo=workdays.CHINA_TZ)
            except ValueError:
                problems.append(f"dueDateExpression gave {value!r}, not an ISO time")

    district_var = props.get("districtVariable", "district")
    district = task.data.get(district_var)

    instructions = (getattr(spec, "extensions", None) or {}).get("instructionsForEndUser") or ""
    if instructions:
        try:
            instructions = _template(instructions).render(**task.data)
        except Exception as exc:
            problems.append(f"instructionsForEndUser: {exc}")

    return TaskView(
        id=str(task.id),
        bpmn_id=spec.bpmn_id,
        name=spec.bpmn_name or spec.bpmn_id,
        lane=spec.lane,
        form_key=_form_key(props, "formJsonSchemaFilename", evaluate),
        ui_form_key=_form_key(props, "formUiSchemaFilename", evaluate),
        instructions=instructions,
        candidate_groups=groups,
        assignee=assignee,
        district=str(district) if district is not None else None,
        due_at=due_at,
        problems=problems,
    )


def _form_key(props: dict, name: str, evaluate) -> str | None:
    """The form file of a task: its ``<name>Expression`` when that gives a name, else ``<name>``."""
    if props.get(f"{name}Expression"):
        value = evaluate(props[f"{name}Expression"])
        if isinstance(value, str) and value:
            return value
    return props.get(name)
