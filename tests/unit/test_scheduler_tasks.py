"""The scheduler's list of periodic tasks: each runs at its own interval, a failure stops none."""

from __future__ import annotations

from app.services.scheduler_service import PERIODIC, Periodic, Scheduler


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_each_task_runs_at_its_interval_and_a_failure_does_not_stop_the_others():
    calls: list[str] = []

    def boom(now):
        calls.append("boom")
        raise RuntimeError("broken check")

    clock = Clock()
    scheduler = Scheduler([
        Periodic("every_tick", lambda now: calls.append("tick") or 2),
        Periodic("failing", boom),
        Periodic("slow", lambda now: calls.append("slow") or [1, 2, 3], every=30.0),
    ], clock=clock)
    assert scheduler.tick() == {"every_tick": 2, "slow": 3}
    clock.now += 10
    assert scheduler.tick() == {"every_tick": 2}
    clock.now += 25
    assert scheduler.tick() == {"every_tick": 2, "slow": 3}
    assert calls == ["tick", "boom", "slow", "tick", "boom", "tick", "boom", "slow"]


def test_the_default_list_holds_the_sweeps_and_the_watchdog():
    names = [t.name for t in PERIODIC]
    assert names[:6] == ["dispatched", "reclaimed", "requeued", "resumed", "timers", "started"]
    assert "stuck" in names and next(t for t in PERIODIC if t.name == "stuck").every == 30.0
