"""在线选房 for the households and the staff: the live view of a round, and taking a unit.

A household takes a unit with :func:`choose` in its own window (the ready ``choose_unit`` task
assigned to it). The take is one transaction under the round's instance lock: a conditional
``UPDATE housing_unit SET status = 'reserved' … WHERE status = 'vacant'`` (PostgreSQL re-checks
the condition after waiting on the row lock, so of two households of two parallel rounds only
one can take a unit), the status-change row, and the completed task. The loser gets
:class:`UnitTaken` and reads the list again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from app.auth.identity import Identity
from app.db import db, utcnow
from app.engine.runtime import TaskNotReady as EngineTaskNotReady
from app.l10n import Message
from app.models import AllocationRound, Application, HumanTask, Offer, WaitingListEntry
from app.services.case_service import in_district
from app.services.errors import Conflict, Forbidden, NotFound, TaskNotReady, ValidationFailed
from app.services.step import Step, with_instance
from app.stock.models import HousingProject, HousingUnit, UnitStatusChange
from handlers import choice as turns

STAFF_ROLES = ("city_reviewer", "district_reviewer")
TASK = "choose_unit"
FORM = "choose_unit.schema.json"
#: how each turn reads (Offer.status, plus "waiting" for a household whose turn has not come)
TURN_STATUS = {"waiting": "等待选房", "choosing": "正在选房", "accepted": "已选定",
               "expired": "逾期未选（计为放弃一次）", "passed": "无匹配房源，本轮跳过"}
ROUND_STATUS = {"committed": "未开始", "choosing": "选房进行中", "closed": "选房已结束"}


class RoundNotFound(NotFound):
    code = "choice_round_not_found"


class NotYourTurn(Conflict):
    code = "not_your_turn"


class UnitTaken(Conflict):
    code = "unit_taken"


@dataclass
class _Round:
    row: AllocationRound
    offers: dict[str, Offer]
    task: HumanTask | None


def _load(session: Session, round_no: str) -> _Round:
    row = session.scalar(select(AllocationRound).where(AllocationRound.round_no == round_no,
                                                       AllocationRound.method == "choice"))
    if row is None:
        raise RoundNotFound(Message("choice.round_not_found", round_no=round_no))
    offers = {o.application_no: o for o in session.scalars(select(Offer).where(Offer.round_id == row.id))}
    task = session.scalar(select(HumanTask).where(HumanTask.business_key == round_no, HumanTask.bpmn_id == TASK,
                                                  HumanTask.status == "ready"))
    return _Round(row, offers, task)


def _seconds_left(due: datetime | None) -> int | None:
    if due is None:
        return None
    if due.tzinfo is None:
        due = due.replace(tzinfo=utcnow().tzinfo)
    return max(0, int((due - utcnow()).total_seconds()))


def _current(session: Session, r: _Round) -> dict | None:
    """Whose turn it is (masked name), until when."""
    if r.task is None:
        return None
    offer = next((o for o in r.offers.values() if o.status == turns.OPEN), None)
    if offer is None:
        return None
    case = session.get(Application, offer.application_id)
    if case is None:
        return None
    return {"rank": offer.rank, "application_no": offer.application_no, "name": case.applicant_name_masked,
            "due_at": r.task.due_at.isoformat() if r.task.due_at else None,
            "seconds_left": _seconds_left(r.task.due_at)}


def unit_view(unit: HousingUnit, project: HousingProject | None) -> dict:
    """What a household reads of a unit to choose it."""
    return {"code": unit.code, "project": project.name if project else "", "address": unit.address,
            "layout": unit.layout, "rooms": unit.rooms, "usable_area": unit.usable_area, "floor": unit.floor,
            "monthly_rent": unit.monthly_rent, "facilities": list(unit.facilities), "accessible": unit.accessible}


def _with_projects(session: Session, units: list[HousingUnit]) -> list[dict]:
    ids = {u.project_id for u in units}
    projects = {p.id: p for p in session.scalars(select(HousingProject).where(HousingProject.id.in_(ids)))}
    return [unit_view(u, projects.get(u.project_id)) for u in units]


def _mine(session: Session, identity: Identity, r: _Round) -> Application:
    case = session.scalar(select(Application).where(Application.application_no.in_(r.row.participants),
                                                    Application.applicant_username == identity.username))
    if case is None:
        raise RoundNotFound(Message("choice.not_in_round", round_no=r.row.round_no))
    return case


def _turn_over(session: Session, r: _Round, number: str) -> bool:
    """Whether the household's turn came and went: it missed it or was passed over, or it took a unit
    (recorded on its turn by a job a moment later)."""
    had = r.offers.get(number)
    if had is None:
        return False
    if had.status != turns.OPEN:
        return True
    codes = [u.get("code") for u in r.row.units]
    return session.scalar(select(HousingUnit.id).where(HousingUnit.held_by == number, HousingUnit.code.in_(codes),
                                                       HousingUnit.status == "reserved").limit(1)) is not None


def for_household(identity: Identity, round_no: str) -> dict:
    """The round as one household sees it: its place, whose turn it is, the units it may still choose."""
    with db.session() as session:
        r = _load(session, round_no)
        case = _mine(session, identity, r)
        offer = r.offers.get(case.application_no)
        status = offer.status if offer else "waiting"
        entry = session.scalar(select(WaitingListEntry).where(WaitingListEntry.application_no == case.application_no))
        units = (_with_projects(session, turns.units_left(session, r.row, turns.band_of(session, r.row, entry)))
                 if r.row.status != "closed" else [])
        order = r.row.result or r.row.participants
        my_turn = bool(r.task and r.task.assignee == identity.username and status == turns.OPEN)
        return {"round_no": r.row.round_no, "district": r.row.district, "housing_type": r.row.housing_type,
                "round_status": r.row.status, "application_no": case.application_no,
                "rank": order.index(case.application_no) + 1 if case.application_no in order else None,
                "households": len(order), "status": status, "my_turn": my_turn,
                "task_id": r.task.id if my_turn and r.task else None,
                "chosen": {"code": offer.unit_code, "address": offer.unit_address, "usable_area": offer.unit_area,
                           "monthly_rent": offer.monthly_rent} if offer and offer.status == "accepted" else None,
                "current": _current(session, r), "units": units}


def progress(identity: Identity, round_no: str) -> dict:
    """The round as staff follow it: every household in rank order, what it did, whose turn it is."""
    if not (identity.is_admin or set(identity.roles) & set(STAFF_ROLES)):
        raise Forbidden("选房进度仅供住房保障工作人员查看")
    with db.session() as session:
        r = _load(session, round_no)
        if not in_district(identity, r.row.district):
            raise RoundNotFound(Message("choice.round_not_found", round_no=round_no))
        order = r.row.result or r.row.participants
        cases = {c.application_no: c for c in session.scalars(select(Application).where(
            Application.application_no.in_(order)))}
        rows = []
        for rank, number in enumerate(order, start=1):
            offer = r.offers.get(number)
            case = cases.get(number)
            rows.append({"rank": rank, "application_no": number, "name": case.applicant_name_masked if case else "",
                         "status": offer.status if offer else "waiting", "unit_code": offer.unit_code if offer else "",
                         "at": offer.responded_at.isoformat() if offer and offer.responded_at else None})
        codes = [u.get("code") for u in r.row.units]
        left = len(session.scalars(select(HousingUnit.id).where(HousingUnit.code.in_(codes),
                                                                HousingUnit.status == "vacant")).all())
        counts = {k: sum(1 for x in rows if x["status"] == k) for k in TURN_STATUS}
        return {"round_no": r.row.round_no, "district": r.row.district, "housing_type": r.row.housing_type,
                "round_status": r.row.status, "units_total": len(codes), "units_left": left, "rows": rows,
                "counts": counts, "current": _current(session, r)}


def choose(identity: Identity, round_no: str, unit_code: str) -> dict:
    """Take ``unit_code`` in the caller's window; :class:`UnitTaken` when another household was first."""
    unit_code = (unit_code or "").strip()
    if not unit_code:
        raise ValidationFailed("请选择一套房源", errors={"unit_code": ["请选择一套房源"]})
    with db.session() as session:
        r = _load(session, round_no)
        case = _mine(session, identity, r)
        task = r.task if r.task and r.task.assignee == identity.username else None
        if task is None:
            if _turn_over(session, r, case.application_no):
                raise NotYourTurn("您的选房时间已结束")
            raise NotYourTurn("现在不是您的选房时间，请等待轮到您家庭")
        task_id, instance_id, number = task.id, task.instance_id, case.application_no

    def action(step: Step) -> dict:
        session = step.session
        row = session.scalar(select(HumanTask).where(HumanTask.id == task_id).with_for_update())
        if row is None or row.status != "ready":
            raise NotYourTurn("您的选房时间已结束")
        round_row = session.scalars(select(AllocationRound).where(AllocationRound.round_no == round_no)).one()
        offer = session.scalar(select(Offer).where(Offer.round_id == round_row.id, Offer.application_no == number))
        if offer is None or offer.status != turns.OPEN:
            raise NotYourTurn("您的选房时间已结束")
        unit = session.scalar(select(HousingUnit).where(HousingUnit.code == unit_code))
        if unit is None or unit_code not in {u.get("code") for u in round_row.units}:
            raise ValidationFailed("本轮没有这套房源", errors={"unit_code": ["本轮没有这套房源"]})
        entry = session.scalar(select(WaitingListEntry).where(WaitingListEntry.application_no == number))
        if not turns.band_of(session, round_row, entry).allows(unit):
            message = "这套房源不在您家庭可选的户型、面积范围内"
            raise ValidationFailed(message, errors={"unit_code": [message]})
        reason = f"在线选房 {round_no} 第{offer.rank}位选定"
        take = (update(HousingUnit).where(HousingUnit.id == unit.id, HousingUnit.status == "vacant")
                .values(status="reserved", held_by=number, updated_at=utcnow())
                .execution_options(synchronize_session=False))
        taken: CursorResult = session.execute(take)  # type: ignore[assignment]
        if taken.rowcount != 1:
            raise UnitTaken(Message("choice.unit_taken", code=unit_code))
        session.add(UnitStatusChange(unit_id=unit.id, from_status="vacant", to_status="reserved",
                                     actor=identity.username, reason=reason, ref=number, changed_at=utcnow()))
        try:
            step.run.complete_user_task(task_id, {"unit_code": unit_code})
        except EngineTaskNotReady as exc:  # the engine no longer waits for this pick (the window closed)
            raise NotYourTurn("您的选房时间已结束") from exc
        row.status, row.completed_at, row.completed_by = "completed", utcnow(), identity.username
        step.audit("task.completed", {"task_id": task_id, "bpmn_id": TASK, "name": row.name,
                                      "data": {"unit_code": unit_code}})
        step.audit("choice.unit_taken", {"round_no": round_no, "application_no": number, "unit_code": unit_code})
        return {"round_no": round_no, "application_no": number, "unit_code": unit_code, "address": unit.address}

    try:
        return with_instance(instance_id, action, identity.username)
    except TaskNotReady as exc:
        raise NotYourTurn("您的选房时间已结束") from exc


def refuse_plain_completion(identity: Identity, task: HumanTask, data: dict) -> dict:
    """The generic task page cannot take a unit: the pick goes through :func:`choose` (atomic)."""
    message = "请在在线选房页面选定房源"
    raise ValidationFailed(message, errors={"unit_code": [message]})


def my_rounds(identity: Identity) -> list[dict]:
    """The open choice rounds the caller's household takes part in (for the portal)."""
    with db.session() as session:
        numbers = list(session.scalars(select(Application.application_no)
                                       .where(Application.applicant_username == identity.username)))
        if not numbers:
            return []
        rows = session.scalars(select(AllocationRound).where(AllocationRound.method == "choice",
                                                             AllocationRound.status != "closed")
                               .order_by(AllocationRound.created_at.desc()).limit(20))
        return [{"round_no": r.round_no, "status": r.status} for r in rows if set(numbers) & set(r.participants)]

