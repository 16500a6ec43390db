"""A batch a stopping worker took off the queue but never started counts as lost, not as held."""

from __future__ import annotations

import uuid

from redis import Redis

from app.jobs.rq_runner import RqRunner


def _runner(redis_url: str) -> RqRunner:
    Redis.from_url(redis_url).flushdb()
    return RqRunner(redis_url, f"lost-batch-{uuid.uuid4().hex[:8]}")


def test_a_batch_waiting_in_the_queue_holds_its_jobs(redis_url):
    runner = _runner(redis_url)
    runner.submit(["a", "b"])
    assert runner.holds("a") and runner.holds("b") and not runner.holds("c")
    runner.release(["a"])
    assert not runner.holds("a") and runner.holds("b")


def test_a_batch_left_in_the_intermediate_list_by_a_stopped_worker_is_lost(redis_url):
    runner = _runner(redis_url)
    runner.submit(["a"])
    queue = runner.queue
    # what RQ's dequeue does server-side before a worker stopped by SIGTERM could start the batch
    runner.connection.lmove(queue.key, queue.intermediate_queue_key, "LEFT", "RIGHT")
    assert queue.job_ids == [] and not runner.holds("a")
    runner.submit(["a"])  # the scheduler's lost-job sweep hands it over again
    assert len(queue.job_ids) == 1 and runner.holds("a")


def test_batches_kept_for_the_running_worker_are_held_by_its_batch_and_queued_if_left(redis_url):
    runner = _runner(redis_url)
    with runner.follow_on("housing-batch-running") as pending:
        runner.submit(["a", "b"], force=True)  # a step the worker ran created these
        assert list(pending) == [["a", "b"]] and runner.queue.job_ids == []
        assert runner.connection.hget(runner.held_key, "a") == b"housing-batch-running"
        # held only while that batch runs: had its worker died, the sweep would hand them over again
        assert not runner.holds("a")
        pending.popleft()
        runner.submit(["c"], force=True)
    assert len(runner.queue.job_ids) == 1 and runner.holds("c")  # not run by the end: queued as usual
    runner.submit(["d"])
    assert len(runner.queue.job_ids) == 2  # outside the worker's batch, submitting queues again
