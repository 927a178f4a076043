"""The vote storm: the votes that arrive together are stored in one write (a group commit).

When the host says "votez !", 300 phones vote five times within seconds. A write per vote (its
BEGIN IMMEDIATE, SQLite's write lock in turn, its commit) was most of a vote's server CPU, so one
core saturated and the acknowledgements queued (docs/benchmarks.md). Here the handler checks what
needs no database (the phone may submit, the payload parses, its rate limits pass), hands the vote
to its process's vote writer and waits; the writer takes every vote waiting in its queue, stores
them in one write (``services.questions.record_votes``) and, once that has committed, answers
each: a vote is durable before its acknowledgement, and each gets its own answer, as before.

There is no timer: while one group is written the next one gathers, so a quiet room's vote is
written at once and a storm's by tens. If a group's write fails, each of its votes is written
again on its own, so that a failure belongs to the vote that caused it; a vote whose own write
fails raises in its handler (``handlers.on_error``: a database that does not answer is refused
with a clear message).
"""
from __future__ import annotations

import logging
import threading

from flask import Flask, current_app

from ..extensions import db, socketio
from ..services import questions

log = logging.getLogger(__name__)

MAX_GROUP = 200  # votes per write at most: the write lock is held ~0.1 ms per vote


class _Waiting:
    __slots__ = ("ballot", "done", "answer", "error")

    def __init__(self, ballot: questions.Ballot, done) -> None:
        self.ballot, self.done = ballot, done
        self.answer: dict | None = None
        self.error: BaseException | None = None


class VoteWriter:
    """One per application and process: a queue of votes and the green thread that writes them."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.queue = None
        self._starting = threading.Lock()  # made after any monkey-patching: green under eventlet/gevent
        # Figures of what was written, to look at in a debugger or a log line: no rule reads them.
        self.groups = 0
        self.votes = 0
        self.largest = 0

    def submit(self, ballot: questions.Ballot) -> dict:
        """Store ``ballot`` with the votes that arrive with it; its answer once committed."""
        waiting = _Waiting(ballot, socketio.server.eio.create_event())
        self._queue().put(waiting)
        waiting.done.wait()
        if waiting.error is not None:
            raise waiting.error
        return waiting.answer

    def _queue(self):
        if self.queue is None:
            with self._starting:
                if self.queue is None:
                    queue = socketio.server.eio.create_queue()
                    socketio.start_background_task(self._run, queue)
                    self.queue = queue
        return self.queue

    def _run(self, queue) -> None:
        empty = socketio.server.eio.get_queue_empty_exception()
        while True:
            group = [queue.get()]
            while len(group) < MAX_GROUP:
                try:
                    group.append(queue.get_nowait())
                except empty:
                    break
            try:
                with self.app.app_context():
                    self._write(group)
            except BaseException as error:  # never leave a handler waiting, whatever happened
                for waiting in group:
                    if not waiting.done.is_set():
                        waiting.error = error
                        waiting.done.set()
                if not isinstance(error, Exception):
                    raise
                log.exception("vote writer: group failed")

    def _write(self, group: list[_Waiting]) -> None:
        try:
            with db.write():
                answers = questions.record_votes([w.ballot for w in group])
        except Exception as error:
            if len(group) == 1:
                group[0].error = error
                group[0].done.set()
                return
            log.warning("a group of %d votes failed (%s): each is written again on its own", len(group), error)
            for waiting in group:
                self._write([waiting])
            return
        self.groups += 1
        self.votes += len(group)
        self.largest = max(self.largest, len(group))
        for waiting, answer in zip(group, answers):
            waiting.answer = answer
            waiting.done.set()


def writer(app: Flask | None = None) -> VoteWriter:
    """This process's vote writer for ``app`` (the current one by default), made at its first vote."""
    app = app or current_app._get_current_object()
    found = app.extensions.get("pitchday_votes")
    if found is None:
        found = app.extensions.setdefault("pitchday_votes", VoteWriter(app))
    return found


def vote(ballot: questions.Ballot) -> dict:
    return writer().submit(ballot)
