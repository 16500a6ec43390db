"""Login limits hold across server processes and are keyed by account and address (issue 11 §5).

Two app instances on one Redis stand for two gunicorn workers: before, each counted on its own,
so three workers allowed 27 wrong passwords a minute instead of 10.
"""

from __future__ import annotations

import pytest
import redis

from app.auth import ratelimit
from app.factory import create_app
from app.services import demo_service
from tests.conftest import make_settings, truncate

ATTACKER, USER, PROXY = "203.0.113.66", "198.51.100.20", "10.0.0.1"


@pytest.fixture
def store(redis_url):
    """The shared counter store, empty before and after."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield redis_url
    client.flushdb()


@pytest.fixture
def make_apps(pg_url, store):
    """``make_apps(n, **settings)`` → n app instances sharing PostgreSQL and the Redis counters."""
    def make(n: int = 2, **settings):
        apps = [create_app(make_settings(pg_url, ratelimit_storage_url=store, **settings)) for _ in range(n)]
        with apps[0].app_context():
            demo_service.load_demo_users()
        return apps

    yield make
    truncate(pg_url)


def login(app, password: str, username: str = "admin", address: str = ATTACKER, **headers) -> int:
    with app.app_context():
        return app.test_client().post("/api/v1/auth/token", json={"username": username, "password": password},
                                      environ_base={"REMOTE_ADDR": address}, headers=headers).status_code


def test_two_processes_share_one_limit(make_apps):
    first, second = make_apps()
    codes = [login(app, "guess") for app in (first, second) * 5]
    assert codes == [401] * 10
    assert login(first, "guess") == 429 and login(second, "guess") == 429
    assert login(second, "demo123") == 429  # refused before the password is checked
    assert login(first, "demo123", address=USER) == 200  # the locked address does not lock the account


def test_an_account_is_not_guessed_from_many_addresses(make_apps):
    first, second = make_apps(login_account_limit="12/hour")
    for i in range(12):
        assert login((first, second)[i % 2], "guess", address=f"192.0.2.{i}") == 401
    assert login(first, "demo123", address=USER) == 429  # the account rests, whatever the address
    assert login(second, "demo123", username="operator", address=USER) == 200  # other accounts do not


def test_one_address_cannot_spray_many_accounts(make_apps):
    first, second = make_apps(login_address_limit="6/minute")
    for i in range(6):
        assert login((first, second)[i % 2], "guess", username=f"user{i}") == 401
    assert login(first, "demo123", username="operator") == 429
    assert login(second, "demo123", username="operator", address=USER) == 200


def test_page_logins_count_in_the_same_store(make_apps):
    first, second = make_apps()
    for _ in range(10):
        assert login(first, "guess") == 401
    with second.app_context():
        client = second.test_client()
        page = client.get("/login", environ_base={"REMOTE_ADDR": ATTACKER}).get_data(as_text=True)
        token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
        response = client.post("/login", data={"username": "admin", "password": "demo123", "csrf_token": token},
                               environ_base={"REMOTE_ADDR": ATTACKER})
    assert response.status_code == 429


def test_behind_a_proxy_the_forwarded_address_counts(make_apps):
    (app,) = make_apps(1, proxy_hops=1)
    for _ in range(10):
        assert login(app, "guess", address=PROXY, **{"X-Forwarded-For": ATTACKER}) == 401
    assert login(app, "demo123", address=PROXY, **{"X-Forwarded-For": ATTACKER}) == 429
    assert login(app, "demo123", address=PROXY, **{"X-Forwarded-For": USER}) == 200


def test_without_a_trusted_proxy_a_forwarded_header_changes_nothing(make_apps):
    (app,) = make_apps(1)
    for i in range(10):
        assert login(app, "guess", **{"X-Forwarded-For": f"192.0.2.{i}"}) == 401
    assert login(app, "demo123", **{"X-Forwarded-For": USER}) == 429  # no escape by inventing an address


def test_the_store_is_redis_in_production_and_memory_in_development(pg_url):
    settings = make_settings(pg_url)
    assert ratelimit.storage_uri(settings) == "memory://"
    production = settings.with_(env="production", redis_url="redis://cache:6379/2")
    assert ratelimit.storage_uri(production) == "redis://cache:6379/2"
    assert ratelimit.storage_uri(production.with_(ratelimit_storage_url="redis://limits:6379/0")) == \
        "redis://limits:6379/0"
    bad = production.with_(ratelimit_storage_url="mysql://x", login_limit="ten a minute", proxy_hops=-1)
    problems = "\n".join(bad.problems())
    for name in ("HOUSING_RATELIMIT_STORAGE_URL", "HOUSING_LOGIN_LIMIT", "HOUSING_PROXY_HOPS"):
        assert name in problems


def test_each_app_has_its_own_limiter(pg_url):
    one, two = (create_app(make_settings(pg_url)) for _ in range(2))
    assert one.extensions[ratelimit.EXTENSION] is not two.extensions[ratelimit.EXTENSION]
    with one.app_context():
        demo_service.load_demo_users()
        try:
            for _ in range(10):
                assert login(one, "guess") == 401
            assert login(one, "guess") == 429
            assert login(two, "demo123") == 200  # in memory: each app (process) counts alone
        finally:
            truncate(pg_url)


def test_an_unreachable_store_refuses_logins_with_a_problem_not_a_crash(pg_url):
    from tests.support.processes import free_port

    app = create_app(make_settings(pg_url, ratelimit_storage_url=f"redis://127.0.0.1:{free_port()}/0"))
    with app.app_context():
        response = app.test_client().post("/api/v1/auth/token", json={"username": "admin", "password": "x"})
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
