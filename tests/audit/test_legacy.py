"""Events from before the chain was keyed: the migration numbers them and builds their heads;
they verify as they are, and once a checkpoint sealed them no unkeyed event can be added."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from app.audit import service
from app.cli import migrate_database
from app.db import db
from app.factory import create_app
from app.services import audit_service
from tests.conftest import ROOT, make_settings


def _old_hash(at: str, actor: str, subject_id: str, prev: str) -> str:
    body = json.dumps([at, actor, "task.completed", "process_instance", subject_id, None, {}, prev],
                      sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def test_unkeyed_events_survive_the_upgrade_and_are_sealed_by_the_first_checkpoint(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "0005_batch_import_jobs")
    engine = create_engine(url)
    with engine.begin() as conn:
        prev = ""
        for n in range(3):
            at = datetime(2026, 1, 1, 8, n, tzinfo=UTC)
            digest = _old_hash(at.isoformat(), f"u{n}", "old-case", prev)
            conn.execute(text("INSERT INTO audit_event (at, actor, action, subject_type, subject_id, instance_id,"
                              " details, prev_hash, hash) VALUES (:at, :actor, 'task.completed', 'process_instance',"
                              " 'old-case', NULL, '{}', :prev, :hash)"),
                         {"at": at.replace(tzinfo=None), "actor": f"u{n}", "prev": prev, "hash": digest})
            prev = digest
    engine.dispose()
    migrate_database(url)

    app = create_app(make_settings(url))
    try:
        with app.app_context():
            report, _ = service.run_verification()
            assert report.ok and report.unkeyed == 3 and "启用密钥前的旧事件" in report.summary()
            with db.transaction() as session:  # the chain goes on, keyed, from the old head
                audit_service.record(session, "alice", "task.completed", "process_instance", "old-case")
            assert service.run_verification()[0].ok
            service.take_checkpoint()
            with db.engine.begin() as conn:
                head = conn.execute(text("SELECT head_hash FROM audit_chain_head")).scalar()
                forged = _old_hash("2026-01-02T00:00:00+00:00", "mallory", "old-case", head)
                conn.execute(text("INSERT INTO audit_event (at, actor, action, subject_type, subject_id, details,"
                                  " seq, key_id, prev_hash, hash) VALUES ('2026-01-02 00:00:00.000000', 'mallory',"
                                  " 'task.completed', 'process_instance', 'old-case', '{}', 5, '', :p, :h)"),
                             {"p": head, "h": forged})
                conn.execute(text("UPDATE audit_chain_head SET head_hash = :h, count = 5"), {"h": forged})
            report, _ = service.run_verification()
            assert [(b.problem, b.seq) for b in report.breaks] == [("unkeyed_event", 5)]
    finally:
        app.extensions["housing.db"].dispose()
