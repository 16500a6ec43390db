"""The audit key (``HOUSING_AUDIT_KEY``) and the keyed digests made with it.

The key lives outside the database, so whoever can write the audit table cannot recompute a
valid chain: every event's hash is an HMAC-SHA256 over its content and its predecessor's hash.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from app.services import context


@dataclass(frozen=True)
class AuditKey:
    """The secret and its public fingerprint (stored with each event and checkpoint)."""

    secret: bytes

    @property
    def key_id(self) -> str:
        """A fingerprint that names the key without revealing it."""
        return hmac.new(self.secret, b"housing-audit key id", hashlib.sha256).hexdigest()[:16]

    def sign(self, message: str) -> str:
        """HMAC-SHA256 of ``message``, hex."""
        return hmac.new(self.secret, message.encode("utf-8"), hashlib.sha256).hexdigest()

    def matches(self, message: str, signature: str) -> bool:
        """True if ``signature`` is this key's HMAC of ``message`` (constant time)."""
        return hmac.compare_digest(self.sign(message), signature or "")


def current_key() -> AuditKey:
    """The application's audit key (from its settings)."""
    return AuditKey(context.settings().audit_key.encode("utf-8"))


def event_body(seq: int, at, actor: str, action: str, subject_type: str, subject_id: str,
               instance_id: str | None, details: dict, prev_hash: str) -> str:
    """The canonical text an event's hash covers."""
    return json.dumps([seq, at.isoformat(), actor, action, subject_type, subject_id, instance_id, details,
                       prev_hash], sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


def event_hash(key: AuditKey, event) -> str:
    """The keyed hash of an :class:`~app.models.AuditEvent`."""
    return key.sign(event_body(event.seq, event.at, event.actor, event.action, event.subject_type,
                               event.subject_id, event.instance_id, event.details, event.prev_hash))


def legacy_hash(event) -> str:
    """The unkeyed SHA-256 of events written before the chain was keyed (``key_id`` "")."""
    body = json.dumps(
        [event.at.isoformat(), event.actor, event.action, event.subject_type, event.subject_id,
         event.instance_id, event.details, event.prev_hash],
        sort_keys=True, ensure_ascii=False, default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
