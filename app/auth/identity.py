"""Who is calling: the identity carried by a token or a session."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Roles that may see whole ID numbers (each full view is audited).
FULL_ID_ROLES = frozenset({"admin", "district_reviewer", "city_reviewer", "dept_reviewer"})
STAFF_ROLES = frozenset({"reviewer", "district_reviewer", "city_reviewer", "dept_reviewer", "policy",
                         "integrator", "operator", "admin"})


@dataclass(frozen=True)
class Identity:
    """An authenticated user: roles decide what they may do, groups which tasks they see."""

    username: str
    display_name: str = ""
    roles: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    district: str | None = None
    claims: dict = field(default_factory=dict, compare=False, hash=False)
    #: the user's token version when the identity was read; tokens carry it as ``ver``
    version: int = field(default=0, compare=False)

    def has_role(self, *roles: str) -> bool:
        """True if the identity has any of ``roles`` (admins have every role)."""
        return "admin" in self.roles or any(r in self.roles for r in roles)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def is_staff(self) -> bool:
        return any(r in STAFF_ROLES for r in self.roles)

    @property
    def can_view_full_id(self) -> bool:
        return any(r in FULL_ID_ROLES for r in self.roles)


SYSTEM = Identity("system", "系统", roles=("admin",))
