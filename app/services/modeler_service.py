"""What the modeler offers as choices: operators, forms, process keys, decisions, groups.

The properties panel of the browser modeler fills its drop-downs from :func:`catalog`; it
never guesses a name, so a diagram drawn with it names only things that exist (the deploy
checks remain the authority).
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from app.db import db
from app.engine.operators import registry
from app.engine.start_roles import BUILT_IN_ROLES
from app.models import ProcessDefinition, ProcessInstance, User
from app.services import context, definition_service

#: suffixes of the files in forms/ a user task may name
SCHEMA_SUFFIX = ".schema.json"
UI_SCHEMA_SUFFIX = ".uischema.json"


def forms() -> list[dict]:
    """Every JSON Schema form in ``forms/`` with its title and its UI schema, if there is one."""
    base = Path(context.settings().forms_dir)
    if not base.is_dir():
        return []
    names = sorted(p.relative_to(base).as_posix() for p in base.rglob(f"*{SCHEMA_SUFFIX}") if p.is_file())
    out = []
    for name in names:
        if name.endswith(UI_SCHEMA_SUFFIX):
            continue
        ui_name = name[: -len(SCHEMA_SUFFIX)] + UI_SCHEMA_SUFFIX
        out.append({"file": name, "title": _title(base / name),
                    "ui_schema": ui_name if (base / ui_name).is_file() else None})
    return out


def _title(path: Path) -> str:
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return str(schema.get("title") or "") if isinstance(schema, dict) else ""


def groups() -> list[str]:
    """Candidate groups known to the system: every group some user belongs to."""
    with db.session() as session:
        rows = session.scalars(select(User.groups).where(User.active.is_(True))).all()
    return sorted({g for gs in rows for g in (gs or []) if isinstance(g, str) and g})


def roles() -> list[str]:
    """Roles a process's start event may name (startRoles): the system's own and every user's."""
    with db.session() as session:
        rows = session.scalars(select(User.roles).where(User.active.is_(True))).all()
    return sorted(BUILT_IN_ROLES | {r for rs in rows for r in (rs or []) if isinstance(r, str) and r})


def catalog() -> dict:
    """Everything the properties panel lists: operators (with parameter schemas), forms, the
    deployed process keys and decision ids, the candidate groups and the roles."""
    definitions = definition_service.list_definitions()
    return {
        "operators": [op.describe() for op in registry.all()],
        "forms": forms(),
        "processes": [{"key": d["key"], "name": d["name"], "version": d["version"]}
                      for d in definitions if d["kind"] == "process"],
        "decisions": [{"key": d["key"], "name": d["name"], "version": d["version"]}
                      for d in definitions if d["kind"] == "decision"],
        "groups": groups(),
        "roles": roles(),
    }


def running_by_version(key: str) -> dict[int, int]:
    """Version → number of running instances of process ``key`` started on (or moved to) it."""
    with db.session() as session:
        rows = session.execute(
            select(ProcessDefinition.version, func.count(ProcessInstance.id))
            .join(ProcessInstance, ProcessInstance.definition_id == ProcessDefinition.id)
            .where(ProcessDefinition.key == key, ProcessDefinition.kind == "process",
                   ProcessInstance.status == "running")
            .group_by(ProcessDefinition.version)
        ).all()
    return {version: count for version, count in rows}
