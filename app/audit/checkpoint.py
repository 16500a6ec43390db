"""Signed checkpoints: a Merkle root over every chain head, HMAC-signed with the audit key.

A leaf is one subject's ``[subject_type, subject_id, head_hash, count]``; leaves are sorted and
hashed into a root the RFC 6962 way (``0x00`` before a leaf, ``0x01`` before two children, the
left subtree the largest power of two). The checkpoint keeps its leaves, so a later verification
can name the subject whose tail or whole chain went missing since. ``housing audit checkpoint
--out`` writes the same JSON to a file that can be kept outside the database.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.keys import AuditKey
from app.db import utcnow
from app.models import AuditChainHead, AuditCheckpoint

Leaf = tuple[str, str, str, int]


def leaf_hash(leaf: Leaf) -> bytes:
    body = json.dumps(list(leaf), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(b"\x00" + body.encode("utf-8")).digest()


def merkle_root(leaves: list[Leaf]) -> str:
    """The RFC 6962 Merkle tree hash of ``leaves`` (in the order given), hex."""
    return _mth([leaf_hash(leaf) for leaf in leaves]).hex()


def _mth(hashes: list[bytes]) -> bytes:
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    split = 1 << ((len(hashes) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + _mth(hashes[:split]) + _mth(hashes[split:])).digest()


def signed_text(created_at: str, subjects: int, events: int, root: str) -> str:
    """What a checkpoint's signature covers."""
    return f"housing-audit-checkpoint/1|{created_at}|{subjects}|{events}|{root}"


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint as read back, with its leaves by subject."""

    id: int | None
    created_at: str
    subjects: int
    events: int
    root: str
    key_id: str
    signature: str
    leaves: list[Leaf]

    def problems(self, key: AuditKey) -> list[str]:
        """Why this checkpoint cannot be trusted (empty if its signature and root hold)."""
        out = []
        if self.key_id != key.key_id:
            out.append(f"检查点由另一密钥签署（{self.key_id}）/ signed with another key")
        elif not key.matches(signed_text(self.created_at, self.subjects, self.events, self.root), self.signature):
            out.append("检查点签名无效 / the checkpoint's signature does not match")
        if merkle_root(self.leaves) != self.root or len(self.leaves) != self.subjects:
            out.append("检查点的链头列表与其根哈希不符 / the checkpoint's leaves do not match its root")
        return out

    def by_subject(self) -> dict[tuple[str, str], tuple[str, int]]:
        return {(t, i): (h, n) for t, i, h, n in self.leaves}

    def as_json(self) -> dict:
        return {"id": self.id, "created_at": self.created_at, "subjects": self.subjects, "events": self.events,
                "root": self.root, "key_id": self.key_id, "signature": self.signature,
                "leaves": [list(leaf) for leaf in self.leaves]}

    @classmethod
    def from_json(cls, data: dict) -> Checkpoint:
        return cls(data.get("id"), data["created_at"], int(data["subjects"]), int(data["events"]), data["root"],
                   data["key_id"], data["signature"], [(t, i, h, int(n)) for t, i, h, n in data["leaves"]])

    @classmethod
    def from_row(cls, row: AuditCheckpoint) -> Checkpoint:
        leaves = [(t, i, h, int(n)) for t, i, h, n in json.loads(zlib.decompress(row.leaves))]
        return cls(row.id, row.created_at.isoformat(), row.subjects, row.events, row.root, row.key_id,
                   row.signature, leaves)


def current_leaves(session: Session) -> list[Leaf]:
    """Every chain head, sorted (one statement, so one consistent snapshot)."""
    rows = session.execute(select(AuditChainHead.subject_type, AuditChainHead.subject_id, AuditChainHead.head_hash,
                                  AuditChainHead.count).where(AuditChainHead.count > 0)
                           .order_by(AuditChainHead.subject_type, AuditChainHead.subject_id))
    return [(t, i, h, n) for t, i, h, n in rows]


def latest(session: Session) -> Checkpoint | None:
    """The newest checkpoint, or None before the first."""
    row = session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    return Checkpoint.from_row(row) if row else None


def take(session: Session, key: AuditKey) -> tuple[Checkpoint, bool]:
    """Sign the current chain heads; returns the checkpoint and whether it is new.

    Nothing is written when no chain changed since the newest checkpoint (same root).
    """
    leaves = current_leaves(session)
    root = merkle_root(leaves)
    previous = latest(session)
    if previous is not None and previous.root == root and previous.key_id == key.key_id:
        return previous, False
    now = utcnow()
    events = sum(leaf[3] for leaf in leaves)
    row = AuditCheckpoint(created_at=now, subjects=len(leaves), events=events, root=root, key_id=key.key_id,
                          signature=key.sign(signed_text(now.isoformat(), len(leaves), events, root)),
                          leaves=zlib.compress(json.dumps(leaves, ensure_ascii=False).encode("utf-8")))
    session.add(row)
    session.flush()
    return Checkpoint.from_row(row), True
