"""The housing command: serve (the embedded default), migrate, deploy, demo data."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.processes import free_port, stop

ROOT = Path(__file__).resolve().parent.parent


def _env(tmp_path, **extra):
    env = dict(os.environ, HOUSING_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}", PYTHONPATH=str(ROOT),
               HOUSING_LOG_LEVEL="WARNING", HOUSING_FORMS_DIR=str(ROOT / "tests/fixtures/forms"),
               HOUSING_ENV="development")
    env.update(extra)
    return env


def _housing(*args, env):
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_serve_starts_the_embedded_default_with_processes_demo_users_and_cases(tmp_path):
    port, sandbox_port = free_port(), free_port()
    env = _env(tmp_path, HOUSING_SANDBOX_URL=f"http://127.0.0.1:{sandbox_port}")
    env.pop("HOUSING_FORMS_DIR")  # the real forms/ and processes/
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    assert json.load(response) == {"status": "ok"}
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/auth/token", method="POST",
                                         data=json.dumps({"username": "admin", "password": "demo123"}).encode(),
                                         headers={"Content-Type": "application/json"})
        token = json.load(urllib.request.urlopen(request, timeout=5))["access_token"]
        def get(path):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1{path}",
                                             headers={"Authorization": f"Bearer {token}"})
            return json.load(urllib.request.urlopen(request, timeout=10))

        keys = {d["key"] for d in get("/process-definitions")["items"]}
        assert {"gongzufang_application", "baozufang_application", "verification", "publication"} <= keys
        deadline = time.monotonic() + 90  # sample applications run their checks against the sandbox
        while not get("/tasks?limit=5")["items"]:
            assert time.monotonic() < deadline, "no sample case reached an inbox"
            time.sleep(1)
        with urllib.request.urlopen(f"http://127.0.0.1:{sandbox_port}/__sandbox/faults", timeout=5) as response:
            assert response.status == 200
    finally:
        stop(server)


def test_migrate_deploy_and_demo_data_commands(tmp_path):
    env = _env(tmp_path, HOUSING_OPERATOR_MODULES="tests.support.operators")
    assert _housing("migrate", env=env).returncode == 0
    folder = tmp_path / "diagrams"
    folder.mkdir()
    (folder / "smoke.bpmn").write_bytes((ROOT / "tests/fixtures/bpmn/smoke.bpmn").read_bytes())
    deployed = _housing("deploy", str(folder), env=env)
    assert deployed.returncode == 0, deployed.stderr
    assert "process  smoke v1" in deployed.stdout
    again = _housing("deploy", str(folder), env=env)
    assert "smoke v1 (unchanged)" in again.stdout
    users = _housing("demo-data", env=env)
    assert users.returncode == 0 and "street_yz" in users.stdout


def test_deploy_reports_every_problem_and_fails(tmp_path):
    env = _env(tmp_path)
    _housing("migrate", env=env)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "invalid.bpmn").write_bytes((ROOT / "tests/fixtures/bpmn/invalid.bpmn").read_bytes())
    result = _housing("deploy", str(broken), env=env)
    assert result.returncode == 1
    assert "unknown_op" in result.stderr and "unknown operator 'nosuch/operation'" in result.stderr


def test_a_bad_setting_is_a_readable_error(tmp_path):
    result = _housing("migrate", env=_env(tmp_path, HOUSING_JOB_RUNNER="celery"))
    assert result.returncode == 2
    assert "HOUSING_JOB_RUNNER must be 'inline' or 'rq'" in result.stderr


@pytest.mark.parametrize("command", ["serve", "worker", "scheduler"])
def test_nothing_starts_on_the_built_in_secrets_unless_development_is_chosen(tmp_path, command):
    env = _env(tmp_path, HOUSING_JOB_RUNNER="rq")
    del env["HOUSING_ENV"]  # production, the default
    env.pop("HOUSING_SECRET_KEY", None)
    env["HOUSING_JWT_SECRET"] = "too-short"
    result = _housing(command, env=env)
    assert result.returncode == 2
    assert "HOUSING_SECRET_KEY is the built-in development value" in result.stderr
    assert "HOUSING_JWT_SECRET is too short (9 bytes)" in result.stderr


def test_user_commands_disable_set_passwords_and_roles(tmp_path):
    env = _env(tmp_path)
    _housing("migrate", env=env)
    _housing("demo-data", env=env)

    def row(username):
        with sqlite3.connect(tmp_path / "cli.sqlite3") as conn:
            return conn.execute("SELECT active, token_version, roles FROM app_user WHERE username = ?",
                                (username,)).fetchone()

    assert row("street_yz")[:2] == (1, 0)
    disabled = _housing("user", "disable", "street_yz", env=env)
    assert disabled.returncode == 0 and "已停用 street_yz" in disabled.stdout
    assert row("street_yz")[:2] == (0, 1)
    assert _housing("user", "enable", "street_yz", env=env).returncode == 0 and row("street_yz")[:2] == (1, 1)
    short = _housing("user", "password", "admin", "--password", "short", env=env)
    assert short.returncode == 1 and "password too short" in short.stderr and row("admin")[1] == 0
    assert _housing("user", "password", "admin", "--password", "a-long-password", env=env).returncode == 0
    roles = _housing("user", "roles", "admin", "operator", "--group", "operator", env=env)
    assert roles.returncode == 0 and row("admin")[1:] == (2, '["operator"]')
    assert _housing("user", "sign-out", "admin", env=env).returncode == 0 and row("admin")[1] == 3
    unknown = _housing("user", "disable", "nobody", env=env)
    assert unknown.returncode == 1 and "no user 'nobody'" in unknown.stderr
