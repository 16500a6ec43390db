"""One household, one open application: an ID number — the applicant's or any declared member's —
is in at most one open application per housing type, across all accounts.

A case holds a :class:`~app.models.HouseholdClaim` per ID number of its household from the
moment it is registered (in the same transaction as the case row) until it closes (rejected,
withdrawn, exited). :func:`check_free` is the early, friendly check with the form field of each
number; the unique constraint on (housing type, ID number) is what makes two submissions at
once end with one case: the second transaction's insert waits for the first and then fails,
and :func:`conflict_after_race` turns that failure into the same refusal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from app.db import db, utcnow
from app.models import Application, HouseholdClaim
from app.models.case import CLOSED_STATUSES
from app.privacy import mask_application_no, mask_id_number
from app.services.errors import Conflict

__all__ = ["CLOSED_STATUSES", "DuplicateApplication", "check_free", "claim", "conflict_after_race",
           "form_numbers", "release"]

_HOUSING_NAMES = {"gongzufang": "公租房", "baozufang": "保租房"}


class DuplicateApplication(Conflict):
    """An ID number is already in another open application of the same housing type.

    ``existing_application`` is that application's number, masked (it may be someone else's);
    ``errors`` names the form field of the number, for pages and the batch import report.
    """

    code = "duplicate_application"

    def __init__(self, id_number: str, housing_type: str, application_no: str, field: str | None = None):
        masked_no, masked_id = mask_application_no(application_no), mask_id_number(id_number)
        housing = _HOUSING_NAMES.get(housing_type, housing_type)
        detail = (f"身份证号码 {masked_id} 已在{housing}申请 {masked_no} 中，该申请尚未办结；"
                  "同一身份证号码同一住房类型只能有一个在办申请")
        super().__init__(detail, existing_application=masked_no, housing_type=housing_type, id_number=masked_id)
        self.errors = {field or "_": [detail]}


def form_numbers(form: Mapping) -> dict[str, str]:
    """Field path → ID number of an application form: every declared member, and the applicant
    (under their member row when they are one, which is where a page or a sheet shows the number)."""
    numbers: dict[str, str] = {}
    for i, member in enumerate((form.get("household") or {}).get("members") or []):
        numbers[f"household.members.{i}.id_number"] = str(member.get("id_number") or "")
    applicant = str((form.get("applicant") or {}).get("id_number") or "")
    if applicant not in numbers.values():
        numbers["applicant.id_number"] = applicant
    return {path: number for path, number in numbers.items() if number}


def check_free(session: Session, housing_type: str, numbers: Mapping[str, str],
               application_id: int | None = None) -> None:
    """Raise :class:`DuplicateApplication` for the first of ``numbers`` (field → ID number) that an
    open application other than ``application_id`` holds for ``housing_type``."""
    taken = _holders(session, housing_type, numbers.values(), application_id)
    for field, number in numbers.items():
        if number in taken:
            raise DuplicateApplication(number, housing_type, taken[number], field)


def claim(session: Session, case: Application) -> None:
    """Make the case's claims its household's ID numbers now (no commit).

    Numbers no longer in the household are released; a number another open application holds
    raises :class:`DuplicateApplication`. A closed case claims nothing.
    """
    inserted = case in session.new  # a case this transaction inserts can hold no claim yet
    session.flush()  # the case and its members have their ids
    if case.status in CLOSED_STATUSES:
        release(session, case.id)
        return
    numbers = {m.id_number for m in case.members} | {case.applicant_id_number}
    mine = {} if inserted else {c.id_number: c for c in session.scalars(
        select(HouseholdClaim).where(HouseholdClaim.application_id == case.id))}
    for number, row in mine.items():
        if number not in numbers or row.housing_type != case.housing_type:
            session.delete(row)
    wanted = sorted(n for n in numbers if n not in mine or mine[n].housing_type != case.housing_type)
    if not wanted:
        return
    check_free(session, case.housing_type, {n: n for n in wanted}, case.id)
    session.flush()
    session.add_all(HouseholdClaim(housing_type=case.housing_type, id_number=n, application_id=case.id,
                                   application_no=case.application_no, claimed_at=utcnow()) for n in wanted)
    session.flush()  # a concurrent claim of the same number makes this wait, then fail


def release(session: Session, application_id: int) -> None:
    """Free every ID number the case holds (it closed)."""
    session.execute(delete(HouseholdClaim).where(HouseholdClaim.application_id == application_id))


def conflict_after_race(housing_type: str, numbers: Mapping[str, str]) -> DuplicateApplication | None:
    """After a failed insert: the refusal for the number another transaction claimed first, if any."""
    with db.session() as session:
        taken = _holders(session, housing_type, numbers.values(), None)
    return next((DuplicateApplication(number, housing_type, taken[number], field)
                 for field, number in numbers.items() if number in taken), None)


def _holders(session: Session, housing_type: str, numbers: Iterable[str],
             application_id: int | None) -> dict[str, str]:
    numbers = sorted(set(numbers))
    if not numbers:
        return {}
    params = {"housing_type": housing_type, "numbers": numbers}
    if application_id is None:
        return dict(session.execute(_HOLDERS, params).all())
    return dict(session.execute(_OTHER_HOLDERS, {**params, "application_id": application_id}).all())


#: the open applications holding some ID numbers (every start and registration asks: built once)
_HOLDERS = select(HouseholdClaim.id_number, HouseholdClaim.application_no).where(
    HouseholdClaim.housing_type == bindparam("housing_type"),
    HouseholdClaim.id_number.in_(bindparam("numbers", expanding=True)))
_OTHER_HOLDERS = _HOLDERS.where(HouseholdClaim.application_id != bindparam("application_id"))
