"""The Redis/RQ job runner: every RQ object has an explicit connection and the JSON serializer.

One RQ job carries one batch of outbox job ids. A Redis set lists the ids handed over and not
yet finished, so the scheduler can tell which queued jobs Redis has lost (after a FLUSHALL the
set is gone too, and every queued job is handed over again).
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
        return f"housing:{self.queue_name}:held"

    def submit(self, job_ids: Iterable[str], force: bool = False) -> None:
        ids = list(job_ids)
        if not force:
            ids = [i for i in ids if not self.holds(i)]
        if not ids:
            return
        try:
            self.connection.sadd(self.held_key, *ids)
            self.queue.enqueue(EXECUTE, ids, job_id=f"housing-batch-{uuid.uuid4().hex}",
                               job_timeout=self.job_timeout, result_ttl=60, failure_ttl=7 * 86400)
        except Exception:  # Redis down: the jobs stay queued in the table; the sweep retries
            log.exception("could not enqueue jobs %s; the scheduler will retry", ids)

    def release(self, job_ids: Iterable[str]) -> None:
        """Forget jobs a worker has finished with."""
        ids = list(job_ids)
        if ids:
            self.connection.srem(self.held_key, *ids)

    def holds(self, job_id: str) -> bool:
        return bool(self.connection.sismember(self.held_key, job_id))
