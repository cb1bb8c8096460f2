"""A site's outbox: each attempt event is also queued for the hub, in the transaction that stores it.

``append_event`` (services.events) calls ``stage`` when the session belongs to
a site's database (``Database`` marks its sessions with ``OUTBOX_FLAG``); the
rows are inserted right after the event rows, in the same flush and so in the
same commit. Nothing a candidate was told is stored can then be missing from
the outbox, and the outbox's position, given without gaps in ``write_staged``,
orders every event of the site as it was committed.

``batches`` (pure) cuts what is pending into bounded batches.
"""
from __future__ import annotations

import json

OUTBOX_FLAG = "exam_server.site_outbox"  # session.info key: this database is a site's
_PENDING = "exam_server.pending_outbox"

STATE_FIELDS = ("status", "duration_ms", "started_at", "extension_ms", "paused_ms", "paused_since",
                "deadline_at", "ended_at", "violations", "login_generation")


def attempt_state(attempt) -> dict:
    return {name: getattr(attempt, name) for name in STATE_FIELDS}


def stage(session, attempt, event_row: dict) -> None:
    if not session.info.get(OUTBOX_FLAG):
        return
    row = {k: event_row[k] for k in ("attempt_id", "number", "at", "kind", "data_json", "prev_hash", "hash")}
    row["state_json"] = json.dumps(attempt_state(attempt), sort_keys=True, separators=(",", ":"))
    session.info.setdefault(_PENDING, []).append(row)


def write_staged(session) -> None:
    """Insert the staged rows, numbered after every row already stored, without a gap.

    The hub applies a site's events in order and waits at a gap. A PostgreSQL
    sequence leaves one wherever a transaction rolled back (a writer group that
    failed and was stored again one by one) and numbers rows as they are
    inserted, not as they commit; so the rows are numbered here, under a lock
    on the table that other writers wait for until this transaction ends.
    SQLite has one writer at a time and numbers rows the same way by itself.
    """
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    from sqlalchemy import func, select, text

    from exam_server.store import models

    table = models.OutboxEvent.__table__
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # EXCLUSIVE: readers (the link's exchange) go on; writers and the prune wait for the commit.
        connection.execute(text(f"LOCK TABLE {table.name} IN EXCLUSIVE MODE"))
    newest = connection.scalar(select(func.max(table.c.position))) or 0
    connection.execute(table.insert(), [{**row, "position": newest + index} for index, row in enumerate(pending, 1)])


def batch_limit(backlog: int, *, live: int = 200, catch_up: int = 500) -> int:
    """How many events one exchange sends: small while live, larger (bounded) while catching up."""
    return catch_up if backlog > live else live


def in_order(positions: list[int], after: int) -> list[int]:
    """The leading run of ``positions`` that follows ``after`` without a gap (what the hub may apply)."""
    run = []
    expected = after + 1
    for position in sorted(positions):
        if position < expected:
            continue
        if position != expected:
            break
        run.append(position)
        expected += 1
    return run
