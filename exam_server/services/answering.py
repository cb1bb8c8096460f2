"""Writes a candidate makes during the exam: answers, flags and the final submit.

``answer``, ``flag`` and ``submit`` hand their ``record_*`` to the writer
(``ctx.write``) with the rows it touches; the writer stores many of them in
one commit. Answers and flags work on plain rows (``group_rows`` reads a
group's rows as sets first and writes them back one statement per table);
submit ends the attempt through its ORM object, and reads what the answers
before it in the group changed. A refusal is raised before anything is
changed, so one refused write never spoils the others of its group.
"""
from __future__ import annotations

import json
from decimal import Decimal

from exam_server.domain.attempt_status import AttemptStatus
from exam_server.domain.scoring import item_points, shift
from exam_server.errors import BadInput
from exam_server.services.attempt_core import (
    AttemptKey, attempt_key, check_choice, check_position, load_attempt, require_running,
)
from exam_server.services.attempt_end import end_attempt, result_shown
from exam_server.services.context import ServiceContext
from exam_server.services.events import append_event
from exam_server.services.group_rows import (
    AttemptRow, ResponseRow, known_response, locked_attempt, new_response, with_form,
)


def _key(ctx: ServiceContext, session, attempt: AttemptRow) -> AttemptKey:
    key = ctx.key_cache.get(attempt.id)
    # The form is read only to build the key, once per attempt and process.
    return key if key is not None else attempt_key(ctx, session, with_form(session, attempt))


def _blank_response(session, attempt: AttemptRow, position: int, section) -> ResponseRow:
    # A position never answered already counts as blank in the running score.
    return new_response(session, attempt.id, position, str(item_points(section, None)))


def check_seq(seq) -> int:
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise BadInput("seq must be a whole number of 0 or more")
    return seq


def record_answer(ctx: ServiceContext, session, attempt_id: int, position, choice, seq) -> dict:
    """Store and score one answer in ``session``; the ack is sent only after it commits."""
    seq = check_seq(seq)
    attempt = locked_attempt(session, attempt_id)
    key = _key(ctx, session, attempt)
    position = check_position(key, position)
    index = check_choice(key, position, choice)
    response = known_response(session, attempt_id, position)
    if response is not None and seq <= response.seq and response.answered_at is not None:
        # A retry returns the same ack; an older answer changes nothing.
        return {"position": position, "seq": seq, "saved": True, **({} if seq == response.seq else {"stale": True})}
    require_running(ctx, attempt)
    now = ctx.now()
    section_index = key.form[position - 1].section
    section = key.blueprint.sections[section_index]
    if response is None:
        response = _blank_response(session, attempt, position, section)
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
    attempt = locked_attempt(session, attempt_id)
    key = _key(ctx, session, attempt)
    position = check_position(key, position)
    require_running(ctx, attempt)
    response = known_response(session, attempt_id, position)
    if response is None:
        response = _blank_response(session, attempt, position, key.blueprint.sections[key.form[position - 1].section])
    if response.flagged != flagged:
        attempt.flagged_count += 1 if flagged else -1
        response.flagged = flagged
        append_event(session, attempt, "flag", {"position": position, "flagged": flagged}, ctx.now())
    return {}


def record_submit(ctx: ServiceContext, session, attempt_id: int) -> dict:
    # An ORM object, read after the group's plain rows are written: it holds every answer before it.
    attempt = load_attempt(session, attempt_id, lock=True)
    require_running(ctx, attempt)
    document = end_attempt(ctx, session, attempt, AttemptStatus.SUBMITTED, ctx.now(), "candidate")
    shown = result_shown(ctx, session, attempt)
    return {"status": AttemptStatus.SUBMITTED, **({"result": document} if shown else {})}


def answer(ctx: ServiceContext, attempt_id: int, position: int, choice, seq: int) -> dict:
    """Store one answer through the writer; the ack it returns means the answer is committed."""
    return ctx.write(lambda session: record_answer(ctx, session, attempt_id, position, choice, seq),
                     touches=(attempt_id, position), label="answer")


def flag(ctx: ServiceContext, attempt_id: int, position: int, flagged) -> dict:
    """Set or clear the flag at ``position`` through the writer."""
    return ctx.write(lambda session: record_flag(ctx, session, attempt_id, position, flagged),
                     touches=(attempt_id, position), label="flag")


def submit(ctx: ServiceContext, attempt_id: int) -> dict:
    """End the attempt at the candidate's request, through the writer: after every answer sent before it."""
    return ctx.write(lambda session: record_submit(ctx, session, attempt_id), touches=(attempt_id, None),
                     label="submit")
