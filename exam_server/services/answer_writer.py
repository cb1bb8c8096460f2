"""Group commit: many candidates' writes share one transaction, each acknowledged after it commits.

Every candidate write reaches ``AnswerWriter.perform`` through ``ctx.write`` and waits. The writer gathers
what arrives within a few milliseconds, stores it all in one transaction, and
only then releases every waiting handler with its own outcome. One fsync then
serves a whole group instead of one answer, and writes of one attempt keep
the order they arrived in (an answer sent before ``submit`` is stored before it).

When a group's transaction fails, its writes are tried again one by one, each
in a transaction of its own, so a write that cannot be stored fails alone and
the others are stored and acknowledged. Every try starts from a new session:
what a work changed in the failed one (running scores, counters, the rows it
cached in ``session.info``) is thrown away with it, so nothing counts twice.

Under eventlet and gevent the transaction runs in a real OS thread on a
connection of its own, so the event loop keeps serving sockets while the disk
syncs (SQLite) or the group's round trips to PostgreSQL go on. There that
connection waits on its socket in the thread, not through the loop's hub
(store.pg_wait); ``postgres_writer = "loop"`` keeps PostgreSQL's groups in the
loop instead, waiting cooperatively.

A write that waits longer than the writer's timeout (``write_timeout_seconds``)
is refused as ``busy``: the sender sends it again later, and a write whose group
had not begun by then is never run.

Until its loop runs (commands, tests, a process before ``Runtime.start``) the
writer stores each write at once as a group of one, by the same code. After
each write it tells ``observe`` the write's label, the rows it touched, how
long the caller waited and the outcome: metrics and alerts hang there, not in
the handlers.
"""
from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

from exam_server.errors import Busy, ExamError
from exam_server.store.db import Database

log = logging.getLogger("exam_server.answer_writer")

MAX_GROUP = 1000
DEFAULT_TIMEOUT_SECONDS = 30.0
KEPT_ATTEMPTS = 20_000  # committed columns kept for the feed: several full halls; an attempt let go is read


def forget_oldest(kept: dict, limit: int) -> None:
    """Drop the entries inserted first until at most ``limit`` are left (a dict keeps insertion order)."""
    for key in list(itertools.islice(kept, max(0, len(kept) - limit))):
        kept.pop(key, None)


class WriteFailed(ExamError):
    code = "internal_error"


class WriterBusy(Busy):
    """The write waited for the writer longer than the timeout: the sender is to send it again later."""

    def __init__(self):
        super().__init__("the server is busy storing other writes; this one was not stored, send it again shortly")


@dataclass
class _Pending:
    work: Callable[[Any], dict]
    touches: tuple | None = None
    label: str | None = None
    given_up_at: float = float("inf")  # monotonic time after which nobody waits for the outcome
    done: threading.Event = field(default_factory=threading.Event)
    outcome: Any = None


def _failed(exc: BaseException) -> WriteFailed:
    return WriteFailed(f"the answer could not be stored ({type(exc).__name__}); it will be sent again")


class AnswerWriter:
    def __init__(self, database: Database, *, batch_ms: int, sleep: Callable[[float], None],
                 timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
                 off_loop: Callable[[Callable[[], Any]], Any] | None = None,
                 on_group: Callable[[int], None] | None = None,
                 prepare: Callable[[Any, list[tuple]], None] | None = None,
                 observe: Callable[[str | None, tuple | None, float, Any], None] | None = None,
                 committed_rows: Callable[[Any, list[tuple]], dict] | None = None):
        self.database = database
        self.observe = observe
        # attempt id -> its columns as the last group that touched it committed them (``committed_rows``
        # of the session and the group's (label, touches)), for the proctors' feed; a group that cannot
        # tell (None) removes the attempt. Written by the writer before it releases the group's senders.
        self.written: dict[int, Any] = {}
        self._committed_rows = committed_rows
        self._running = False
        self._prepare = prepare
        self.batch_seconds = batch_ms / 1000
        self.timeout_seconds = timeout_seconds
        self._sleep = sleep
        self._off_loop = off_loop or (lambda fn: fn())
        self._queue: deque[_Pending] = deque()
        self._wakeup = threading.Event()
        self._on_group = on_group or (lambda size: None)
        self._idle = threading.Event()
        self._idle.set()
        self.groups = 0  # how many commits served how many writes: for benchmarks and logs
        self.writes = 0
        self.retried = 0  # writes tried again alone after their group failed

    def perform(self, work: Callable[[Any], dict], timeout: float | None = None, *, touches: tuple | None = None,
                label: str | None = None) -> dict:
        """Run ``work(session)`` in the next group; return its result once committed, or raise its refusal.

        A write still waiting after ``timeout`` seconds (the writer's own by
        default) is refused as ``busy``; if its group has not started by then it
        is never run, so a queue that grew during a storm sheds what nobody
        waits for. ``touches`` names the rows the work will change, so that ``prepare`` can
        read those of the whole group at once before any work runs; ``label``
        names the use case for ``observe``.
        """
        timeout = self.timeout_seconds if timeout is None else timeout
        started = time.perf_counter()
        pending = _Pending(work, touches, label, given_up_at=time.monotonic() + timeout)
        if self._running:
            self._queue.append(pending)
            self._wakeup.set()
            if not pending.done.wait(timeout):
                pending.outcome = WriterBusy()
        else:
            self._store_now(pending)
        if self.observe is not None:
            self.observe(label, touches, time.perf_counter() - started, pending.outcome)
        if isinstance(pending.outcome, BaseException):
            raise pending.outcome
        return pending.outcome

    def begin_grouping(self) -> None:
        """From now on ``perform`` queues writes for ``run``, which must be started as a background task."""
        self._running = True

    def run(self) -> None:
        """The writer loop; start it once as a background task. From then on writes are grouped."""
        self._running = True
        while True:
            self._wakeup.wait()
            self._wakeup.clear()
            if self.batch_seconds:
                self._sleep(self.batch_seconds)  # let a group gather
            self._idle.clear()
            while self._queue:
                group = [self._queue.popleft() for _ in range(min(len(self._queue), MAX_GROUP))]
                self._store(group)
            self._idle.set()

    def drain(self, timeout: float) -> bool:
        """Wait until every write handed over so far is stored (for a graceful shutdown)."""
        deadline = time.monotonic() + timeout
        self._wakeup.set()
        while time.monotonic() < deadline:
            if not self._queue and self._idle.is_set():
                return True
            self._sleep(0.01)
        return False

    def _store(self, group: list[_Pending]) -> None:
        try:
            outcomes = self._off_loop(lambda: self._commit(group))
        except Exception as exc:  # nothing of the group was stored: find the write that spoils it
            if len(group) == 1:
                log.exception("a write failed")
                outcomes = [_failed(exc)]
            else:
                log.warning("a group of %d writes failed (%s); storing them one by one", len(group), type(exc).__name__)
                outcomes = self._off_loop(lambda: self._one_by_one(group))
        self.groups += 1
        self.writes += len(group)
        self._on_group(len(group))
        for pending, outcome in zip(group, outcomes):
            pending.outcome = outcome
            pending.done.set()

    def _store_now(self, pending: _Pending) -> None:
        """Before the loop runs: the write alone, committed at once; a failure reaches the caller as it is."""
        pending.outcome = self._commit([pending])[0]
        self.groups += 1
        self.writes += 1
        self._on_group(1)

    def _one_by_one(self, group: list[_Pending]) -> list:
        """Each write in a transaction of its own, in the order they came: one that fails, fails alone."""
        outcomes: list = []
        failures = 0
        for pending in group:
            if time.monotonic() > pending.given_up_at:
                # Its sender has stopped waiting and will resend: a dead database must not hold the writer for long.
                outcomes.append(WriterBusy())
                continue
            self.retried += 1
            try:
                outcomes.append(self._commit([pending])[0])
            except Exception as exc:
                if not failures:  # one trace is enough to find the cause; the count says how many
                    log.exception("a write failed on its own; the rest of its group is stored")
                failures += 1
                outcomes.append(_failed(exc))
        if failures > 1:
            log.error("%d of a group of %d writes failed on their own", failures, len(group))
        return outcomes

    def _commit(self, group: list[_Pending]) -> list:
        now = time.monotonic()
        waited_for = [pending for pending in group if pending.given_up_at >= now]
        outcomes: list = []
        with self.database.unit_of_work() as session:
            touches = [pending.touches for pending in waited_for if pending.touches is not None]
            if touches and self._prepare is not None:
                self._prepare(session, touches)
            for pending in group:
                if pending.given_up_at < now:  # its sender was told busy and sends it again
                    outcomes.append(WriterBusy())
                    continue
                try:
                    outcomes.append(pending.work(session))
                except ExamError as refusal:
                    outcomes.append(refusal)
            rows = self._committed_rows(session, [(p.label, p.touches) for p in group]) if self._committed_rows else {}
        for attempt_id, row in rows.items():  # committed: the rows are what the database now holds
            self.written.pop(attempt_id, None)  # re-inserted last: the oldest go first when the limit is passed
            if row is not None:
                self.written[attempt_id] = row
        forget_oldest(self.written, KEPT_ATTEMPTS)
        return outcomes
