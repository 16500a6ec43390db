"""The audit key setting, and the Merkle root and signature of a checkpoint."""

from __future__ import annotations

import hashlib

import pytest

from app.audit.checkpoint import Checkpoint, leaf_hash, merkle_root, signed_text
from app.audit.keys import AuditKey
from app.config import ConfigError, Settings

PRODUCTION = {"HOUSING_ENV": "production", "HOUSING_SECRET_KEY": "s" * 40, "HOUSING_JWT_SECRET": "j" * 40,
              "HOUSING_CONTRACT_SIGNING_KEY_FILE": "/etc/housing/seal.p12"}


def test_production_refuses_the_development_or_a_short_audit_key(tmp_path):
    with pytest.raises(ConfigError, match="HOUSING_AUDIT_KEY"):
        Settings.from_env(PRODUCTION)
    with pytest.raises(ConfigError, match="HOUSING_AUDIT_KEY"):
        Settings.from_env({**PRODUCTION, "HOUSING_AUDIT_KEY": "too-short"})
    key_file = tmp_path / "audit.key"
    key_file.write_text("k" * 48 + "\n")
    assert Settings.from_env({**PRODUCTION, "HOUSING_AUDIT_KEY_FILE": str(key_file)}).audit_key == "k" * 48
    assert Settings.from_env({"HOUSING_ENV": "development"}).audit_key.startswith("dev-only")


def test_the_merkle_root_follows_rfc_6962():
    a, b, c = ("t", "1", "aa", 1), ("t", "2", "bb", 2), ("t", "3", "cc", 3)
    node = lambda left, right: hashlib.sha256(b"\x01" + left + right).digest()  # noqa: E731
    assert merkle_root([]) == hashlib.sha256(b"").hexdigest()
    assert merkle_root([a]) == hashlib.sha256(b'\x00["t","1","aa",1]').hexdigest()
    assert merkle_root([a, b, c]) == node(node(leaf_hash(a), leaf_hash(b)), leaf_hash(c)).hex()
    assert merkle_root([a, b, c]) != merkle_root([a, c, b])


def test_a_checkpoint_holds_only_under_its_own_key_and_leaves():
    key, other = AuditKey(b"k" * 32), AuditKey(b"x" * 32)
    leaves = [("process_instance", "1", "ab" * 32, 3)]
    root = merkle_root(leaves)
    cp = Checkpoint(1, "2026-12-06T00:00:00+00:00", 1, 3, root, key.key_id,
                    key.sign(signed_text("2026-12-06T00:00:00+00:00", 1, 3, root)), leaves)
    assert cp.problems(key) == []
    assert cp.problems(other)  # another key: not trusted
    shortened = Checkpoint(**{**cp.__dict__, "leaves": [("process_instance", "1", "ab" * 32, 2)]})
    assert any("根哈希" in p for p in shortened.problems(key))
    assert Checkpoint.from_json(cp.as_json()) == cp
