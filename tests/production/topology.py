"""The production topology, started from the project's own commands on real PostgreSQL and Redis.

A department runs ``housing migrate``, ``housing deploy``, ``housing demo-data``, then gunicorn
with several worker processes, several ``housing worker`` processes, ``housing scheduler`` (two,
for availability) and — here, standing in for the government data platforms — ``housing
sandbox``. Everything is configured by ``HOUSING_*`` environment variables only, with
``HOUSING_ENV=production`` and freshly generated secrets. :class:`Topology` does exactly that on
a database it creates, a Redis database and queue of its own, and free ports; it restarts the web
workers (``SIGHUP`` to the gunicorn master) or the job workers (stop, start anew) between steps,
waits for readiness over real HTTP, and stops every process by its id.

::

    with Topology(redis_url="redis://127.0.0.1:6379/5") as topology:
        requests.get(topology.url + "/healthz")
        topology.restart_web()
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg2
import redis
import requests

from app.contracts.keys import generate_self_signed

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("HOUSING_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")

#: Connector patience as a department would tune it for a platform that answers at once: short
#: timeouts and backoffs, two job attempts, so that a source outage reaches the manual check in
#: seconds (the settings are ordinary ``HOUSING_CONNECTOR_DEFAULT_*`` variables).
CONNECTOR_SETTINGS = {
    "HOUSING_CONNECTOR_DEFAULT_TIMEOUT": "5.0",
    "HOUSING_CONNECTOR_DEFAULT_CONNECT_TIMEOUT": "2.0",
    "HOUSING_CONNECTOR_DEFAULT_RETRIES": "1",
    "HOUSING_CONNECTOR_DEFAULT_BACKOFF": "0.05",
    "HOUSING_CONNECTOR_DEFAULT_BACKOFF_CAP": "0.2",
    "HOUSING_CONNECTOR_DEFAULT_BREAKER_RESET": "0.5",
    "HOUSING_CONNECTOR_DEFAULT_JOB_ATTEMPTS": "2",
    "HOUSING_CONNECTOR_DEFAULT_JOB_BACKOFF": "0.2",
    "HOUSING_CONNECTOR_DEFAULT_JOB_BACKOFF_CAP": "0.5",
}


def platform_credentials() -> dict[str, str]:
    """``HOUSING_CONNECTOR_CRED_*`` for every connector: the credentials the data platforms issued.

    Here the platforms are the sandbox, which accepts its own fixed credentials; production refuses
    to fall back on those, so they are configured explicitly, as a department configures the ones
    each platform issued to it.
    """
    from connectors.base.credentials import CRED_PREFIX, DEMO_CREDENTIALS, env_token
    from connectors.base.registry import import_connector_modules

    import_connector_modules()
    return {f"{CRED_PREFIX}{env_token(name)}_{env_token(field)}": value
            for name, fields in DEMO_CREDENTIALS.items() for field, value in fields.items()}


class TopologyError(RuntimeError):
    """A process of the topology did not start, did not become ready, or died."""


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.2) -> Any:
    """Call ``check`` until it returns something truthy; :class:`TopologyError` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (requests.RequestException, OSError, redis.RedisError) as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise TopologyError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


def children(pid: int) -> set[int]:
    """The process ids whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state, ppid, …
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


class Topology:
    """gunicorn ×``web_workers``, ``housing worker`` ×``job_workers``, ``housing scheduler``
    ×``schedulers`` and ``housing sandbox``, on a fresh PostgreSQL database.

    ``redis_url`` names the Redis database; the queue gets a name of its own. The database and
    the log directory are made in :meth:`start` and removed in :meth:`stop`.
    """

    def __init__(self, redis_url: str, *, web_workers: int = 3, job_workers: int = 2, schedulers: int = 2,
                 pg_admin_url: str = PG_ADMIN_URL, extra_env: dict[str, str] | None = None):
        self.redis_url = redis_url
        self.web_workers, self.job_workers, self.scheduler_count = web_workers, job_workers, schedulers
        self.pg_admin_url = pg_admin_url
        self.database_name = f"housing_prod_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.database_url = f"{pg_admin_url.rsplit('/', 1)[0]}/{self.database_name}"
        self.queue_name = f"housing-prod-{uuid.uuid4().hex[:8]}"
        self.web_port, self.sandbox_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.web_port}"
        self.sandbox_url = f"http://127.0.0.1:{self.sandbox_port}"
        self.logs = Path(tempfile.mkdtemp(prefix="housing-topology-"))
        self.signing_key = self.logs / "contract-signing.pem"  # the platform's seal, issued for this run
        self.signing_key.write_bytes(generate_self_signed("保障房审批平台 (production-shape tests)"))
        self.env = self._environment(extra_env or {})
        self.gunicorn: subprocess.Popen | None = None
        self.sandbox: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self.schedulers: list[subprocess.Popen] = []
        self._serial = 0
        self._seen: dict[str, int] = {}

    def _environment(self, extra: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HOUSING_")}
        env.update({
            "HOUSING_ENV": "production",
            "HOUSING_SECRET_KEY": secrets.token_urlsafe(48),
            "HOUSING_JWT_SECRET": secrets.token_urlsafe(48),
            "HOUSING_AUDIT_KEY": secrets.token_urlsafe(48),
            "HOUSING_CONTRACT_SIGNING_KEY_FILE": str(self.signing_key),
            "HOUSING_DATABASE_URL": self.database_url,
            "HOUSING_JOB_RUNNER": "rq",
            "HOUSING_REDIS_URL": self.redis_url,
            "HOUSING_QUEUE_NAME": self.queue_name,
            "HOUSING_SANDBOX_URL": self.sandbox_url,
            "HOUSING_LOG_LEVEL": "WARNING",
            **CONNECTOR_SETTINGS,
            **platform_credentials(),
        })
        env.update(extra)
        return env

    # -- starting -------------------------------------------------------------------------------

    def __enter__(self) -> Topology:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Create the database, migrate, deploy, load the demo users, start every process."""
        redis.Redis.from_url(self.redis_url).flushdb()  # this topology's own Redis database
        with self._admin() as conn, conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{self.database_name}"')
        try:
            self.housing("migrate")
            self.housing("deploy", str(ROOT / "processes"))
            self.housing("demo-data")
            self.sandbox = self._spawn("sandbox", [str(BIN / "housing"), "sandbox", "--port", str(self.sandbox_port)])
            self.gunicorn = self._spawn("gunicorn", [
                str(BIN / "gunicorn"), "-w", str(self.web_workers), "-b", f"127.0.0.1:{self.web_port}",
                "--timeout", "120", "--graceful-timeout", "30", "--no-control-socket",  # signals by pid
                "app.wsgi:app"])
            self.workers = [self._start_worker() for _ in range(self.job_workers)]
            self.schedulers = [self._spawn("scheduler", [str(BIN / "housing"), "scheduler"])
                               for _ in range(self.scheduler_count)]
            wait_until(lambda: requests.get(f"{self.sandbox_url}/__sandbox/systems", timeout=2).ok, 60, "the sandbox")
            self._wait_for_web(previous=set())
            self._wait_for_workers()
        except BaseException:
            self.stop()
            raise

    def housing(self, *args: str) -> str:
        """Run one ``housing`` command to its end; its output (:class:`TopologyError` on failure)."""
        done = subprocess.run([str(BIN / "housing"), *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=300)
        if done.returncode != 0:
            raise TopologyError(f"housing {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        self._serial += 1
        log = open(self.logs / f"{self._serial:02d}-{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        process.log_file = log  # type: ignore[attr-defined]
        return process

    def _start_worker(self) -> subprocess.Popen:
        return self._spawn("worker", [str(BIN / "housing"), "worker"])

    # -- readiness ------------------------------------------------------------------------------

    def web_pids(self) -> set[int]:
        """The gunicorn worker processes serving now."""
        assert self.gunicorn is not None
        return children(self.gunicorn.pid)

    def _wait_for_web(self, previous: set[int]) -> None:
        def ready() -> bool:
            self._check_alive()
            pids = self.web_pids()
            if len(pids) != self.web_workers or pids & previous:
                return False
            # each worker loads the app before it accepts: several answers in a row mean all are up
            return all(requests.get(f"{self.url}/healthz", timeout=5, headers={"Connection": "close"}).ok
                       for _ in range(self.web_workers * 2))
        wait_until(ready, 120, f"{self.web_workers} gunicorn workers", interval=0.3)

    def _worker_registrations(self) -> set[int]:
        from rq import Queue, Worker

        connection = redis.Redis.from_url(self.redis_url)
        return {w.pid for w in Worker.all(connection=connection, queue=Queue(self.queue_name, connection=connection))}

    def _wait_for_workers(self) -> None:
        def ready() -> bool:
            self._check_alive()
            return {w.pid for w in self.workers} <= self._worker_registrations()
        wait_until(ready, 120, f"{self.job_workers} job workers registered on {self.queue_name}")

    def _check_alive(self) -> None:
        for process in [self.sandbox, self.gunicorn, *self.workers, *self.schedulers]:
            if process is not None and process.poll() is not None:
                raise TopologyError(f"{' '.join(map(str, process.args))} exited with {process.returncode}:\n"
                                    f"{self.log_tail(process)}")

    def log_tail(self, process: subprocess.Popen, lines: int = 40) -> str:
        """The last lines a process wrote."""
        path = Path(process.log_file.name)  # type: ignore[attr-defined]
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def problems(self) -> str:
        """Tracebacks the processes logged since the last call (empty when there are none)."""
        found = []
        for path in sorted(self.logs.glob("*.log")):
            text = path.read_text(errors="replace")
            seen, self._seen[path.name] = self._seen.get(path.name, 0), len(text)
            if "Traceback" in text[seen:]:
                new = text[seen:]
                found.append(f"--- {path.name}\n{new[new.index('Traceback'):][:4000]}")
        return "\n".join(found)

    # -- restarts -------------------------------------------------------------------------------

    def restart_web(self) -> None:
        """SIGHUP the gunicorn master: every web worker is replaced by a fresh process; wait for them."""
        assert self.gunicorn is not None
        before = self.web_pids()
        self.gunicorn.send_signal(signal.SIGHUP)
        self._wait_for_web(previous=before)

    def restart_workers(self) -> None:
        """Stop every job worker (warm shutdown: a running job finishes) and start new ones."""
        for process in self.workers:
            _stop(process)
        self.workers = [self._start_worker() for _ in range(self.job_workers)]
        self._wait_for_workers()

    # -- stopping -------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop every process by its id, then drop the database."""
        for process in [*self.schedulers, *self.workers, self.gunicorn, self.sandbox]:
            if process is not None:
                _stop(process)
                process.log_file.close()  # type: ignore[attr-defined]
        self.schedulers, self.workers, self.gunicorn, self.sandbox = [], [], None, None
        try:
            with self._admin() as conn, conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')
        except psycopg2.Error:
            pass

    def _admin(self):
        conn = psycopg2.connect(self.pg_admin_url, connect_timeout=5)
        conn.autocommit = True
        return _Closing(conn)


class _Closing:
    """``with`` for a psycopg2 connection that closes it (psycopg2's own ``with`` only commits)."""

    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        return self.conn

    def __exit__(self, *exc_info: object) -> None:
        self.conn.close()


def _stop(process: subprocess.Popen, timeout: float = 30) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
