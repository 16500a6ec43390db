"""The Redis/RQ job runner: every RQ object has an explicit connection and the JSON serializer.

One RQ job carries one batch of outbox job ids. A Redis hash maps each id handed over and not
yet finished to its batch, so the scheduler can tell which queued jobs Redis has lost: after a
FLUSHALL the hash is gone too, and a batch that is neither waiting in the queue nor started
will never run — a worker stopped while it took the batch off the queue leaves it in RQ's
intermediate list, which RQ only clears minutes later, and then as failed. Either way every
such job is handed over again (a second prompt is harmless: running a job claims its row).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

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
        batch = f"housing-batch-{uuid.uuid4().hex}"
        try:
            self.connection.hset(self.held_key, mapping=dict.fromkeys(ids, batch))
            self.queue.enqueue(EXECUTE, ids, job_id=batch, job_timeout=self.job_timeout, result_ttl=60,
                               failure_ttl=7 * 86400)
        except Exception:  # Redis down: the jobs stay queued in the table; the sweep retries
            log.exception("could not enqueue jobs %s; the scheduler will retry", ids)

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
