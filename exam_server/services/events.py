"""The attempt event log: append-only and hash-chained.

Each event's hash covers the previous hash and the event itself, so editing,
deleting or reordering any event breaks every hash after it.
"""
from __future__ import annotations

import hashlib
import json

from exam_server.sites import outbox
from exam_server.store import models

GENESIS = "0" * 64


def event_hash(prev_hash: str, number: int, at: int, kind: str, data_json: str) -> str:
    body = f"{prev_hash}\n{number}\n{at}\n{kind}\n{data_json}"
    return hashlib.sha256(body.encode()).hexdigest()


_PENDING = "exam_server.pending_events"  # session.info key: events appended and not yet written


def append_event(session, attempt, kind: str, data: dict, at: int) -> None:
    """Append an event to ``attempt``'s log: an ``Attempt`` or a plain row of ``group_rows`` (same names).

    Events are rows only, never read back as objects in the same unit of work,
    so they skip the ORM: they are staged here and written in one
    ``executemany`` with the session's next flush, or with a group's plain
    rows (``group_rows.write_rows``), whichever comes first.
    """
    number = attempt.event_count + 1
    prev = attempt.last_event_hash or GENESIS
    data_json = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = event_hash(prev, number, at, kind, data_json)
    row = {
        "attempt_id": attempt.id, "number": number, "at": at, "kind": kind, "data_json": data_json,
        "prev_hash": prev, "hash": digest,
    }
    session.info.setdefault(_PENDING, []).append(row)
    outbox.stage(session, attempt, row)  # at a site: queued for the hub in the same commit
    # The attempt changes with every event, so its own write (a flush, or the plain rows') is still to come.
    attempt.event_count = number
    attempt.last_event_hash = digest


def write_pending_events(session, _flush_context) -> None:
    """``after_flush`` listener: write the events appended since the last flush, in one ``executemany``.

    Registered on each database by the composition root (``exam_server.composition``).
    """
    write_pending(session)


def staged_data(session, attempt_id: int, kind: str) -> str | None:
    """The data of ``attempt_id``'s latest ``kind`` event appended in this unit of work and not yet written."""
    for row in reversed(session.info.get(_PENDING, ())):
        if row["attempt_id"] == attempt_id and row["kind"] == kind:
            return row["data_json"]
    return None


def write_pending(session) -> None:
    """Write the events staged so far (and, at a site, their outbox rows), in one ``executemany`` each."""
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.connection().execute(models.AttemptEvent.__table__.insert(), pending)
    outbox.write_staged(session)


def verify_chain(events: list[models.AttemptEvent], head_hash: str | None = None) -> str | None:
    """None when the chain is intact, else a message naming the first broken event."""
    problem, prev = _follow(events, 0, GENESIS)
    if problem:
        return problem
    if head_hash is not None and head_hash != (prev if events else ""):
        return "events after the last one stored were removed"
    return None


def verify_segment(events, after: int, prev: str, head_number: int, head_hash: str) -> str | None:
    """None when ``events`` lead on from event ``after`` (hash ``prev``) to the attempt's head, else why not."""
    problem, prev = _follow(events, after, prev)
    if problem:
        return problem
    if after + len(events) != head_number or prev != head_hash:
        return "the attempt's head is not its last event"
    return None


def _follow(events, after: int, prev: str) -> tuple[str | None, str]:
    """Walk ``events`` from event ``after`` (hash ``prev``): the first break found, and the last hash reached."""
    for expected_number, event in enumerate(events, start=after + 1):
        if event.number != expected_number:
            return f"event {expected_number} is missing or out of order (found number {event.number})", prev
        if event.prev_hash != prev:
            return f"event {event.number} does not follow event {event.number - 1}", prev
        if event_hash(prev, event.number, event.at, event.kind, event.data_json) != event.hash:
            return f"event {event.number} ({event.kind}) was altered", prev
        prev = event.hash
    return None, prev
