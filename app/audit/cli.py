"""``housing audit verify|checkpoint`` and ``housing db grant-roles``."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask.cli import with_appcontext

_RELATIVE = re.compile(r"^(\d+)([hd])$")


class Since(click.ParamType):
    """``24h``, ``7d``, or an ISO date/time (UTC unless it says otherwise)."""

    name = "since"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        m = _RELATIVE.match(value.strip())
        if m:
            amount, unit = int(m.group(1)), m.group(2)
            return datetime.now(UTC) - (timedelta(hours=amount) if unit == "h" else timedelta(days=amount))
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            self.fail(f"无法识别的时间 {value!r}：请写 24h、7d 或 2026-12-01T08:00 / not a time: {value!r}", param, ctx)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@click.group("audit")
def audit_cmd() -> None:
    """审计链：校验与检查点 — verify the audit trail, sign checkpoints."""


@audit_cmd.command("verify")
@click.option("--since", type=Since(), help="Only chains written to since then (24h, 7d, ISO time); "
                                            "heads and the last checkpoint are always checked.")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Check against this checkpoint file (from `checkpoint --out`) instead of the newest stored one.")
@with_appcontext
def verify_cmd(since: datetime | None, checkpoint_file: Path | None) -> None:
    """Walk the audit chains; exit 1 and list every break, or exit 0 with a summary."""
    from app.audit import service
    from app.audit.checkpoint import Checkpoint

    checkpoint = None
    if checkpoint_file is not None:
        try:
            checkpoint = Checkpoint.from_json(json.loads(checkpoint_file.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            click.echo(f"检查点文件无法读取 / unreadable checkpoint file {checkpoint_file}: {exc}", err=True)
            sys.exit(2)
    report, _ = service.run_verification(since=since, trigger="cli", checkpoint=checkpoint)
    if report.ok:
        click.echo(report.summary())
        return
    click.echo(report.summary(), err=True)
    for b in report.breaks:
        click.echo(f"  - {b.message}", err=True)
    sys.exit(1)


@audit_cmd.command("checkpoint")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Also write the signed checkpoint as JSON to this file (keep it outside the database).")
@click.option("--force", is_flag=True, help="Sign the current heads even if verification finds a break.")
@with_appcontext
def checkpoint_cmd(out: Path | None, force: bool) -> None:
    """Verify, then sign a checkpoint of every chain head."""
    from app.audit import service

    report, _ = service.run_verification(trigger="cli")
    if not report.ok and not force:
        click.echo(report.summary(), err=True)
        for b in report.breaks:
            click.echo(f"  - {b.message}", err=True)
        click.echo("审计链有破坏，未生成检查点（确认后可加 --force）/ not sealed: the trail is broken", err=True)
        sys.exit(1)
    cp, created = service.take_checkpoint()
    state = "新检查点 / new checkpoint" if created else "无变化，沿用检查点 / unchanged, latest checkpoint"
    click.echo(f"{state} #{cp.id}: {cp.subjects} 个主体 / subjects, {cp.events} 个事件 / events, root {cp.root}")
    if out is not None:
        out.write_text(json.dumps(cp.as_json(), ensure_ascii=False, indent=1), encoding="utf-8")
        click.echo(f"已写入 / written to {out}")


@click.group("db")
def db_cmd() -> None:
    """数据库角色 — database roles."""


@db_cmd.command("grant-roles")
@click.option("--role", required=True, help="The role the application connects as (created if missing).")
@click.option("--password-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Set the role's password from this file.")
@click.option("--print-sql", is_flag=True, help="Only print the statements.")
@with_appcontext
def grant_roles_cmd(role: str, password_file: Path | None, print_sql: bool) -> None:
    """Grant ROLE what the application needs; audit rows INSERT and SELECT only (PostgreSQL)."""
    from app.audit import roles
    from app.db import db

    if db.is_sqlite:
        click.echo("SQLite 没有数据库角色 / SQLite has no roles: nothing to grant", err=True)
        sys.exit(2)
    try:
        if print_sql:
            for statement in roles.grant_statements(role, db.engine.url.database or ""):
                click.echo(f"{statement};")
            return
        password = password_file.read_text(encoding="utf-8").strip() if password_file else None
        roles.grant(db.engine, role, password)
    except roles.RoleNameInvalid as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    click.echo(f"已授权角色 {role}：审计表只可插入和读取 / role {role} granted; audit rows are insert-only")
