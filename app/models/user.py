"""Local users (the demo users and any created by an administrator)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class User(Base):
    """A person who can log in, with roles, candidate groups and a district."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list] = mapped_column(default=list)
    groups: Mapped[list] = mapped_column(default=list)
    district: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    #: Every token and session carries the version it was issued at; raising it (disable, log
    #: out, new password, new roles) ends them all at once.
    token_version: Mapped[int] = mapped_column(default=0, server_default="0")
    #: 长辈模式: larger type, higher contrast, one column; remembered for the user's next login
    elder_mode: Mapped[bool] = mapped_column(default=False, server_default="false")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
