"""Complaints (投诉反馈): filing through every channel, the complainant's view, rating, the work order.

A complaint is stored in ``complaint`` and handled by the ``complaint`` process
(``processes/complaint.bpmn``): the routing table sends it to a department's inbox, the handler
replies, transfers or asks for more; the complainant rates the reply. The process data is the
single record of the handling (replies, transfers, step); this module reads it back for the
complainant and for the handler's page.

The person stays out of the work order: the process holds the phone only for the SMS reply
(masked on every page that shows process data), never the name; :func:`work_order` shows the
complainant masked, and only to the supervision group.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.auth.identity import Identity
from app.complaints.models import Complaint
from app.db import db, utcnow
from app.l10n import Message
from app.privacy import mask_name, mask_phone
from app.services import forms, instance_service, message_service, task_service
from app.services.case_service import next_sequence
from app.services.errors import Conflict, Forbidden, MessageNotCorrelated, NotFound, ValidationFailed

PROCESS_KEY = "complaint"
FORM = "complaint.schema.json"
CHANNELS = ("portal", "public", "hotline", "window")
#: channels staff enter for a caller or visitor
DESK_CHANNELS = ("hotline", "window")
RATED_MESSAGE = "complaint_rated"
INFO_MESSAGE = "complaint_info_added"
#: the group that supervises overdue complaints and may see who complained (masked)
SUPERVISORS = "complaint_supervisor"


class ComplaintNotFound(NotFound):
    code = "complaint_not_found"


class ComplaintNotWaiting(Conflict):
    code = "complaint_not_waiting"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def file_complaint(form: dict, channel: str, actor: str, username: str | None = None) -> dict:
    """Validate and record a complaint, start its process; returns the view plus the follow-up ``token``.

    ``channel`` is portal, public, hotline or window; ``actor`` is who filed it (the portal
    account, ``public``, or the staff member who took the call); ``username`` the portal account
    it belongs to. The token is shown once (the follow-up link); only its digest is stored.
    """
    if channel not in CHANNELS:
        raise ValidationFailed(Message("complaint.unknown_channel", channel=channel),
                               {"channel": [f"must be one of {', '.join(CHANNELS)}"]})
    data = forms.validate_submission(FORM, {k: v for k, v in form.items() if v not in (None, "")})
    now = datetime.now(UTC)
    prefix = f"TS{now.year}"
    complaint_no = f"{prefix}-{next_sequence(prefix):06d}"
    token = secrets.token_urlsafe(24)
    process_data = {
        "complaint_no": complaint_no, "title": f"投诉 {complaint_no}", "channel": channel,
        "category": data["category"], "content": data["content"], "district": data.get("district"),
        "application_no": data.get("application_no", ""), "lease_no": data.get("lease_no", ""),
        "contact_phone": data["complainant_phone"], "filed_at": now.isoformat(),
    }

    def record(session, instance) -> None:
        session.add(Complaint(
            complaint_no=complaint_no, channel=channel, category=data["category"], content=data["content"],
            district=data.get("district"), application_no=data.get("application_no"),
            lease_no=data.get("lease_no"), complainant_name=data["complainant_name"],
            complainant_phone=data["complainant_phone"], username=username,
            recorded_by=actor if channel in DESK_CHANNELS else None, token_hash=_digest(token),
            instance_id=instance.id, filed_at=now))

    instance_service.start_instance(PROCESS_KEY, process_data, complaint_no, actor, before_commit=record)
    return complaint_view(_by_no(complaint_no)) | {"token": token}


def _by_no(complaint_no: str) -> Complaint:
    with db.session() as session:
        row = session.scalar(select(Complaint).where(Complaint.complaint_no == complaint_no))
    if row is None:
        raise ComplaintNotFound(Message("complaint.not_found", no=complaint_no))
    return row


def _by_token(token: str) -> Complaint:
    with db.session() as session:
        row = session.scalar(select(Complaint).where(Complaint.token_hash == _digest(token or "")))
    if row is None:
        raise ComplaintNotFound("投诉不存在或链接已失效")
    return row


def _own(identity: Identity, complaint_no: str) -> Complaint:
    row = _by_no(complaint_no)
    if row.username != identity.username:
        raise ComplaintNotFound(Message("complaint.not_found", no=complaint_no))
    return row


def complaint_view(row: Complaint) -> dict:
    """What the complainant sees: the complaint, its step, the replies, and what it waits for."""
    state = _process_state(row)
    return {
        "complaint_no": row.complaint_no, "channel": row.channel, "category": row.category,
        "content": row.content, "district": row.district, "application_no": row.application_no,
        "lease_no": row.lease_no, "filed_at": row.filed_at.isoformat(), "rating": row.rating,
        **state,
    }


def _process_state(row: Complaint) -> dict:
    if row.instance_id is None:
        return {"status": "received", "step": "投诉受理", "answers": [], "awaiting": None, "info_request": None}
    instance = instance_service.get_instance(row.instance_id)
    data = instance["data"]
    waiting = {e.get("event_name") for e in instance["waiting_events"] if e.get("type") == "message"}
    awaiting = "rating" if RATED_MESSAGE in waiting else "info" if INFO_MESSAGE in waiting else None
    answers = [{"text": a.get("text", ""), "at": a.get("at"), "round": a.get("round")}
               for a in data.get("answers", []) if isinstance(a, dict)]
    return {"status": "closed" if instance["status"] == "completed" else "open", "step": data.get("step"),
            "answers": answers, "awaiting": awaiting,
            "info_request": data.get("info_request") if awaiting == "info" else None}


def view_by_token(token: str) -> dict:
    """The complaint a follow-up link names (404 for an unknown token)."""
    return complaint_view(_by_token(token))


def list_mine(identity: Identity) -> list[dict]:
    """The portal user's own complaints, newest first (without the process state)."""
    with db.session() as session:
        rows = session.scalars(select(Complaint).where(Complaint.username == identity.username)
                               .order_by(Complaint.filed_at.desc(), Complaint.id.desc())).all()
    return [{"complaint_no": r.complaint_no, "category": r.category, "filed_at": r.filed_at.isoformat(),
             "rating": r.rating} for r in rows]


def view_mine(identity: Identity, complaint_no: str) -> dict:
    """One of the portal user's own complaints (404 for anyone else's)."""
    return complaint_view(_own(identity, complaint_no))


def _rate(row: Complaint, rating: Any, comment: str, actor: str) -> dict:
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationFailed("评分须为1到5分", {"rating": ["must be a whole number from 1 to 5"]})
    try:
        message_service.correlate(RATED_MESSAGE, row.complaint_no,
                                  {"rating": value, "comment": (comment or "")[:500]}, actor)
    except MessageNotCorrelated:
        raise ComplaintNotWaiting(Message("complaint.no_reply_to_rate", no=row.complaint_no)) from None
    with db.transaction() as session:
        stored = session.get(Complaint, row.id)
        assert stored is not None
        stored.rating, stored.rated_at = value, utcnow()
    return complaint_view(_by_no(row.complaint_no))


def rate_by_token(token: str, rating: Any, comment: str = "") -> dict:
    """A public complainant rates the reply (1–5) through the follow-up link."""
    return _rate(_by_token(token), rating, comment, "public")


def rate_mine(identity: Identity, complaint_no: str, rating: Any, comment: str = "") -> dict:
    """A portal user rates the reply to their own complaint."""
    return _rate(_own(identity, complaint_no), rating, comment, identity.username)


def _add_info(row: Complaint, text: str, actor: str) -> dict:
    text = (text or "").strip()
    if not 2 <= len(text) <= 1000:
        raise ValidationFailed("补充情况须为2到1000个字", {"text": ["2 to 1000 characters"]})
    try:
        message_service.correlate(INFO_MESSAGE, row.complaint_no, {"text": text}, actor)
    except MessageNotCorrelated:
        raise ComplaintNotWaiting(Message("complaint.no_information_due", no=row.complaint_no)) from None
    return complaint_view(_by_no(row.complaint_no))


def add_info_by_token(token: str, text: str) -> dict:
    """A public complainant answers the handler's request for more information."""
    return _add_info(_by_token(token), text, "public")


def add_info_mine(identity: Identity, complaint_no: str, text: str) -> dict:
    """A portal user answers the handler's request for more information."""
    return _add_info(_own(identity, complaint_no), text, identity.username)


def work_order(identity: Identity, task_id: str) -> dict:
    """The handler's view of a complaint task: the complaint, never the complainant.

    Seeing the task (its group and district) is what authorises it (404 otherwise). Only the
    supervision group sees who complained, masked (they may have to call back).
    """
    task = instance_service.task_brief(task_service.get_task(identity, task_id))
    if task["process_key"] != PROCESS_KEY:
        raise ComplaintNotFound(Message("complaint.not_a_complaint_task", id=task_id))
    row = _by_no(task["business_key"] or "")
    data = instance_service.get_instance(task["instance_id"])["data"]
    order = {
        "task": task, "complaint_no": row.complaint_no, "channel": row.channel, "category": row.category,
        "content": row.content, "district": row.district, "application_no": row.application_no,
        "lease_no": row.lease_no, "filed_at": row.filed_at.isoformat(),
        "department_name": data.get("department_name"), "additions": data.get("additions", []),
        "answers": data.get("answers", []), "transfers": data.get("transfers", []),
        "reopen_count": data.get("reopen_count", 0), "rating": data.get("rating"), "complainant": None,
    }
    if SUPERVISORS in identity.groups:
        order["complainant"] = {"name": mask_name(row.complainant_name), "phone": mask_phone(row.complainant_phone)}
    return order


def handle(identity: Identity, task_id: str, data: dict) -> dict:
    """Complete a complaint task (reply, transfer, more information, or the supervision note)."""
    order = work_order(identity, task_id)
    if not isinstance(data, dict):
        raise ValidationFailed("data must be a JSON object", {"data": ["must be an object"]})
    if identity.username == order["task"].get("assignee") or order["task"].get("assignee") is None:
        return task_service.complete(identity, task_id, data)
    raise Forbidden("该工单已由他人认领")
