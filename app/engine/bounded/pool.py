"""A small pool of evaluator processes, with a watchdog that kills and replaces a runaway.

Each process that evaluates code (a gunicorn worker, an RQ worker, the embedded server, a CLI
command) gets its own pool on first use; a process that forks gets a new pool in the child.
The evaluators are fresh interpreters (:mod:`app.engine.bounded.worker`), never forks of the
host, so they inherit no database connection, lock or secret.

A call takes an idle evaluator (waiting while all are busy), sends the request and waits for
the reply while the evaluator's CPU time stays under the time limit plus :data:`SLACK` (and
the wall-clock time under :data:`WALL_FACTOR` times the limit). Past either, or when the
evaluator dies, the evaluator is killed with ``SIGKILL``, a replacement is started and the
caller gets :class:`~app.engine.sandbox.ScriptTimeout` (or another :class:`ScriptError`). The
waiting thread holds no lock and no GIL, so the rest of the host keeps serving.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from app.engine.sandbox import ScriptError, ScriptTimeout

from . import wire
from .wire import ScriptMemoryError

#: CPU seconds past the time limit before the watchdog kills an evaluator.
SLACK = 0.5
#: A call that uses little CPU (a starved or sleeping evaluator) is killed after this many times
#: its time limit, plus :data:`SLACK`, of wall-clock time.
WALL_FACTOR = 2.0
_TICKS = os.sysconf("SC_CLK_TCK")
_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "VIRTUAL_ENV")
#: Seconds an evaluator may take to start.
START_TIMEOUT = 60.0


class EvaluatorUnavailable(ScriptError):
    """No evaluator process could be started."""


class _Evaluator:
    """One evaluator process and its pipes."""

    def __init__(self) -> None:
        # none of the host's secrets or database URLs: only what an interpreter needs
        env = {k: v for k, v in os.environ.items() if k in _ENVIRONMENT}
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.engine.bounded.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, bufsize=0, close_fds=True, env=env, start_new_session=True)
        assert self.proc.stdin is not None and self.proc.stdout is not None  # both are PIPEs
        self.out_fd = self.proc.stdin.fileno()
        self.in_fd = self.proc.stdout.fileno()
        self.ready = False

    def _read(self, deadline: float, max_bytes: int, cpu_limit: float | None = None) -> bytes:
        header = self._read_exact(wire.HEADER_SIZE, deadline, cpu_limit)
        size = wire.frame_length(header)
        if size > max_bytes + 4096:
            raise ScriptError(f"the evaluator's reply ({size:,} bytes) is over the limit")
        return self._read_exact(size, deadline, cpu_limit)

    def cpu_seconds(self) -> float:
        """CPU time the evaluator has used so far (user + system)."""
        try:
            with open(f"/proc/{self.proc.pid}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / _TICKS
        except (OSError, IndexError, ValueError):
            return 0.0

    def _read_exact(self, size: int, deadline: float, cpu_limit: float | None) -> bytes:
        chunks, left = [], size
        poller = select.poll()  # not select(): a busy host may have descriptors past 1024
        poller.register(self.in_fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        while left:
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise TimeoutError
            if not poller.poll(min(wait, 0.05) * 1000):
                if cpu_limit is not None and self.cpu_seconds() > cpu_limit:
                    raise TimeoutError
                continue
            chunk = os.read(self.in_fd, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def wait_ready(self) -> None:
        if not self.ready:
            try:
                self._read(time.monotonic() + START_TIMEOUT, 1 << 16)
            except (TimeoutError, EOFError, OSError):
                self.kill()
                raise EvaluatorUnavailable("the script evaluator process could not be started") from None
            self.ready = True

    def call(self, payload: bytes, timeout: float, max_bytes: int) -> Any:
        self.wait_ready()
        try:
            cpu_limit = self.cpu_seconds() + timeout + SLACK
            wire.write_frame(self.out_fd, payload)
            reply = wire.loads_reply(self._read(time.monotonic() + WALL_FACTOR * timeout + SLACK, max_bytes,
                                                cpu_limit))
        except TimeoutError:
            self.kill()
            raise ScriptTimeout(f"script ran longer than its limit of {timeout:g} s") from None
        except (EOFError, OSError):
            raise self._died(timeout) from None
        except ScriptError:
            self.kill()
            raise
        except Exception as exc:  # a reply that does not unpickle under the whitelist
            self.kill()
            raise ScriptError(f"the script's result cannot be read: {exc}") from None
        except BaseException:  # the caller is being stopped: its reply must not reach the next one
            self.kill()
            raise
        if reply.get("last"):  # it exits after this reply: never hand it out again
            self.kill()
        if reply["ok"]:
            return reply["value"]
        raise wire.error_from_dict(reply["value"])

    def _died(self, timeout: float) -> ScriptError:
        self.kill()
        code = self.proc.returncode
        if code in (-signal.SIGXCPU, -signal.SIGKILL):
            return ScriptTimeout(f"script used more than its CPU time limit of {timeout:g} s")
        return ScriptMemoryError(f"the script evaluator stopped (exit {code}); the script probably used "
                                 "more memory than its limit")

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is None:
                continue
            try:
                stream.close()
            except OSError:
                pass


class EvaluatorPool:
    """Up to ``size`` evaluator processes shared by the threads of one host process."""

    def __init__(self, size: int = 2):
        self.size = max(1, size)
        self.pid = os.getpid()
        self._idle: list[_Evaluator] = []
        self._running = 0
        self._cond = threading.Condition()

    def call(self, request: dict, timeout: float, max_bytes: int) -> Any:
        """Send ``request`` to an evaluator and return its reply value (or raise its error)."""
        payload = wire.dumps(request)
        evaluator = self._acquire()
        try:
            return evaluator.call(payload, timeout, max_bytes)
        finally:
            self._release(evaluator)

    def _acquire(self) -> _Evaluator:
        with self._cond:
            while True:
                while self._idle:
                    evaluator = self._idle.pop()
                    if evaluator.alive:
                        return evaluator
                    evaluator.kill()
                    self._running -= 1
                if self._running < self.size:
                    try:  # the first call starts the whole pool, so the others warm up meanwhile
                        while self._running < self.size - 1:
                            self._idle.append(_Evaluator())
                            self._running += 1
                        evaluator = _Evaluator()
                    except OSError as exc:
                        raise EvaluatorUnavailable(f"no script evaluator process could be started: {exc}") from None
                    self._running += 1
                    return evaluator
                self._cond.wait()

    def _release(self, evaluator: _Evaluator) -> None:
        with self._cond:
            if not evaluator.alive:  # killed or retired: its replacement starts now, warm by next use
                try:
                    evaluator = _Evaluator()
                except OSError:
                    self._running -= 1
                    self._cond.notify()
                    return
            self._idle.append(evaluator)
            self._cond.notify()

    def close(self) -> None:
        """Stop the idle evaluators (busy ones stop when their call returns)."""
        with self._cond:
            idle, self._idle = self._idle, []
            self._running -= len(idle)
        for evaluator in idle:
            evaluator.kill()


_pool: EvaluatorPool | None = None
_pool_lock = threading.Lock()


def get_pool(size: int = 2) -> EvaluatorPool:
    """This process's pool (a forked child gets its own; the inherited one is left alone)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool.pid != os.getpid():
            _pool = EvaluatorPool(size)
        return _pool
