"""gunicorn's settings in gevent mode (pitchday/gunicorn_conf.py): no ceiling below PITCHDAY_MAX_CLIENTS
that would leave a client hanging instead of refused."""
from __future__ import annotations

import os

import pytest

from pitchday import gunicorn_conf
from pitchday.services import capacity

pytestmark = pytest.mark.unit


class FakeArbiter:
    def __init__(self):
        self.warnings = []
        self.log = self

    def warning(self, message, *args):
        self.warnings.append(message % args)


def test_too_few_open_files_lower_the_ceiling_to_what_they_hold(monkeypatch):
    monkeypatch.setenv("PITCHDAY_MAX_CLIENTS", "6000")
    monkeypatch.setattr(capacity, "raise_open_files", lambda wanted: (1024, 1024))
    arbiter = FakeArbiter()
    gunicorn_conf.on_starting(arbiter)
    fitting = int(os.environ["PITCHDAY_MAX_CLIENTS"])
    assert fitting == 1024 - capacity.HTTP_HEADROOM - capacity.FILES_HEADROOM
    assert capacity.server_limits(fitting).open_files == 1024  # exactly what the descriptors hold
    assert "refuse clients beyond" in arbiter.warnings[0] and "LimitNOFILE" in arbiter.warnings[0]


def test_enough_open_files_leave_the_ceiling_alone(monkeypatch):
    monkeypatch.setenv("PITCHDAY_MAX_CLIENTS", "6000")
    monkeypatch.setattr(capacity, "raise_open_files", lambda wanted: (wanted, wanted))
    arbiter = FakeArbiter()
    gunicorn_conf.on_starting(arbiter)
    assert os.environ["PITCHDAY_MAX_CLIENTS"] == "6000" and arbiter.warnings == []
    assert gunicorn_conf.worker_connections > gunicorn_conf._limits.max_clients
