"""One typed settings object, read from ``HOUSING_*`` environment variables.

Every setting has an environment variable ``HOUSING_<NAME>``; a secret may instead be read from
the file named by ``HOUSING_<NAME>_FILE``. :func:`Settings.from_env` validates everything once at
start-up and raises :class:`ConfigError` naming each bad variable.

Production is the default: unless ``HOUSING_ENV=development`` (or ``test``) is chosen explicitly,
the secrets must be set, must not be the built-in development values and must be long enough.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from limits import parse_many

ROOT = Path(__file__).resolve().parent.parent
#: The built-in secrets: fine on a developer's machine, refused in production.
DEV_SECRET_KEY = "dev-only-secret-change-me"
DEV_JWT_SECRET = "dev-only-jwt-secret-change-me"
DEV_AUDIT_KEY = "dev-only-audit-key-change-me"
#: Environments that accept the built-in secrets; anything else must be ``production``.
DEVELOPMENT_ENVS = ("development", "test")
#: Shortest secret (in bytes) production accepts.
MIN_SECRET_BYTES = 32


class ConfigError(ValueError):
    """The configuration is invalid; the message lists every problem."""


@dataclass(frozen=True)
class Settings:
    """Application settings. Build with :meth:`from_env` or :meth:`for_tests`."""

    #: ``production`` (the default) insists on real secrets; ``development`` and ``test`` accept the
    #: built-in ones and say so in the log.
    env: str = "production"
    database_url: str = f"sqlite:///{ROOT / 'instance' / 'housing.sqlite3'}"
    #: ``inline`` runs jobs in the calling process after commit; ``rq`` queues them on Redis.
    job_runner: str = "inline"
    redis_url: str = "redis://127.0.0.1:6379/0"
    queue_name: str = "housing"
    secret_key: str = DEV_SECRET_KEY
    jwt_secret: str = DEV_JWT_SECRET
    #: HMAC key of the audit chain and its checkpoints; kept outside the database.
    audit_key: str = DEV_AUDIT_KEY
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = "housing-approval"
    jwt_audience: str = "housing-approval"
    #: Lifetime of an API access token; renew it with the refresh token.
    token_ttl_seconds: int = 15 * 60
    #: Lifetime of an API refresh token.
    refresh_ttl_seconds: int = 8 * 3600
    #: Lifetime of a page session.
    session_ttl_seconds: int = 8 * 3600
    #: PEM public key (or JWKS JSON) of an external identity provider; tokens signed by it are
    #: accepted too (RS256/ES256).
    idp_public_key: str = ""
    idp_issuer: str = ""
    #: When set, tokens of the identity provider must name this audience.
    idp_audience: str = ""
    processes_dir: str = str(ROOT / "processes")
    forms_dir: str = str(ROOT / "forms")
    #: Seconds a script, condition or expression may run.
    script_timeout: float = 2.0
    #: Megabytes of memory a script, condition or expression may allocate (its evaluator's limit).
    script_memory_mb: int = 256
    #: Evaluator processes per web/worker process for code that is not provably cheap.
    script_workers: int = 2
    #: Bytes of stored instance state one step may leave (a script's data is held to it too).
    max_instance_data_bytes: int = 8 << 20
    #: Base URL of the connector sandbox; connectors default to it when no URL is configured.
    sandbox_url: str = "http://127.0.0.1:8780"
    #: A JSON file with per-connector settings (base URL, credential names, signing scheme).
    connectors_file: str = ""
    #: Extra modules (comma-separated) whose import registers operators, besides connectors/ and
    #: handlers/ — for operators kept outside this repository.
    operator_modules: str = ""
    #: JSON file with holidays / make-up workdays for years the holiday package lacks.
    holidays_file: str = ""
    #: Seconds a running job's lease lasts; its worker renews it every ``job_heartbeat_seconds``,
    #: so a dead worker's jobs return to the queue within this time.
    job_lease_seconds: int = 20
    #: Seconds between a worker's renewals of the leases of the jobs it runs.
    job_heartbeat_seconds: float = 5.0
    #: Create the demo users and sample cases at start-up (embedded default only).
    demo_data: bool = False
    log_level: str = "INFO"
    #: Where rate-limit counters live (``redis://…`` or ``memory://``); empty: ``HOUSING_REDIS_URL``
    #: in production, process memory in development.
    ratelimit_storage_url: str = ""
    #: Failed logins per account from one address (flask-limiter notation, ``;`` between limits).
    login_limit: str = "10/minute;30/hour"
    #: Failed logins from one address over all accounts.
    login_address_limit: str = "30/minute"
    #: Failed logins per account over all addresses.
    login_account_limit: str = "100/hour"
    #: Public objections per address.
    objection_limit: str = "5/hour"
    #: Public complaints per address (the portal, hotline and window entries are not limited).
    complaint_limit: str = "5/hour"
    #: Days between two supervision checks (动态监管) of one lease (30: monthly).
    supervision_cadence_days: int = 30
    #: Leases one supervision batch starts; a batch runs every ``supervision_batch_seconds``, so at
    #: most batch_size × 15 source calls per interval reach the data platforms.
    supervision_batch_size: int = 50
    supervision_batch_seconds: float = 300.0
    #: How many reverse proxies stand in front of the server (werkzeug ProxyFix); 0 trusts no
    #: ``X-Forwarded-*`` header.
    proxy_hops: int = 0
    #: The platform's contract-signing key: a PKCS#12 file (.p12/.pfx) or a PEM private key;
    #: development generates a self-signed one into instance/ when empty, production requires it.
    contract_signing_key_file: str = ""
    #: PEM certificate (and chain) of a PEM key; empty when the key file holds it or is PKCS#12.
    contract_signing_cert_file: str = ""
    contract_signing_key_password: str = ""
    #: A TrueType CJK font (.ttf/.ttc) embedded in contracts; empty: WenQuanYi Zen Hei or AR PL.
    contract_font_file: str = ""
    #: At most one SMS reminder per overdue rent bill in this many days (app.ledger).
    rent_reminder_days: int = 7
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
        if self.env not in ("production", *DEVELOPMENT_ENVS):
            out.append(f"HOUSING_ENV must be 'production', 'development' or 'test', not {self.env!r}")
        elif not self.is_development:
            out.extend(self.secret_problems())
            if not self.contract_signing_key_file:
                out.append("HOUSING_CONTRACT_SIGNING_KEY_FILE must name the contract signing key (PKCS#12 or PEM)")
        if self.job_heartbeat_seconds <= 0 or self.job_lease_seconds < 2 * self.job_heartbeat_seconds:
            out.append("HOUSING_JOB_LEASE_SECONDS must be at least twice HOUSING_JOB_HEARTBEAT_SECONDS "
                       "(a positive number), so one late heartbeat does not lose a lease")
        if self.script_timeout <= 0:
            out.append("HOUSING_SCRIPT_TIMEOUT must be positive")
        for name in ("login_limit", "login_address_limit", "login_account_limit", "objection_limit",
                     "complaint_limit"):
            try:
                parse_many(getattr(self, name))
            except ValueError:
                out.append(f"HOUSING_{name.upper()} must read like '10/minute' or '10/minute;30/hour', "
                           f"not {getattr(self, name)!r}")
        if self.ratelimit_storage_url and not self.ratelimit_storage_url.startswith(
                ("memory://", "redis://", "rediss://", "redis+sentinel://", "redis+cluster://")):
            out.append("HOUSING_RATELIMIT_STORAGE_URL must be a redis:// (or memory://) URL")
        if self.rent_reminder_days < 1:
            out.append("HOUSING_RENT_REMINDER_DAYS must be at least 1")
        if self.supervision_cadence_days < 1 or self.supervision_batch_size < 1 or self.supervision_batch_seconds < 1:
            out.append("HOUSING_SUPERVISION_CADENCE_DAYS, HOUSING_SUPERVISION_BATCH_SIZE and "
                       "HOUSING_SUPERVISION_BATCH_SECONDS must be at least 1")
        if self.proxy_hops < 0:
            out.append("HOUSING_PROXY_HOPS must be 0 or more")
        if min(self.token_ttl_seconds, self.refresh_ttl_seconds, self.session_ttl_seconds) <= 0:
            out.append("HOUSING_TOKEN_TTL_SECONDS, HOUSING_REFRESH_TTL_SECONDS and HOUSING_SESSION_TTL_SECONDS "
                       "must be positive")
        if self.script_memory_mb < 32 or self.script_workers < 1 or self.max_instance_data_bytes < 65536:
            out.append("HOUSING_SCRIPT_MEMORY_MB must be at least 32, HOUSING_SCRIPT_WORKERS at least 1 "
                       "and HOUSING_MAX_INSTANCE_DATA_BYTES at least 65536")
        if self.jwt_algorithm not in ("HS256", "HS384", "HS512"):
            out.append("HOUSING_JWT_ALGORITHM must be an HMAC algorithm (HS256/384/512)")
        return out

    def secret_problems(self) -> list[str]:
        """Why the secrets are unfit for production (missing, built-in or short), one line each."""
        out = []
        for name in ("secret_key", "jwt_secret", "audit_key"):
            var, value = f"HOUSING_{name.upper()}", getattr(self, name)
            if not value:
                out.append(f"{var} must be set (or {var}_FILE) unless HOUSING_ENV=development")
            elif value in (DEV_SECRET_KEY, DEV_JWT_SECRET, DEV_AUDIT_KEY) or value.startswith("dev-only"):
                out.append(f"{var} is the built-in development value; set a secret of your own "
                           "unless HOUSING_ENV=development")
            elif len(value.encode("utf-8")) < MIN_SECRET_BYTES:
                out.append(f"{var} is too short ({len(value.encode('utf-8'))} bytes); use at least "
                           f"{MIN_SECRET_BYTES} random bytes, e.g. `python -c 'import secrets; "
                           "print(secrets.token_urlsafe(48))'`")
        if self.secret_key and self.secret_key == self.jwt_secret:
            out.append("HOUSING_SECRET_KEY and HOUSING_JWT_SECRET must differ")
        return out

    def check(self) -> Settings:
        """These settings, or :class:`ConfigError` listing every problem."""
        errors = self.problems()
        if errors:
            raise ConfigError("invalid configuration:\n  - " + "\n  - ".join(errors))
        return self

    @property
    def is_development(self) -> bool:
        """True when development mode was chosen explicitly (built-in secrets allowed)."""
        return self.env in DEVELOPMENT_ENVS

    def warnings(self) -> list[str]:
        """What is acceptable in development but would be refused in production."""
        if not self.is_development:
            return []
        return [f"{p} (accepted because HOUSING_ENV={self.env})" for p in self.secret_problems()]

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
