"""Stored users behind test identities: a token is only accepted for a user that exists."""

from __future__ import annotations

from dataclasses import replace

from flask import Flask
from sqlalchemy import select

from app.auth import tokens
from app.auth.identity import Identity
from app.db import db
from app.models import User


def ensure_user(identity: Identity) -> Identity:
    """Store (or align) an active user with ``identity``'s roles, groups and district.

    Returns the identity at the user's current token version, ready to be signed.
    """
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == identity.username))
        if user is None:
            user = User(username=identity.username, password_hash="!", token_version=0)
            session.add(user)
        user.display_name = identity.display_name or identity.username
        user.roles, user.groups, user.district = list(identity.roles), list(identity.groups), identity.district
        user.active = True
        session.flush()
        return replace(identity, version=user.token_version)


def token_for(app: Flask, identity: Identity, kind: str = tokens.ACCESS) -> str:
    """A token of ``kind`` signed by ``app`` for ``identity`` (stored as a user first)."""
    with app.app_context():  # stored in this app's database, whichever app is current
        stored = ensure_user(identity)
    token, _ = tokens.issue(app.extensions["housing.settings"], stored, kind)
    return token


def bearer_for(app: Flask, identity: Identity) -> dict:
    """An Authorization header for ``identity``."""
    return {"Authorization": f"Bearer {token_for(app, identity)}"}
