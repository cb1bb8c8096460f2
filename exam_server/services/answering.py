"""Writes a candidate makes during the exam: answers, flags and the final submit.

Each ``record_*`` works inside a session it is given, so the answer writer can
store many of them in one commit. A refusal is raised before anything is
changed, so one refused write never spoils the others of its group. The plain
``answer``, ``flag`` and ``submit`` run one write in its own unit of work.
"""
from __future__ import annotations

import json
from decimal import Decimal

from exam_server.domain.scoring import item_points
from exam_server.errors import BadInput
from exam_server.services.attempts import (
    _attempt, _choice_index, _end, _position, _require_running, attempt_key,
)
from exam_server.services.context import ServiceContext
from exam_server.services.events import append_event
from exam_server.store import models


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
    attempt = _attempt(session, attempt_id, lock=True)
    key = attempt_key(ctx, session, attempt)
    position = _position(key, position)
    index = _choice_index(key, position, choice)
    response = session.get(models.Response, (attempt_id, position))
    if response is not None and seq <= response.seq and response.answered_at is not None:
        # A retry returns the same ack; an older answer changes nothing.
        return {"position": position, "seq": seq, "saved": True, **({} if seq == response.seq else {"stale": True})}
    _require_running(ctx, session, attempt)
    now = ctx.now()
    section_index = key.form[position - 1].section
    section = key.blueprint.sections[section_index]
    if response is None:
        response = _blank_response(attempt_id, position, section)
        session.add(response)
    new_points = item_points(section, None if index is None else key.weights[position - 1][index])
    # The running score changes by the difference alone: O(1) whatever the form's length.
    points = [Decimal(p) for p in json.loads(attempt.section_points_json)]
    points[section_index] += new_points - Decimal(response.points)
    attempt.section_points_json = json.dumps([str(p) for p in points])
    attempt.answered_count += (choice is not None) - (response.choice is not None)
    response.choice, response.seq, response.points, response.answered_at = choice, seq, str(new_points), now
    append_event(session, attempt, "answer", {"position": position, "choice": choice, "seq": seq}, now)
    return {"position": position, "seq": seq, "saved": True}


def record_flag(ctx: ServiceContext, session, attempt_id: int, position, flagged) -> dict:
    if not isinstance(flagged, bool):
        raise BadInput("flagged must be true or false")
    attempt = _attempt(session, attempt_id, lock=True)
    key = attempt_key(ctx, session, attempt)
    position = _position(key, position)
    _require_running(ctx, session, attempt)
    response = session.get(models.Response, (attempt_id, position))
    if response is None:
        response = _blank_response(attempt_id, position, key.blueprint.sections[key.form[position - 1].section])
        session.add(response)
    if response.flagged != flagged:
        attempt.flagged_count += 1 if flagged else -1
        response.flagged = flagged
        append_event(session, attempt, "flag", {"position": position, "flagged": flagged}, ctx.now())
    return {}


def record_submit(ctx: ServiceContext, session, attempt_id: int) -> dict:
    attempt = _attempt(session, attempt_id, lock=True)
    _require_running(ctx, session, attempt)
    document = _end(ctx, session, attempt, "submitted", ctx.now(), "candidate")
    shown = attempt_key(ctx, session, attempt).blueprint.show_score_to_candidate
    return {"status": "submitted", **({"result": document} if shown else {})}


def answer(ctx: ServiceContext, attempt_id: int, position, choice, seq) -> dict:
    with ctx.db.unit_of_work() as session:
        return record_answer(ctx, session, attempt_id, position, choice, seq)


def flag(ctx: ServiceContext, attempt_id: int, position, flagged) -> dict:
    with ctx.db.unit_of_work() as session:
        return record_flag(ctx, session, attempt_id, position, flagged)


def submit(ctx: ServiceContext, attempt_id: int) -> dict:
    with ctx.db.unit_of_work() as session:
        return record_submit(ctx, session, attempt_id)
