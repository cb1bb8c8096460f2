"""Irregularities raised to the proctors and kept for the session's minutes.

Categories follow how TAO classifies irregularities: ``candidate`` (the
candidate's own doing: focus lost, another workstation), ``technical``
(connection lost), ``environment`` (the hall: a pause of the whole session)
and ``staff`` (what staff did).
"""
from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Callable

from sqlalchemy import func, select

from exam_server.domain.attempt_status import AttemptStatus
from exam_server.services.context import ServiceContext
from exam_server.store import models

CATEGORIES = ("candidate", "environment", "technical", "staff")
REPORT_CATEGORY = {"kiosk_exit": "technical"}  # every other kiosk report is the candidate's doing


def as_dict(alert: models.Alert) -> dict:
    from exam_server.i18n import LOCALES
    from exam_server.i18n.labels import alert_detail

    # detail_text: the detail in each language for the console (the server wrote it in English).
    return {"attempt_id": alert.attempt_id, "type": alert.type, "detail": alert.detail, "at": alert.at,
            "category": alert.category, "session_id": alert.session_id,
            "detail_text": {locale: alert_detail(alert.detail, locale) for locale in LOCALES}}


def record(session, *, session_id: int, attempt_id: int | None, kind: str, category: str, detail: str, at: int) -> dict:
    alert = models.Alert(session_id=session_id, attempt_id=attempt_id, type=kind, category=category,
                         detail=detail[:1000], at=at)
    session.add(alert)
    return as_dict(alert)


def raise_alert(ctx: ServiceContext, attempt_id: int, kind: str, detail: str, *, category: str, at: int | None = None) -> dict:
    with ctx.db.unit_of_work() as session:
        session_id = session.scalar(select(models.Attempt.session_id).where(models.Attempt.id == attempt_id))
        return record(session, session_id=session_id, attempt_id=attempt_id, kind=kind, category=category,
                      detail=detail, at=at if at is not None else ctx.now())


def session_alerts(ctx: ServiceContext, session_id: int) -> list[dict]:
    with ctx.db.reading() as session:
        rows = session.scalars(select(models.Alert).where(models.Alert.session_id == session_id).order_by(models.Alert.at))
        return [as_dict(a) for a in rows]


def _already(session, attempt_id: int, kind: str, since: int) -> bool:
    return bool(session.scalar(select(func.count()).select_from(models.Alert).where(
        models.Alert.attempt_id == attempt_id, models.Alert.type == kind, models.Alert.at >= since)))


def long_disconnections(ctx: ServiceContext) -> list[dict]:
    """Running attempts whose candidate has been away longer than the set time; each gap raised once."""
    now = ctx.now()
    limit = ctx.settings.disconnect_alert_seconds * 1000
    raised = []
    with ctx.db.unit_of_work() as session:
        away = session.scalars(select(models.Attempt).where(
            models.Attempt.status == AttemptStatus.IN_PROGRESS, models.Attempt.connected_sid.is_(None),
            models.Attempt.last_seen_at.is_not(None), models.Attempt.last_seen_at < now - limit)).all()
        for attempt in away:
            if not _already(session, attempt.id, "disconnected", attempt.last_seen_at):
                seconds = (now - attempt.last_seen_at) // 1000
                raised.append(record(session, session_id=attempt.session_id, attempt_id=attempt.id, kind="disconnected",
                                     category="technical", detail=f"disconnected for {seconds} s while the clock runs", at=now))
    return raised


def idle_candidates(ctx: ServiceContext) -> list[dict]:
    """Connected candidates whose clock runs but who have done nothing for the set time.

    An attempt's last event is found by its number (``event_count``) through the
    events' unique index: one lookup per running attempt, where a ``max(at)`` over
    the events would read every event of the sitting, every sweep, on the loop."""
    now = ctx.now()
    limit = ctx.settings.idle_alert_minutes * 60_000
    last_event = models.AttemptEvent
    quiet = (select(models.Attempt.id, models.Attempt.session_id, last_event.at)
             .join(last_event, (last_event.attempt_id == models.Attempt.id) & (last_event.number == models.Attempt.event_count))
             .where(models.Attempt.status == AttemptStatus.IN_PROGRESS, models.Attempt.connected_sid.is_not(None),
                    last_event.at < now - limit))
    with ctx.db.reading() as session:
        idle = session.execute(quiet).all()
    if not idle:
        return []
    raised = []
    with ctx.db.unit_of_work() as session:
        for attempt_id, session_id, last_at in idle:
            if not _already(session, attempt_id, "idle", last_at):
                raised.append(record(session, session_id=session_id, attempt_id=attempt_id, kind="idle",
                                     category="candidate", at=now,
                                     detail=f"no answer for {(now - last_at) // 60_000} min while the clock runs"))
    return raised


BURST_WINDOW_SECONDS = 10
BURST_REPEAT_SECONDS = 60


class AnswerBursts:
    """Many answers of one attempt within a few seconds (a script, or someone else's hands).

    Kept in the memory of the process that stores the answers; a burst is
    raised at most once a minute per attempt.
    """

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self._clock = clock
        self._times: dict[int, deque] = defaultdict(deque)
        self._raised: dict[int, float] = {}

    def note(self, attempt_id: int) -> str | None:
        """Count one stored answer; the detail of an alert to raise, or None."""
        now = self._clock()
        recent = self._times[attempt_id]
        recent.append(now)
        while recent and now - recent[0] > BURST_WINDOW_SECONDS:
            recent.popleft()
        if len(recent) <= self.limit or now - self._raised.get(attempt_id, -1e9) <= BURST_REPEAT_SECONDS:
            return None
        self._raised[attempt_id] = now
        return f"{len(recent)} answers within {BURST_WINDOW_SECONDS} s"
