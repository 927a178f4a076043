"""A Redis and a PostgreSQL of the test's own, on other loopback ports, to stop and start again.

The machine's shared servers are never touched: these are separate processes with their own data
folders in a temporary directory; ``stop()`` stops only them.
"""
from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from .serverproc import START_TIMEOUT_S, free_port, wait_until

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisServer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        import redis

        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)

        def answers():
            assert self.process.poll() is None, (self.folder / "redis.log").read_text()
            try:
                return redis.Redis(port=self.port, socket_timeout=2).ping()
            except redis.RedisError:
                return False

        wait_until(answers, timeout_s=START_TIMEOUT_S, message="our own redis-server answers")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    assert found, f"PostgreSQL's {name} not found under /usr/lib/postgresql/*/bin"
    return found[-1]


class PostgresCluster:
    """``initdb`` in a temporary folder, served by ``postgres`` on another loopback port (as a
    non-root user: PostgreSQL refuses to run as root, so the folder is handed to ``postgres``; it is
    made directly in /tmp, which that user can reach, unlike pytest's own temporary folders)."""

    def __init__(self):
        import tempfile

        self.folder = Path(tempfile.mkdtemp(prefix="pitchday-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/pitchday"

    def _as_owner(self) -> dict:
        if os.geteuid() != 0:
            return {}
        import pwd

        owner = pwd.getpwnam("postgres")
        return {"user": owner.pw_uid, "group": owner.pw_gid}

    def init(self) -> "PostgresCluster":
        owner = self._as_owner()
        if owner:
            os.chown(self.folder, owner["user"], owner["group"])
        subprocess.run([postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                        "--no-sync", "-E", "UTF8"], check=True, capture_output=True, **owner)
        self.start()
        subprocess.run([postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                        "pitchday"], check=True, capture_output=True)
        return self

    def start(self) -> "PostgresCluster":
        self.process = subprocess.Popen(
            [postgres_bin("postgres"), "-D", str(self.data), "-p", str(self.port), "-h", "127.0.0.1",
             "-k", str(self.folder), "-c", "fsync=off"],
            stdout=open(self.folder / "postgres.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True,
            **self._as_owner())

        def answers():
            assert self.process.poll() is None, (self.folder / "postgres.log").read_text()
            return subprocess.run([postgres_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                                  capture_output=True).returncode == 0

        wait_until(answers, timeout_s=START_TIMEOUT_S, message="our own PostgreSQL answers")
        return self

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def stop(self) -> None:
        """Fast shutdown (SIGINT): open connections are cut, as in a restart of the service."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            self.process.wait(timeout=60)
