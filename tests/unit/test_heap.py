"""A server process settles its long-lived heap out of the collector's way (app.heap)."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from app import heap
from app.engine.bundle import BundleCache

SMALL_PROCESS = Path(__file__).resolve().parents[2] / "processes" / "annual_review_schedule.bpmn"


class _Node:
    pass


@pytest.fixture
def unsettled(monkeypatch):
    monkeypatch.setattr(heap, "_settled_at", None)
    yield
    gc.unfreeze()


def _compile_a_bundle() -> None:
    BundleCache().get("annual_review_schedule", [1], lambda ids: [(SMALL_PROCESS.name, SMALL_PROCESS.read_bytes())])


def _tracked(obj) -> bool:
    return any(o is obj for o in gc.get_objects())


def test_settling_frees_garbage_and_leaves_what_lives_out_of_later_collections(unsettled):
    garbage, alive = _Node(), _Node()
    garbage.me, alive.me = garbage, alive  # cycles: only the collector frees them
    gone = weakref.ref(garbage)
    del garbage
    heap.settle()
    assert gone() is None  # collected before the freeze, not kept forever
    assert gc.get_freeze_count() > 0
    assert not _tracked(alive)  # frozen: no collection walks it again
    assert alive.me is alive


def test_a_process_that_never_settled_is_left_alone(unsettled):
    _compile_a_bundle()
    assert heap.settle_if_grown() is False
    assert gc.get_freeze_count() == 0


def test_a_spec_compiled_after_settling_is_settled_once(unsettled):
    heap.settle()
    assert heap.settle_if_grown() is False  # nothing new
    _compile_a_bundle()
    fresh = _Node()
    assert _tracked(fresh)
    assert heap.settle_if_grown() is True
    assert not _tracked(fresh)
    assert heap.settle_if_grown() is False


def test_an_app_context_that_compiled_a_spec_settles_it_when_it_ends(unsettled, tmp_path):
    from app.config import Settings
    from app.factory import create_app

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/heap.db", env="development"))
    heap.settle()  # as a server process does once it has started
    with app.app_context():
        _compile_a_bundle()  # a request's, a job's or a tick's first use of a new spec
        fresh = _Node()
        assert _tracked(fresh)
    assert not _tracked(fresh)  # the context's end settled it
