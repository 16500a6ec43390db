"""The Redis/RQ job runner: every RQ object has an explicit connection and the JSON serializer."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job as RqJob
from rq.job import JobStatus
from rq.serializers import JSONSerializer

log = logging.getLogger(__name__)
EXECUTE = "app.jobs.tasks.execute_job"
LIVE_STATES = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def rq_job_id(job_id: str) -> str:
    """The fixed RQ id of an outbox job, so one job cannot be queued twice."""
    return f"housing-job-{job_id}"


class RqRunner:
    """Queues job ids on Redis for ``housing worker`` processes."""

    def __init__(self, redis_url: str, queue_name: str = "housing", job_timeout: int = 120):
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

    def submit(self, job_ids: Iterable[str], force: bool = False) -> None:
        """Enqueue jobs; ``force`` re-enqueues even if RQ still lists them (their worker died)."""
        q = self.queue
        for job_id in job_ids:
            if not force and self.holds(job_id):
                continue
            try:
                q.enqueue(EXECUTE, job_id, job_id=rq_job_id(job_id), job_timeout=self.job_timeout,
                          result_ttl=300, failure_ttl=7 * 86400)
            except Exception:  # Redis down: the job stays queued in the table; the sweep retries
                log.exception("could not enqueue job %s; the scheduler will retry", job_id)

    def holds(self, job_id: str) -> bool:
        try:
            job = RqJob.fetch(rq_job_id(job_id), connection=self.connection, serializer=JSONSerializer)
        except NoSuchJobError:
            return False
        return job.get_status(refresh=False) in LIVE_STATES
