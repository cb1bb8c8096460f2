"""The rows a group of candidate writes touches, read as sets before the first write runs.

A group's answers read their attempts and responses in two queries for the
whole group instead of two per answer, and no query runs between answers, so
the group's rows are written together at the commit. What is read is kept in
``session.info``, valid for one unit of work: a failed group's session is
thrown away with it, so nothing read there is reused.
"""
from __future__ import annotations

from sqlalchemy import select

from exam_server.store import models

_LOCKED_ATTEMPTS = "exam_server.locked_attempts"
_RESPONSES = "exam_server.responses"


def preload_group(session, touches: list[tuple]) -> None:
    """Lock the attempts and load the responses that a group's writes touch, in two queries.

    ``touches`` holds (attempt id, position) pairs as the candidates sent them; a
    position that is not a whole number is left to the write itself to refuse.
    """
    attempt_ids = sorted({attempt_id for attempt_id, _ in touches})
    # One ordered FOR UPDATE: nodes sharing PostgreSQL lock a group's attempts in the same order.
    query = select(models.Attempt).where(models.Attempt.id.in_(attempt_ids)).order_by(models.Attempt.id)
    # Held here, not only in the session's identity map, which forgets unchanged objects.
    locked = {attempt.id: attempt for attempt in session.scalars(query.with_for_update())}
    session.info[_LOCKED_ATTEMPTS] = locked
    pairs = {(a, p) for a, p in touches if a in locked and isinstance(p, int) and not isinstance(p, bool)}
    known = session.info.setdefault(_RESPONSES, {})
    known.update(dict.fromkeys(pairs))
    if pairs:
        positions = sorted({p for _, p in pairs})
        for response in session.scalars(select(models.Response).where(
                models.Response.attempt_id.in_(sorted(locked)), models.Response.position.in_(positions))):
            known[(response.attempt_id, response.position)] = response


def preloaded_attempt(session, attempt_id: int) -> models.Attempt | None:
    """The attempt ``preload_group`` locked for this unit of work, or None when it did not."""
    return session.info.get(_LOCKED_ATTEMPTS, {}).get(attempt_id)


def known_response(session, attempt_id: int, position: int) -> models.Response | None:
    """The response at ``position``, read once per unit of work (None: never answered nor flagged)."""
    known = session.info.setdefault(_RESPONSES, {})
    if (attempt_id, position) not in known:
        known[(attempt_id, position)] = session.get(models.Response, (attempt_id, position))
    return known[(attempt_id, position)]


def remember_response(session, response: models.Response) -> None:
    """Add a new response, remembered at once: a later write of the group must find it before any flush."""
    session.add(response)
    session.info.setdefault(_RESPONSES, {})[(response.attempt_id, response.position)] = response
