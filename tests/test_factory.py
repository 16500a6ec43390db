"""The application factory and the settings it is built from."""

from __future__ import annotations

import gc
import importlib
import logging
import sys

import pytest

from app import cli, heap
from app.config import ConfigError, Settings
from app.factory import create_app
from app.jobs.rq_runner import RqRunner
from app.jobs.runner import InlineRunner


def test_settings_from_environment_and_secret_files(tmp_path):
    secret = tmp_path / "jwt"
    secret.write_text("from-a-file-long-enough-for-production\n")
    settings = Settings.from_env({
        "HOUSING_DATABASE_URL": "postgresql://u@h/db", "HOUSING_JOB_RUNNER": "rq",
        "HOUSING_SCRIPT_TIMEOUT": "0.5", "HOUSING_DEMO_DATA": "true", "HOUSING_JWT_SECRET_FILE": str(secret),
        "HOUSING_CONNECTOR_HUKOU_BASE_URL": "http://x", "HOUSING_SECRET_KEY": "k" * 32,
        "HOUSING_AUDIT_KEY": "a" * 32,
        "HOUSING_CONTRACT_SIGNING_KEY_FILE": "/etc/housing/contract-signing.p12",
    })
    assert settings.job_runner == "rq" and settings.script_timeout == 0.5 and settings.demo_data is True
    assert settings.jwt_secret == "from-a-file-long-enough-for-production"
    assert settings.extra == {"HOUSING_CONNECTOR_HUKOU_BASE_URL": "http://x"}


def test_invalid_settings_name_every_problem():
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"HOUSING_JOB_RUNNER": "celery", "HOUSING_SCRIPT_TIMEOUT": "soon",
                           "HOUSING_DATABASE_URL": "mysql://x", "HOUSING_JWT_SECRET_FILE": "/nope"})
    text = str(info.value)
    for fragment in ("HOUSING_JOB_RUNNER", "HOUSING_SCRIPT_TIMEOUT", "HOUSING_DATABASE_URL",
                     "HOUSING_JWT_SECRET_FILE"):
        assert fragment in text


STRONG = "s" * 40


def test_production_is_the_default_and_refuses_missing_builtin_or_short_secrets(tmp_path):
    assert Settings().env == "production"
    with pytest.raises(ConfigError) as info:  # nothing set at all: the built-in values
        Settings.from_env({})
    assert "HOUSING_SECRET_KEY is the built-in development value" in str(info.value)
    assert "HOUSING_JWT_SECRET is the built-in development value" in str(info.value)
    assert "HOUSING_AUDIT_KEY is the built-in development value" in str(info.value)
    with pytest.raises(ConfigError, match="HOUSING_JWT_SECRET must be set"):
        Settings.from_env({"HOUSING_JWT_SECRET": "", "HOUSING_SECRET_KEY": STRONG, "HOUSING_AUDIT_KEY": STRONG})
    with pytest.raises(ConfigError, match=r"HOUSING_JWT_SECRET is too short \(11 bytes\)"):
        Settings.from_env({"HOUSING_JWT_SECRET": "short-value", "HOUSING_SECRET_KEY": STRONG,
                           "HOUSING_AUDIT_KEY": STRONG})
    with pytest.raises(ConfigError, match=r"HOUSING_AUDIT_KEY is too short"):
        Settings.from_env({"HOUSING_JWT_SECRET": STRONG, "HOUSING_SECRET_KEY": STRONG + "k",
                           "HOUSING_AUDIT_KEY": "short"})
    with pytest.raises(ConfigError, match="HOUSING_ENV must be 'production', 'development' or 'test'"):
        Settings.from_env({"HOUSING_ENV": "prod"})
    with pytest.raises(ConfigError, match="HOUSING_SECRET_KEY is the built-in"):  # the server refuses too
        create_app(Settings(database_url=f"sqlite:///{tmp_path}/x.db", jwt_secret=STRONG))
    with pytest.raises(ConfigError, match="HOUSING_CONTRACT_SIGNING_KEY_FILE must name"):  # no contract seal
        Settings.from_env({"HOUSING_JWT_SECRET": STRONG, "HOUSING_SECRET_KEY": STRONG + "k",
                           "HOUSING_AUDIT_KEY": STRONG + "a"})
    ok = Settings.from_env({"HOUSING_JWT_SECRET": STRONG, "HOUSING_SECRET_KEY": STRONG + "k",
                            "HOUSING_AUDIT_KEY": STRONG + "a",
                            "HOUSING_CONTRACT_SIGNING_KEY_FILE": "/etc/housing/contract-signing.p12"})
    assert ok.env == "production" and ok.warnings() == [] and ok.contract_signing_key_file.endswith(".p12")


def test_development_mode_is_chosen_explicitly_and_warns(caplog, tmp_path):
    settings = Settings.from_env({"HOUSING_ENV": "development"})
    assert settings.is_development and len(settings.warnings()) == 3
    with caplog.at_level("WARNING", logger="app.factory"):
        create_app(settings.with_(database_url=f"sqlite:///{tmp_path}/d.db"))
    assert "HOUSING_JWT_SECRET is the built-in development value" in caplog.text


def test_factory_picks_the_runner_and_serves_health(tmp_path):
    inline = create_app(Settings(database_url=f"sqlite:///{tmp_path}/a.db", env="development"))
    assert isinstance(inline.extensions["housing.runner"], InlineRunner)
    assert inline.test_client().get("/healthz").get_json() == {"status": "ok"}
    queued = create_app(Settings(database_url=f"sqlite:///{tmp_path}/b.db", job_runner="rq", env="development"))
    assert isinstance(queued.extensions["housing.runner"], RqRunner)


def test_a_job_lease_must_outlast_two_heartbeats():
    DEV = {"HOUSING_ENV": "development"}
    assert Settings.from_env(DEV).job_lease_seconds == 20 and Settings.from_env(DEV).job_heartbeat_seconds == 5.0
    with pytest.raises(ConfigError, match="HOUSING_JOB_LEASE_SECONDS must be at least twice"):
        Settings.from_env({**DEV, "HOUSING_JOB_LEASE_SECONDS": "6", "HOUSING_JOB_HEARTBEAT_SECONDS": "5"})
    assert Settings.from_env({**DEV, "HOUSING_JOB_LEASE_SECONDS": "2", "HOUSING_JOB_HEARTBEAT_SECONDS": "0.5"})


def _bare_root_logger(monkeypatch) -> logging.Logger:
    """The root logger as a fresh process has it: no handlers (not even pytest's), level WARNING."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", logging.WARNING)
    return root


def test_the_factory_leaves_logging_to_the_entry_points(tmp_path, monkeypatch):
    root = _bare_root_logger(monkeypatch)
    create_app(Settings(database_url=f"sqlite:///{tmp_path}/a.db", log_level="DEBUG", env="development"))
    assert root.handlers == [] and root.level == logging.WARNING


def test_the_housing_command_configures_logging_from_the_settings(tmp_path, monkeypatch):
    root = _bare_root_logger(monkeypatch)
    monkeypatch.setenv("HOUSING_ENV", "development")
    monkeypatch.setenv("HOUSING_DATABASE_URL", f"sqlite:///{tmp_path}/a.db")
    monkeypatch.setenv("HOUSING_LOG_LEVEL", "DEBUG")
    app = cli._create_app()
    assert app.extensions["housing.settings"].log_level == "DEBUG"
    assert root.level == logging.DEBUG and len(root.handlers) == 1
    # SpiffWorkflow reads its loggers' own levels: below INFO it lists every task in a record's extras
    assert all(logging.getLogger(name).level == logging.WARNING for name in ("spiff", "spiff.task", "spiff.workflow"))


def test_the_wsgi_module_builds_the_app_from_the_environment_and_configures_logging(tmp_path, monkeypatch):
    root = _bare_root_logger(monkeypatch)
    monkeypatch.setenv("HOUSING_ENV", "development")
    monkeypatch.setenv("HOUSING_DATABASE_URL", f"sqlite:///{tmp_path}/a.db")
    monkeypatch.setenv("HOUSING_LOG_LEVEL", "ERROR")
    monkeypatch.delitem(sys.modules, "app.wsgi", raising=False)
    monkeypatch.setattr(heap, "_settled_at", None)  # this test process is no server: undone below
    try:
        wsgi = importlib.import_module("app.wsgi")
        assert gc.get_freeze_count() > 0  # the web worker's heap is settled (app.heap)
    finally:
        gc.unfreeze()
    assert wsgi.app.extensions["housing.db"].url == f"sqlite:///{tmp_path}/a.db"
    assert root.level == logging.ERROR and len(root.handlers) == 1
