"""Correlating messages to instances by message name and business key."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.identity import Identity
from app.db import db
from app.engine.runtime import SIGNAL_PREFIX
from app.models import MessageSubscription, ProcessDefinition, ProcessInstance
from app.services import access, definition_service, instance_service
from app.services.access import can_view_instance
from app.services.errors import Forbidden, MessageNotCorrelated, ValidationFailed
from app.services.step import Step, with_instance

#: messages that carry someone's own answer and come only through their own use case: an
#: applicant's 补正 (case_service.respond_to_supplement), a citizen's objection (publication_service)
OWN_USE_CASE = {"supplement_submitted": "POST /api/v1/applications/{application_no}/supplement",
                "objection_filed": "the objection form of the publication page",
                "complaint_rated": "the complainant's complaint page",
                "complaint_info_added": "the complainant's complaint page"}


def send(identity: Identity, name: str, business_key: str | None, payload: dict) -> dict:
    """A message sent by a user through the generic API: it reaches only instances the user may
    see, and the messages that have a use case of their own are refused (admins excepted)."""
    if name in OWN_USE_CASE and not identity.is_admin:
        raise Forbidden(f"message {name!r} is sent through {OWN_USE_CASE[name]}")
    return correlate(name, business_key, payload, identity.username, visible_to=identity)


def correlate(name: str, business_key: str | None, payload: dict, actor: str,
              visible_to: Identity | None = None, exclude: str | None = None) -> dict:
    """Deliver a message to every instance with ``business_key`` waiting for ``name``.

    If none waits but a deployed process starts with that message, a new instance starts.
    With ``visible_to``, only instances that identity may see count, and a process starts only
    if its diagram lets that identity start it (:func:`access.authorize_start`, else
    :class:`StartNotPermitted` and nothing starts). ``exclude`` is an instance that does not
    count (the one that threw the message). Raises :class:`MessageNotCorrelated` when neither
    applies.
    """
    if not name:
        raise ValidationFailed("a message needs a name", {"name": ["required"]})
    if not isinstance(payload, dict):
        raise ValidationFailed("payload must be a JSON object", {"payload": ["must be an object"]})
    with db.session() as session:
        query = (select(MessageSubscription.instance_id)
                 .join(ProcessInstance, ProcessInstance.id == MessageSubscription.instance_id)
                 .where(MessageSubscription.message_name == name, ProcessInstance.status == "running"))
        if business_key is not None:
            query = query.where(ProcessInstance.business_key == business_key)
        if exclude is not None:
            query = query.where(ProcessInstance.id != exclude)
        if visible_to is None:
            instance_ids = list(session.scalars(query))
        else:
            rows = session.execute(query.add_columns(ProcessInstance.started_by, ProcessInstance.summary)).all()
            instance_ids = [row[0] for row in rows if can_view_instance(visible_to, row[1], row[2])]
        starters = [] if instance_ids else _message_start_processes(session, name)

    delivered = []
    for instance_id in instance_ids:

        def action(step: Step) -> bool:
            ok = step.run.deliver_message(name, payload)
            if ok:
                step.audit("message.received", {"name": name, "payload_keys": sorted(payload)})
            return ok

        if with_instance(instance_id, action, actor):
            delivered.append(instance_id)
    if delivered:
        return {"correlated": delivered, "started": []}
    authorize = None
    if visible_to is not None and starters:
        payload = dict(payload)

        def authorize(session, definition) -> None:
            access.authorize_start(session, visible_to, definition, payload, business_key)

        with db.session() as session:
            for key in starters:  # all of them before any starts (and each again as it starts)
                authorize(session, definition_service.latest(session, key))
    started = [
        instance_service.start_instance(
            key, {}, business_key, actor, trigger=lambda run: run.deliver_message(name, payload),
            authorize=authorize,
        ).id
        for key in starters
    ]
    if not started:
        raise MessageNotCorrelated(
            f"no instance with business key {business_key!r} waits for message {name!r}, "
            "and no process starts with it"
        )
    return {"correlated": [], "started": started}


def deliver_thrown(params: dict, source_instance_id: str) -> dict:
    """Deliver what an instance threw (the ``bpmn/deliver`` outbox job; see
    :meth:`app.engine.runtime.Run.take_thrown`).

    A message goes where ``POST /api/v1/messages`` would send it — every other running instance
    with the thrower's business key waiting for it, else a new instance of each process that
    starts with it — and raises :class:`MessageNotCorrelated` (the job retries) when neither
    exists yet. A signal reaches every other running instance waiting for it, whatever its
    business key, and starts each process with a matching signal start event, with the
    thrower's business key; nobody listening is no error (BPMN 2.0.2 §10.5.4).
    """
    name, business_key = params["name"], params.get("business_key")
    payload = params.get("payload")
    if params["kind"] == "message":
        message = payload if isinstance(payload, dict) else ({} if payload is None else {"payload": payload})
        return correlate(name, business_key, message, "system", exclude=source_instance_id)
    with db.session() as session:
        waiting = list(session.scalars(
            select(MessageSubscription.instance_id)
            .join(ProcessInstance, ProcessInstance.id == MessageSubscription.instance_id)
            .where(MessageSubscription.message_name == SIGNAL_PREFIX + name, ProcessInstance.status == "running",
                   ProcessInstance.id != source_instance_id)))
        starters = _start_processes(session, "signals", name)
    delivered = [instance_id for instance_id in waiting
                 if with_instance(instance_id, lambda step: _signal(step, name, payload), "system")]
    started = [instance_service.start_instance(key, {}, business_key, "system",
                                               trigger=lambda run: run.deliver_signal(name, payload)).id
               for key in starters]
    return {"correlated": delivered, "started": started}


def _signal(step: Step, name: str, payload) -> bool:
    ok = step.run.deliver_signal(name, payload)
    if ok:
        step.audit("signal.received", {"name": name})
    return ok


def _message_start_processes(session, name: str) -> list[str]:
    return _start_processes(session, "messages", name)


def _start_processes(session, kind: str, name: str) -> list[str]:
    latest: dict[str, ProcessDefinition] = {}
    for d in session.scalars(select(ProcessDefinition).where(ProcessDefinition.kind == "process")
                             .order_by(ProcessDefinition.version)):
        latest[d.key] = d
    return sorted(k for k, d in latest.items() if name in (d.start_events or {}).get(kind, []))
