"""Writes a candidate makes during the exam: answers, flags and the final submit.

Each ``record_*`` works inside a session it is given, so the answer writer can
store many of them in one commit. A refusal is raised before anything is
changed, so one refused write never spoils the others of its group. The plain
``answer``, ``flag`` and ``submit`` run one write in its own unit of work.

A group's answers read their attempts and responses as sets
(``preload_group``): two queries for the whole group instead of two per
answer, and no query between answers, so the group's rows are written
together at the commit.
"""
from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select

from exam_server.domain.scoring import item_points, shift
from exam_server.errors import BadInput
from exam_server.domain.attempt_status import AttemptStatus
from exam_server.services.attempt_core import (
    attempt_key, check_choice, check_position, load_attempt, require_running,
)
from exam_server.services.attempt_end import end_attempt, result_shown
from exam_server.services.context import ServiceContext
from exam_server.services.events import append_event
from exam_server.store import models

_LOCKED_ATTEMPTS = "exam_server.locked_attempts"  # session.info keys, valid for one unit of work
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


def _locked_attempt(session, attempt_id: int) -> models.Attempt:
    locked = session.info.get(_LOCKED_ATTEMPTS, {})
    if attempt_id in locked:
        return locked[attempt_id]
    return load_attempt(session, attempt_id, lock=True)


def _response(session, attempt_id: int, position: int) -> models.Response | None:
    known = session.info.setdefault(_RESPONSES, {})
    if (attempt_id, position) not in known:
        known[(attempt_id, position)] = session.get(models.Response, (attempt_id, position))
    return known[(attempt_id, position)]


def _new_response(session, attempt_id: int, position: int, section) -> models.Response:
    response = _blank_response(attempt_id, position, section)
    session.add(response)
    # Remembered at once: a later write of the same group must find it although it is not flushed yet.
    session.info.setdefault(_RESPONSES, {})[(attempt_id, position)] = response
    return response


def _blank_response(attempt_id: int, position: int, section) -> models.Response:
    # A position never answered already counts as blank in the running score.
    return models.Response(attempt_id=attempt_id, position=position, seq=0, flagged=False,
                           points=str(item_points(section, None)))


def check_seq(seq) -> int:
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise BadInput("seq must be a whole number of 0 or more")
    return seq


def record_answer(ctx: ServiceContext, session, attempt_id: int, position, choice, seq) -> dict:
    """Store and score one answer in ``session``; the ack is sent only after it commits."""
    seq = check_seq(seq)
    attempt = _locked_attempt(session, attempt_id)
    key = attempt_key(ctx, session, attempt)
    position = check_position(key, position)
    index = check_choice(key, position, choice)
    response = _response(session, attempt_id, position)
    if response is not None and seq <= response.seq and response.answered_at is not None:
        # A retry returns the same ack; an older answer changes nothing.
        return {"position": position, "seq": seq, "saved": True, **({} if seq == response.seq else {"stale": True})}
    require_running(ctx, attempt)
    now = ctx.now()
    section_index = key.form[position - 1].section
    section = key.blueprint.sections[section_index]
    if response is None:
        response = _new_response(session, attempt_id, position, section)
    new_points = item_points(section, None if index is None else key.weights[position - 1][index])
    # The running score changes by the difference alone: O(1) whatever the form's length.
    points = shift([Decimal(p) for p in json.loads(attempt.section_points_json)], section_index,
                   Decimal(response.points), new_points)
    attempt.section_points_json = json.dumps([str(p) for p in points])
    attempt.answered_count += (choice is not None) - (response.choice is not None)
    response.choice, response.seq, response.points, response.answered_at = choice, seq, str(new_points), now
    append_event(session, attempt, "answer", {"position": position, "choice": choice, "seq": seq}, now)
    return {"position": position, "seq": seq, "saved": True}


def record_flag(ctx: ServiceContext, session, attempt_id: int, position, flagged) -> dict:
    if not isinstance(flagged, bool):
        raise BadInput("flagged must be true or false")
    attempt = _locked_attempt(session, attempt_id)
    key = attempt_key(ctx, session, attempt)
    position = check_position(key, position)
    require_running(ctx, attempt)
    response = _response(session, attempt_id, position)
    if response is None:
        response = _new_response(session, attempt_id, position, key.blueprint.sections[key.form[position - 1].section])
    if response.flagged != flagged:
        attempt.flagged_count += 1 if flagged else -1
        response.flagged = flagged
        append_event(session, attempt, "flag", {"position": position, "flagged": flagged}, ctx.now())
    return {}


def record_submit(ctx: ServiceContext, session, attempt_id: int) -> dict:
    attempt = _locked_attempt(session, attempt_id)
    require_running(ctx, attempt)
    document = end_attempt(ctx, session, attempt, AttemptStatus.SUBMITTED, ctx.now(), "candidate")
    shown = result_shown(ctx, session, attempt)
    return {"status": AttemptStatus.SUBMITTED, **({"result": document} if shown else {})}


def answer(ctx: ServiceContext, attempt_id: int, position, choice, seq) -> dict:
    with ctx.db.unit_of_work() as session:
        return record_answer(ctx, session, attempt_id, position, choice, seq)


def flag(ctx: ServiceContext, attempt_id: int, position, flagged) -> dict:
    with ctx.db.unit_of_work() as session:
        return record_flag(ctx, session, attempt_id, position, flagged)


def submit(ctx: ServiceContext, attempt_id: int) -> dict:
    with ctx.db.unit_of_work() as session:
        return record_submit(ctx, session, attempt_id)
