"""Who may see which case: applicants their own, staff their district, admins everything."""

from __future__ import annotations

from app.auth.identity import Identity
from app.privacy import mask_tree
from app.services.errors import InstanceNotFound


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
