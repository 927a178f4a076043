#!/usr/bin/env python3
"""Audience questions and votes under a storm: acknowledgement latency, exactly once, consistency.

When the host says "your questions!", hundreds of phones send at once, on a Wi-Fi that loses
packets, so phones resend. Every question must be stored exactly once, every phone must get its
answer quickly, and once the votes are in, every screen must show the same counts soon after.

The script starts ``pitchday demo`` (temporary SQLite database, free port), connects the
moderator and P phones (default 300). Each phone is its own identity: it first GETs the
audience page, which gives it a signed ``pitchday_device`` cookie, and connects its socket
with that cookie. Then:

1. **question storm**: every phone emits ``ask`` (with a new ``client_id`` and a text of its
   own) at a random moment within ``--spread`` seconds; a fraction of them (``--resend``) send
   the very same payload a second time right after, as a phone does when the Wi-Fi ate the
   answer. Measured: acknowledgement latency; the two answers of a resent question must agree;
2. **exactly once**: the moderator's ``moderation_list`` must hold every phone's question once:
   the lost and duplicated counts must both be 0;
3. **vote storm**: the moderator approves ``--approve`` questions (default 10); once every phone
   has them on its board, every phone votes for ``--votes`` of them (default 5) at random moments
   within ``--spread`` seconds. Measured: acknowledgement latency;
4. **consistency**: the expected final count of each approved question is the number of votes
   acknowledged for it. Phones and the moderator learn counts from the coalesced ``votes``
   broadcasts (at most five a second); measured: the time from the last vote acknowledgement
   until the moderator and every phone hold every final count. The moderator's
   ``moderation_list`` is asked again to confirm the counts.

Targets: p99 acknowledgement <= 200 ms, all screens consistent <= 1000 ms after the last vote,
no lost or duplicated question, no refused submission. The server's limits are 3 questions and
60 votes a minute per phone, 1000 questions and 10 000 votes a minute per address (all phones
here share 127.0.0.1): the defaults stay within them, and a refusal (``rate_limited``) is
counted as a failure. New devices (a cookie under a minute old) share a much smaller budget per
address, so the phones wait a minute after connecting, as a room's phones opened the page before
the talk (``NEW_DEVICE_S``).

All phones live in this one process (python-socketio's ``AsyncClient`` over WebSocket), which
shares the machine's cores with the server: latencies include the client's own work. Times are
``time.perf_counter_ns()``. A table is printed and JSON written to
``bench/results/question_storm-<date>.json``. The exit code is 2 when a correctness check fails
(lost, duplicated, different answers, counts that never converge, refused submissions).

Usage::

    .venv/bin/python bench/question_storm.py               # 300 phones, 3 s spread, 20 % resent
    .venv/bin/python bench/question_storm.py --phones 30   # a quick try
"""
from __future__ import annotations

import argparse
import asyncio
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

NEW_DEVICE_S = 61  # pitchday.domain.audience.YOUNG_DEVICE_MS, and a second

import aiohttp

from common import (Deadline, Server, command_line, connect, device_cookie, disconnect_all, fmt,
                    machine_info, moderator_cookie, ms_between, new_client, now_ns, process_cpu_s, rounded, run,
                    summary, timed_call, write_results)

TARGET_ACK_P99_MS = 200.0
TARGET_CONSISTENT_MS = 1000.0
# The moderator's list shows at most this many questions of one talk (pitchday/services/boards.py,
# MAX_LISTED): beyond it, phones ask about the next talks of the agenda so that all stay checkable.
QUESTIONS_LISTED_PER_TALK = 300


# --------------------------------------------------------------------------------------------
# Screens: what each phone (and the moderator) shows of the vote counts
# --------------------------------------------------------------------------------------------

class Watch:
    """Wait until ``condition(screen)`` holds on every screen; screens report each change here."""

    def __init__(self, screens: list["Screen"], condition):
        self.condition = condition
        self.waiting = {s for s in screens if not condition(s)}
        self.done = asyncio.Event()
        if not self.waiting:
            self.done.set()
        for screen in screens:
            screen.watch = self

    def changed(self, screen: "Screen") -> None:
        if screen in self.waiting and self.condition(screen):
            self.waiting.discard(screen)
            if not self.waiting:
                self.done.set()

    async def wait(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self.done.wait(), timeout)
        except TimeoutError:
            pass
        return self.done.is_set()


class Screen:
    """A socket's view of the public questions: their vote counts, and when each changed or appeared."""

    def __init__(self, name: str):
        self.name = name
        self.sio = new_client()
        self.votes: dict[int, int] = {}
        self.changed_at: dict[int, int] = {}  # question id -> ns when its count last changed here
        self.seen_at: dict[int, int] = {}  # question id -> ns when it first appeared here
        self.watch: Watch | None = None
        self.sio.on("votes", self.on_votes)

    def see(self, question_id, votes, at: int) -> None:
        question_id = int(question_id)
        self.seen_at.setdefault(question_id, at)
        if self.votes.get(question_id) != votes:
            self.votes[question_id] = votes
            self.changed_at[question_id] = at

    def on_votes(self, message) -> None:
        """``{"counts": {"<question id>": votes}}``, coalesced by the server."""
        at = now_ns()
        for question_id, votes in (message.get("counts") or {}).items():
            self.see(question_id, votes, at)
        if self.watch is not None:
            self.watch.changed(self)

    def on_question_list(self, message) -> None:
        """A list of questions with their counts: ``board`` (public) or ``moderation`` (moderators)."""
        at = now_ns()
        for question in message.get("questions") or []:
            self.see(question["id"], question["votes"], at)
        if self.watch is not None:
            self.watch.changed(self)

    def holds(self, expected: dict[int, int]) -> bool:
        return all(self.votes.get(q) == n for q, n in expected.items())

    def held_since(self, expected: dict[int, int]) -> int:
        """When this screen came to hold the ``expected`` counts (it holds them now)."""
        return max(self.changed_at[q] for q in expected)


class Phone(Screen):
    def __init__(self, index: int, talk_id: int, run_tag: str):
        super().__init__(f"phone {index}")
        self.index = index
        self.talk_id = talk_id
        self.client_id = str(uuid.uuid4())
        self.text = f"Question {index} du banc d'essai {run_tag} : quel budget pour un déploiement régional ?"
        self.sio.on("board", self.on_question_list)
        self.question_id: int | None = None  # from the ask's acknowledgement


# --------------------------------------------------------------------------------------------
# Submissions
# --------------------------------------------------------------------------------------------

class Submissions:
    """Acknowledgements of one kind of submission: latencies, refusals by code, failures."""

    def __init__(self):
        self.sent = 0
        self.latencies_ms: list[float] = []
        self.refused: Counter = Counter()  # error code -> count
        self.failed: Counter = Counter()  # no acknowledgement: exception -> count
        self.last_ack_ns = 0

    async def send(self, client, event: str, payload: dict, timeout: float) -> dict | None:
        """Emit with an ack; the ack if it came (refusals included), else None."""
        self.sent += 1
        try:
            ack, start, end = await timed_call(client, event, payload, timeout=timeout)
        except Exception as error:
            self.failed[type(error).__name__] += 1
            return None
        self.latencies_ms.append(ms_between(start, end))
        self.last_ack_ns = max(self.last_ack_ns, end)
        if not isinstance(ack, dict) or not ack.get("ok"):
            code = ack.get("error", {}).get("code", "?") if isinstance(ack, dict) else repr(ack)[:40]
            self.refused[code] += 1
        return ack if isinstance(ack, dict) else None

    def report(self) -> dict:
        return {"sent": self.sent, "latency_ms": summary(self.latencies_ms), "refused": dict(self.refused),
                "no_ack": dict(self.failed), "failures": sum(self.refused.values()) + sum(self.failed.values())}


async def call_ok(client, event: str, payload: dict, timeout: float) -> dict:
    """A moderator request that must succeed."""
    ack, _start, _end = await timed_call(client, event, payload, timeout=timeout)
    if not isinstance(ack, dict) or not ack.get("ok"):
        raise RuntimeError(f"{event} {payload} refused: {ack}")
    return ack


async def connect_phones(server: Server, talk_ids: list[int], args, deadline: Deadline) -> list[Phone]:
    """GET the audience page for a device cookie, then connect the socket with it; ``--batch`` at a time."""
    run_tag = uuid.uuid4().hex[:8]
    phones = [Phone(i, talk_ids[i // QUESTIONS_LISTED_PER_TALK], run_tag) for i in range(args.phones)]
    connected: list[Phone] = []
    # No cookie jar: every GET comes without cookies, as from a new phone.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        async def one(phone: Phone) -> None:
            cookie = await asyncio.wait_for(device_cookie(http, server), args.ack_timeout)
            await connect(phone.sio, server.url, "audience", cookie=cookie, timeout=deadline.timeout(15))
            connected.append(phone)

        try:
            for start in range(0, len(phones), args.batch):
                results = await asyncio.gather(*[one(p) for p in phones[start:start + args.batch]],
                                               return_exceptions=True)
                errors = Counter(f"{type(r).__name__}: {r}"[:120] for r in results if isinstance(r, BaseException))
                if errors:
                    raise RuntimeError(f"phones failed to connect: {dict(errors)}")
        except BaseException:
            await disconnect_all([p.sio for p in connected])
            raise
    return phones


# --------------------------------------------------------------------------------------------
# The storms
# --------------------------------------------------------------------------------------------

async def question_storm(phones: list[Phone], args, rng: random.Random) -> dict:
    """Every phone asks once within ``--spread`` s; the ``--resend`` fraction sends it twice at once."""
    asks = Submissions()
    resenders = set(rng.sample(range(len(phones)), round(len(phones) * args.resend)))
    answers_differ: list[dict] = []

    async def ask(phone: Phone, delay: float) -> None:
        await asyncio.sleep(delay)
        payload = {"client_id": phone.client_id, "talk_id": phone.talk_id, "text": phone.text}
        copies = 2 if phone.index in resenders else 1
        acks = await asyncio.gather(*[asks.send(phone.sio, "ask", payload, args.ack_timeout) for _ in range(copies)])
        answered = [a["question"] for a in acks if a is not None and a.get("ok")]
        if answered:
            phone.question_id = answered[0]["id"]
        if len(answered) == 2 and answered[0] != answered[1]:
            answers_differ.append({"phone": phone.index, "answers": answered})

    started = now_ns()
    await asyncio.gather(*[ask(p, rng.uniform(0, args.spread)) for p in phones])
    return {"phones": len(phones), "resent": len(resenders),
            "seconds": round(ms_between(started, now_ns()) / 1000, 2), **asks.report(),
            "resent_answers_differ": len(answers_differ), "resent_answers_differ_examples": answers_differ[:3]}


async def exactly_once(moderator: Screen, phones: list[Phone], args) -> dict:
    """Every phone's question appears once in the moderator's lists, with the id its ack gave."""
    listed: list[dict] = []
    for talk_id in sorted({p.talk_id for p in phones}):
        listed += (await call_ok(moderator.sio, "moderation_list", {"talk_id": talk_id}, args.ack_timeout))["questions"]
    by_text = Counter(q["text"] for q in listed)
    ids_by_text: dict[str, list[int]] = {}
    for q in listed:
        ids_by_text.setdefault(q["text"], []).append(q["id"])
    lost = [p.index for p in phones if by_text[p.text] == 0]
    duplicated = [p.index for p in phones if by_text[p.text] > 1]
    wrong_id = [p.index for p in phones if p.question_id is not None and by_text[p.text] == 1
                and ids_by_text[p.text] != [p.question_id]]
    ours = {p.text for p in phones}
    return {"listed": len(listed), "lost": len(lost), "duplicated": len(duplicated),
            "listed_id_differs_from_ack": len(wrong_id),
            "unknown_listed": sum(1 for q in listed if q["text"] not in ours),
            "lost_phones": lost[:20], "duplicated_phones": duplicated[:20],
            "statuses": dict(Counter(q["status"] for q in listed))}


async def approve(moderator: Screen, phones: list[Phone], args, rng: random.Random) -> tuple[list[int], dict]:
    """The moderator approves ``--approve`` questions picked at random; their ids and the acks' figures."""
    asked = [p.question_id for p in phones if p.question_id is not None]
    chosen = rng.sample(asked, min(args.approve, len(asked)))
    moderations = Submissions()
    approved = []
    for question_id in chosen:
        ack = await moderations.send(moderator.sio, "moderate", {"question_id": question_id, "action": "approve"},
                                     args.ack_timeout)
        if ack is not None and ack.get("ok"):
            approved.append(question_id)
    return approved, moderations.report()


async def vote_storm(phones: list[Phone], approved: list[int], args, rng: random.Random) -> tuple[dict, dict]:
    """Every phone votes for ``--votes`` approved questions, each at a random moment within ``--spread`` s.

    Returns the figures and, per question, the votes acknowledged and the highest count an ack gave.
    """
    votes = Submissions()
    acknowledged: Counter = Counter()
    highest_ack: dict[int, int] = {}

    async def vote(phone: Phone, question_id: int, delay: float) -> None:
        await asyncio.sleep(delay)
        ack = await votes.send(phone.sio, "vote", {"question_id": question_id}, args.ack_timeout)
        if ack is not None and ack.get("ok"):
            acknowledged[question_id] += 1
            highest_ack[question_id] = max(highest_ack.get(question_id, 0), ack["votes"])

    per_phone = min(args.votes, len(approved))
    started = now_ns()
    await asyncio.gather(*[vote(p, q, rng.uniform(0, args.spread))
                           for p in phones for q in rng.sample(approved, per_phone)])
    figures = {"per_phone": per_phone,
               "seconds": round(ms_between(started, now_ns()) / 1000, 2), **votes.report()}
    return figures, {"acknowledged": {q: acknowledged[q] for q in approved}, "highest_ack": highest_ack,
                     "last_ack_ns": votes.last_ack_ns}


async def consistency(screens: list[Screen], moderator: Screen, talk_ids: list[int], outcome: dict,
                      args, deadline: Deadline) -> dict:
    """How long after the last vote ack every screen holds every final count.

    The expected count of a question is the number of votes acknowledged for it; the highest
    count an ack carried and the moderator's list are checked against it.
    """
    expected = outcome["acknowledged"]
    watch = Watch(screens, lambda s: s.holds(expected))
    reached = await watch.wait(deadline.timeout(args.consistency_timeout))
    after_ms = None
    if reached:
        after_ms = ms_between(outcome["last_ack_ns"], max(s.held_since(expected) for s in screens))
    listed: dict[int, int] = {}
    for talk_id in talk_ids:
        answer = await call_ok(moderator.sio, "moderation_list", {"talk_id": talk_id}, args.ack_timeout)
        listed.update({q["id"]: q["votes"] for q in answer["questions"]})
    lagging = [s for s in screens if not s.holds(expected)]
    return {
        "screens": len(screens),
        "consistent": reached,
        "waited_s": args.consistency_timeout,
        # Below 0 when the last broadcast reached every screen before the last ack reached its phone.
        "after_last_ack_ms": None if after_ms is None else rounded(max(0.0, after_ms)),
        "after_last_ack_ms_raw": rounded(after_ms),
        "lagging_screens": len(lagging),
        "lagging_examples": [{"screen": s.name, "holds": {str(q): s.votes.get(q) for q in expected}}
                             for s in lagging[:3]],
        "expected_counts": {str(q): n for q, n in expected.items()},
        "highest_ack_differs": {str(q): outcome["highest_ack"].get(q) for q, n in expected.items()
                                if outcome["highest_ack"].get(q, 0) != n},
        "moderation_list_differs": {str(q): listed.get(q) for q, n in expected.items() if listed.get(q) != n},
    }


# --------------------------------------------------------------------------------------------
# Where the server's CPU goes during the vote storm (``--py-spy``)
# --------------------------------------------------------------------------------------------

def start_profiler(server: Server, args) -> subprocess.Popen:
    """py-spy (the bench extra) sampling the server process, without pausing it, until stopped."""
    py_spy = Path(sys.executable).parent / "py-spy"
    return subprocess.Popen([str(py_spy), "record", "-p", str(server.process.pid), "-r", "250", "--nonblocking",
                             "--format", "raw", "-o", args.py_spy, "-d", str(int(args.spread + 30))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_profiler(profiler: subprocess.Popen, args) -> dict:
    """Stop py-spy (it writes its samples on SIGINT) and sum them: the top frames by own and total share."""
    profiler.send_signal(signal.SIGINT)
    try:
        profiler.wait(timeout=30)
    except subprocess.TimeoutExpired:
        profiler.kill()
        profiler.wait()
    own: Counter = Counter()
    total: Counter = Counter()
    samples = 0
    try:
        lines = Path(args.py_spy).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return {"file": args.py_spy, "samples": 0}
    for line in lines:
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        samples += n
        frames = [f for f in stack.split(";") if f]
        if frames:
            own[_frame_name(frames[-1])] += n
        for name in {_frame_name(f) for f in frames}:
            total[name] += n

    def top(counter: Counter) -> list:
        return [[name, round(100 * n / samples, 1)] for name, n in counter.most_common(args.py_spy_top)]

    return {"file": args.py_spy, "samples": samples, "own_percent": top(own), "total_percent": top(total)}


def _frame_name(frame: str) -> str:
    """``function (path/to/module.py:line)`` -> ``function (module.py)``: lines merged."""
    name, _, where = frame.partition(" (")
    return f"{name} ({Path(where.rsplit(':', 1)[0]).name})"


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------

async def main(args, deadline: Deadline) -> int:
    rng = random.Random(args.seed)
    server = Server(startup_timeout=deadline.timeout(60), kind=args.server)
    moderator = Screen("moderator")
    moderator.sio.on("moderation", moderator.on_question_list)
    snapshots: list[dict] = []
    moderator.sio.on("snapshot", snapshots.append)
    phones: list[Phone] = []
    result: dict = {"phones": args.phones}
    try:
        print(f"Starting a server, then {args.phones} phones ...", flush=True)
        await asyncio.to_thread(server.start)
        async with aiohttp.ClientSession() as http:
            cookie = await moderator_cookie(http, server)
        await connect(moderator.sio, server.url, "moderator", cookie=cookie, timeout=deadline.timeout(15))
        for _ in range(100):  # bounded: up to 5 s for the snapshot
            if snapshots:
                break
            await asyncio.sleep(0.05)
        if not snapshots:
            raise RuntimeError("the moderator got no snapshot")
        # Questions are asked about talks, not the evening's other items (welcome, opening words...).
        agenda = [item["id"] for item in snapshots[0]["state"]["agenda"] if item.get("item_kind", "talk") == "talk"]
        if args.phones > QUESTIONS_LISTED_PER_TALK * len(agenda):
            raise SystemExit(f"at most {QUESTIONS_LISTED_PER_TALK * len(agenda)} phones: the moderator's list "
                             f"shows {QUESTIONS_LISTED_PER_TALK} questions per talk")
        started = time.monotonic()
        phones = await connect_phones(server, agenda, args, deadline)
        talk_ids = sorted({p.talk_id for p in phones})
        connected = time.monotonic()
        result["connect_seconds"] = round(connected - started, 2)
        print(f"  {len(phones)} phones connected in {result['connect_seconds']} s; question storm ...", flush=True)

        # The room's phones opened the page before the talk: a device cookie under a minute old
        # shares a small per-address budget (pitchday.domain.audience.YOUNG_DEVICE_MS), which a
        # whole room sending in its first minute would meet. Let the cookies age first.
        young_left = NEW_DEVICE_S - (time.monotonic() - connected)
        if young_left > 0:
            print(f"  waiting {young_left:.0f} s: the phones' cookies are new devices for a minute", flush=True)
            await asyncio.sleep(young_left)
        await asyncio.sleep(args.settle)
        cpu, client_cpu = server.cpu_s(), process_cpu_s()
        result["asks"] = await question_storm(phones, args, rng)
        result["asks"]["server_cpu_s"] = round(server.cpu_s() - cpu, 2)
        result["asks"]["client_cpu_s"] = round(process_cpu_s() - client_cpu, 2)
        result["exactly_once"] = await exactly_once(moderator, phones, args)

        approved, result["moderation"] = await approve(moderator, phones, args, rng)
        result["approved"] = approved
        if not approved:
            raise RuntimeError(f"no question could be approved: {result['moderation']}; asks: {result['asks']}")
        # Votes start once every phone shows the approved questions, as people vote for what they see.
        started_ns = now_ns()
        shown = Watch(phones, lambda p: all(q in p.seen_at for q in approved))
        on_every_phone = await shown.wait(deadline.timeout(args.consistency_timeout))
        result["approved_shown"] = {
            "on_every_phone": on_every_phone, "phones_missing_some": len(shown.waiting),
            "after_ms": rounded(ms_between(started_ns, max(p.seen_at[q] for p in phones for q in approved)))
            if on_every_phone else None}
        print(f"  {len(approved)} questions approved; vote storm ...", flush=True)

        profiler = start_profiler(server, args) if args.py_spy else None
        cpu, client_cpu = server.cpu_s(), process_cpu_s()
        result["votes"], outcome = await vote_storm(phones, approved, args, rng)
        result["votes"]["server_cpu_s"] = round(server.cpu_s() - cpu, 2)
        if profiler is not None:
            result["votes"]["py_spy"] = await asyncio.to_thread(stop_profiler, profiler, args)
        result["votes"]["client_cpu_s"] = round(process_cpu_s() - client_cpu, 2)
        result["consistency"] = await consistency([moderator, *phones], moderator, talk_ids, outcome, args, deadline)
        result["server_rss_kb_at_end"] = server.rss_kb()
    finally:
        await disconnect_all([moderator.sio, *[p.sio for p in phones]])
        await asyncio.to_thread(server.stop)

    problems = check(result)
    print_table(result, problems, args)
    path = write_results("question_storm", {
        "benchmark": "question_storm",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": command_line(),
        "client": "python-socketio AsyncClient, WebSocket transport, one process",
        "machine": machine_info(),
        "options": vars(args),
        "targets": {"ack_p99_ms": TARGET_ACK_P99_MS, "consistent_ms": TARGET_CONSISTENT_MS,
                    "lost": 0, "duplicated": 0, "failed_submissions": 0},
        "problems": problems,
        "results": result,
    }, args.out)
    print(f"\nJSON: {path}")
    return 2 if problems else 0


def check(result: dict) -> list[str]:
    """What went wrong, in words; empty when every correctness check passed."""
    problems = []
    once, asks, votes, cons = result["exactly_once"], result["asks"], result["votes"], result["consistency"]
    if once["lost"] or once["duplicated"]:
        problems.append(f"questions lost: {once['lost']}, duplicated: {once['duplicated']}")
    if once["listed_id_differs_from_ack"] or once["unknown_listed"]:
        problems.append(f"listed question ids differ from the acks for {once['listed_id_differs_from_ack']} phones; "
                        f"{once['unknown_listed']} unknown questions listed")
    if asks["resent_answers_differ"]:
        problems.append(f"{asks['resent_answers_differ']} resent questions got a different answer the second time")
    for name, figures in (("ask", asks), ("vote", votes), ("moderate", result["moderation"])):
        if figures["failures"]:
            problems.append(f"{figures['failures']} {name} submissions failed: refused {figures['refused']}, "
                            f"no ack {figures['no_ack']}")
    if not result["approved_shown"]["on_every_phone"]:
        missing = result["approved_shown"]["phones_missing_some"]
        problems.append(f"{missing} phones never showed every approved question")
    if not cons["consistent"]:
        problems.append(f"{cons['lagging_screens']} screens never held the final counts "
                        f"(waited {cons['waited_s']:g} s); e.g. {cons['lagging_examples'][:1]}")
    if cons["highest_ack_differs"] or cons["moderation_list_differs"]:
        problems.append(f"final counts disagree: acknowledged {cons['expected_counts']}, highest ack "
                        f"{cons['highest_ack_differs']}, moderation list {cons['moderation_list_differs']}")
    return problems


def print_table(result: dict, problems: list[str], args) -> None:
    asks, votes, once, cons = result["asks"], result["votes"], result["exactly_once"], result["consistency"]

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print()
    print(f"Question storm: {result['phones']} phones (python-socketio clients over WebSocket, one process), "
          f"spread {args.spread:g} s, {asks['resent']} questions resent")
    print(f"command: {command_line()}")
    header = f"{'acknowledgements':<17} {'sent':>6} {'acks':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} " \
             f"{'max ms':>8} {'failed':>6}  target"
    print(header)
    print("-" * len(header))
    for name, figures, target in (("ask", asks, TARGET_ACK_P99_MS), ("vote", votes, TARGET_ACK_P99_MS),
                                  ("moderate approve", result["moderation"], None)):
        lat = figures["latency_ms"]
        goal = "" if target is None else \
            f"p99 <= {target:.0f}: {verdict(lat['p99'] is not None and lat['p99'] <= target)}"
        print(f"{name:<17} {figures['sent']:>6} {lat['n']:>6} {fmt(lat['p50'])} {fmt(lat['p95'])} {fmt(lat['p99'])} "
              f"{fmt(lat['max'])} {figures['failures']:>6}  {goal}")
    print(f"failed = refused (e.g. rate_limited) or never acknowledged within {args.ack_timeout:g} s; target 0.")
    print()
    print(f"exactly once: {result['phones']} phones asked, {once['listed']} questions listed; "
          f"lost {once['lost']}, duplicated {once['duplicated']} (target 0: "
          f"{'ok' if not once['lost'] and not once['duplicated'] else 'FAILED'}); resent questions answered alike: "
          f"{asks['resent'] - asks['resent_answers_differ']}/{asks['resent']}")
    shown = result["approved_shown"]
    print(f"approved questions ({len(result['approved'])}) on every phone after "
          f"{fmt(shown['after_ms'], 0)} ms")
    after = cons["after_last_ack_ms"]
    scope = (f"{cons['screens']} screens, {len(cons['expected_counts'])} questions, "
             f"{sum(cons['expected_counts'].values())} votes")
    if cons["consistent"]:
        print(f"all screens consistent {after:.0f} ms after the last vote ack ({scope}) "
              f"(target <= {TARGET_CONSISTENT_MS:.0f} ms: {verdict(after <= TARGET_CONSISTENT_MS)})")
    else:
        print(f"screens NOT consistent: {cons['lagging_screens']} of {cons['screens']} still lacked a final count "
              f"after {cons['waited_s']:g} s ({scope})")
    for name, figures in (("question storm", asks), ("vote storm", votes)):
        print(f"{name}: {figures['sent']} sent over {figures['seconds']:g} s until the last ack; CPU s used by "
              f"the server {figures['server_cpu_s']:g}, by the phones' process {figures['client_cpu_s']:g}")
    print(f"server RSS at the end: {result['server_rss_kb_at_end'] / 1024:.0f} MB")
    profile = votes.get("py_spy")
    if profile:
        print(f"\nvote storm, py-spy on the server: {profile['samples']} samples ({profile['file']})")
        print("  % of samples in the frame itself, then with what it calls:")
        for (own, own_pct), (total, total_pct) in zip(profile["own_percent"], profile["total_percent"]):
            print(f"  {own_pct:5.1f}  {own[:60]:<60} {total_pct:5.1f}  {total[:60]}")
    if problems:
        print("\nFAILED CHECKS:")
        for problem in problems:
            print(f"  - {problem}")
    else:
        print("correctness checks passed: nothing lost or duplicated, same answers to resends, counts converged.")


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Audience question and vote storm against a real pitchday server: acknowledgement "
                    "latency, exactly-once storage, time until every screen shows the final counts.",
        epilog="Results: a table on stdout and JSON in bench/results/question_storm-<date>.json. "
               "Exit code 2 when a correctness check fails.")
    p.add_argument("--phones", type=int, default=300, help="phones, each with its own device cookie (default 300)")
    p.add_argument("--spread", type=float, default=3.0,
                   help="seconds over which the questions, then the votes, are sent (default 3)")
    p.add_argument("--resend", type=float, default=0.2,
                   help="fraction of phones that send their question twice, as after a lost answer (default 0.2)")
    p.add_argument("--approve", type=int, default=10, help="questions the moderator approves (default 10)")
    p.add_argument("--votes", type=int, default=5, help="approved questions each phone votes for (default 5)")
    p.add_argument("--batch", type=int, default=50, help="phones connecting at once (default 50)")
    p.add_argument("--ack-timeout", type=float, default=10.0,
                   help="longest wait for one acknowledgement, s (default 10)")
    p.add_argument("--consistency-timeout", type=float, default=10.0,
                   help="longest wait for every screen to hold the final counts, s (default 10)")
    p.add_argument("--settle", type=float, default=1.0, help="pause after connecting, s (default 1)")
    p.add_argument("--seed", type=int, help="random seed (which phones resend, what they vote for, when)")
    p.add_argument("--max-seconds", type=float, default=300.0, help="deadline of the whole run, s (default 300)")
    p.add_argument("--server", choices=("pitchday", "base"), default="pitchday",
                   help="pitchday (this checkout) or base (the checkout named by BENCH_BASE_CHECKOUT)")
    p.add_argument("--py-spy", metavar="FILE",
                   help="sample the server with py-spy during the vote storm (raw stacks to FILE) and print its top "
                        "frames (py-spy is in the bench extra; sampling as root or with ptrace allowed)")
    p.add_argument("--py-spy-top", type=int, default=25, help="frames listed from the profile (default 25)")
    p.add_argument("--out", help="JSON file (default bench/results/question_storm-<date>.json, never overwritten)")
    args = p.parse_args(argv)
    if args.phones < 1 or args.batch < 1 or args.approve < 1 or args.votes < 1 or args.spread < 0:
        p.error("phones, batch, approve and votes must be positive, spread not negative")
    if not 0 <= args.resend <= 1:
        p.error("--resend is a fraction between 0 and 1")
    return args


if __name__ == "__main__":
    sys.exit(run(main, parse_args()))
