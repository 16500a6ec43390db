"""pyHanko's synchronous calls start an event loop of their own; they must work inside a running one."""

from __future__ import annotations

import asyncio

from app.contracts.seal import outside_event_loop


def test_pyhanko_work_runs_even_inside_a_running_event_loop():
    async def inside_a_loop() -> str:  # a browser driver or an async server in the same process
        return outside_event_loop(lambda: asyncio.run(asyncio.sleep(0, result="signed")))

    assert outside_event_loop(lambda: asyncio.run(inside_a_loop())) == "signed"
    assert outside_event_loop(lambda: asyncio.run(asyncio.sleep(0, result="plain"))) == "plain"
