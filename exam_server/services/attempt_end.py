"""Ending an attempt: the one way every end goes (submit, proctor, deadline, pause limit).

The end is an event in the attempt's chain, signed by an audit anchor in the
same commit (no ended attempt goes unsigned), and it freezes the result
document. A paused attempt is resumed first, so its pause is counted.
"""
from __future__ import annotations

from exam_server.domain.attempt_status import AttemptStatus
from exam_server.services import anchoring, results
from exam_server.services.attempt_core import attempt_key, clock_of, set_clock
from exam_server.services.context import ServiceContext
from exam_server.services.events import append_event
from exam_server.store import models


def end_attempt(ctx: ServiceContext, session, attempt: models.Attempt, status: AttemptStatus, now: int,
                by: str) -> dict:
    """End ``attempt`` with ``status`` at ``now``, ``by`` whom or what; return its frozen result document."""
    clock = clock_of(attempt)
    if clock.is_paused:
        set_clock(attempt, clock.resume(now))
    attempt.status, attempt.ended_at, attempt.deadline_at = status, now, None
    append_event(session, attempt, "end", {"status": status, "by": by}, now)
    anchoring.sign_head(ctx, session, attempt, "end")
    return results.finalize(ctx, session, attempt)


def result_shown(ctx: ServiceContext, session, attempt: models.Attempt) -> bool:
    """Whether the exam shows the candidate the result when the attempt ends."""
    return attempt_key(ctx, session, attempt).blueprint.show_score_to_candidate
