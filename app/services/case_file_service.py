"""What the task page shows: the task, its case data (masked), history, diagram and form.

Access follows the API: the task must be visible to the identity (otherwise 404), and whole ID
numbers are shown only to roles that need them, each time with a ``pii.full_view`` audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from sqlalchemy import select

from app.auth.identity import Identity
from app.db import db
from app.models import AuditEvent, DecisionEvaluation, HumanTask, ProcessDefinition
from app.services import access, audit_service, forms, instance_service, task_service
from app.services.errors import Forbidden, InstanceNotFound

#: audit actions shown in a case's history, with their Chinese label
HISTORY_ACTIONS = {
    "instance.started": "立案", "task.claimed": "认领", "task.unclaimed": "放回任务池",
    "task.completed": "办理", "instance.completed": "办结", "incident.opened": "异常",
    "incident.retried": "异常重试", "pii.full_view": "查看完整证件号", "timers.fired_manually": "手动触发计时",
    "message.received": "收到消息", "document.downloaded": "下载申请材料",
}
#: what a received message means on the case, by message name (others keep the generic label)
MESSAGE_LABELS = {"supplement_submitted": "申请人提交补正材料", "objection_filed": "收到公示异议"}


@dataclass
class CaseFile:
    """Everything the task page renders."""

    task: dict
    instance: dict
    data: dict
    full_ids: bool
    history: list[dict]
    form: dict | None
    ui: dict | None


def open_task(identity: Identity, task_id: str, full_ids: bool = False) -> CaseFile:
    """The case file of a task the identity may see; ``full_ids`` is audited (and refused if not allowed).

    Seeing the task is what authorises seeing its case: :func:`task_service.get_task` answers 404
    for a task of another district or of another applicant.
    """
    task = instance_service.task_brief(task_service.get_task(identity, task_id))
    instance = instance_service.get_instance(task["instance_id"], task_id)
    if full_ids:
        record_full_view(identity, instance["id"], task_id)
    data = access.redact(identity, instance["data"], full_ids)
    form = _load(task["form_key"])
    ui = _load(task["ui_form_key"])
    history = case_history(instance["id"])
    if not (identity.is_staff or identity.is_admin):  # an applicant's own task: roles, not staff logins
        from app.services.portal_service import public_history

        history = public_history(identity, history)
    return CaseFile(task, instance, data, full_ids, history, form, ui)


def _load(form_key: str | None) -> dict | None:
    if not form_key:
        return None
    try:
        return forms.load_form(form_key)
    except forms.FormNotFound:
        return None


def record_full_view(identity: Identity, instance_id: str, task_id: str | None = None) -> None:
    """Audit one view of whole ID numbers; refuse roles that may not see them."""
    if not identity.can_view_full_id:
        raise Forbidden("your role does not allow viewing whole ID numbers")
    with db.transaction() as session:
        audit_service.record(session, identity.username, "pii.full_view", "process_instance", instance_id,
                             {"fields": "data", "task_id": task_id}, instance_id=instance_id)


def case_history(instance_id: str) -> list[dict]:
    """Every recorded action on the case: time, actor, what, and the opinion given (masked)."""
    with db.session() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)
        ).all()
        forms_of = dict(session.execute(select(HumanTask.id, HumanTask.form_key)
                                        .where(HumanTask.instance_id == instance_id)).all())
    out = []
    for e in events:
        if e.action not in HISTORY_ACTIONS:
            continue
        details = e.details or {}
        data = details.get("data") or {}
        label, step = HISTORY_ACTIONS[e.action], details.get("name") or details.get("bpmn_id") or ""
        if e.action == "message.received":  # its ``name`` is the message's, not a step's
            label, step = MESSAGE_LABELS.get(details.get("name"), label), ""
        out.append({
            "at": e.at, "actor": e.actor, "action": e.action, "label": label, "message": details.get("name"),
            "step": step, "bpmn_id": details.get("bpmn_id"),
            "decision": _decision_label(forms_of.get(details.get("task_id")), _signed(data, "decision")),
            "decision_value": _signed(data, "decision"),
            "opinion": _signed(data, "opinion") or _signed(data, "comment"),
        })
    return out


def _decision_label(form_key: str | None, value):
    """A decision as its task's form names it (``approve`` → 同意), else as it was stored."""
    form = _load(form_key) if value else None
    props = (form or {}).get("properties") or {}
    field = props.get("decision") or ((props.get("signature") or {}).get("properties") or {}).get("decision") or {}
    return dict(forms.choices_of(field)).get(value, value)


def _signed(data, key: str):
    """A field of submitted data, also when it sits inside a countersign's ``signature``."""
    if not isinstance(data, dict):
        return None
    signature = data.get("signature") if isinstance(data.get("signature"), dict) else {}
    return data.get(key) or signature.get(key)


def decision_verdicts(instance_id: str) -> list[dict]:
    """What each decision table decided for the case (latest evaluation of each), with its rules.

    Each entry: the decision id, the task that ran it, the outputs, the matched rules (row and
    description as the table's author wrote them) and the facts the table read (masked).
    """
    with db.session() as session:
        rows = session.scalars(select(DecisionEvaluation).where(DecisionEvaluation.instance_id == instance_id)
                               .order_by(DecisionEvaluation.id)).all()
    latest = {(r.decision_id, r.bpmn_id): r for r in rows}
    shapes = decision_shapes({r.decision_id for r in latest.values()})
    return [{"decision_id": r.decision_id, "bpmn_id": r.bpmn_id, "outputs": r.outputs, "matched": r.matched,
             "facts": r.facts, "evaluated_at": r.evaluated_at,
             **shapes.get(r.decision_id, {"name": r.decision_id, "columns": {}, "inputs": {}})}
            for r in latest.values()]


def decision_shapes(decision_ids: set[str]) -> dict[str, dict]:
    """Each decision's name, output labels by output name, and input labels by input expression,
    as its latest deployed version defines them."""
    if not decision_ids:
        return {}
    with db.session() as session:
        rows = session.scalars(select(ProcessDefinition).where(
            ProcessDefinition.kind == "decision", ProcessDefinition.key.in_(decision_ids))
            .order_by(ProcessDefinition.version)).all()
        files = {d.key: bytes(d.file.content) for d in rows}
    out = {}
    for key, content in files.items():
        try:
            root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            continue
        for decision in root.iter("{*}decision"):
            if decision.get("id") != key:
                continue
            out[key] = {
                "name": decision.get("name") or key,
                "columns": {o.get("name"): o.get("label") or o.get("name")
                            for o in decision.iter("{*}output") if o.get("name")},
                "inputs": {(i.findtext("{*}inputExpression/{*}text") or "").strip(): i.get("label")
                           for i in decision.iter("{*}input") if i.get("label")},
            }
    return out


def diagram(identity: Identity, instance_id: str) -> dict:
    """The BPMN XML that holds the case's current step, with current and completed element ids."""
    instance = instance_service.get_instance(instance_id)
    access.assert_can_view_instance(identity, instance)
    if not identity.is_staff:
        raise InstanceNotFound(f"process instance {instance_id} does not exist")
    current = [t["bpmn_id"] for t in instance["ready_tasks"]] + \
              [e["bpmn_id"] for e in instance["waiting_events"]] + \
              [c["bpmn_id"] for c in instance["service_calls"] if c["state"] in ("queued", "running", "pending")]
    done = [n["bpmn_id"] for n in instance_service.history(instance_id)]
    xml = _file_showing(instance, current)
    return {"xml": xml, "current": current, "done": done}


def _file_showing(instance: dict, current: list[str]) -> str:
    """The instance's own diagram, or the called process's file if the current step is there."""
    with db.session() as session:
        rows = session.scalars(select(ProcessDefinition).where(
            ProcessDefinition.id.in_(instance["bundle"]), ProcessDefinition.kind == "process")).all()
        files = {d.id: bytes(d.file.content) for d in rows}
    own = files.get(instance["definition_id"]) or next(iter(files.values()), b"")
    for content in [own] + [c for c in files.values() if c != own]:
        ids = set(etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
                  .xpath("//@id"))
        if any(c in ids for c in current):
            return content.decode("utf-8")
    return own.decode("utf-8")
