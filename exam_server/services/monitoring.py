"""What proctors see of candidates: the ``candidate`` object of CONTRACT section 3.

Built from the database every time, so a proctor who joins late, reconnects
or watches from another node sees the same truth.
"""
from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select

from exam_server.domain.scoring import format_points, running_score
from exam_server.services.attempt_core import clock_of
from exam_server.services.context import ServiceContext
from exam_server.services.exams import load_blueprint
from exam_server.services.group_rows import view_version
from exam_server.store import models


def view_of(attempt: models.Attempt, candidate: models.Candidate, section_names: list[str], now: int) -> dict:
    """The ``candidate`` object from anything with the attempt's and the candidate's columns as attributes."""
    # The same function as the result's: the live total is the total the slip will print.
    score = running_score([Decimal(p) for p in json.loads(attempt.section_points_json)])
    return {
        "attempt_id": attempt.id,
        "participant_number": candidate.participant_number,
        "name": candidate.name,
        "seat": candidate.seat,
        "status": attempt.status,
        "started": attempt.started_at is not None,
        "connected": attempt.connected_sid is not None,
        # A candidate who never came in is not "disconnected": the console says "not signed in yet".
        "ever_connected": attempt.last_seen_at is not None,
        "answered": attempt.answered_count,
        "flagged": attempt.flagged_count,
        "remaining_ms": clock_of(attempt).remaining_ms(now),
        "score": {
            "total": format_points(score.total),
            "sections": {name: format_points(p) for name, p in zip(section_names, score.sections)},
        },
        "violations": attempt.violations,
    }


# The columns a view shows: the proctors' feed reads them ten times a second, so
# rows of these alone, not whole ORM objects.
_VIEW_COLUMNS = (
    models.Attempt.id, models.Attempt.session_id, models.Attempt.status, models.Attempt.connected_sid,
    models.Attempt.answered_count, models.Attempt.flagged_count, models.Attempt.violations,
    models.Attempt.section_points_json, models.Attempt.duration_ms, models.Attempt.started_at,
    models.Attempt.extension_ms, models.Attempt.paused_ms, models.Attempt.paused_since, models.Attempt.last_seen_at,
    models.Attempt.event_count,
    models.Candidate.participant_number, models.Candidate.name, models.Candidate.seat,
)


def candidate_views(ctx: ServiceContext, attempt_ids=None, session_id: int | None = None,
                    versions: dict | None = None) -> list[dict]:
    """Views of the named attempts, or of every attempt of a session; ``versions`` is given each view's
    version (``group_rows.view_version``), by attempt id."""
    with ctx.db.reading() as session:
        query = select(*_VIEW_COLUMNS).join(models.Candidate, models.Attempt.candidate_id == models.Candidate.id)
        if attempt_ids is not None:
            query = query.where(models.Attempt.id.in_(list(attempt_ids)))
        if session_id is not None:
            query = query.where(models.Attempt.session_id == session_id)
        rows = session.execute(query.order_by(models.Candidate.participant_number)).all()
        names_by_session: dict[int, list[str]] = {}
        site_by_session: dict[int, str | None] = {}
        now = ctx.now()
        views = []
        for row in rows:  # a row names its columns as the attempt and the candidate do
            if row.session_id not in names_by_session:
                exam_session = session.get(models.ExamSession, row.session_id)
                names_by_session[row.session_id] = [s.name for s in load_blueprint(exam_session.exam).sections]
                site_by_session[row.session_id] = exam_session.site_code
            view = view_of(row, row, names_by_session[row.session_id], now)
            view["session_id"] = row.session_id
            if versions is not None:
                versions[row.id] = view_version(row.event_count, row.last_seen_at)
            if site_by_session[row.session_id]:  # a site's session (CONTRACT section 6)
                view["site"] = site_by_session[row.session_id]
            views.append(view)
        site_presence(session, views, now)
        return views


def site_presence(session, views: list[dict], now: int) -> None:
    """At a hub: a site's candidates are connected as their site last said, and only while it is on line."""
    from exam_server.services.results import iso_time
    from exam_server.sites.presence import seen

    at_sites = [view for view in views if "site" in view]
    if not at_sites:
        return
    known = seen(session, [view["attempt_id"] for view in at_sites], now)
    for view in at_sites:
        heard = known.get(view["attempt_id"])
        view["last_heard"] = None
        if heard is not None:
            view["connected"], view["ever_connected"] = heard.connected, True
            view["last_heard"] = iso_time(heard.last_heard)
