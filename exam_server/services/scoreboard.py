"""The public score board: per candidate, status, progress and points, where the exam allows it.

Points appear only once an attempt has ended (CONTRACT version 2, section 7):
live points, sent within a tick of each answer, would tell a candidate which
option scores. Proctors keep the live points on /proctor.
"""
from __future__ import annotations

from exam_server.errors import BadInput, Forbidden
from exam_server.services import monitoring
from exam_server.domain.attempt_status import ENDED
from exam_server.services.context import ServiceContext
from exam_server.services.exams import load_blueprint
from exam_server.services.sessions import find_session


def mask(name: str) -> str:
    """'Budi Santoso' -> 'B*** S******': enough for a candidate to find themselves, not for strangers."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


def row(view: dict, show_names: bool = False) -> dict:
    """What the public may see of a candidate: no seat, no connection, no irregularities; names masked by default.

    Every way the board is served (the watch snapshot, the row updates) goes through here.
    A candidate who never started (absent, or ended by the proctor before starting) took
    no part: no points and no rank, so the board does not rank them with a zero.
    """
    took_part = bool(view.get("started"))
    ended = view["status"] in ENDED and took_part
    return {
        "attempt_id": view["attempt_id"],
        "participant_number": view["participant_number"],
        "name": view["name"] if show_names else mask(view["name"]),
        "status": view["status"],
        "answered": view["answered"],
        "total": view["score"]["total"] if ended else None,
        "sections": view["score"]["sections"] if ended else None,
        "took_part": took_part,
    }


def publication(ctx: ServiceContext, session_id: int) -> tuple[bool, bool]:
    """Whether the session's board is public, and whether it shows names."""
    with ctx.db.reading() as session:
        blueprint = load_blueprint(find_session(session, session_id).exam)
        return blueprint.public_scoreboard, blueprint.scoreboard_names


def board(ctx: ServiceContext, session_id) -> dict:
    if not isinstance(session_id, int) or isinstance(session_id, bool):
        raise BadInput("session_id must be a whole number")
    with ctx.db.reading() as session:
        exam_session = find_session(session, session_id)
        blueprint = load_blueprint(exam_session.exam)
        if not blueprint.public_scoreboard:
            raise Forbidden("this exam does not publish a live score board", code="not_public")
        info = {"session_id": exam_session.id, "name": exam_session.name, "exam_title": blueprint.title,
                "sections": [s.name for s in blueprint.sections], "items": blueprint.item_count,
                # A closed session's board is final: no update follows.
                "frozen": exam_session.status == "closed"}
    rows = [row(v, blueprint.scoreboard_names) for v in monitoring.candidate_views(ctx, session_id=session_id)]
    return {"session": info, "rows": rows}
