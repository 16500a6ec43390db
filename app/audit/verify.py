"""Reading the audit trail back: every chain, its head, and the last signed checkpoint.

A break names the subject and, where there is one, the event. What is caught:

- an edited or forged event: its keyed hash does not match (without the key, a recomputed
  chain does not match either);
- a deleted, inserted or reordered event inside a chain: sequence or ``prev_hash`` link breaks;
- a deleted tail: the chain head (or, if the head was rewritten too, the last checkpoint) holds
  a longer chain than the events;
- a deleted subject: its head or its checkpoint leaf remains with no events.

Events written after the last checkpoint whose head was rewritten together with them can only
be caught from the next checkpoint on; the scheduler keeps that window short.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from app.audit.checkpoint import Checkpoint, latest
from app.audit.keys import AuditKey, current_key, event_hash, legacy_hash
from app.models import AuditChainHead, AuditEvent

#: at most this many breaks are listed in a report (all are counted)
MAX_LISTED = 100
PROBLEMS = {
    "hash_mismatch": "事件内容与其密钥哈希不符（被修改、伪造或未用审计密钥重算）"
                     " / the event does not match its keyed hash (edited, forged or recomputed)",
    "other_key": "事件由另一密钥签署 / the event is signed with another key",
    "unkeyed_event": "最近检查点之后出现未加密钥的事件（伪造）/ an unkeyed event after the last checkpoint (forged)",
    "link_broken": "事件的前一哈希与链中上一事件不符（事件被删除、插入或重排）"
                   " / prev_hash does not match the previous event (deleted, inserted or reordered)",
    "seq_gap": "事件序号不连续（中间事件被删除或插入）/ sequence gap (an event deleted or inserted)",
    "head_mismatch": "链头记录与最新事件不符（末尾事件被删除或链头被改写）"
                     " / the chain head does not match the newest event (tail deleted or head rewritten)",
    "head_missing": "主体有事件但没有链头记录 / events without a chain head",
    "subject_missing": "链头仍在但该主体的事件全部缺失（主体被删除）/ the subject's events are all gone",
    "checkpoint_mismatch": "与最近检查点不符：检查点时的事件已缺失或被替换（末尾或主体被删除）"
                           " / differs from the last checkpoint (tail or subject deleted since)",
    "checkpoint_invalid": "最近检查点无法验证 / the last checkpoint cannot be trusted",
}


@dataclass(frozen=True)
class Break:
    """One place where the trail is not what was written."""

    subject_type: str
    subject_id: str
    problem: str
    event_id: int | None = None
    seq: int | None = None
    detail: str = ""

    @property
    def message(self) -> str:
        """A readable sentence, Chinese first."""
        where = f"主体 {self.subject_type}/{self.subject_id}"
        if self.event_id is not None:
            where += f" 的事件 #{self.event_id}（第 {self.seq} 个）"
        elif self.seq is not None:
            where += f" 的第 {self.seq} 个事件"
        text = f"{where}：{PROBLEMS[self.problem]}"
        return f"{text}（{self.detail}）" if self.detail else text

    def as_json(self) -> dict:
        return {"subject_type": self.subject_type, "subject_id": self.subject_id, "problem": self.problem,
                "event_id": self.event_id, "seq": self.seq, "detail": self.detail, "message": self.message}


@dataclass
class Report:
    """What one verification found."""

    scope: str = "full"
    subjects: int = 0
    events: int = 0
    unkeyed: int = 0
    checkpoint: Checkpoint | None = None
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    def summary(self) -> str:
        """One line, Chinese first."""
        cp = f"，对照检查点 #{self.checkpoint.id}" if self.checkpoint and self.checkpoint.id else "，尚无检查点"
        head = (f"审计链完整：{self.subjects} 个主体、{self.events} 个事件{cp}" if self.ok else
                f"审计链被破坏：{len(self.breaks)} 处（{self.subjects} 个主体、{self.events} 个事件{cp}）")
        english = (f"audit trail intact: {self.subjects} subjects, {self.events} events" if self.ok else
                   f"audit trail BROKEN in {len(self.breaks)} place(s)")
        extra = f"；其中 {self.unkeyed} 个为启用密钥前的旧事件" if self.unkeyed else ""
        return f"{head}{extra} / {english}"


def verify(session: Session, since: datetime | None = None, checkpoint: Checkpoint | None = None,
           key: AuditKey | None = None) -> Report:
    """Verify every chain (or, with ``since``, the chains written to since then), every chain head
    and the last checkpoint (or the one given, e.g. a copy kept outside the database)."""
    key = key or current_key()
    report = Report(scope="since" if since else "full")
    cp = checkpoint if checkpoint is not None else latest(session)
    report.checkpoint = cp
    cp_leaves: dict = {}
    if cp is not None:
        problems = cp.problems(key)
        if problems:
            report.breaks.append(Break("audit_checkpoint", str(cp.id or "file"), "checkpoint_invalid",
                                       detail="；".join(problems)))
        else:
            cp_leaves = cp.by_subject()
    heads = {(t, i): (h, n) for t, i, h, n in session.execute(
        select(AuditChainHead.subject_type, AuditChainHead.subject_id, AuditChainHead.head_hash,
               AuditChainHead.count))}
    query = select(AuditEvent).order_by(AuditEvent.subject_type, AuditEvent.subject_id, AuditEvent.seq)
    if since is not None:
        touched = select(AuditEvent.subject_type, AuditEvent.subject_id).where(AuditEvent.at >= since).distinct()
        query = query.where(tuple_(AuditEvent.subject_type, AuditEvent.subject_id).in_(touched))
    seen: set = set()
    stream = session.scalars(query.execution_options(yield_per=1000))
    for subject, events in groupby(stream, key=lambda e: (e.subject_type, e.subject_id)):
        seen.add(subject)
        _add(report, check_chain(subject, events, heads.get(subject), cp_leaves.get(subject), cp is not None, key,
                                 report))
    for subject in set(heads) | set(cp_leaves):
        if subject in seen:
            continue
        _add(report, _unseen(session, subject, heads.get(subject), cp_leaves.get(subject), since is not None))
    report.subjects = len(seen) if since else len(seen | {s for s, (_, n) in heads.items() if n})
    return report


def verify_subject(session: Session, subject_type: str, subject_id: str,
                   checkpoint: Checkpoint | None = None) -> list[Break]:
    """The breaks in one subject's chain, checked against its head and the last checkpoint
    (or the one given)."""
    key = current_key()
    cp = checkpoint if checkpoint is not None else latest(session)
    subject = (subject_type, subject_id)
    row = session.execute(select(AuditChainHead.head_hash, AuditChainHead.count).where(
        AuditChainHead.subject_type == subject_type, AuditChainHead.subject_id == subject_id)).one_or_none()
    head: tuple[str, int] | None = (row[0], row[1]) if row else None
    events = list(session.scalars(select(AuditEvent).where(
        AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id).order_by(AuditEvent.seq)))
    leaf = cp.by_subject().get(subject) if cp is not None and not cp.problems(key) else None
    if not events:
        return list(_unseen(session, subject, head, leaf, False))
    return list(check_chain(subject, iter(events), head, leaf, cp is not None, key,
                            Report()))


def check_chain(subject: tuple[str, str], events: Iterator[AuditEvent], head: tuple[str, int] | None,
                leaf: tuple[str, int] | None, sealed: bool, key: AuditKey, report: Report) -> Iterator[Break]:
    """Walk one subject's events in sequence; yield every break."""
    stype, sid = subject
    prev_hash, prev_seq, at_leaf = "", 0, None
    for event in events:
        report.events += 1
        if event.seq != prev_seq + 1:
            yield Break(stype, sid, "seq_gap", event.id, event.seq,
                        f"期望第 {prev_seq + 1} 个 / expected {prev_seq + 1}")
        elif event.prev_hash != prev_hash:
            yield Break(stype, sid, "link_broken", event.id, event.seq)
        if event.key_id == key.key_id:
            good = event_hash(key, event) == event.hash
            if not good:
                yield Break(stype, sid, "hash_mismatch", event.id, event.seq)
        elif event.key_id:
            yield Break(stype, sid, "other_key", event.id, event.seq, event.key_id)
        else:  # before the chain was keyed: only what a checkpoint sealed (or all, before the first)
            report.unkeyed += 1
            if sealed and (leaf is None or event.seq > leaf[1]):
                yield Break(stype, sid, "unkeyed_event", event.id, event.seq)
            elif legacy_hash(event) != event.hash:
                yield Break(stype, sid, "hash_mismatch", event.id, event.seq)
        if leaf is not None and event.seq == leaf[1]:
            at_leaf = event.hash
        prev_hash, prev_seq = event.hash, event.seq
    if head is None:
        yield Break(stype, sid, "head_missing", seq=prev_seq)
    elif head != (prev_hash, prev_seq):
        yield Break(stype, sid, "head_mismatch", seq=prev_seq,
                    detail=f"链头记 {head[1]} 个事件，实有 {prev_seq} 个 / head says {head[1]}, chain has {prev_seq}")
    if leaf is not None and at_leaf != leaf[0]:
        yield Break(stype, sid, "checkpoint_mismatch", seq=leaf[1],
                    detail=f"检查点时有 {leaf[1]} 个事件，现有 {prev_seq} 个"
                           f" / checkpoint had {leaf[1]}, now {prev_seq}")


def _unseen(session: Session, subject, head, leaf, partial: bool) -> Iterable[Break]:
    """A subject with a head or a checkpoint leaf whose events were not walked."""
    stype, sid = subject
    if not partial:  # a full walk saw no event at all: they were deleted
        if head is not None and head[1]:
            yield Break(stype, sid, "subject_missing", seq=head[1])
        elif leaf is not None:
            yield Break(stype, sid, "checkpoint_mismatch", seq=leaf[1], detail="事件已全部缺失 / no event left")
        return
    if leaf is None:
        return
    if head is not None and head == leaf:
        return
    hash_then = session.scalar(select(AuditEvent.hash).where(
        AuditEvent.subject_type == stype, AuditEvent.subject_id == sid, AuditEvent.seq == leaf[1]))
    if hash_then != leaf[0] or head is None or head[1] < leaf[1]:
        yield Break(stype, sid, "checkpoint_mismatch", seq=leaf[1])


def _add(report: Report, breaks: Iterable[Break]) -> None:
    for b in breaks:
        report.breaks.append(b)
