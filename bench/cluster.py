"""Several pitchday processes behind Debian's nginx, as deploy/ runs them, for the benchmarks.

The very machinery of the integration tests (``tests/nginxproc.Cluster``: deploy/nginx.conf rendered by
deploy/render_nginx.py on a loopback port, ``pitchday demo`` then ``pitchday serve`` processes on one
PostgreSQL database and the Redis message queue), wrapped in the interface of ``common.Server`` so
the benchmarks drive it like any other server. The database is created for the run and dropped after.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import uuid
from pathlib import Path

from common import ROOT, _LIVE_SERVERS, cpu_s_of, rss_kb_of

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

POSTGRES_ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


class NginxCluster:
    """``size`` pitchday processes (PostgreSQL + Redis) behind nginx; ``url`` is nginx's."""

    def __init__(self, size: int, *, kind: str | None = None, admin_url: str = POSTGRES_ADMIN_URL):
        self.size = size
        self.kind = kind or f"nginx{size}"
        self.admin_url = admin_url
        self.database = f"pitchday_bench_{uuid.uuid4().hex[:10]}"
        self.dir = Path(tempfile.mkdtemp(prefix="pitchday-bench-nginx-"))
        self.cluster = None
        self.url = ""
        self.moderator_path: str | None = None

    def _admin(self):
        from sqlalchemy import create_engine

        return create_engine(self.admin_url, isolation_level="AUTOCOMMIT")

    def start(self) -> "NginxCluster":
        from sqlalchemy import text

        from tests.nginxproc import Cluster

        admin = self._admin()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.database}"'))
        admin.dispose()
        _LIVE_SERVERS.add(self)
        self.cluster = Cluster(self.dir, self.admin_url.rsplit("/", 1)[0] + f"/{self.database}", size=self.size).start()
        self.url = self.cluster.base
        self.moderator_path = "/m/" + self.cluster.servers[0].moderator_url.split("/m/", 1)[1]
        return self

    @property
    def pids(self) -> list[int]:
        return [s.process.pid for s in self.cluster.servers if s.process is not None]

    @property
    def nginx_pids(self) -> list[int]:
        """nginx's master and workers."""
        master = self.cluster.nginx.process.pid
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        except OSError:
            children = []
        return [master, *map(int, children)]

    def rss_kb(self) -> int:
        """The pitchday processes' resident memory, summed (nginx's is ``nginx_rss_kb``)."""
        return sum(rss_kb_of(pid) for pid in self.pids)

    def nginx_rss_kb(self) -> int:
        return sum(rss_kb_of(pid) for pid in self.nginx_pids)

    def cpu_s(self) -> float:
        return sum(cpu_s_of(pid) for pid in self.pids)

    def nginx_cpu_s(self) -> float:
        return sum(cpu_s_of(pid) for pid in self.nginx_pids)

    def log(self) -> str:
        return self.cluster.log() if self.cluster else ""

    def stop(self) -> None:
        _LIVE_SERVERS.discard(self)
        if self.cluster is not None:
            self.cluster.stop()
            self.cluster = None
        try:
            from sqlalchemy import text

            admin = self._admin()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
            admin.dispose()
        except Exception as error:  # noqa: BLE001 (the figures are already taken; say what is left behind)
            print(f"database {self.database} not dropped: {error}", file=sys.stderr)
        shutil.rmtree(self.dir, ignore_errors=True)
