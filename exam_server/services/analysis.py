"""Item analysis of a session for the exam committee, built from the stored answers."""
from __future__ import annotations

import json
from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.orm import undefer

from exam_server.banks.text import to_plain
from exam_server.domain.analysis import CandidateResponses, ItemResponse, analyse, histogram, to_rows
from exam_server.domain.assembly import form_from_json
from exam_server.domain.attempt_status import ENDED
from exam_server.domain.review_flags import review_flags
from exam_server.domain.scoring import item_bounds, item_points
from exam_server.services.attempt_core import items_of
from exam_server.services.context import ServiceContext
from exam_server.services.corrected_keys import item_states
from exam_server.services.exams import load_blueprint
from exam_server.services.sessions import find_session
from exam_server.store import models


def _responses(ctx, session, session_id: int):
    exam_session = find_session(session, session_id)
    blueprint = load_blueprint(exam_session.exam)
    attempts = session.scalars(select(models.Attempt).options(undefer(models.Attempt.form_json)).where(
        models.Attempt.session_id == session_id, models.Attempt.status.in_(ENDED))).all()
    forms = {a.id: form_from_json(json.loads(a.form_json)) for a in attempts}
    items = items_of(ctx, session, {entry.item_id for form in forms.values() for entry in form})
    corrected = item_states(ctx, session, session_id)
    answers = {(r.attempt_id, r.position): r for r in session.scalars(
        select(models.Response).where(models.Response.attempt_id.in_(list(forms))))}
    gathered = []
    for attempt in attempts:
        by_item = {}
        for entry in forms[attempt.id]:
            item, section = items[entry.item_id], blueprint.sections[entry.section]
            state = corrected.get(entry.item_id)
            if state is not None and state.annul:
                continue  # annulled: it measures nothing any more
            # The key in force: the bank's, or the one a correction put in its place.
            weights = state.weights if state is not None else tuple(o.weight for o in item.options)
            response = answers.get((attempt.id, entry.position))
            display = None if response is None or response.choice is None else "ABCDEFGHIJKLMNOPQRSTUVWXYZ".index(response.choice)
            choice = None if display is None else entry.option_order[display]
            by_item[entry.item_id] = ItemResponse(
                choice=choice, points=item_points(section, None if choice is None else weights[choice]),
                max_points=item_bounds(section, weights)[1],
                key=tuple(i for i, w in enumerate(weights) if w == 1), option_count=len(weights), section=section.name)
        gathered.append(CandidateResponses(attempt.candidate.participant_number, by_item))
    return blueprint, items, gathered


def session_analysis(ctx: ServiceContext, session_id: int) -> dict:
    """Per item statistics (with the item's title and first words), per section reliability, score distribution."""
    with ctx.db.reading() as session:
        blueprint, items, responses = _responses(ctx, session, session_id)
    result = analyse(responses)
    rows = to_rows(result)
    signs = review_flags(responses, result)
    for row in rows:
        # Signs of a wrong key, each with a link to the correction on the analysis page.
        row["review_flags"] = " ".join(signs.get(row["item_id"], ()))
        item = items[row["item_id"]]
        row["title"] = item.title
        row["stem"] = to_plain(item.stem)[:120]
    totals = [sum((r.points for r in c.answers.values()), start=0) for c in responses]
    return {
        "session_id": session_id,
        "candidates": len(responses),
        "items": rows,
        "sections": [{**asdict(s), "min": str(s.min) if s.min is not None else None,
                      "max": str(s.max) if s.max is not None else None} for s in result.sections],
        "histogram": [asdict(b) | {"start": str(b.start), "end": str(b.end)} for b in histogram(totals)] if totals else [],
    }
