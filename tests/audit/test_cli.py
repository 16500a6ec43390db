"""``housing audit verify|checkpoint`` as an operator runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _env(url: str) -> dict:
    import os

    return dict(os.environ, HOUSING_ENV="test", HOUSING_DATABASE_URL=url, PYTHONPATH=str(ROOT),
                HOUSING_LOG_LEVEL="WARNING",
                HOUSING_FORMS_DIR=str(ROOT / "tests/fixtures/forms"),
                HOUSING_OPERATOR_MODULES="tests.support.operators")


def _housing(*args, env):
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def _deploy_something(tmp_path, env) -> None:
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "smoke.bpmn").write_bytes((ROOT / "tests/fixtures/bpmn/smoke.bpmn").read_bytes())
    assert _housing("deploy", str(folder), env=env).returncode == 0  # records a deployment audit event


def test_verify_and_checkpoint_report_an_intact_trail_then_name_the_edited_event(tmp_path):
    db_file = tmp_path / "a.sqlite3"
    env = _env(f"sqlite:///{db_file}")
    assert _housing("migrate", env=env).returncode == 0
    _deploy_something(tmp_path, env)

    ok = _housing("audit", "verify", env=env)
    assert ok.returncode == 0, ok.stderr
    assert "审计链完整：1 个主体、1 个事件" in ok.stdout

    out = tmp_path / "cp.json"
    sealed = _housing("audit", "checkpoint", "--out", str(out), env=env)
    assert sealed.returncode == 0, sealed.stderr
    assert json.loads(out.read_text())["subjects"] == 1

    with sqlite3.connect(db_file) as conn:
        event_id, subject = conn.execute("SELECT id, subject_id FROM audit_event").fetchone()
        conn.execute("UPDATE audit_event SET actor = 'mallory'")
    broken = _housing("audit", "verify", "--since", "24h", env=env)
    assert broken.returncode == 1
    assert "审计链被破坏" in broken.stderr
    assert f"主体 deployment/{subject} 的事件 #{event_id}" in broken.stderr and "密钥哈希不符" in broken.stderr

    refused = _housing("audit", "checkpoint", env=env)
    assert refused.returncode == 1 and "未生成检查点" in refused.stderr

    with sqlite3.connect(db_file) as conn:  # the whole subject gone, and the stored checkpoints with it
        conn.execute("DELETE FROM audit_event")
        conn.execute("DELETE FROM audit_chain_head")
        conn.execute("DELETE FROM audit_checkpoint")
    assert _housing("audit", "verify", env=env).returncode == 0  # nothing left to compare with …
    kept = _housing("audit", "verify", "--checkpoint", str(out), env=env)  # … but the copy outside remembers
    assert kept.returncode == 1 and f"主体 deployment/{subject}" in kept.stderr and "检查点" in kept.stderr


def test_bad_input_is_a_readable_error(tmp_path):
    env = _env(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    assert _housing("migrate", env=env).returncode == 0
    result = _housing("audit", "verify", "--since", "last tuesday", env=env)
    assert result.returncode == 2 and "无法识别的时间" in result.stderr
    bad = tmp_path / "cp.json"
    bad.write_text("{not json")
    result = _housing("audit", "verify", "--checkpoint", str(bad), env=env)
    assert result.returncode == 2 and "检查点文件无法读取" in result.stderr
    result = _housing("db", "grant-roles", "--role", "app", env=env)
    assert result.returncode == 2 and "SQLite" in result.stderr


def test_verify_on_postgresql(tmp_path, pg_url):
    env = _env(pg_url)
    _deploy_something(tmp_path, env)
    try:
        result = _housing("audit", "verify", env=env)
        assert result.returncode == 0 and "1 个主体" in result.stdout, result.stderr
        assert _housing("audit", "checkpoint", env=env).returncode == 0
    finally:
        from app.factory import create_app
        from tests.conftest import make_settings, truncate

        with create_app(make_settings(pg_url)).app_context():
            truncate(pg_url)
