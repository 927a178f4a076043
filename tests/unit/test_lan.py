"""Which address the demo prints and encodes in its QR codes (pitchday.lan)."""
from __future__ import annotations

import ipaddress

import pytest

from pitchday.lan import DemoAddress, demo_address, reachable_address, route_probe

pytestmark = pytest.mark.unit


def test_demo_address_on_every_interface_is_the_lan_address():
    assert demo_address(public_url=None, host="0.0.0.0", port=5400, probe=lambda: "192.168.1.23") == \
        DemoAddress("http://192.168.1.23:5400", True, "lan")


def test_demo_address_public_url_wins_over_the_lan_address():
    assert demo_address(public_url="https://pitch.example.org/", host="0.0.0.0", port=5000,
                        probe=lambda: "192.168.1.23") == DemoAddress("https://pitch.example.org", True, "public_url")


@pytest.mark.parametrize("found", [None, "127.0.1.1", "0.0.0.0", "169.254.3.4", "not an address"])
def test_demo_address_without_a_lan_address_falls_back_to_loopback_unreachable(found):
    assert demo_address(public_url=None, host="0.0.0.0", port=5000, probe=lambda: found) == \
        DemoAddress("http://127.0.0.1:5000", False, "loopback")


def test_demo_address_served_on_loopback_only_is_not_reachable_and_never_probes():
    def probe():
        raise AssertionError("no probe when the server listens on loopback only")

    assert demo_address(public_url=None, host="127.0.0.1", port=5000, probe=probe) == \
        DemoAddress("http://127.0.0.1:5000", False, "loopback")


def test_demo_address_served_on_one_lan_address_names_it():
    assert demo_address(public_url=None, host="10.0.0.7", port=5000) == DemoAddress("http://10.0.0.7:5000", True, "lan")


@pytest.mark.parametrize("found, expected", [("192.168.1.23", "192.168.1.23"), ("10.1.2.3", "10.1.2.3"),
                                             ("127.0.0.1", None), ("::1", None), ("", None)])
def test_reachable_address_keeps_only_addresses_other_devices_reach(found, expected):
    assert reachable_address(found) == expected


def test_route_probe_answers_an_ipv4_address_or_none():
    found = route_probe()  # a UDP "connect" sends nothing: safe on any machine, offline included

    assert found is None or ipaddress.ip_address(found).version == 4
