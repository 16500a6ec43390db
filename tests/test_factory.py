"""The application factory and the settings it is built from."""

from __future__ import annotations

import pytest

from app.config import ConfigError, Settings
from app.factory import create_app
from app.jobs.rq_runner import RqRunner
from app.jobs.runner import InlineRunner


def test_settings_from_environment_and_secret_files(tmp_path):
    secret = tmp_path / "jwt"
    secret.write_text("from-a-file\n")
    settings = Settings.from_env({
        "HOUSING_DATABASE_URL": "postgresql://u@h/db", "HOUSING_JOB_RUNNER": "rq",
        "HOUSING_SCRIPT_TIMEOUT": "0.5", "HOUSING_DEMO_DATA": "true", "HOUSING_JWT_SECRET_FILE": str(secret),
        "HOUSING_CONNECTOR_HUKOU_BASE_URL": "http://x",
    })
    assert settings.job_runner == "rq" and settings.script_timeout == 0.5 and settings.demo_data is True
    assert settings.jwt_secret == "from-a-file"
    assert settings.extra == {"HOUSING_CONNECTOR_HUKOU_BASE_URL": "http://x"}


def test_invalid_settings_name_every_problem():
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"HOUSING_JOB_RUNNER": "celery", "HOUSING_SCRIPT_TIMEOUT": "soon",
                           "HOUSING_DATABASE_URL": "mysql://x", "HOUSING_JWT_SECRET_FILE": "/nope"})
    text = str(info.value)
    for fragment in ("HOUSING_JOB_RUNNER", "HOUSING_SCRIPT_TIMEOUT", "HOUSING_DATABASE_URL",
                     "HOUSING_JWT_SECRET_FILE"):
        assert fragment in text


def test_production_refuses_development_secrets():
    with pytest.raises(ConfigError, match="HOUSING_JWT_SECRET must be set in production"):
        Settings.from_env({"HOUSING_ENV": "production"})


def test_factory_picks_the_runner_and_serves_health(tmp_path):
    inline = create_app(Settings(database_url=f"sqlite:///{tmp_path}/a.db"))
    assert isinstance(inline.extensions["housing.runner"], InlineRunner)
    assert inline.test_client().get("/healthz").get_json() == {"status": "ok"}
    queued = create_app(Settings(database_url=f"sqlite:///{tmp_path}/b.db", job_runner="rq"))
    assert isinstance(queued.extensions["housing.runner"], RqRunner)


def test_a_job_lease_must_outlast_two_heartbeats():
    assert Settings.from_env({}).job_lease_seconds == 20 and Settings.from_env({}).job_heartbeat_seconds == 5.0
    with pytest.raises(ConfigError, match="HOUSING_JOB_LEASE_SECONDS must be at least twice"):
        Settings.from_env({"HOUSING_JOB_LEASE_SECONDS": "6", "HOUSING_JOB_HEARTBEAT_SECONDS": "5"})
    assert Settings.from_env({"HOUSING_JOB_LEASE_SECONDS": "2", "HOUSING_JOB_HEARTBEAT_SECONDS": "0.5"})
