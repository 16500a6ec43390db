"""Starting and stopping real worker / scheduler processes for tests."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def worker_env(database_url: str, redis_url: str, **extra: str) -> dict:
    env = dict(os.environ)
    env.update({
        "HOUSING_DATABASE_URL": database_url, "HOUSING_JOB_RUNNER": "rq", "HOUSING_REDIS_URL": redis_url,
        "HOUSING_OPERATOR_MODULES": "tests.support.operators", "HOUSING_FORMS_DIR": str(ROOT / "tests/fixtures/forms"),
        "HOUSING_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT), "HOUSING_ENV": "test",
    })
    env.update(extra)
    return env


def start_worker(env: dict, burst: bool = False) -> subprocess.Popen:
    args = [sys.executable, "-m", "app.cli", "worker"] + (["--burst"] if burst else [])
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A private redis-server, so a FLUSHALL in a test touches nothing else on the machine."""

    def __init__(self):
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.port = free_port()
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def close(self) -> None:
        stop(self.process)
