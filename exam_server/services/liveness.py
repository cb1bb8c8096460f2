"""Outage time is not charged: when the whole server was down, running attempts get that time back.

Every node writes a heartbeat into one shared row. A node that starts and finds
the last heartbeat older than a few intervals knows no node was serving in
between; it alone (a conditional update) gives that time back to every running
attempt before the deadline sweep can end any of them. A candidate's own
disconnection is different: the clock runs (the proctor is alerted instead).
"""
from __future__ import annotations

from sqlalchemy import select, text, update

from exam_server.domain.attempt_status import AttemptStatus
from exam_server.services.attempt_core import clock_of, set_clock
from exam_server.services.context import ServiceContext
from exam_server.services.events import append_event
from exam_server.sites.scope import runs_here
from exam_server.store import models

HEARTBEAT_SECONDS = 2
OUTAGE_AFTER_MS = 3 * HEARTBEAT_SECONDS * 1000  # missed heartbeats before the gap counts as an outage


def heartbeat(ctx: ServiceContext) -> None:
    now = ctx.now()

    def record(session) -> dict:
        updated = session.execute(update(models.ServerClock).where(models.ServerClock.id == 1,
                                                                    models.ServerClock.last_alive_at < now)
                                  .values(last_alive_at=now)).rowcount
        if not updated and session.get(models.ServerClock, 1) is None:
            session.add(models.ServerClock(id=1, last_alive_at=now))
        return {}

    if ctx.settings.is_sqlite:
        # SQLite has one write lock, mostly held by the writer's thread: waiting for it on the event loop froze
        # every socket meanwhile, so the heartbeat is one more write of the writer (one process per database).
        ctx.write(record, label="heartbeat")
    else:  # several nodes: a node's heartbeat must not queue behind its own writer's backlog
        with ctx.db.unit_of_work() as session:
            record(session)


def credit_outage(ctx: ServiceContext) -> dict:
    """At start: give the time the whole server was down back to every running attempt. Returns what was done."""
    now = ctx.now()
    with ctx.db.unit_of_work() as session:
        row = session.get(models.ServerClock, 1)
        if row is None:
            session.add(models.ServerClock(id=1, last_alive_at=now))
            return {"outage_ms": 0, "attempts": []}
        seen = row.last_alive_at
        gap = now - seen
        if gap <= OUTAGE_AFTER_MS:
            return {"outage_ms": 0, "attempts": []}
        # Only the node whose update moves the clock from what it saw gives the time back.
        if not session.execute(update(models.ServerClock).where(models.ServerClock.id == 1, models.ServerClock.last_alive_at == seen)
                               .values(last_alive_at=now)).rowcount:
            return {"outage_ms": 0, "attempts": []}
        credited = []
        running = session.scalars(select(models.Attempt).where(runs_here(ctx), models.Attempt.status == AttemptStatus.IN_PROGRESS,
                                                                models.Attempt.started_at <= seen).with_for_update()).all()
        for attempt in running:
            set_clock(attempt, clock_of(attempt).credit(gap))
            append_event(session, attempt, "credit", {"ms": gap, "reason": "server outage", "from": seen, "to": now}, now)
            credited.append(attempt.id)
        return {"outage_ms": gap, "attempts": credited}


def database_answers(ctx: ServiceContext) -> bool:
    """Whether the database answers a trivial query now (for the readiness probe)."""
    try:
        with ctx.db.reading() as session:
            session.execute(text("select 1"))
        return True
    except Exception:  # any failure means not ready; the probe reports it, it does not raise
        return False
