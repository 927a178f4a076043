"""The address the venue's phones and tablet can reach the demo at (no Flask, no network traffic).

``make demo`` serves on every interface; the links it prints and encodes in QR codes must name this
machine's address on the local network, not 127.0.0.1 (which, on a phone, is the phone itself).
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Callable

# Any routable address will do: "connecting" a UDP socket only asks the kernel which interface would
# carry the packet. Nothing is sent (192.0.2.0/24 is TEST-NET-1, reserved for documentation anyway).
_ROUTE_PROBE = ("192.0.2.1", 9)
_ALL_INTERFACES = ("0.0.0.0", "::", "")


def route_probe() -> str | None:
    """This machine's address on the interface of its default route, or None (no network)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_ROUTE_PROBE)
            return probe.getsockname()[0]
    except OSError:
        return None


def reachable_address(found: str | None) -> str | None:
    """``found`` if other devices can reach it (an IPv4 address that is neither loopback nor unspecified)."""
    try:
        address = ipaddress.ip_address(found or "")
    except ValueError:
        return None
    if address.version != 4 or address.is_loopback or address.is_unspecified or address.is_link_local:
        return None
    return str(address)


@dataclass(frozen=True)
class DemoAddress:
    base_url: str  # what the demo prints and encodes
    reachable: bool  # whether the venue's devices can open it
    source: str  # "public_url", "lan" or "loopback"


def demo_address(*, public_url: str | None, host: str, port: int,
                 probe: Callable[[], str | None] = route_probe) -> DemoAddress:
    """The base URL of the demo's links: ``PITCHDAY_PUBLIC_URL`` when set, else the machine's LAN
    address when serving on every interface, else 127.0.0.1 (reachable from this machine only)."""
    if public_url:
        return DemoAddress(public_url.rstrip("/"), True, "public_url")
    if host in _ALL_INTERFACES:
        lan = reachable_address(probe())
        if lan is not None:
            return DemoAddress(f"http://{lan}:{port}", True, "lan")
        return DemoAddress(f"http://127.0.0.1:{port}", False, "loopback")
    shown = reachable_address(host)
    if shown is not None:
        return DemoAddress(f"http://{shown}:{port}", True, "lan")
    return DemoAddress(f"http://{'127.0.0.1' if host in ('localhost', '127.0.0.1') else host}:{port}", False, "loopback")
