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


def on_starting(server):  # the master, before forking: the worker inherits the raised limit
    from pitchday.services.capacity import raise_open_files

    soft, _hard = raise_open_files(_limits.open_files)
    if soft < _limits.open_files:
        server.log.warning("%d open files allowed (ulimit -n), %d needed for %d clients", soft,
                           _limits.open_files, _limits.max_clients)
