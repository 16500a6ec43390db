"""One-time SMS codes for signing a lease.

A code is six digits, kept only as an HMAC-SHA256 under the application's secret key, valid for
:data:`TTL` and for :data:`MAX_ATTEMPTS` wrong tries; a new code replaces the unused ones of the
same lease, and a code can be used once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.l10n import Message
from app.models import SigningCode
from app.services.errors import Conflict, ValidationFailed

TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
RESEND_AFTER = timedelta(seconds=30)


class WrongCode(ValidationFailed):
    code = "signing_code_wrong"


class CodeTooSoon(Conflict):
    code = "signing_code_too_soon"


def code_hash(secret: str, lease_no: str, code: str) -> str:
    """The stored form of ``code`` (keyed, so a leaked table does not reveal codes)."""
    return hmac.new(secret.encode(), f"{lease_no}:{code}".encode(), hashlib.sha256).hexdigest()


def issue(session: Session, secret: str, lease_no: str, username: str, now: datetime | None = None) -> str:
    """A new code for ``lease_no``; earlier unused codes stop working."""
    now = now or datetime.now(UTC)
    latest = session.scalar(select(SigningCode).where(SigningCode.lease_no == lease_no)
                            .order_by(SigningCode.created_at.desc()).limit(1))
    if latest is not None and latest.used_at is None and latest.created_at > now - RESEND_AFTER:
        raise CodeTooSoon("验证码已发送，请 30 秒后再试")
    session.execute(update(SigningCode).where(SigningCode.lease_no == lease_no, SigningCode.used_at.is_(None))
                    .values(used_at=now))
    code = f"{secrets.randbelow(1_000_000):06d}"
    session.add(SigningCode(lease_no=lease_no, username=username, code_hash=code_hash(secret, lease_no, code),
                            expires_at=now + TTL, attempts=0, created_at=now))
    return code


def _refuse(message: str) -> WrongCode:
    return WrongCode(message, {"sms_code": [message]})


def consume(session: Session, secret: str, lease_no: str, username: str, code: str,
            now: datetime | None = None) -> None:
    """Accept ``code`` once, or raise :class:`WrongCode` with a readable reason.

    A wrong try is counted in its own commit by the caller's transaction ending normally, so
    callers must commit even when this raises (see :func:`app.contracts.signing.check_code`).
    """
    now = now or datetime.now(UTC)
    row = session.scalar(select(SigningCode).where(SigningCode.lease_no == lease_no, SigningCode.used_at.is_(None))
                         .order_by(SigningCode.created_at.desc()).limit(1).with_for_update())
    if row is None or row.username != username:
        raise _refuse("请先获取短信验证码")
    if row.expires_at <= now:
        raise _refuse("短信验证码已过期，请重新获取")
    if row.attempts >= MAX_ATTEMPTS:
        raise _refuse("验证码错误次数过多，请重新获取")
    if not hmac.compare_digest(row.code_hash, code_hash(secret, lease_no, (code or "").strip())):
        row.attempts += 1
        left = MAX_ATTEMPTS - row.attempts
        raise _refuse(Message("signing.code_wrong", left=left) if left else "验证码错误次数过多，请重新获取")
    row.used_at = now
