"""Signing a lease: the one-time code sent to the tenant of record, its check when the
``sign_lease`` task is completed, the sealed PDF, and the verification of a contract.

Only the applicant of record may complete the signing task (an administrator cannot do it for
them), and only with the code the SMS gateway delivered to the case's phone number; the signer's
name comes from the case, never from the form.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from sqlalchemy import select

from app.auth.identity import Identity
from app.contracts import codes
from app.contracts.keys import SigningKeyError, load_material
from app.contracts.render import font_file
from app.contracts.seal import PadesSealer
from app.contracts.verify import Verdict, verify_pdf
from app.db import db
from app.engine.operators import OperatorContext, OperatorError, registry
from app.l10n import Message
from app.models import Application, HumanTask, Lease
from app.privacy import mask_phone
from app.services import context, task_service
from app.services.errors import DomainError, Forbidden, NotFound

FORM_KEY = "lease_signing.schema.json"
SMS_TEMPLATE = "LEASE_SIGN_CODE"


class SigningTaskNotFound(NotFound):
    code = "signing_task_not_found"


class CodeNotSent(DomainError):
    code = "signing_code_not_sent"


class ContractNotFound(NotFound):
    code = "contract_not_found"


def _lease_and_case(session, task: HumanTask) -> tuple[Lease, Application]:
    lease = session.scalar(select(Lease).where(Lease.instance_id == task.instance_id)
                           .order_by(Lease.created_at.desc()).limit(1))
    case = session.get(Application, lease.application_id) if lease else None
    if lease is None or case is None:
        raise SigningTaskNotFound(Message("signing.no_lease", task=task.id))
    return lease, case


def _require_tenant(identity: Identity, case: Application) -> None:
    if not case.applicant_username or identity.username != case.applicant_username:
        raise Forbidden("只有承租人本人可以签署租赁合同")


def signing_view(identity: Identity, task_id: str) -> dict:
    """What the signing page shows: the lease number, the contract's text, the masked phone."""
    task = task_service.get_task(identity, task_id)
    with db.session() as session:
        lease, case = _lease_and_case(session, task)
        return {"lease_no": lease.lease_no, "contract_text": lease.contract_text or "",
                "phone_masked": mask_phone(case.applicant_phone),
                "is_tenant": identity.username == case.applicant_username}


def send_code(identity: Identity, task_id: str) -> dict:
    """Send a new one-time code to the case's phone through the SMS connector."""
    task = task_service.get_task(identity, task_id)
    if task.form_key != FORM_KEY or task.status != "ready":
        raise SigningTaskNotFound(Message("signing.not_a_signing_task", task=task_id))
    secret = context.settings().secret_key
    with db.transaction() as session:
        lease, case = _lease_and_case(session, task)
        _require_tenant(identity, case)
        code = codes.issue(session, secret, lease.lease_no, identity.username)
        lease_no, phone = lease.lease_no, case.applicant_phone
    ctx = OperatorContext(idempotency_key=f"sign-code-{uuid.uuid4().hex}", instance_id=task.instance_id,
                          task_id=task_id, settings=context.settings())
    try:
        registry.get("sms/send").func({"phone": phone, "template": SMS_TEMPLATE,
                                       "params": {"code": code, "lease_no": lease_no}}, ctx)
    except OperatorError as exc:
        raise CodeNotSent(Message("signing.code_not_sent", reason=str(exc))) from None
    from app.messages import service as messages

    with db.transaction() as session:  # the portal's 消息 list shows that a code was sent (never the code)
        messages.record_sms(session, username=identity.username, phone=phone, template=SMS_TEMPLATE,
                            params={"code": code, "lease_no": lease_no}, source_key=ctx.idempotency_key)
    return {"lease_no": lease_no, "phone_masked": mask_phone(phone), "expires_in": int(codes.TTL.total_seconds())}


def check_signing(identity: Identity, task: HumanTask, data: dict) -> dict:
    """Completion check of ``sign_lease``: the tenant of record with a valid code, or an error.

    Returns the data the process receives: the agreement, the signer of record and how the
    signature was confirmed (never the code).
    """
    secret = context.settings().secret_key
    refusal: Exception | None = None
    with db.transaction() as session:  # committed even when the code is wrong: the try counts
        lease, case = _lease_and_case(session, task)
        _require_tenant(identity, case)
        try:
            codes.consume(session, secret, lease.lease_no, identity.username, str(data.get("sms_code", "")))
        except codes.WrongCode as exc:
            refusal = exc
        signer = case.applicant_name
    if refusal is not None:
        raise refusal
    return {"agree": data.get("agree", True), "signer_name": signer, "confirmed_by": "sms_code"}


task_service.COMPLETION_CHECKS[FORM_KEY] = check_signing


def seal_contract(settings, lease: Lease, signer_name: str, signed_at: datetime) -> bytes:
    """The lease's contract with the platform's PAdES signature for ``signer_name``."""
    try:
        material = load_material(settings)
    except SigningKeyError as exc:
        raise OperatorError("SigningKeyMissing", str(exc), retryable=False) from None
    sealer = PadesSealer(material, font_file(getattr(settings, "contract_font_file", "")))
    return sealer.seal(bytes(lease.contract_pdf or b""), lease_no=lease.lease_no, signer_name=signer_name,
                       signed_at=signed_at, sha256=lease.contract_sha256)


def certificate_pem() -> bytes:
    """The platform's signing certificate, for anyone checking a contract offline."""
    return load_material(context.settings()).cert_pem


def verify_lease(lease_no: str) -> dict:
    """Is the stored signed contract ``lease_no`` intact (public: no personal data in the answer)."""
    lease_no = (lease_no or "").strip().upper()
    with db.session() as session:
        lease = session.scalar(select(Lease).where(Lease.lease_no == lease_no)) if lease_no else None
        if lease is None or not lease.signed_pdf:
            raise ContractNotFound(Message("signing.no_signed_contract", no=lease_no))
        pdf, stored = bytes(lease.signed_pdf), lease.signed_sha256
    verdict = verify_pdf(pdf, load_material(context.settings()).cert_der, stored)
    return {"lease_no": lease_no, **verdict.as_dict()}


def verify_upload(data: bytes) -> dict:
    """Is an uploaded PDF a signed contract of this platform, unchanged since signing."""
    verdict: Verdict = verify_pdf(data, load_material(context.settings()).cert_der)
    digest = hashlib.sha256(data).hexdigest()
    with db.session() as session:
        lease_no = session.scalar(select(Lease.lease_no).where(Lease.signed_sha256 == digest))
    if lease_no is None and "unsigned" not in verdict.reasons:
        verdict.reasons.append("unknown_contract")
        verdict.intact = False
    return {"lease_no": lease_no or "", **verdict.as_dict()}
