"""The applicant's messages: every SMS sent to an applicant is kept and shown again in the portal.

The SMS connector (``sms/send``) is called by service tasks, as jobs, and by the contract signing
page for its one-time code. :func:`record_job_results` is called where job results are stored,
in the same transaction, so a message is recorded exactly when its SMS went out; a job that
runs twice records it once (the job id is the message's ``source_key``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.auth.identity import Identity
from app.db import db, utcnow
from app.messages.models import ApplicantMessage
from app.models import Application, ProcessInstance
from app.privacy import mask_phone

SMS_OPERATOR = "sms/send"
#: template variables never kept (a one-time code is for the phone only)
SECRET_PARAMS = ("code",)
#: the SMS templates as the applicant reads them, by template code (English in app/translations/en)
TEMPLATES = {
    "SUPPLEMENT_NOTICE": "您的申请 {application_no} 需要补正材料（第 {count} 次），"
                         "请于 {deadline} 前登录网上门户一次性提交。",
    "APPLICATION_APPROVED": "您的申请 {application_no} 已审核通过并登记轮候，当前轮候序号 {position}。",
    "APPLICATION_REJECTED": "您的申请 {application_no} 未通过：{reason}。{rights}",
    "LEASE_SIGNED": "租赁合同 {lease_no} 已签订，起租日 {starts_on}。",
    "LEASE_SIGN_CODE": "租赁合同 {lease_no} 的电子签约验证码已发送到您的手机（验证码只在短信中显示，请勿告诉他人）。",
    "REVIEW_NOT_ELIGIBLE": "租赁合同 {lease_no} 年审不再符合条件：{reason}。",
    "EXIT_NOTICE": "租赁合同 {lease_no} 退出：{reason}，请于 {deadline} 前搬离。",
    "EXIT_SETTLED": "租赁合同 {lease_no} 退租结算已完成，押金扣除 {kept} 元。",
    "COMPLAINT_REPLY": "您的投诉 {complaint_no} 已答复：{reply}",
    "COMPLAINT_MORE_INFO": "您的投诉 {complaint_no} 需要补充信息：{request}",
}
#: a template this list does not know
OTHER_TEMPLATE = "系统通知（{template}）"
SUBJECT_PARAMS = ("application_no", "lease_no", "complaint_no")


def record_sms(session: Session, *, username: str, phone: str, template: str, params: dict,
               source_key: str) -> None:
    """Keep one SMS sent to ``username``'s phone (once per ``source_key``)."""
    if session.scalar(select(ApplicantMessage.id).where(ApplicantMessage.source_key == source_key)):
        return
    kept = {str(k): str(v) for k, v in (params or {}).items() if k not in SECRET_PARAMS}
    subject = next((kept[k] for k in SUBJECT_PARAMS if kept.get(k)), None)
    session.add(ApplicantMessage(username=username, channel="sms", phone=phone, template=template,
                                 params=kept, subject_no=subject, source_key=source_key, sent_at=utcnow()))


def recipient(session: Session, instance_id: str | None, phone: str) -> str | None:
    """The portal account an SMS went to: the applicant of the case that sent it, else the
    applicant whose application gave that phone number (the newest such application)."""
    if instance_id:
        summary = session.scalar(select(ProcessInstance.summary).where(ProcessInstance.id == instance_id)) or {}
        if summary.get("applicant_username"):
            return str(summary["applicant_username"])
    return session.scalar(select(Application.applicant_username).where(Application.applicant_phone == phone)
                          .order_by(Application.id.desc()).limit(1))


def record_job_results(session: Session, results: Iterable[tuple[object, dict]]) -> None:
    """Keep the SMS of every succeeded ``sms/send`` job among ``results`` ((call, result) pairs)."""
    for call, _result in results:
        if getattr(call, "operator", None) != SMS_OPERATOR:
            continue
        params = getattr(call, "params", None) or {}
        phone = str(params.get("phone") or "")
        username = recipient(session, getattr(call, "instance_id", None), phone)
        if username and phone:
            record_sms(session, username=username, phone=phone, template=str(params.get("template") or ""),
                       params=params.get("params") or {}, source_key=f"job:{call.id}")  # type: ignore[attr-defined]


def text_of(template: str, params: dict) -> tuple[str, dict]:
    """The template sentence (Chinese, the catalogue key) and the values that fill it."""
    sentence = TEMPLATES.get(template)
    if sentence is None:
        return OTHER_TEMPLATE, {"template": template}
    return sentence, _Blank(params or {})


class _Blank(dict):
    """Template values where a missing one reads as empty, not as an error."""

    def __missing__(self, key: str) -> str:
        return ""


def my_messages(identity: Identity, limit: int = 100) -> list[dict]:
    """The identity's messages, newest first, with the phone masked."""
    with db.session() as session:
        rows = session.scalars(select(ApplicantMessage).where(ApplicantMessage.username == identity.username)
                               .order_by(ApplicantMessage.sent_at.desc(), ApplicantMessage.id.desc())
                               .limit(limit)).all()
    return [{"id": r.id, "template": r.template, "params": r.params or {}, "subject_no": r.subject_no,
             "phone_masked": mask_phone(r.phone), "sent_at": r.sent_at, "read": r.read_at is not None}
            for r in rows]


def unread_count(username: str) -> int:
    """How many of ``username``'s messages are unread."""
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(ApplicantMessage).where(
            ApplicantMessage.username == username, ApplicantMessage.read_at.is_(None))) or 0


def mark_read(identity: Identity, now: datetime | None = None) -> int:
    """Mark every message of the identity read (they have seen the list); returns how many."""
    with db.transaction() as session:
        result = session.execute(update(ApplicantMessage).where(
            ApplicantMessage.username == identity.username, ApplicantMessage.read_at.is_(None))
            .values(read_at=now or utcnow()))
    return result.rowcount or 0  # type: ignore[attr-defined]
