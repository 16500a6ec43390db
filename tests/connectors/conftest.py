"""One sandbox over real HTTP for the connector tests, and settings pointing at it."""

from __future__ import annotations

import pytest

from app.engine.operators import load_operators
from connectors.base import forget_instances
from connectors.testing import running_sandbox, sandbox_settings


@pytest.fixture(scope="session")
def sandbox():
    """``(base_url, admin)`` of a sandbox served from a thread for the whole session."""
    load_operators()
    with running_sandbox(hang_seconds=2.0, latency_seconds=0.05) as running:
        yield running


@pytest.fixture
def sandbox_url(sandbox) -> str:
    return sandbox[0]


@pytest.fixture
def admin(sandbox):
    """The sandbox admin client, with faults and the request log cleared around each test."""
    client = sandbox[1]
    client.clear_faults()
    client.clear_requests()
    yield client
    client.clear_faults()


@pytest.fixture
def settings(sandbox_url):
    """Fresh settings (hence fresh connector instances and breakers) with fast timeouts."""
    forget_instances()
    return sandbox_settings(sandbox_url)
