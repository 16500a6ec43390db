"""Approving several simple cases at once, each completed on its own with its own audit event.

A task can be batch-approved when its form can be filled from an approval and an opinion alone:
a field whose choices include an approving value and an opinion field, and no other required
field. Anything else needs the task page.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.auth.identity import Identity
from app.l10n import Message
from app.services import document_service, forms, instance_service, task_service
from app.services.errors import DomainError, ValidationFailed

APPROVE_VALUES = ("approve", "approved", "accept", "pass", "agree", "同意", "通过")
OPINION_FIELDS = ("opinion", "comment", "remark", "意见")
MAX_BATCH = 100


@dataclass
class Outcome:
    """What happened to one task of the batch."""

    task_id: str
    ok: bool
    message: str = ""
    name: str = ""
    business_key: str | None = None


def approval_data(form_key: str | None, opinion: str) -> dict | None:
    """The form data that approves with ``opinion``, or None if the form needs more than that."""
    if not form_key:
        return {"opinion": opinion}
    try:
        schema = forms.load_form(form_key)
    except forms.FormNotFound:
        return None
    props = schema.get("properties") or {}
    data: dict = {}
    for name, prop in props.items():
        choices = prop.get("enum") or [c.get("const") for c in prop.get("oneOf", []) if "const" in c]
        approving = [v for v in APPROVE_VALUES if v in choices]
        if approving:
            data[name] = approving[0]
            break
    opinion_field = next((f for f in OPINION_FIELDS if f in props), None)
    if opinion_field:
        data[opinion_field] = opinion
    if not data or any(req not in data for req in schema.get("required", [])):
        return None
    return data


def acceptance_gaps(identity: Identity, task, data: dict) -> list[str]:
    """The documents check of a single 受理, for a task the batch would accept; [] for any other."""
    if data.get("decision") != "accept" or not (task.form_key or "").startswith("acceptance") \
            or not task.business_key:
        return []
    missing = instance_service.get_instance(task.instance_id)["data"].get("missing_documents") or []
    return document_service.acceptance_gaps(identity, task.business_key, missing)


def batch_approve(identity: Identity, task_ids: list[str], opinion: str) -> list[Outcome]:
    """Complete each task as approved with ``opinion``; one failure does not stop the others."""
    opinion = (opinion or "").strip()
    if len(opinion) < 2:
        raise ValidationFailed("批量通过需要填写审核意见", {"opinion": ["必填，至少 2 个字"]})
    if not task_ids:
        raise ValidationFailed("没有选择任务", {"task_ids": ["至少选择一件"]})
    if len(task_ids) > MAX_BATCH:
        raise ValidationFailed("一次最多批量处理 100 件", {"task_ids": [Message("batch.at_most", n=MAX_BATCH)]})
    outcomes = []
    for task_id in dict.fromkeys(task_ids):
        try:
            task = task_service.get_task(identity, task_id)
            data = approval_data(task.form_key, opinion)
            if data is None:
                outcomes.append(Outcome(task_id, False, "此任务的表单需要逐件填写", task.name, task.business_key))
                continue
            gaps = acceptance_gaps(identity, task, data)
            if gaps:
                outcomes.append(Outcome(task_id, False, f"材料不齐（{'、'.join(gaps)}），请在任务页逐件受理或退回补正",
                                        task.name, task.business_key))
                continue
            task_service.complete(identity, task_id, data)
            outcomes.append(Outcome(task_id, True, "", task.name, task.business_key))
        except DomainError as exc:
            outcomes.append(Outcome(task_id, False, exc.detail))
    return outcomes
