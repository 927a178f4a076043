"""Run the real pitchday server in a subprocess, for tests that need real sockets."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

VENV_BIN = Path(sys.executable).parent
LINK = re.compile(r"Régie \(moderator\) : (http://\S+/m/\S+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """``pitchday demo`` on a free port; ``kill()`` is kill -9, ``start()`` again reuses the database."""

    database_url: str
    port: int = field(default_factory=free_port)
    extra_env: dict = field(default_factory=dict)
    process: subprocess.Popen | None = None
    moderator_url: str | None = None
    output: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 40) -> "Server":
        env = {**os.environ, "PITCHDAY_DATABASE_URL": self.database_url, "PYTHONUNBUFFERED": "1", **self.extra_env}
        self.process = subprocess.Popen(
            [VENV_BIN / "pitchday", "demo", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        found = threading.Event()

        def pump(stream):
            for line in stream:
                self.output.append(line)
                match = LINK.search(line)
                if match:
                    self.moderator_url = match.group(1)
                    found.set()

        threading.Thread(target=pump, args=(self.process.stdout,), daemon=True).start()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server exited:\n" + "".join(self.output))
            try:
                if found.is_set() and requests.get(f"{self.base}/healthz", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not come up:\n" + "".join(self.output))

    def moderator_cookie(self) -> str:
        response = requests.get(self.moderator_url, allow_redirects=False, timeout=5)
        assert response.status_code == 303
        return response.cookies["pitchday_moderator"]

    def kill(self) -> None:
        """kill -9: no clean shutdown, like a crashed process."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
