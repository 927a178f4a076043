"""A phone renders the trimmed state: the agenda's names from the page, its times and statuses from the state."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from pitchday import resources

from .helpers import click_command, open_moderator, open_public, play_the_opening

pytestmark = pytest.mark.e2e

PHONE = {"is_mobile": True, "has_touch": True}
DEMO = json.loads((resources.PACKAGE / "data" / "demo_edition.json").read_text(encoding="utf-8"))


def test_the_phone_names_every_talk_and_follows_the_state(server, open_view):
    phone = open_public(open_view, server, "audience", 390, 844, **PHONE)
    rows = phone.locator("#agenda .row")
    expect(rows).to_have_count(len(DEMO["talks"]))
    # The evening opens with its items (welcome, addresses), then the talks.
    at = [n for n, row in enumerate(DEMO["talks"]) if row.get("item_kind", "talk") == "talk"]
    first, second = DEMO["talks"][at[0]], DEMO["talks"][at[1]]
    expect(rows.nth(0).locator(".title")).to_have_text(DEMO["talks"][0]["title"])
    expect(rows.nth(at[0]).locator(".title")).to_have_text(first["title"])
    expect(rows.nth(at[1]).locator(".org")).to_contain_text(second["organisation"])
    expect(rows.nth(0).locator(".time")).to_have_text(re.compile(r"^\d{1,2}:\d{2}$"))

    moderator = open_moderator(open_view, server, 1024, 768)
    play_the_opening(moderator)
    click_command(moderator, "#btn-main")  # start: the first talk is on stage
    expect(rows.nth(at[0])).to_have_class(re.compile(r"\brow-now\b"))
    expect(phone.locator("#talk-title")).to_have_text(first["title"])
    expect(phone.locator("#talk-organisation")).to_have_text(first["organisation"])
    expect(phone.locator("#countdown")).to_have_text(re.compile(r"^\d+:\d{2}$"))
    # Asset URLs are content-hashed: nothing on the page comes from the unhashed /static/.
    sources = phone.evaluate("[...document.querySelectorAll('script[src], link[rel=stylesheet]')]"
                             ".map(e => e.src || e.href)")
    assert sources and all("/a/" in url for url in sources), sources
