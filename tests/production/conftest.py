"""The production topology, started once for the module that uses it (see topology.py)."""

from __future__ import annotations

import pytest

from tests.production.checks import Database
from tests.production.steps import People, add_district_reviewers
from tests.production.topology import Topology


@pytest.fixture(scope="module")
def topology(redis_url):
    """gunicorn ×3, ``housing worker`` ×2, ``housing scheduler`` ×2 and the sandbox, on a fresh
    PostgreSQL database and this run's Redis database, stopped by process id at the end."""
    with Topology(redis_url, web_workers=3, job_workers=2, schedulers=2) as running:
        add_district_reviewers(running)
        yield running


@pytest.fixture(scope="module")
def people(topology):
    return People(topology)


@pytest.fixture(scope="module")
def database(topology):
    return Database(topology.database_url)


@pytest.fixture
def settled(topology, database):
    """After the test: no running instance waits on nothing, no incident is open, no process logged
    a traceback."""
    yield
    assert_settled(topology, database)


def assert_settled(topology: Topology, database: Database) -> None:
    stuck, incidents, problems = database.waiting_on_nothing(), database.open_incidents(), topology.problems()
    assert stuck == [], f"instances waiting on nothing: {stuck}\n{problems}"
    assert incidents == [], f"open incidents: {incidents}\n{problems}"
    assert problems == "", problems
