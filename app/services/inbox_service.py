"""The reviewer inbox (审核工作台): tabs, filters, deadline order, keyset pages, capped counts.

Tabs: ``mine`` (ready tasks claimed by me), ``groups`` (ready, unclaimed tasks of my groups —
the pool to claim from) and ``done`` (tasks I completed, newest first). Visibility is always
a branch of :func:`app.services.task_service.visible_to`, so a street reviewer never sees another district.

Ready tabs sort by due time with tasks without a deadline last. Keyset pages walk that order in
two index-friendly legs — tasks with a deadline by ``(due_at, id)``, then those without by
``id`` — instead of sorting on an expression no index has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import Select, exists, func, or_, select, tuple_

from app.auth.identity import Identity
from app.db import db, utcnow
from app.engine.human_tasks import ANY_STAFF
from app.models import HumanTask, TaskCandidate
from app.services.errors import ValidationFailed
from app.services.instance_service import task_brief
from app.services.sla import Sla, sla_of
from app.services.task_pages import (
    FAR_FUTURE,
    deadline_page,
    decode_cursor,
    encode_cursor,
    no_parallel_workers,
)

TABS = ("mine", "groups", "done")
PAGE_SIZE = 20
MAX_PAGE = 100
COUNT_CAP = 99


@dataclass
class InboxQuery:
    """What the reviewer asked for; every filter optional."""

    tab: str = "mine"
    housing_type: str | None = None
    step: str | None = None
    district: str | None = None
    overdue: bool = False
    application_no: str | None = None
    cursor: str | None = None
    limit: int = PAGE_SIZE


@dataclass
class InboxRow:
    """One task as the inbox lists it, with its deadline state."""

    task: dict
    sla: Sla


@dataclass
class InboxPage:
    """A page of rows, the cursor of the next page, and capped per-tab counts."""

    rows: list[InboxRow]
    next_cursor: str | None
    counts: dict[str, str] = field(default_factory=dict)


def inbox(identity: Identity, q: InboxQuery, with_counts: bool = True) -> InboxPage:
    """One page of ``q.tab`` for ``identity``."""
    if q.tab not in TABS:
        raise ValidationFailed("unknown inbox tab", {"tab": [f"one of {', '.join(TABS)}"]})
    limit = max(1, min(q.limit, MAX_PAGE))
    now = utcnow()
    with db.session() as session:
        no_parallel_workers(session)
        if q.tab == "done":
            tasks, more = _done_page(session, identity, q, limit)
        elif q.tab == "mine":
            tasks, more = _mine_page(session, identity, q, limit, now)
        else:
            tasks, more = _ready_page(session, identity, q, limit, now)
        counts = _counts(session, identity, q, now) if with_counts else {}
    next_cursor = _cursor_after(q.tab, tasks[-1]) if more and tasks else None
    rows = [InboxRow(task_brief(t), sla_of(t.due_at, now) if t.status == "ready" else Sla("none"))
            for t in tasks]
    return InboxPage(rows, next_cursor, counts)


def lands_on_pool(page: InboxPage) -> bool:
    """True when the ``mine`` page shown by default is empty and the group pool has work."""
    return page.counts.get("mine") == "0" and page.counts.get("groups", "0") != "0"


def application_keys(number: str) -> tuple[str, list[str]]:
    """The business keys of every instance of a case, from its number as a clerk types it.

    The application itself is keyed ``GZF…``, its lease ``LGZF…`` and the lease's exit and
    yearly reviews ``LGZF…-exit`` / ``LGZF…-<year>``; either spelling finds them all. Returns
    the application number and the exact keys (the suffixed ones are matched by prefix).
    """
    number = number.strip().upper()
    if number.startswith("L") and number[1:2].isalpha():
        number = number[1:]
    return number, [number, f"L{number}"]


def _tab_query(identity: Identity, q: InboxQuery, tab: str, now: datetime) -> Select:
    """The rows of one tab under the filters, without order or limit."""
    query = select(HumanTask).where(*_tab_conditions(identity, tab))
    if q.housing_type:
        names = [q.housing_type, HOUSING_TYPES.get(q.housing_type, q.housing_type)]  # code or Chinese name
        query = query.where(HumanTask.summary["housing_type"].as_string().in_(names))
    if q.step:
        query = query.where(HumanTask.name == q.step)
    if q.district:
        query = query.where(HumanTask.district == q.district)
    if q.application_no:
        number, keys = application_keys(q.application_no)
        query = query.where(or_(HumanTask.business_key.in_(keys),
                                HumanTask.business_key.startswith(f"L{number}-", autoescape=True),
                                HumanTask.summary["application_no"].as_string() == number))
    if q.overdue and tab != "done":
        query = query.where(HumanTask.due_at < now)
    return query


def _tab_conditions(identity: Identity, tab: str) -> list:
    """Each tab as conditions an index can drive.

    Every ready tab is one branch of :func:`task_service.visible_to` (``mine`` its assignee
    branch, ``groups`` its group-and-district branch, the district part added by
    :func:`_branches`), written out without the ``OR`` that would make PostgreSQL hash every
    candidate row of the user's groups before the first row.
    ``done`` is the user's own completed work.
    """
    if tab == "done":
        return [HumanTask.status == "completed", HumanTask.completed_by == identity.username]
    if tab == "mine":
        return [HumanTask.status == "ready", HumanTask.assignee == identity.username]
    conditions = [HumanTask.status == "ready", HumanTask.assignee.is_(None)]
    if identity.is_admin:
        return conditions
    groups = list(identity.groups) + [ANY_STAFF] if identity.is_staff else list(identity.groups)
    conditions.append(exists().where(TaskCandidate.task_id == HumanTask.id, TaskCandidate.group_name.in_(groups)))
    return conditions


def _branches(identity: Identity, q: InboxQuery, tab: str, now: datetime) -> list[Select]:
    """The tab's query, split in two for a district user's pool: their district, and no district.

    ``district = X OR district IS NULL`` cannot walk the (status, district, due_at) index; the
    two halves can, and are merged in deadline order.
    """
    query = _tab_query(identity, q, tab, now)
    if tab != "groups" or identity.is_admin or not identity.district:
        return [query]
    return [query.where(HumanTask.district == identity.district), query.where(HumanTask.district.is_(None))]


def _ready_page(session, identity: Identity, q: InboxQuery, limit: int, now: datetime):
    cursor = _decode(q.cursor) if q.cursor else None
    return deadline_page(session, _branches(identity, q, q.tab, now), cursor, limit, dated_only=q.overdue)


def _mine_page(session, identity: Identity, q: InboxQuery, limit: int, now: datetime):
    """My claimed tasks, ordered by ``COALESCE(due_at, far future)``.

    Ordering by the bare column tempts PostgreSQL to walk the deadline index of *all* ready
    tasks looking for the few that are mine; the expression has no index, so it reads mine by
    the assignee index and sorts them (one person's claimed tasks are few).
    """
    due = func.coalesce(HumanTask.due_at, FAR_FUTURE)
    query = _tab_query(identity, q, "mine", now)
    if q.cursor:
        last_due, last_id = _decode(q.cursor)
        query = query.where(tuple_(due, HumanTask.id) > tuple_(last_due or FAR_FUTURE, last_id))
    tasks = list(session.scalars(query.order_by(due, HumanTask.id).limit(limit + 1)))
    return tasks[:limit], len(tasks) > limit


def _done_page(session, identity: Identity, q: InboxQuery, limit: int):
    query = _tab_query(identity, q, "done", utcnow())
    if q.cursor:
        last_done, last_id = _decode(q.cursor)
        query = query.where(tuple_(HumanTask.completed_at, HumanTask.id) < tuple_(last_done, last_id))
    tasks = list(session.scalars(
        query.order_by(HumanTask.completed_at.desc(), HumanTask.id.desc()).limit(limit + 1)))
    return tasks[:limit], len(tasks) > limit


def _counts(session, identity: Identity, q: InboxQuery, now: datetime) -> dict[str, str]:
    """How many rows each tab has under the same filters, shown as "99+" past the cap.

    Each count walks the tab's own index order (deadline, or completion time) up to the cap: a
    bare ``LIMIT`` lets PostgreSQL pick a sequential scan whose cost depends on where the table's
    matching rows happen to lie (and on where a concurrent scan of the table stands).
    """
    out = {}
    for tab in TABS:
        if tab == "mine":  # bounded by what one person claimed; counted by the assignee index
            n = session.scalar(_tab_query(identity, q, tab, now).with_only_columns(func.count()))
            out[tab] = f"{COUNT_CAP}+" if n > COUNT_CAP else str(n)
            continue
        order = (HumanTask.completed_at.desc(), HumanTask.id.desc()) if tab == "done" else \
            (HumanTask.due_at, HumanTask.id)
        n = 0
        for branch in _branches(identity, q, tab, now):
            capped = branch.with_only_columns(HumanTask.id).order_by(*order).limit(COUNT_CAP + 1)
            n += session.scalar(select(func.count()).select_from(capped.subquery()))
        out[tab] = f"{COUNT_CAP}+" if n > COUNT_CAP else str(n)
    return out


def _cursor_after(tab: str, task: HumanTask) -> str:
    return encode_cursor(task.completed_at if tab == "done" else task.due_at, task.id)


def _decode(cursor: str) -> tuple[datetime | None, str]:
    return decode_cursor(cursor)


#: housing type codes (as the case data stores them) → names
HOUSING_TYPES = {"gongzufang": "公租房", "baozufang": "保租房"}
#: ``app.extensions`` key of the step names per newest definition id (ids repeat across databases)
STEPS_CACHE = "housing.inbox_steps"


def filter_choices() -> dict[str, list]:
    """Options for the filter selects: housing types, districts in use, human steps deployed."""
    from lxml import etree

    from app.models import DefinitionFile, ProcessDefinition, User

    with db.session() as session:
        districts = sorted(d for d in session.scalars(select(User.district).distinct()) if d)
        newest = session.scalar(select(func.max(ProcessDefinition.id))) or 0
        steps_cache: dict[int, list[str]] = current_app.extensions.setdefault(STEPS_CACHE, {})
        if newest not in steps_cache:
            names: set[str] = set()
            files = session.scalars(select(DefinitionFile.content).where(DefinitionFile.kind == "bpmn"))
            parser = etree.XMLParser(resolve_entities=False, no_network=True)
            for content in files:
                try:
                    root = etree.fromstring(bytes(content), parser)
                except etree.XMLSyntaxError:
                    continue
                for el in root.iter("{*}userTask", "{*}manualTask"):
                    if el.get("name"):
                        names.add(el.get("name").strip())
            steps_cache.clear()
            steps_cache[newest] = sorted(names)
    return {"housing_types": list(HOUSING_TYPES.items()), "districts": districts, "steps": steps_cache[newest]}
