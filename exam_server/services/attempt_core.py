"""The attempt core: what every use case on an attempt shares.

Loading and locking an attempt, requiring a state, reading its clock, its
scoring key (weights in the candidate's display order, built once per
process), and checking a position and a choice against that key. Ending an
attempt lives beside it in ``attempt_end`` (it freezes the result, which
needs this module). Answering, proctoring, audit, analysis and results build
on these names and on nothing private of each other.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import undefer

from exam_server.domain.assembly import FormEntry, form_from_json
from exam_server.domain.attempt_status import ENDED, AttemptStatus
from exam_server.domain.blueprint import Blueprint
from exam_server.domain.timing import AttemptClock
from exam_server.errors import BadInput, Conflict, ExamError, NotFound
from exam_server.services.banks import read_items
from exam_server.services.context import ServiceContext
from exam_server.services.exams import load_blueprint
from exam_server.store import models


def refused(code: str, message: str) -> ExamError:
    """A refusal of a change to an attempt, named by ``code`` for the client."""
    return Conflict(message, code=code)


# --- loading ------------------------------------------------------------------


def load_attempt(session, attempt_id: int, *, lock: bool = False, with_form: bool = False) -> models.Attempt:
    """The attempt row, locked for update when ``lock`` (PostgreSQL); NotFound when there is none.

    ``with_form`` reads the (deferred) form in the same query, for a caller about to build the scoring key.
    """
    query = select(models.Attempt).where(models.Attempt.id == attempt_id)
    if with_form:
        query = query.options(undefer(models.Attempt.form_json))
    if lock:
        query = query.with_for_update()
    attempt = session.scalar(query)
    if attempt is None:
        raise NotFound(f"no attempt {attempt_id}")
    return attempt


# --- the clock of a row ---------------------------------------------------------


def clock_of(attempt: models.Attempt) -> AttemptClock:
    """The attempt's clock, from its columns."""
    return AttemptClock(attempt.duration_ms, attempt.started_at, attempt.extension_ms,
                        attempt.paused_ms, attempt.paused_since)


def set_clock(attempt: models.Attempt, clock: AttemptClock) -> None:
    """Write ``clock`` back to the attempt's columns, the derived deadline included."""
    attempt.started_at = clock.started_at
    attempt.extension_ms = clock.extension_ms
    attempt.paused_ms = clock.paused_ms
    attempt.paused_since = clock.paused_since
    # While paused there is no deadline, so the sweep cannot end a paused attempt.
    attempt.deadline_at = clock.deadline()


# --- required states --------------------------------------------------------------


def require_not_ended(attempt: models.Attempt) -> None:
    """Refuse any change to an attempt that has ended."""
    if attempt.status in ENDED:
        code = "time_up" if attempt.status == AttemptStatus.TIMED_OUT else "submitted"
        raise refused(code, f"the attempt has ended ({attempt.status})")


def require_running(ctx: ServiceContext, attempt: models.Attempt) -> None:
    """Refuse a change to an attempt that is not running: not started, paused, ended or out of time."""
    require_not_ended(attempt)
    if attempt.status == AttemptStatus.NOT_STARTED:
        raise refused("not_started", "the exam has not been started")
    if attempt.status == AttemptStatus.PAUSED:
        raise refused("paused", "the exam is paused by the proctor")
    if clock_of(attempt).expired(ctx.now()):
        raise refused("time_up", "the time is up")


# --- the scoring key ----------------------------------------------------------------


@dataclass(frozen=True)
class AttemptKey:
    """Scoring key of one attempt, positions in the candidate's own order."""

    blueprint: Blueprint
    form: tuple[FormEntry, ...]
    weights: tuple[tuple[Decimal, ...], ...]  # per position, in display order

    def option_count(self, position: int) -> int:
        return len(self.weights[position - 1])


def display_keys(count: int) -> list[str]:
    """The keys a kiosk shows for ``count`` options: A, B, C, …"""
    return [chr(ord("A") + i) for i in range(count)]


def items_of(ctx: ServiceContext, session, item_ids: Iterable[int]) -> dict:
    """Decrypted items by id, read once per process and kept in ``ctx.item_cache``."""
    item_ids = list(item_ids)
    missing = [i for i in item_ids if i not in ctx.item_cache]
    if missing:
        ctx.item_cache.update(read_items(ctx, session, missing))
    return {i: ctx.item_cache[i] for i in item_ids}


def blueprint_of(ctx: ServiceContext, session, session_id: int) -> Blueprint:
    """The blueprint of a session's exam, read once per process (it cannot change once the exam has sessions)."""
    blueprint = ctx.blueprint_cache.get(session_id)
    if blueprint is None:
        blueprint = load_blueprint(session.get(models.ExamSession, session_id).exam)
        ctx.blueprint_cache[session_id] = blueprint
    return blueprint


def attempt_key(ctx: ServiceContext, session, attempt: models.Attempt) -> AttemptKey:
    """The attempt's scoring key, built from its form and the bank once, then kept in memory."""
    key = ctx.key_cache.get(attempt.id)
    if key is None:
        blueprint = blueprint_of(ctx, session, attempt.session_id)
        form = form_from_json(json.loads(attempt.form_json))
        items = items_of(ctx, session, [entry.item_id for entry in form])
        weights = tuple(
            tuple(items[entry.item_id].options[original].weight for original in entry.option_order) for entry in form
        )
        key = AttemptKey(blueprint, form, weights)
        ctx.key_cache[attempt.id] = key
    return key


# --- checks against the key -----------------------------------------------------------


def check_position(key: AttemptKey, position: object) -> int:
    """``position`` as a whole number from 1 to the form's length, or an ``invalid_position`` refusal."""
    if not isinstance(position, int) or isinstance(position, bool) or not 1 <= position <= len(key.form):
        raise BadInput(f"position must be a whole number from 1 to {len(key.form)}", code="invalid_position")
    return position


def check_choice(key: AttemptKey, position: int, choice: object) -> int | None:
    """The option index of display key ``choice`` at ``position`` (None: blank), or ``invalid_choice``."""
    if choice is None:
        return None
    keys = display_keys(key.option_count(position))
    if not isinstance(choice, str) or choice not in keys:
        raise BadInput(f"choice must be one of {', '.join(keys)} or null", code="invalid_choice")
    return keys.index(choice)
