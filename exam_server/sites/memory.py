"""What a hub process keeps of its sessions and attempts: only what never changes once they exist.

A session's site is set when the session is created, an attempt's session and
candidate (number, name, seat) with the attempt, and a session's sections with
its exam; nothing changes or deletes them. Each is read once per process, the
first time an exchange or the proctor feed needs it, instead of joined into
every batch's query. Kept in ``ServiceContext.hub_memory``.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from exam_server.services.exams import load_blueprint
from exam_server.store import models


@dataclass(frozen=True)
class Identity:
    """Who an attempt is, as a proctor's view shows it."""

    session_id: int
    participant_number: str
    name: str
    seat: str | None


def _part(ctx, name: str) -> dict:
    return ctx.hub_memory.setdefault(name, {})


def sites_of(ctx, session, session_ids) -> dict[int, str | None]:
    """Each session's site code (None: the hub's own session); sessions that do not exist are left out."""
    known = _part(ctx, "site_of_session")
    missing = sorted({s for s in session_ids if s not in known})
    if missing:
        table = models.ExamSession.__table__
        known.update(session.execute(select(table.c.id, table.c.site_code).where(table.c.id.in_(missing))).all())
    return {s: known[s] for s in session_ids if s in known}


def identities(ctx, session, attempt_ids) -> dict[int, Identity]:
    """Each attempt's session and candidate; attempts that do not exist are left out."""
    known = _part(ctx, "identity")
    missing = sorted({a for a in attempt_ids if a not in known})
    if missing:
        attempt, candidate = models.Attempt.__table__, models.Candidate.__table__
        rows = session.execute(select(attempt.c.id, attempt.c.session_id, candidate.c.participant_number,
                                      candidate.c.name, candidate.c.seat)
                               .join(candidate, candidate.c.id == attempt.c.candidate_id)
                               .where(attempt.c.id.in_(missing)))
        for attempt_id, *values in rows:
            known[attempt_id] = Identity(*values)
    return {a: known[a] for a in attempt_ids if a in known}


def section_names(ctx, session, session_id: int) -> list[str]:
    known = _part(ctx, "section_names")
    if session_id not in known:
        known[session_id] = [s.name for s in load_blueprint(session.get(models.ExamSession, session_id).exam).sections]
    return known[session_id]
