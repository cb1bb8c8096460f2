"""Result documents (CONTRACT section 5) and session result listings.

Points are written as exact decimal strings with two places ("47.50"): a
binary float could not be signed and re-verified byte for byte.
"""
from __future__ import annotations

import json
from decimal import Decimal
from datetime import datetime, timezone

from sqlalchemy import select

from exam_server.domain.attempt_status import LISTING_ORDER
from exam_server.domain.scoring import ScoreSheet, format_points
from exam_server.services.attempt_core import attempt_key, display_keys
from exam_server.services.context import ServiceContext
from exam_server.services.corrected_keys import scoring_keys
from exam_server.store import models



def iso_time(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def blank_sheet(ctx: ServiceContext, session, attempt: models.Attempt) -> ScoreSheet:
    """The attempt's score sheet with every position blank."""
    key = attempt_key(ctx, session, attempt)
    return ScoreSheet(key.blueprint, [(entry.section, key.weights[i]) for i, entry in enumerate(key.form)])


def score_sheet(ctx: ServiceContext, session, attempt: models.Attempt) -> ScoreSheet:
    key = attempt_key(ctx, session, attempt)
    # Read apart from the cached key: a correction made by another process counts at once.
    sheet = ScoreSheet(key.blueprint, scoring_keys(ctx, session, attempt, key))
    responses = session.scalars(select(models.Response).where(models.Response.attempt_id == attempt.id)).all()
    sheet.restore({
        r.position: display_keys(len(key.weights[r.position - 1])).index(r.choice)
        for r in responses if r.choice is not None
    })
    return sheet


def compute_document(ctx: ServiceContext, session, attempt: models.Attempt, result_id: str) -> dict:
    """The result as it stands now, recomputed from the stored answers."""
    sheet = score_sheet(ctx, session, attempt)
    candidate = attempt.candidate
    exam_session = session.get(models.ExamSession, attempt.session_id)
    return {
        "result_id": result_id,
        # Signed with the rest: a slip cannot be passed off as another exam's or sitting's.
        "exam_code": exam_session.exam.code,
        "session_id": attempt.session_id,
        "attempt_id": attempt.id,
        "participant_number": candidate.participant_number,
        "name": candidate.name,
        "status": attempt.status,
        "sections": [
            {"name": r["name"], "points": format_points(r["points"]), "max_points": format_points(r["max_points"]),
             "passed": r["passed"]}
            for r in sheet.section_results()
        ],
        "total": format_points(sheet.total()),
        "passed": sheet.passed(),
        "submitted_at": iso_time(attempt.ended_at),
    }


def finalize(ctx: ServiceContext, session, attempt: models.Attempt) -> dict:
    """Freeze the result document of an attempt that has just ended."""
    result = session.scalar(select(models.Result).where(models.Result.attempt_id == attempt.id))
    document = compute_document(ctx, session, attempt, result.id)
    result.document_json = json.dumps(document, ensure_ascii=False)
    return document


def public_document(result: models.Result) -> dict:
    document = json.loads(result.document_json)
    if result.signature:
        document["signature"], document["key_id"] = result.signature, result.key_id
    return document


def session_results(ctx: ServiceContext, session_id: int) -> dict:
    """Every attempt's result, ranked by total (ended attempts first), CONTRACT's results document."""
    from exam_server.services.sessions import find_session

    with ctx.db.reading() as session:
        find_session(session, session_id)
        rows = session.execute(
            select(models.Attempt, models.Result).join(models.Result, models.Result.attempt_id == models.Attempt.id)
            .where(models.Attempt.session_id == session_id)
        ).all()
        documents = []
        for attempt, result in rows:
            if result.document_json != "{}":  # frozen when the attempt ended
                documents.append(public_document(result))
            else:
                documents.append(compute_document(ctx, session, attempt, result.id))
        from exam_server.sites.mismatches import mark_mismatches

        mark_mismatches(session, session_id, documents)  # a site's result that differs from the hub's
    # Ranked: finished attempts by total, highest first; the rest after them.
    documents.sort(key=lambda d: (LISTING_ORDER.index(d["status"]) > 2, -Decimal(d["total"]), d["participant_number"]))
    return {"session_id": session_id, "results": documents}
