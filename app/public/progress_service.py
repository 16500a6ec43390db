"""办理进度查询: an application number plus the last 6 characters of the applicant's ID number.

The answer holds the housing type, the masked name (张*三), the status and current step and
their dates, nothing else: no ID number, phone, address, opinions or remarks. A wrong suffix
and an unknown number get the same refusal after the same work (one lookup, one constant-time
comparison, one audit row), so the answer never tells whether a number exists. Every query,
answered, refused or rate-limited, is audited under ``public_progress`` (without the suffix).
"""

from __future__ import annotations

import hmac
import re
from dataclasses import asdict, dataclass

from sqlalchemy import select

from app.db import db
from app.engine.workdays import CHINA_TZ
from app.models import Application
from app.public import ratelimit
from app.public.errors import ProgressNotMatched, ProgressQueryLimited
from app.services import audit_service
from app.services.errors import ValidationFailed

SUBJECT = "public_progress"
APPLICATION_NO = re.compile(r"^[A-Z]{2,8}[0-9]{4}-[0-9]{1,10}$")
ID_SUFFIX = re.compile(r"^[0-9]{5}[0-9X]$")
#: compared against when the number is unknown, so both refusals cost the same
_DUMMY_SUFFIX = "000000"
REFUSAL = "未查询到办理信息，请核对申请编号和身份证号码后6位"


@dataclass(frozen=True)
class Progress:
    """What the public may see of a case."""

    application_no: str
    housing_type: str
    applicant: str
    status: str
    step: str
    submitted_on: str
    updated_on: str
    closed_on: str | None
    supplement_deadline: str | None

    def as_dict(self) -> dict:
        return asdict(self)


def normalise(application_no: str, id_suffix: str) -> tuple[str, str]:
    """Trimmed, upper-case inputs; raises :class:`ValidationFailed` naming the malformed field."""
    number = (application_no or "").strip().upper()
    suffix = (id_suffix or "").strip().upper()
    errors = {}
    if not APPLICATION_NO.match(number):
        errors["application_no"] = ["申请编号格式应如 GZF2026-000123"]
    if not ID_SUFFIX.match(suffix):
        errors["id_suffix"] = ["请输入身份证号码后6位（5位数字加1位数字或X）"]
    if errors:
        raise ValidationFailed("查询条件不完整", errors)
    return number, suffix


def query(application_no: str, id_suffix: str, address: str) -> Progress:
    """The masked progress of one case, or :class:`ProgressNotMatched` / :class:`ProgressQueryLimited`."""
    number, suffix = normalise(application_no, id_suffix)
    if not ratelimit.allow_progress_query(address, number):
        _audit(number, address, "progress.limited")
        raise ProgressQueryLimited("查询过于频繁，请稍后再试")
    with db.transaction() as session:
        case = session.scalar(select(Application).where(Application.application_no == number))
        actual = (case.applicant_id_number or "")[-6:].upper() if case is not None else _DUMMY_SUFFIX
        matched = hmac.compare_digest(actual.encode(), suffix.encode()) and case is not None
        audit_service.record(session, f"public:{address}", "progress.answered" if matched else "progress.refused",
                             SUBJECT, number, {"address": address},
                             instance_id=case.instance_id if matched and case is not None else None)
        if not matched or case is None:
            answer = None
        else:
            answer = Progress(
                application_no=case.application_no, housing_type=case.housing_type,
                applicant=case.applicant_name_masked, status=case.status, step=case.current_step,
                submitted_on=_day(case.submitted_at), updated_on=_day(case.updated_at),
                closed_on=_day(case.closed_at) if case.closed_at else None,
                supplement_deadline=str((case.supplement or {}).get("deadline") or "")[:10] or None
                if case.status == "supplement_requested" else None,
            )
    if answer is None:
        raise ProgressNotMatched(REFUSAL)
    return answer


def _audit(number: str, address: str, action: str) -> None:
    with db.transaction() as session:
        audit_service.record(session, f"public:{address}", action, SUBJECT, number, {"address": address})


def _day(moment) -> str:
    return moment.astimezone(CHINA_TZ).date().isoformat()
