"""Cases run through the production topology: gunicorn ×3, two job workers, two schedulers, the
sandbox over HTTP, PostgreSQL and Redis — every step a request on a new connection, with web and
job workers restarted between steps (see conftest.py and topology.py).

Each scenario checks the case's final state, every decision and opinion in its history (the
instance data, the completed steps with their actors, and the audit trail), and that no instance
anywhere is left running with nothing to wait for.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.production.steps import (
    Case,
    accept,
    apply,
    assert_countersigned,
    countersign,
    countersign_case,
    end_publication,
    review,
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("settled")]


def assert_history(case: Case, database) -> None:
    """Every decision taken over HTTP is in the audit trail, by whom and with its opinion, in order
    (the departments of one countersign in any order)."""
    recorded = database.decisions(case.number)
    assert Counter(recorded) == Counter(case.decisions), (recorded, case.decisions)
    steps = [d for d in recorded if d[0] != "countersign"]
    assert steps == [d for d in case.decisions if d[0] != "countersign"]


def test_countersign_one_by_one_each_after_a_web_restart(topology, people, database):
    case = countersign_case(people, "eligible_nuclear", before_each=topology.restart_web)
    final = end_publication(case)
    assert final["outcome"]["status"] == "approved" and final["step"] == "轮候"
    assert_countersigned(case)
    assert_history(case, database)


def test_countersign_by_three_departments_at_once_after_a_web_restart(topology, people, database):
    case = apply(people, "multi_generation")
    accept(case)
    review(case)
    topology.restart_web()
    countersign(case, concurrently=True)
    case.wait_for_step("公示", timeout=60)
    assert_countersigned(case)
    final = end_publication(case)
    assert final["outcome"]["status"] == "approved"
    assert_history(case, database)
