"""Replaying an attempt from its event log, and checking that the log was not tampered with.

Three things must agree: the hash chain, the signed anchors of its head (which
someone who can only write the database cannot make), and the running score
and answers stored beside them.
"""
from __future__ import annotations

import json

from sqlalchemy import select

from exam_server.domain.attempt_status import ENDED
from exam_server.domain.audit_trail import ChainEvent, SignedAnchor, audit
from exam_server.domain.scoring import format_points
from exam_server.security import keys as key_store
from exam_server.security.anchors import AnchorClaim, anchor_problem, form_digest
from exam_server.services.attempt_core import load_attempt
from exam_server.services.context import ServiceContext
from exam_server.services.events import verify_chain
from exam_server.services.results import iso_time
from exam_server.store import models



def session_attempts(ctx: ServiceContext, session_id: int) -> list[int]:
    from exam_server.services.sessions import find_session

    with ctx.db.reading() as session:
        find_session(session, session_id)
        return list(session.scalars(select(models.Attempt.id).where(models.Attempt.session_id == session_id)
                                    .order_by(models.Attempt.id)))


def replay(ctx: ServiceContext, attempt_id: int) -> dict:
    """Every event of the attempt in order, the answers they add up to, and whether the log holds."""

    with ctx.db.reading() as session:
        attempt = load_attempt(session, attempt_id)
        events = session.scalars(select(models.AttemptEvent).where(models.AttemptEvent.attempt_id == attempt_id)
                                 .order_by(models.AttemptEvent.number)).all()
        chain_problem = verify_chain(list(events), attempt.last_event_hash)
        answers = _answers(events)
        stored = {str(r.position): {"choice": r.choice, "seq": r.seq}
                  for r in session.scalars(select(models.Response).where(models.Response.attempt_id == attempt_id))
                  if r.answered_at is not None}
        findings = _anchored_findings(ctx, session, attempt, events)
        problems = [chain_problem] if chain_problem else []
        if stored != answers:
            problems.append("the stored answers differ from those the event log adds up to")
        problems += findings.problems
        return {
            "attempt_id": attempt_id,
            "participant_number": attempt.candidate.participant_number,
            "status": attempt.status,
            "intact": not problems,
            "problem": problems[0] if problems else None,
            "problems": problems,
            "anchored_events": findings.anchored,
            "unanchored_events": len(events) - findings.anchored,
            "replayed_points": [format_points(p) for p in findings.replayed_points],
            "events": [{"number": e.number, "at": iso_time(e.at), "kind": e.kind, "data": _json(e.data_json, {}),
                        "hash": e.hash} for e in events],
            "answers": answers,
        }


def _json(text: str, unreadable):
    """Rows someone else may have written: what cannot be read is reported by the checks, not a crash."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return unreadable
    return value if isinstance(value, type(unreadable)) else unreadable


def _answers(events) -> dict[str, dict]:
    answers: dict[str, dict] = {}
    for event in events:
        data = _json(event.data_json, {})
        if event.kind == "answer" and {"position", "choice", "seq"} <= data.keys():
            current = answers.get(str(data["position"]))
            if current is None or data["seq"] >= current["seq"]:
                answers[str(data["position"])] = {"choice": data["choice"], "seq": data["seq"]}
    return answers


def _anchored_findings(ctx: ServiceContext, session, attempt: models.Attempt, events):
    from exam_server.services.results import blank_sheet

    sheet = blank_sheet(ctx, session, attempt)  # the events, not the stored responses, are replayed
    public = {key_id: key.public for key_id, key in key_store.anchor_keys(ctx.settings).items()}
    rows = session.scalars(select(models.AttemptAnchor).where(models.AttemptAnchor.attempt_id == attempt.id)
                           .order_by(models.AttemptAnchor.number, models.AttemptAnchor.id)).all()
    anchors = [_signed(attempt.id, row, public) for row in rows]
    chain = [ChainEvent(e.number, e.kind, _json(e.data_json, {}), e.hash) for e in events]
    return audit(sheet, chain, anchors, live_points=_json(attempt.section_points_json, ["?"]),
                 form_sha256=form_digest(attempt.form_json), ended=attempt.status in ENDED)


def _signed(attempt_id: int, row: models.AttemptAnchor, public) -> SignedAnchor:
    points = tuple(_json(row.points_json, []))
    claim = AnchorClaim(attempt_id=attempt_id, number=row.number, head=row.head_hash, points=points,
                        form_sha256=row.form_sha256, reason=row.reason, at=row.at)
    return SignedAnchor(number=row.number, head=row.head_hash, points=points, form_sha256=row.form_sha256,
                        reason=row.reason, signature_problem=anchor_problem(claim, row.signature, row.key_id, public))
