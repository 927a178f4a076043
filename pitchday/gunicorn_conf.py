"""gunicorn's settings in gevent mode, sized for ``PITCHDAY_MAX_CLIENTS`` (services/capacity.py).

``gunicorn -c python:pitchday.gunicorn_conf -b 0.0.0.0:8000 pitchday.wsgi:app``

gunicorn's default of 1000 ``worker_connections`` leaves the 1001st phone hanging; pitchday refuses
a client beyond its ceiling itself (503 ``server_full``), so gunicorn's must be above it.
Socket.IO keeps a phone's state in its process: one worker per process (and per port).
"""
import os

from pitchday.services.capacity import server_limits

_limits = server_limits(int(os.environ.get("PITCHDAY_MAX_CLIENTS") or 6000))

worker_class = "gevent"
workers = 1
worker_connections = _limits.pool_size
backlog = _limits.backlog
keepalive = 5
timeout = 60


def clients_within(open_files: int) -> int:
    """The most clients ``open_files`` descriptors hold beside the process's own (server_limits' inverse)."""
    from pitchday.services.capacity import server_limits

    spare = server_limits(0).open_files  # the headroom: pages, the database, Redis, the log
    return max(1, open_files - spare)


def on_starting(server):  # the master, before forking: the worker inherits the raised limit
    from pitchday.services.capacity import raise_open_files

    soft, _hard = raise_open_files(_limits.open_files)
    if soft < _limits.open_files:
        # Past its descriptors gevent's accept fails and the client hangs: lower the ceiling to what the
        # descriptors hold, so that the next client is refused (503 server_full) instead. The worker,
        # forked after this, reads PITCHDAY_MAX_CLIENTS when it loads the application (no preload).
        fitting = clients_within(soft)
        os.environ["PITCHDAY_MAX_CLIENTS"] = str(fitting)
        server.log.warning("%d open files allowed (ulimit -n; LimitNOFILE= in a systemd unit), %d needed for "
                           "%d clients: this process will refuse clients beyond %d", soft, _limits.open_files,
                           _limits.max_clients, fitting)
