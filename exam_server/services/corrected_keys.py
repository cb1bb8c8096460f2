"""The scoring key in force after corrections: read by results, analysis and the corrections themselves.

A correction of an item in a session is stored sealed with the bank key;
``item_states`` opens the newest of each item once per unit of work, and
``scoring_keys`` applies them to an attempt's key. Kept apart from
``corrections`` (which regrades and therefore needs results) so that results
can read the key in force without importing what imports results.
"""
from __future__ import annotations

from sqlalchemy import select

from exam_server.domain import correction as fix
from exam_server.services.context import ServiceContext
from exam_server.store import models

_STATES = "item_corrections"  # Session.info key: the states in force, read once per unit of work


def correction_context(row: models.ItemCorrection) -> str:
    return f"correction:{row.session_id}/{row.item_id}/{row.at}"


def seal_state(ctx: ServiceContext, row: models.ItemCorrection, state: fix.ItemState) -> None:
    row.state = ctx.cipher.seal_json(state.to_json(), correction_context(row))


def open_state(ctx: ServiceContext, row: models.ItemCorrection) -> fix.ItemState:
    return fix.ItemState.from_json(ctx.cipher.open_json(row.state, correction_context(row)))


def item_states(ctx: ServiceContext, session, session_id: int) -> dict[int, fix.ItemState]:
    """item_id -> its newest correction in this session (decrypted for this unit of work only)."""
    cached = session.info.setdefault(_STATES, {})
    if session_id not in cached:
        rows = session.scalars(select(models.ItemCorrection).where(models.ItemCorrection.session_id == session_id)
                               .order_by(models.ItemCorrection.id)).all()
        cached[session_id] = {row.item_id: open_state(ctx, row) for row in rows}
    return cached[session_id]


def scoring_keys(ctx: ServiceContext, session, attempt: models.Attempt, key) -> list[tuple]:
    """The ScoreSheet keys of an attempt, corrections of its session applied (to attempts that were sat)."""
    states = item_states(ctx, session, attempt.session_id) if attempt.started_at is not None else {}
    keys = []
    for position, entry in enumerate(key.form):
        state = states.get(entry.item_id)
        if state is None:
            keys.append((entry.section, key.weights[position]))
        else:
            keys.append((entry.section, tuple(state.weights[o] for o in entry.option_order), state.annul))
    return keys


def forget_states(session) -> None:
    """Drop the states read in this unit of work: a correction was just stored."""
    session.info.pop(_STATES, None)
