"""Deploy-time checks of the ``startRoles`` property that says who may start a process directly.

The property sits in the ``spiffworkflow:properties`` of a top-level start event (the modeler's
properties panel edits it): a comma-separated list of role names. A process without it is
started only by its parent flow or by the service that owns it (see docs/processes.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.engine.parser import BPMN_NS, SPIFFWORKFLOW_NSMAP, START_ROLES, Document

ROLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
#: roles the system itself knows, whether or not a user has them yet
BUILT_IN_ROLES = frozenset({"applicant", "reviewer", "district_reviewer", "city_reviewer", "dept_reviewer",
                            "policy", "integrator", "operator", "admin"})


def start_role_problems(doc: Document, known_roles: Iterable[str] = ()) -> list[tuple[str, str, int | None, str]]:
    """``(element_id, message, line, severity)`` for every malformed or misplaced ``startRoles``.

    Errors: an empty list, or an entry that is not a role name (letters, digits, ``_.-``).
    Warnings: the property where it has no effect (not a top-level start event), a role that
    neither the system nor any user has.
    """
    known = BUILT_IN_ROLES | set(known_roles)
    out = []
    for prop in doc.root.iter(f"{{{SPIFFWORKFLOW_NSMAP['spiffworkflow']}}}property"):
        if prop.get("name") != START_ROLES:
            continue
        owner = _owner(prop)
        owner_id = (owner.get("id") if owner is not None else None) or ""
        line = prop.sourceline
        parent = owner.getparent() if owner is not None else None
        if owner is None or owner.tag != f"{{{BPMN_NS}}}startEvent" or parent is None or \
                parent.tag != f"{{{BPMN_NS}}}process":
            out.append((owner_id, f"{START_ROLES} only takes effect on a start event of a process (not of a "
                                  "sub-process or another element); it is ignored here", line, "warning"))
            continue
        value = prop.get("value") or ""
        entries = [r.strip() for r in value.split(",")]
        roles = [r for r in entries if r]
        if not roles:
            out.append((owner_id, f"{START_ROLES} is declared but names no role: name the roles that may "
                                  "start this process (e.g. \"district_reviewer\") or remove the property",
                        line, "error"))
            continue
        bad = [r for r in roles if not ROLE_NAME.match(r)]
        if bad or len(roles) != len(entries):
            out.append((owner_id, f"{START_ROLES} {value!r} is not a comma-separated list of role names "
                                  f"(letters, digits, '_', '.', '-'): {', '.join(bad) or 'an empty entry'}",
                        line, "error"))
            continue
        for role in roles:
            if role not in known:
                out.append((owner_id, f"{START_ROLES} names role {role!r}, which no user has", line, "warning"))
    return out


def _owner(prop):
    """The BPMN element whose extension elements hold ``prop`` (property < properties < extensionElements)."""
    element = prop
    for _ in range(3):
        element = element.getparent() if element is not None else None
    return element
