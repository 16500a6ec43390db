"""The Redis/RQ job runner: every RQ object has an explicit connection and the JSON serializer.

One RQ job carries one batch of outbox job ids. A Redis hash maps each id handed over and not
yet finished to its batch, so the scheduler can tell which queued jobs Redis has lost: after a
FLUSHALL the hash is gone too, and a batch that is neither waiting in the queue nor started
will never run — a worker stopped while it took the batch off the queue leaves it in RQ's
intermediate list, which RQ only clears minutes later, and then as failed. Either way every
such job is handed over again (a second prompt is harmless: running a job claims its row).

A worker runs the batches its own steps create next, in the same RQ job (:meth:`RqRunner.follow_on`):
an SMS or a publication its resume has reached runs at once instead of going through Redis and
back. Those batches are recorded as held by the running batch, so the sweep leaves them alone
while it runs and re-queues them if its worker dies.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

log = logging.getLogger(__name__)
EXECUTE = "app.jobs.tasks.execute_jobs"


class RqRunner:
    """Queues job batches on Redis for ``housing worker`` processes."""

    def __init__(self, redis_url: str, queue_name: str = "housing", job_timeout: int = 300):
        self.redis_url = redis_url
        self.queue_name = queue_name
        self.job_timeout = job_timeout
        self._connection: Redis | None = None
        self._local = threading.local()

    @property
    def connection(self) -> Redis:
        if self._connection is None:
            self._connection = Redis.from_url(self.redis_url, socket_timeout=10, socket_connect_timeout=5)
        return self._connection

    @property
    def queue(self) -> Queue:
        return Queue(self.queue_name, connection=self.connection, serializer=JSONSerializer)

    @property
    def held_key(self) -> str:
        return f"housing:{self.queue_name}:held-batches"

    def submit(self, job_ids: Iterable[str], force: bool = False) -> None:
        ids = list(job_ids)
        if not force:
            ids = [i for i in ids if not self.holds(i)]
        if not ids:
            return
        kept = getattr(self._local, "follow_on", None)
        if kept is not None:  # this thread is a worker running a batch: it runs these next
            batch_id, pending = kept
            try:
                self.connection.hset(self.held_key, mapping=dict.fromkeys(ids, batch_id))
                pending.append(ids)
                return
            except Exception:  # Redis down: queue them as usual (which logs and leaves them to the sweep)
                log.exception("could not keep jobs %s for this worker", ids)
        batch = f"housing-batch-{uuid.uuid4().hex}"
        try:
            self.connection.hset(self.held_key, mapping=dict.fromkeys(ids, batch))
            self.queue.enqueue(EXECUTE, ids, job_id=batch, job_timeout=self.job_timeout, result_ttl=60,
                               failure_ttl=7 * 86400)
        except Exception:  # Redis down: the jobs stay queued in the table; the sweep retries
            log.exception("could not enqueue jobs %s; the scheduler will retry", ids)

    @contextmanager
    def follow_on(self, batch_id: str) -> Iterator[deque[list[str]]]:
        """While the running RQ job ``batch_id`` lasts, the batches this thread's steps create
        are collected (held by ``batch_id``) instead of queued; those not run by the end are
        queued as usual."""
        pending: deque[list[str]] = deque()
        self._local.follow_on = (batch_id, pending)
        try:
            yield pending
        finally:
            self._local.follow_on = None
            while pending:
                self.submit(pending.popleft(), force=True)

    def release(self, job_ids: Iterable[str]) -> None:
        """Forget jobs a worker has finished with."""
        ids = list(job_ids)
        if ids:
            self.connection.hdel(self.held_key, *ids)

    def holds(self, job_id: str) -> bool:
        """Whether a batch that can still run holds the job: waiting in the queue, or started."""
        batch = self.connection.hget(self.held_key, job_id)
        if batch is None:
            return False
        batch_id = batch.decode() if isinstance(batch, bytes) else str(batch)
        queue = self.queue
        return self.connection.lpos(queue.key, batch_id) is not None or batch_id in queue.started_job_registry
