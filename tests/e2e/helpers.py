"""What a person reads on each live view, and the moderator's hands on the console."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect

SLUG = "jdn10"
FIRST_TALK = "CapteurÉcole"
SECOND_TALK = "Respirer près de l'école"
DONE = "Fait"
UNDONE = "Défait"
STALE = "L'état a changé entre-temps : vérifiez puis recommencez."

# Generous deadlines: two cores, several browsers, maybe a second test run beside this one. A test
# waits for a condition, so a long deadline costs nothing when things go well.
TIMEOUT_S = 20

COUNTDOWN = re.compile(r"^(\+?)(\d+):(\d{2})$")
# The element holding the current talk's title in each view.
TITLE_SELECTOR = {"projector": "#talk-title", "stage": "#talk-title", "moderator": "#now-title",
                  "audience": "#talk-title"}


def seconds(text: str | None) -> int | None:
    """ "4:59" → 299, "+0:23" → -23 (overtime), "" / "–:––" → None."""
    text = (text or "").strip()
    match = COUNTDOWN.match(text)
    if not match:
        return None
    value = int(match.group(2)) * 60 + int(match.group(3))
    return -value if match.group(1) else value


def view_of(page: Page) -> str:
    return page.evaluate("document.body.dataset.view")


@dataclass(frozen=True)
class Reading:
    view: str
    phase: str
    title: str
    countdown: str

    @property
    def seconds(self) -> int | None:
        return seconds(self.countdown)


def read(page: Page) -> Reading:
    """One round trip: phase, title and countdown exactly as the page shows them."""
    view = view_of(page)
    phase, title, countdown = page.evaluate(
        """(titleSel) => [document.getElementById('phase').textContent.trim(),
                          document.querySelector(titleSel).textContent.trim(),
                          document.getElementById('countdown').textContent.trim()]""",
        TITLE_SELECTOR[view])
    return Reading(view, phase, title, countdown)


def wait_all_agree(pages: list[Page], *, phase: str, title: str, around: float | None = None,
                   tolerance_s: float = 1, timeout_s: float = TIMEOUT_S) -> list[Reading]:
    """Wait until every page shows ``phase`` and ``title`` and countdowns within ``tolerance_s``.

    With ``around``, the countdowns must also be within ``tolerance_s`` (+1 for rounding) of it.
    Raises AssertionError with the last readings when they never agree.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        readings = [read(p) for p in pages]
        values = [r.seconds for r in readings]
        ok = (all(r.phase == phase and r.title == title for r in readings)
              and all(v is not None for v in values)
              and max(values) - min(values) <= tolerance_s
              and (around is None or all(abs(v - around) <= tolerance_s + 1 for v in values)))
        if ok:
            return readings
        if time.monotonic() > deadline:
            raise AssertionError(f"views disagree (want phase={phase!r} title={title!r} around={around}):\n"
                                 + "\n".join(map(repr, readings)))
        time.sleep(0.1)


def click_command(moderator: Page, selector: str, *, expect_feedback: str = DONE) -> None:
    """Click a console button and wait for the server's answer shown in the feedback line."""
    feedback = moderator.locator("#feedback")
    moderator.evaluate("document.getElementById('feedback').textContent = ''")
    moderator.click(selector)
    expect(feedback).to_have_text(expect_feedback, timeout=TIMEOUT_S * 1000)


# The demo evening's rundown around its ten talks (pitchday/data/demo_edition.json): the welcome, the opening
# address and ATMO's introduction before them; the closing and the networking after them.
OPENING_ITEMS = ("Accueil café", "Mot d'ouverture", "La qualité de l'air en Hauts-de-France")
CLOSING_ITEMS = ("Clôture", "Networking et cocktail")


def play_items(moderator: Page, count: int) -> None:
    """Run ``count`` items of one phase in turn on the console: start each, then go on to the next."""
    for _ in range(count):
        click_command(moderator, "#btn-main")
        click_command(moderator, '[data-command="next"]')


def play_the_opening(moderator: Page) -> None:
    """From the doors opening to the first talk up next (not started): the demo's items before the talks."""
    play_items(moderator, len(OPENING_ITEMS))
    expect(moderator.locator("#now-title")).to_have_text(FIRST_TALK)


def play_the_closing(moderator: Page) -> None:
    """From the closing (up next after the last talk) to the free networking."""
    play_items(moderator, len(CLOSING_ITEMS))
    expect(moderator.locator("#phase")).to_have_text("Temps d'échanges")


def extend(moderator: Page, delta_ms: int, times: int = 1) -> None:
    for _ in range(times):
        click_command(moderator, f'[data-command="extend"][data-delta="{delta_ms}"]')


def open_moderator(open_view, server, width: int, height: int, **options) -> Page:
    """Open the moderator link (it sets the HttpOnly cookie and lands on the console), wait for the snapshot."""
    page = open_view(server.moderator_url, width, height, **options)
    expect(page).to_have_url(server.url(f"/e/{SLUG}/moderator"))
    expect(page.locator("#connection")).to_have_text("En ligne")
    expect(page.locator("#btn-main")).to_have_text(re.compile(r"^(Démarrer|Pause|Reprendre)$"))
    return page


def open_public(open_view, server, view: str, width: int, height: int, **options) -> Page:
    path = {"projector": "projector", "stage": "stage", "audience": ""}[view]
    page = open_view(server.url(f"/e/{SLUG}/{path}"), width, height, **options)
    expect(page.locator("body")).to_have_attribute("data-view", view)
    return page


def wait_presence(moderator: Page, *, projector: int, stage: int, moderator_count: int, audience: int = 0) -> None:
    expect(moderator.locator("#presence")).to_have_text(
        f"Projecteur {projector} · Scène {stage} · Régie {moderator_count} · Public {audience}",
        timeout=TIMEOUT_S * 1000)


def eventually(condition, *, timeout_s: float = TIMEOUT_S) -> bool:
    """Whether ``condition()`` becomes true before ``timeout_s`` (polled; for soft checks)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def settled(page: Page) -> None:
    """Wait until the page has run what was queued before now, including failed image loads.

    A marker for "nothing happened": a broken image inserted earlier fires its error before ours does.
    """
    page.evaluate("""() => new Promise((resolve) => {
        const probe = new Image(); probe.onerror = probe.onload = () => resolve(); probe.src = "data:,";
    })""")


class Wifi:
    """The venue Wi-Fi of one browser context, which the test can cut and bring back.

    Playwright's offline mode does not close open WebSockets (microsoft/playwright#4910), so the
    sockets are routed through here: cutting the Wi-Fi closes them and refuses new ones, as a
    real network drop does, and HTTP requests fail (``set_offline``).
    """

    def __init__(self, context):
        self.context = context
        self.up = True
        self.routes = []
        context.route_web_socket(re.compile(r"/socket\.io/"), self._route)

    def _route(self, ws):
        if not self.up:
            ws.close()
            return
        server = ws.connect_to_server()
        self.routes.append((ws, server))

    def cut(self) -> None:
        self.up = False
        self.context.set_offline(True)
        for ws, server in self.routes:
            ws.close()
            server.close()
        self.routes.clear()

    def restore(self) -> None:
        self.up = True
        self.context.set_offline(False)


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Page, *, impacts=("serious", "critical")) -> list[str]:
    """WCAG 2.1 A/AA problems axe-core finds on the page, of the given impacts.

    The page's context must be opened with ``bypass_csp=True``: the audit script is injected
    inline, which our own Content Security Policy (rightly) forbids.
    """
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
    return [f"{v['impact']}: {v['id']} — {v['help']} {v['nodes']}" for v in result if v["impact"] in impacts]
