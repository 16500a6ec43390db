"""Role-aware navigation: the top menu and the admin section's own menu.

Both are plain lists of :class:`NavEntry`; another feature adds a page to the admin section by
calling :func:`add_admin_entry` where it registers its blueprint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.auth.identity import Identity

REVIEWERS = ("reviewer", "district_reviewer", "city_reviewer", "dept_reviewer")
ADMINS = ("admin", "operator", "policy", "integrator")


@dataclass(frozen=True)
class NavEntry:
    """A menu entry: label (Chinese; translated when shown), endpoint, roles that see it."""

    label: str
    endpoint: str
    roles: tuple[str, ...] = ()
    #: the entry is shown to visitors who are not logged in
    public: bool = False

    def visible_to(self, identity: Identity | None) -> bool:
        """True if this entry belongs in ``identity``'s menu."""
        if self.public:
            return True
        if identity is None:
            return False
        return not self.roles or identity.has_role(*self.roles)


MAIN_NAV: list[NavEntry] = [
    NavEntry("审核工作台", "web.inbox.index", REVIEWERS),
    NavEntry("批量导入", "web.batch_import.index", ("city_reviewer", "district_reviewer", "operator")),
    NavEntry("配租", "web.allocation.index", ("city_reviewer", "district_reviewer")),
    NavEntry("我的申请", "web.portal.index", ("applicant",)),
    NavEntry("公示", "web.publicity.index", public=True),
    NavEntry("系统管理", "web.admin.index", ADMINS),
]

ADMIN_NAV: list[NavEntry] = [
    NavEntry("异常事件", "web.admin.incidents", ("operator", "admin")),
    NavEntry("队列", "web.admin.queues", ("operator", "admin")),
    NavEntry("计时器", "web.admin.timers", ("operator", "admin")),
    NavEntry("数据源连接", "web.admin.connectors", ("operator", "integrator", "admin")),
    NavEntry("流程版本", "web.admin.processes", ("policy", "operator", "admin")),
    NavEntry("流程建模", "web.modeler.index", ("policy", "admin")),
]


#: endpoint → a count shown next to its menu entry (a context adds one, e.g. unread messages)
BADGES: dict[str, Callable[[Identity], int]] = {}


def add_badge(endpoint: str, count: Callable[[Identity], int]) -> None:
    """Show ``count(identity)`` next to the menu entry of ``endpoint`` when it is not zero."""
    BADGES[endpoint] = count


def badges(entries: list[NavEntry], identity: Identity | None) -> dict[str, int]:
    """The non-zero counts of the entries shown to ``identity``."""
    if identity is None:
        return {}
    counts = {e.endpoint: BADGES[e.endpoint](identity) for e in entries if e.endpoint in BADGES}
    return {k: v for k, v in counts.items() if v}


def add_admin_entry(entry: NavEntry) -> None:
    """Add a page to the admin menu (once; a second call with the same endpoint is ignored)."""
    if all(e.endpoint != entry.endpoint for e in ADMIN_NAV):
        ADMIN_NAV.append(entry)


def menu(entries: list[NavEntry], identity: Identity | None) -> list[NavEntry]:
    """The entries ``identity`` may see, in order."""
    return [e for e in entries if e.visible_to(identity)]


def home_endpoint(identity: Identity) -> str:
    """Where a user lands after logging in."""
    if identity.has_role(*REVIEWERS) and not identity.is_admin:
        return "web.inbox.index"
    if identity.has_role("applicant") and not identity.is_admin:
        return "web.portal.index"
    if "manager" in identity.roles and not identity.is_admin:
        return "web_statistics.dashboard"
    if identity.has_role(*ADMINS):
        return "web.admin.index"
    return "web.publicity.index"
