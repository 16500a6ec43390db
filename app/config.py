"""One typed settings object, read from ``HOUSING_*`` environment variables.

Every setting has an environment variable ``HOUSING_<NAME>``; a secret may instead be read from
the file named by ``HOUSING_<NAME>_FILE``. :func:`Settings.from_env` validates everything once at
start-up and raises :class:`ConfigError` naming each bad variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(ValueError):
    """The configuration is invalid; the message lists every problem."""


@dataclass(frozen=True)
class Settings:
    """Application settings. Build with :meth:`from_env` or :meth:`for_tests`."""

    env: str = "development"
    database_url: str = f"sqlite:///{ROOT / 'instance' / 'housing.sqlite3'}"
    #: ``inline`` runs jobs in the calling process after commit; ``rq`` queues them on Redis.
    job_runner: str = "inline"
    redis_url: str = "redis://127.0.0.1:6379/0"
    queue_name: str = "housing"
    secret_key: str = "dev-only-secret-change-me"
    jwt_secret: str = "dev-only-jwt-secret-change-me"
    #: HMAC key of the audit chain and its checkpoints; kept outside the database.
    audit_key: str = "dev-only-audit-key-change-me"
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = "housing-approval"
    jwt_audience: str = "housing-approval"
    token_ttl_seconds: int = 8 * 3600
    #: PEM public key (or JWKS JSON) of an external identity provider; tokens signed by it are
    #: accepted too (RS256/ES256).
    idp_public_key: str = ""
    idp_issuer: str = ""
    processes_dir: str = str(ROOT / "processes")
    forms_dir: str = str(ROOT / "forms")
    #: Seconds a script, condition or expression may run.
    script_timeout: float = 2.0
    #: Base URL of the connector sandbox; connectors default to it when no URL is configured.
    sandbox_url: str = "http://127.0.0.1:8780"
    #: A JSON file with per-connector settings (base URL, credential names, signing scheme).
    connectors_file: str = ""
    #: Extra modules (comma-separated) whose import registers operators, besides connectors/ and
    #: handlers/ — for operators kept outside this repository.
    operator_modules: str = ""
    #: JSON file with holidays / make-up workdays for years the holiday package lacks.
    holidays_file: str = ""
    #: Seconds a running job may hold its lease before the reconciler takes it back.
    job_lease_seconds: int = 300
    #: Create the demo users and sample cases at start-up (embedded default only).
    demo_data: bool = False
    log_level: str = "INFO"
    extra: Mapping[str, str] = field(default_factory=dict)

    SECRET_NAMES = ("secret_key", "jwt_secret", "idp_public_key", "audit_key")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read ``HOUSING_*`` variables (and ``*_FILE`` secrets), validate, and return settings."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        errors: list[str] = []
        for f in fields(cls):
            if f.name == "extra":
                continue
            var = f"HOUSING_{f.name.upper()}"
            raw = environ.get(var)
            file_var = f"{var}_FILE"
            if raw is None and file_var in environ:
                try:
                    raw = Path(environ[file_var]).read_text(encoding="utf-8").strip()
                except OSError as exc:
                    errors.append(f"{file_var}: cannot read {environ[file_var]!r}: {exc.strerror}")
                    continue
            if raw is None:
                continue
            try:
                values[f.name] = _coerce(raw, f.default)
            except ValueError as exc:
                errors.append(f"{var}: {exc}")
        values["extra"] = {k: v for k, v in environ.items() if k.startswith("HOUSING_CONNECTOR_")}
        values.update(overrides)
        settings = cls(**values)
        errors.extend(settings.problems())
        if errors:
            raise ConfigError("invalid configuration:\n  - " + "\n  - ".join(errors))
        return settings

    def problems(self) -> list[str]:
        """Every inconsistency in these settings, as readable sentences."""
        out = []
        if self.job_runner not in ("inline", "rq"):
            out.append(f"HOUSING_JOB_RUNNER must be 'inline' or 'rq', not {self.job_runner!r}")
        if not self.database_url.startswith(("sqlite", "postgresql")):
            out.append("HOUSING_DATABASE_URL must be a sqlite:// or postgresql:// URL")
        if self.env == "production":
            for name in ("secret_key", "jwt_secret"):
                if getattr(self, name).startswith("dev-only"):
                    out.append(f"HOUSING_{name.upper()} must be set in production")
        if self.env == "production" and (self.audit_key.startswith("dev-only") or len(self.audit_key) < 32):
            out.append("HOUSING_AUDIT_KEY must be set in production, at least 32 characters")
        if self.script_timeout <= 0:
            out.append("HOUSING_SCRIPT_TIMEOUT must be positive")
        if self.jwt_algorithm not in ("HS256", "HS384", "HS512"):
            out.append("HOUSING_JWT_ALGORITHM must be an HMAC algorithm (HS256/384/512)")
        return out

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_(self, **changes: Any) -> Settings:
        """A copy with some settings changed."""
        return replace(self, **changes)


def _coerce(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"expected a boolean, got {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"expected an integer, got {raw!r}") from None
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"expected a number, got {raw!r}") from None
    return raw
