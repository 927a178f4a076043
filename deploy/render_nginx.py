#!/usr/bin/env python3
"""Fill deploy/nginx.conf's placeholders and print the result.

The defaults are Debian's own places (the package's user, pid file, logs and temporary folders);
the tests pass their own ports and folders and run the very same template. The release id of the
hashed static URLs is pitchday's own (``pitchday.web.assets``): render the file again after each
deployment, with the checkout's Python (``.venv/bin/python deploy/render_nginx.py …``).
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf")
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
# Sockets nginx holds at once (each one two of its connections): 12 000, two processes' worth of
# PITCHDAY_MAX_CLIENTS; raise it with more processes, and worker_connections with it.
MAX_SOCKETS = 12000


def render(*, upstreams: list[str], static: str, vendor: str, listen: str = "80", user: str = "www-data",
           pid: str = "/run/nginx.pid", logs: str = "/var/log/nginx", temp: str = "/var/lib/nginx",
           max_fails: int = 1, fail_timeout_s: int = 5, release: str | None = None,
           max_sockets: int = MAX_SOCKETS) -> str:
    """The configuration for ``upstreams`` (host:port of each pitchday process); beyond ``max_sockets``
    Socket.IO connections at once nginx itself refuses a new one (503 server_full)."""
    if not upstreams:
        raise ValueError("at least one upstream (host:port of a pitchday process)")
    if release is None:  # the id pitchday gives the same files (pitchday/web/assets.py)
        from pitchday.web.assets import Manifest

        release = Manifest.of_directories(Path(static), Path(vendor)).release
    values = {
        "release": release,
        "user": user, "pid": pid, "logs": logs, "temp": temp, "listen": listen,
        "static": static.rstrip("/"), "vendor": vendor.rstrip("/"), "max_sockets": str(max_sockets),
        # A process that fails once is left out for a few seconds, then tried again.
        "upstreams": "\n".join(f"        server {address} max_fails={max_fails} fail_timeout={fail_timeout_s}s;"
                               for address in upstreams),
    }
    text = TEMPLATE.read_text()
    unknown = set(PLACEHOLDER.findall(text)) - set(values)
    if unknown:
        raise KeyError(f"placeholders without a value: {sorted(unknown)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", action="append", required=True, help="host:port of a pitchday process (repeat)")
    parser.add_argument("--static", required=True, help="the checkout's static/ folder")
    parser.add_argument("--vendor", required=True, help="node_modules/socket.io-client/dist")
    parser.add_argument("--listen", default="80")
    parser.add_argument("--user", default="www-data")
    parser.add_argument("--pid", default="/run/nginx.pid")
    parser.add_argument("--logs", default="/var/log/nginx")
    parser.add_argument("--temp", default="/var/lib/nginx")
    parser.add_argument("--max-sockets", type=int, default=MAX_SOCKETS,
                        help=f"Socket.IO connections nginx holds at once before answering 503 (default {MAX_SOCKETS})")
    args = parser.parse_args(argv)
    sys.stdout.write(render(upstreams=args.upstream, static=args.static, vendor=args.vendor, listen=args.listen,
                            user=args.user, pid=args.pid, logs=args.logs, temp=args.temp, max_sockets=args.max_sockets))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
