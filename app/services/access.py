"""Who may see which case (applicants their own, staff their district, admins everything) and who
may start which process directly (the roles its diagram declares, within the caller's district)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.identity import Identity
from app.models import Application, ProcessDefinition
from app.privacy import mask_tree
from app.services.errors import InstanceNotFound, StartNotPermitted


def can_view_instance(identity: Identity, started_by: str, summary: dict) -> bool:
    """True if ``identity`` may see an instance started by ``started_by``."""
    if identity.is_admin or started_by == identity.username:
        return True
    if not identity.is_staff:
        return False
    district = (summary or {}).get("district")
    return not identity.district or not district or district == identity.district


def assert_can_view_instance(identity: Identity, instance: dict) -> None:
    """Raise 404 (not 403, so ids do not leak) unless the identity may see the instance."""
    if not can_view_instance(identity, instance.get("started_by", ""), instance.get("summary") or {}):
        raise InstanceNotFound(f"process instance {instance.get('id')} does not exist")


def redact(identity: Identity, value, full: bool = False):
    """``value`` with ID and phone numbers masked, unless ``full`` and the role allows it."""
    if full and identity.can_view_full_id:
        return value
    return mask_tree(value)


def authorize_start(session: Session, identity: Identity, definition: ProcessDefinition, data: dict,
                    business_key: str | None = None) -> None:
    """Raise :class:`StartNotPermitted` unless ``identity`` may start ``definition`` directly.

    The process's start events must name one of the identity's roles in ``startRoles`` (admins
    hold every role); a process that names none is started only by its parent flow or the
    service that owns it — by nobody through the generic API. Staff bound to a district start
    only for it: ``data["district"]`` must be theirs (it is set to theirs when missing) and a
    ``business_key`` naming an application must name one of their district.
    """
    key = definition.key
    roles = sorted((definition.start_events or {}).get("start_roles") or [])
    if not roles:
        raise StartNotPermitted(
            f"process {key!r} declares no start roles (startRoles): it is started by its parent flow or "
            "by the service that owns it, not directly", process_key=key, required_roles=[])
    if not identity.has_role(*roles):
        raise StartNotPermitted(
            f"starting process {key!r} needs one of the roles {', '.join(roles)}; "
            f"{identity.username} has {', '.join(identity.roles) or 'none'}", process_key=key, required_roles=roles)
    if identity.is_admin or not identity.district:
        return
    district = data.get("district")
    if district in (None, ""):
        data["district"] = district = identity.district
    if district != identity.district:
        raise StartNotPermitted(f"{identity.username} may start {key!r} only for {identity.district}, "
                                f"not for {district}", process_key=key, required_roles=roles)
    if business_key:
        case_district = session.scalar(select(Application.district)
                                       .where(Application.application_no == business_key))
        if case_district is not None and case_district != identity.district:
            raise StartNotPermitted(f"{identity.username} may start {key!r} only for cases of "
                                    f"{identity.district}; {business_key} is a case of {case_district}",
                                    process_key=key, required_roles=roles)
