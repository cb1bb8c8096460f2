"""At a site: outbox rows the hub has acknowledged are deleted once they are old enough, a bounded batch at a time.

Only rows at or below the position the hub acknowledged (``link_state``,
written after the hub's answer) may go, and never the newest row: SQLite
gives a new row the largest position plus one, so an empty outbox would
number the next events from 1 again, below what the hub already holds.
Each batch is its own short transaction, so a prune never keeps the
candidates' writes waiting for long.
"""
from __future__ import annotations

from sqlalchemy import delete, func, select

from exam_server.store import models

BATCH = 500


def highest_prunable(acked: int, newest: int) -> int:
    """The highest position that may be deleted: acknowledged, and below the newest row."""
    return max(0, min(acked, newest - 1))


def old_enough(rows, cutoff: int) -> list[int]:
    """The leading run of ``(position, at)`` rows at or before ``cutoff``: reads a batch, never the whole outbox."""
    run = []
    for position, at in rows:
        if at > cutoff:
            break
        run.append(position)
    return run


def prune_outbox(ctx, keep_ms: int, *, batch: int = BATCH, between=None) -> int:
    """Delete acknowledged rows older than ``keep_ms``; returns how many went. ``between()`` runs between batches."""
    cutoff = ctx.now() - keep_ms
    position = models.OutboxEvent.position
    deleted = 0
    while True:
        with ctx.db.unit_of_work() as session:
            state = session.get(models.LinkState, 1)
            if state is None:
                return deleted
            limit = highest_prunable(state.acked_position or 0, session.scalar(select(func.max(position))) or 0)
            oldest = session.execute(select(position, models.OutboxEvent.at).where(position <= limit)
                                     .order_by(position).limit(batch)).all()
            doomed = old_enough(oldest, cutoff)
            if doomed:
                session.execute(delete(models.OutboxEvent).where(position.in_(doomed)))
        deleted += len(doomed)
        if len(doomed) < batch:
            return deleted
        if between is not None:
            between()
