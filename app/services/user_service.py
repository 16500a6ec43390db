"""Local users: checking passwords and turning users into identities."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.identity import Identity
from app.db import db
from app.models import User
from app.services.errors import Unauthenticated


def identity_of(user: User) -> Identity:
    """The identity a user logs in as."""
    return Identity(user.username, user.display_name, tuple(user.roles), tuple(user.groups), user.district)


def authenticate(username: str, password: str) -> Identity:
    """The identity for a correct username/password; raises :class:`Unauthenticated`."""
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
        if user is None or not check_password_hash(user.password_hash, password or ""):
            raise Unauthenticated("用户名或密码错误 (wrong username or password)")
        return identity_of(user)


def upsert_user(username: str, display_name: str, password: str, roles: list[str], groups: list[str],
                district: str | None) -> None:
    """Create or update a local user."""
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username)
            session.add(user)
        user.display_name, user.roles, user.groups, user.district = display_name, roles, groups, district
        user.password_hash = generate_password_hash(password)
        user.active = True


def list_users() -> list[dict]:
    """Every user, without password hashes."""
    with db.session() as session:
        return [
            {"username": u.username, "display_name": u.display_name, "roles": u.roles, "groups": u.groups,
             "district": u.district, "active": u.active}
            for u in session.scalars(select(User).order_by(User.id))
        ]
