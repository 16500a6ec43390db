"""The application's PostgreSQL role: everything it needs, but no rewriting of the audit trail.

``housing db grant-roles --role NAME`` runs these statements as the schema owner (the role that
runs ``housing migrate``); the application then connects as NAME. Audit events, checkpoints and
verification records get INSERT and SELECT only; chain heads also UPDATE (every event moves
its head) but no DELETE. Run it again after each migration: new tables need their grants.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, text

#: tables whose rows the application may add and read, never change or remove
APPEND_ONLY = ("audit_event", "audit_checkpoint", "audit_verification")
#: rows the application updates but never removes
NO_DELETE = ("audit_chain_head",)
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RoleNameInvalid(ValueError):
    """A role name that is not a plain lower-case SQL identifier."""


def grant_statements(role: str, database: str) -> list[str]:
    """The SQL that creates (if missing) and grants ``role`` on ``database``."""
    for name in (role, database):
        if not _NAME.match(name):
            raise RoleNameInvalid(f"角色名或数据库名无效：{name!r}（只允许小写字母、数字和下划线）"
                                  f" / not a plain identifier: {name!r}")
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN "
        f"CREATE ROLE {role} LOGIN; END IF; END $$",
        f"GRANT CONNECT ON DATABASE {database} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(APPEND_ONLY)} FROM {role}",
        f"REVOKE DELETE, TRUNCATE ON {', '.join(NO_DELETE)} FROM {role}",
    ]


def grant(engine: Engine, role: str, password: str | None = None) -> list[str]:
    """Run :func:`grant_statements` on ``engine``'s database (as its owner); returns them."""
    statements = grant_statements(role, engine.url.database or "")
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
        if password:
            conn.exec_driver_sql(f"ALTER ROLE {role} PASSWORD %(pw)s", {"pw": password})
    return statements
