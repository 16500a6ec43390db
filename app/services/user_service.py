"""Local users: checking passwords, turning users into identities, and ending their sessions.

Every user has a token version. Tokens and page sessions carry the version they were issued at
and are only accepted while it is still the user's current one, so raising it — on disabling,
logging out, a new password, new roles, groups or district — ends all of them at once, whichever
process serves the next request.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import CursorResult, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.identity import Identity
from app.db import db
from app.models import User
from app.services.errors import Unauthenticated, UserNotFound, ValidationFailed

#: Shortest password a user may set.
MIN_PASSWORD_LENGTH = 8


def identity_of(user: User) -> Identity:
    """The identity a user logs in as."""
    return Identity(user.username, user.display_name, tuple(user.roles), tuple(user.groups), user.district,
                    version=user.token_version)


def authenticate(username: str, password: str) -> Identity:
    """The identity for a correct username/password; raises :class:`Unauthenticated`."""
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
        if user is None or not check_password_hash(user.password_hash, password or ""):
            raise Unauthenticated("用户名或密码错误 (wrong username or password)")
        return identity_of(user)


def identity_for_token(username: str, version: int) -> Identity | None:
    """The identity of an active user whose token version is still ``version``, else None."""
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == username, User.active.is_(True),
                                                 User.token_version == version))
        return None if user is None else identity_of(user)


def upsert_user(username: str, display_name: str, password: str, roles: list[str], groups: list[str],
                district: str | None) -> None:
    """Create or update a local user; a changed password, role, group or district ends their sessions."""
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, token_version=0, password_hash=generate_password_hash(password))
            session.add(user)
        else:
            same_password = check_password_hash(user.password_hash, password)
            if not same_password:
                user.password_hash = generate_password_hash(password)
            if not same_password or (list(user.roles), list(user.groups), user.district, user.active) != (
                    list(roles), list(groups), district, True):
                user.token_version += 1
        user.display_name, user.roles, user.groups, user.district = display_name, roles, groups, district
        user.active = True


def set_active(username: str, active: bool) -> None:
    """Enable or disable a user; disabling ends every token and session at once."""
    with db.transaction() as session:
        user = _user(session, username)
        if user.active and not active:
            user.token_version += 1
        user.active = active


def set_password(username: str, password: str, current_password: str | None = None) -> None:
    """Give a user a new password (checking ``current_password`` when given); ends their sessions."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed("password too short",
                               {"password": [f"at least {MIN_PASSWORD_LENGTH} characters"]})
    with db.transaction() as session:
        user = _user(session, username)
        if current_password is not None and not check_password_hash(user.password_hash, current_password):
            raise Unauthenticated("当前密码错误 (the current password is wrong)")
        user.password_hash = generate_password_hash(password)
        user.token_version += 1


def set_roles(username: str, roles: list[str], groups: list[str] | None = None,
              district: str | None = None) -> None:
    """Change a user's roles (and groups / district when given); ends their sessions."""
    with db.transaction() as session:
        user = _user(session, username)
        user.roles = list(roles)
        if groups is not None:
            user.groups = list(groups)
        if district is not None:
            user.district = district or None
        user.token_version += 1


def revoke_tokens(username: str) -> bool:
    """End every token and session of ``username`` (log out everywhere); False for a user not stored here."""
    with db.transaction() as session:
        result = session.execute(update(User).where(User.username == username)
                                 .values(token_version=User.token_version + 1))
        return bool(cast(CursorResult, result).rowcount)


def elder_mode(username: str) -> bool:
    """Whether ``username`` chose 长辈模式 (False for a user not stored here)."""
    with db.session() as session:
        return bool(session.scalar(select(User.elder_mode).where(User.username == username)))


def set_elder_mode(username: str, on: bool) -> None:
    """Remember the user's display mode for their next sessions (nothing for a user not stored here)."""
    with db.transaction() as session:
        session.execute(update(User).where(User.username == username).values(elder_mode=on))


def list_users() -> list[dict]:
    """Every user, without password hashes."""
    with db.session() as session:
        return [
            {"username": u.username, "display_name": u.display_name, "roles": u.roles, "groups": u.groups,
             "district": u.district, "active": u.active}
            for u in session.scalars(select(User).order_by(User.id))
        ]


def _user(session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username).with_for_update())
    if user is None:
        raise UserNotFound(f"no user {username!r}", username=username)
    return user
