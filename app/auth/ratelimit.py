"""Rate limits shared by every server process (flask-limiter on Redis), and the client's address.

The counters live in the store ``HOUSING_RATELIMIT_STORAGE_URL`` names — by default Redis
(``HOUSING_REDIS_URL``) in production and process memory in development — so three gunicorn
workers on two hosts allow exactly the configured number of attempts, not three or six times it.

Failed logins are counted three ways, and an attempt is refused before the password is checked
when any of the three is used up:

* per account *and* address (``HOUSING_LOGIN_LIMIT``): one address guessing one account stops,
  while the right password from elsewhere still works;
* per address over all accounts (``HOUSING_LOGIN_ADDRESS_LIMIT``): one address trying many
  accounts stops;
* per account over all addresses (``HOUSING_LOGIN_ACCOUNT_LIMIT``): an account is not guessed
  from many addresses. Keep it above what one address may try, so a single address cannot lock
  the account for everyone.

Behind a reverse proxy, set ``HOUSING_PROXY_HOPS`` to the number of proxies in front of the
server: werkzeug's ``ProxyFix`` then takes the client's address (and scheme and host) from that
many ``X-Forwarded-*`` entries. With 0 (the default) those headers are ignored, so nobody can
choose their own address by sending one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from redis import RedisError
from werkzeug.exceptions import ServiceUnavailable
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import Settings

EXTENSION = "housing.limits"
KEY_PREFIX = "housing-limits"
log = logging.getLogger(__name__)


@contextmanager
def _store() -> Iterator[None]:
    """An unreachable store refuses the request (503) rather than letting it through unlimited."""
    try:
        yield
    except (RedisError, StorageError, ConnectionError) as exc:
        log.error("rate-limit store unreachable: %s", exc)
        raise ServiceUnavailable("the rate-limit store is unreachable; try again shortly") from None


def client_key() -> str:
    """The caller's address (with ``HOUSING_PROXY_HOPS`` set, the one the proxies forwarded)."""
    return request.remote_addr or "unknown"


def storage_uri(settings: Settings) -> str:
    """Where the counters live: the explicit setting, else Redis in production, memory in development."""
    if settings.ratelimit_storage_url:
        return settings.ratelimit_storage_url
    return "memory://" if settings.is_development else settings.redis_url


class Limits:
    """The app's limiter and the named limits it enforces (one per app, see :func:`init_app`)."""

    def __init__(self, limiter: Limiter, settings: Settings):
        self.limiter = limiter
        self.login_pair = parse_many(settings.login_limit)
        self.login_address = parse_many(settings.login_address_limit)
        self.login_account = parse_many(settings.login_account_limit)
        self.objection = parse_many(settings.objection_limit)

    def _login_counters(self, username: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        account, address = _account(username), client_key()
        keyed: list[tuple[list[RateLimitItem], tuple[str, ...]]] = [
            (self.login_pair, (KEY_PREFIX, "login-pair", account, address)),
            (self.login_address, (KEY_PREFIX, "login-address", address)),
            (self.login_account, (KEY_PREFIX, "login-account", account)),
        ]
        return [(item, key) for items, key in keyed for item in items]

    def login_refused(self, username: str) -> bool:
        """True when a login for ``username`` from this address must be refused unchecked."""
        strategy = self.limiter.limiter
        with _store():
            return any(not strategy.test(item, *ids) for item, ids in self._login_counters(username))

    def login_failed(self, username: str) -> None:
        """Count one failed login for ``username`` from this address."""
        strategy = self.limiter.limiter
        with _store():
            for item, ids in self._login_counters(username):
                strategy.hit(item, *ids)

    def objection_allowed(self) -> bool:
        """Count one public objection from this address; False when over the limit (not counted then)."""
        return self.allow_all(self.objection, "objection", client_key())

    def allow_all(self, items: list[RateLimitItem], *ids: str) -> bool:
        """Count one hit of every limit in ``items`` for ``ids``; False (none counted) when one is used up."""
        strategy, key = self.limiter.limiter, (KEY_PREFIX, *ids)
        with _store():
            if not all(strategy.test(item, *key) for item in items):
                return False
            for item in items:
                strategy.hit(item, *key)
        return True

    def allow(self, limit: RateLimitItem, *ids: str) -> bool:
        """Count one hit of ``limit`` for ``ids``; False (and not counted) when it is used up."""
        with _store():
            return self.limiter.limiter.hit(limit, KEY_PREFIX, *ids)

    def reset(self) -> None:
        """Forget every counter of this store (tests, or an operator after an incident)."""
        self.limiter.reset()


def init_app(app: Flask, settings: Settings) -> Limits:
    """Trust ``HOUSING_PROXY_HOPS`` proxies and give ``app`` its own limiter on the shared store."""
    if settings.proxy_hops > 0:
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops,  # type: ignore[method-assign]
                                x_prefix=hops)
    limiter = Limiter(client_key, storage_uri=storage_uri(settings), strategy="moving-window",
                      key_prefix=KEY_PREFIX, default_limits=[], headers_enabled=False)
    limiter.init_app(app)
    limits = Limits(limiter, settings)
    app.extensions[EXTENSION] = limits
    return limits


def limits() -> Limits:
    """The current app's limits."""
    return current_app.extensions[EXTENSION]


def login_refused(username: str) -> bool:
    """See :meth:`Limits.login_refused`."""
    return limits().login_refused(username)


def login_failed(username: str) -> None:
    """See :meth:`Limits.login_failed`."""
    limits().login_failed(username)


def objection_allowed() -> bool:
    """See :meth:`Limits.objection_allowed`."""
    return limits().objection_allowed()


def _account(username: str) -> str:
    return (username or "").strip().lower()[:64] or "-"
