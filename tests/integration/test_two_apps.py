"""Two apps in one process keep apart: database, spec cache, holiday calendar, connector settings."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select

from app.cli import migrate_database
from app.db import Database, NoApplicationDatabase, db
from app.engine import workdays
from app.engine.bundle import bundles
from app.engine.operators import registry
from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.models import Job, ProcessInstance
from app.services import job_service
from connectors.base import NoApplicationSettings
from tests.conftest import bearer, close, deploy_fixture, fixture_bytes, make_settings, truncate
from tests.support.api import complete, ready, start

B_STEP = "人工核查B（乙区）"
MEMBERS = {"members": [{"income": 1}, {"income": 2}], "district": "渝中区"}
HOLIDAY_SPAN = 30  # days from today that app B's administrator declared holidays


def count(url: str, model, **where) -> int:
    """Rows of ``model`` in the database at ``url``, read with an engine of its own."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    try:
        with engine.connect() as conn:
            query = select(func.count()).select_from(model)
            for column, value in where.items():
                query = query.where(getattr(model, column) == value)
            return conn.scalar(query) or 0
    finally:
        engine.dispose()


@pytest.fixture
def two_apps(pg_url, tmp_path):
    """App A on PostgreSQL with defaults; app B on SQLite with its own holidays and connector settings.

    Both run their jobs inline, right after the commit that made them, inside the app's context.
    """
    today = datetime.now(workdays.CHINA_TZ).date()
    holidays = tmp_path / "holidays.json"
    holidays.write_text(json.dumps({"holidays": [str(today + timedelta(days=n)) for n in range(HOLIDAY_SPAN)]}))
    sqlite_url = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    migrate_database(sqlite_url)
    app_a = create_app(make_settings(pg_url), runner=InlineRunner(job_service.execute_batch, synchronous=True))
    app_b = create_app(make_settings(sqlite_url, holidays_file=str(holidays),
                                     extra={"HOUSING_CONNECTOR_DEFAULT_JOB_ATTEMPTS": "2"}),
                       runner=InlineRunner(job_service.execute_batch, synchronous=True))
    yield app_a, app_b, pg_url, sqlite_url, today
    close(app_a)
    close(app_b)
    truncate(pg_url)


def test_requests_and_jobs_of_one_app_never_touch_the_others_database(two_apps):
    app_a, app_b, url_a, url_b, today = two_apps
    client_a, client_b = app_a.test_client(), app_b.test_client()
    with app_b.app_context():  # another app's context underneath changes nothing for A's requests
        assert deploy_fixture(client_a, bearer(app_a), "smoke.bpmn").status_code == 201
    with app_a.app_context():
        # B's own edition of the diagram: same process key and, in B's database, the same id (1)
        edited = fixture_bytes("smoke.bpmn").replace("人工核查B".encode(), B_STEP.encode())
        assert client_b.post("/api/v1/process-definitions", data={"files": [(io.BytesIO(edited), "smoke.bpmn")]},
                             headers=bearer(app_b), content_type="multipart/form-data").status_code == 201
        assert deploy_fixture(client_b, bearer(app_b), "income_grade.dmn").status_code == 201
        assert len(client_a.get("/api/v1/process-definitions", headers=bearer(app_a)).get_json()["items"]) == 1
        assert len(client_b.get("/api/v1/process-definitions", headers=bearer(app_b)).get_json()["items"]) == 2

    # each app compiles and caches its own spec for ("smoke", id 1)
    with app_a.app_context():
        inst_a = start(client_a, bearer(app_a), "smoke", MEMBERS)
    with app_b.app_context():
        inst_b = start(client_b, bearer(app_b), "smoke", MEMBERS)
    assert [t["name"] for t in inst_a["ready_tasks"]] == ["人工核查B"]
    assert [t["name"] for t in inst_b["ready_tasks"]] == [B_STEP]
    assert count(url_a, ProcessInstance) == 1 and count(url_b, ProcessInstance) == 1
    assert count(url_a, ProcessInstance, id=inst_b["id"]) == 0
    assert count(url_b, ProcessInstance, id=inst_a["id"]) == 0
    assert count(url_a, Job, instance_id=inst_a["id"]) > 0  # A's service tasks ran as jobs, in A's database
    assert count(url_b, Job, instance_id=inst_b["id"]) > 0  # and B's in B's
    assert count(url_a, Job, instance_id=inst_b["id"]) == 0 and count(url_b, Job, instance_id=inst_a["id"]) == 0
    assert client_b.get(f"/api/v1/process-instances/{inst_a['id']}", headers=bearer(app_b)).status_code == 404

    # each app's deadline uses its own calendar: B's administrator declared the next 30 days holidays
    due = {}
    for name, app, client, inst in (("a", app_a, client_a, inst_a), ("b", app_b, client_b, inst_b)):
        with app.app_context():
            complete(client, bearer(app), ready(client, bearer(app), inst["id"], "manual_b")[0]["id"])
            review = ready(client, bearer(app), inst["id"], "review")[0]
        due[name] = datetime.fromisoformat(review["due_at"]).astimezone(workdays.CHINA_TZ).date()
    assert due["a"] < today + timedelta(days=HOLIDAY_SPAN)
    assert due["b"] > today + timedelta(days=HOLIDAY_SPAN)


def test_calendar_and_connector_settings_follow_the_current_app(two_apps):
    app_a, app_b, *_, today = two_apps
    hukou = registry.get("hukou/check")
    with app_a.app_context():
        assert workdays.is_workday(today) == workdays.NATIONAL.is_workday(today)
        assert hukou.retry.max_attempts == 4  # the connector's own default
        with app_b.app_context():
            assert not workdays.is_workday(today)
            assert hukou.retry.max_attempts == 2
            assert db.is_sqlite
        assert not db.is_sqlite
        assert hukou.retry.max_attempts == 4


def test_outside_an_app_the_database_and_connector_settings_refuse_to_guess():
    with pytest.raises(NoApplicationDatabase, match="app_context"):
        with db.session():
            pass
    with pytest.raises(NoApplicationSettings):
        registry.get("hukou/check").health_check()
    with pytest.raises(RuntimeError, match="app_context"):
        bundles.clear()
    assert workdays.current_calendar() is workdays.NATIONAL
    assert workdays.is_workday(date(2026, 10, 10))  # pure date maths still works: a make-up Saturday


def test_two_apps_on_one_sqlite_file_still_serialise_the_writers_of_an_instance(tmp_path):
    url = f"sqlite:///{tmp_path / 'one.sqlite3'}"
    first, second, other = Database(url), Database(url), Database(f"sqlite:///{tmp_path / 'two.sqlite3'}")
    try:
        assert first.engine is not second.engine
        assert first.instance_lock("i-1") is second.instance_lock("i-1")
        assert first.instance_lock("i-1") is not other.instance_lock("i-1")
    finally:
        for database in (first, second, other):
            database.dispose()
