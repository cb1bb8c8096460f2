"""Replaying an attempt from its event log, and checking that the log was not tampered with."""
from __future__ import annotations

import json

from sqlalchemy import select

from exam_server.services.context import ServiceContext
from exam_server.services.events import verify_chain
from exam_server.services.results import iso_time
from exam_server.store import models


def replay(ctx: ServiceContext, attempt_id: int) -> dict:
    """Every event of the attempt in order, the answers they add up to, and whether the chain holds."""
    from exam_server.services.attempts import _attempt

    with ctx.db.reading() as session:
        attempt = _attempt(session, attempt_id)
        events = session.scalars(select(models.AttemptEvent).where(models.AttemptEvent.attempt_id == attempt_id)
                                 .order_by(models.AttemptEvent.number)).all()
        problem = verify_chain(list(events), attempt.last_event_hash)
        answers: dict[str, dict] = {}
        for event in events:
            data = json.loads(event.data_json)
            if event.kind == "answer":
                current = answers.get(str(data["position"]))
                if current is None or data["seq"] >= current["seq"]:
                    answers[str(data["position"])] = {"choice": data["choice"], "seq": data["seq"]}
        stored = {str(r.position): {"choice": r.choice, "seq": r.seq}
                  for r in session.scalars(select(models.Response).where(models.Response.attempt_id == attempt_id))
                  if r.answered_at is not None}
        if problem is None and stored != answers:
            problem = "the stored answers differ from those the event log adds up to"
        return {
            "attempt_id": attempt_id,
            "participant_number": attempt.candidate.participant_number,
            "status": attempt.status,
            "intact": problem is None,
            "problem": problem,
            "events": [{"number": e.number, "at": iso_time(e.at), "kind": e.kind, "data": json.loads(e.data_json),
                        "hash": e.hash} for e in events],
            "answers": answers,
        }
