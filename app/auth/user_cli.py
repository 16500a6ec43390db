"""``housing user …``: disable, enable, set a password or roles, sign a user out everywhere.

Each of these (except enable) ends every token and page session the user holds at once.
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from app.services.errors import DomainError


@click.group("user")
def user_cmd() -> None:
    """Manage local users (changes take effect in every server process at once)."""


def _run(action, done: str) -> None:
    try:
        action()
    except DomainError as exc:
        click.echo(f"失败 (failed): {exc.detail}", err=True)
        sys.exit(1)
    click.echo(done)


@user_cmd.command("disable")
@click.argument("username")
@with_appcontext
def disable_cmd(username: str) -> None:
    """Disable USERNAME: no more logins, every token and session ends."""
    from app.services import user_service

    _run(lambda: user_service.set_active(username, False), f"已停用 {username} (disabled, signed out everywhere)")


@user_cmd.command("enable")
@click.argument("username")
@with_appcontext
def enable_cmd(username: str) -> None:
    """Enable USERNAME again (old tokens stay invalid)."""
    from app.services import user_service

    _run(lambda: user_service.set_active(username, True), f"已启用 {username} (enabled)")


@user_cmd.command("password")
@click.argument("username")
@click.password_option("--password", prompt="新密码 (new password)")
@with_appcontext
def password_cmd(username: str, password: str) -> None:
    """Set a new password for USERNAME; every token and session ends."""
    from app.services import user_service

    _run(lambda: user_service.set_password(username, password),
         f"已修改 {username} 的密码 (password changed, signed out everywhere)")


@user_cmd.command("roles")
@click.argument("username")
@click.argument("roles", nargs=-1, required=True)
@click.option("--group", "groups", multiple=True, help="Candidate group (repeat); unchanged when omitted.")
@click.option("--district", default=None, help="District; unchanged when omitted, '' to clear.")
@with_appcontext
def roles_cmd(username: str, roles: tuple[str, ...], groups: tuple[str, ...], district: str | None) -> None:
    """Give USERNAME these ROLES; every token and session ends."""
    from app.services import user_service

    _run(lambda: user_service.set_roles(username, list(roles), list(groups) or None, district),
         f"已修改 {username} 的角色 (roles changed, signed out everywhere): {', '.join(roles)}")


@user_cmd.command("sign-out")
@click.argument("username")
@with_appcontext
def sign_out_cmd(username: str) -> None:
    """End every token and page session of USERNAME."""
    from app.services import user_service

    def revoke():
        if not user_service.revoke_tokens(username):
            raise user_service.UserNotFound(f"no user {username!r}")

    _run(revoke, f"已注销 {username} 的全部会话 (signed out everywhere)")
