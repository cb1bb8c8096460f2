"""A site's alert rows (irregularities), forwarded to the hub as they are.

Forwarded rather than recomputed at the hub: several alerts cannot be
recomputed from the events the hub receives (an answer burst is counted in
the memory of the site's process, a disconnection or an idle candidate is
judged on the site's own view of its kiosks and its clock), and the minutes
at both ends must list the same irregularities.

The site sends its alerts in id order after the last id the hub took; the
hub keeps that id per site (``sites.alert_position``) and advances it in the
same transaction as it stores the rows, with the site's row locked, so a
retried exchange stores nothing twice. An alert that is malformed or names
another site's session is taken (acknowledged) and dropped.
"""
from __future__ import annotations

from sqlalchemy import select

from exam_server.errors import BadInput
from exam_server.realtime.fields import is_whole
from exam_server.services import alerts as alert_service
from exam_server.store import models

BATCH = 200  # per exchange


# --- at a site ---

def pending(session, after: int | None) -> list[dict]:
    """The next alerts for the hub; none until the hub has said where it stands."""
    if after is None:
        return []
    rows = session.scalars(select(models.Alert).where(models.Alert.id > after).order_by(models.Alert.id).limit(BATCH))
    return [{"id": a.id, "session_id": a.session_id, "attempt_id": a.attempt_id, "at": a.at, "type": a.type,
             "category": a.category, "detail": a.detail} for a in rows]


# --- at the hub ---

def check(sent) -> None:
    """Refuse a malformed list (before the exchange changes anything)."""
    if sent is not None and (not isinstance(sent, list) or len(sent) > BATCH):
        raise BadInput(f"alerts: a list of at most {BATCH}")


def take(session, site: models.Site, sent) -> list[dict]:
    """Store the site's alerts not yet taken; returns them (as ``services.alerts.as_dict``) for the proctors."""
    if sent is None:
        return []
    check(sent)
    fresh = sorted((a for a in sent if isinstance(a, dict) and is_whole(a.get("id")) and a["id"] > site.alert_position),
                   key=lambda a: a["id"])
    if not fresh:
        return []
    sessions = set(session.scalars(select(models.ExamSession.id).where(
        models.ExamSession.site_code == site.code,
        models.ExamSession.id.in_(sorted({a.get("session_id") for a in fresh if is_whole(a.get("session_id"))})))))
    attempt_session = dict(session.execute(select(models.Attempt.id, models.Attempt.session_id).where(
        models.Attempt.id.in_(sorted({a.get("attempt_id") for a in fresh if is_whole(a.get("attempt_id"))})))).all())
    stored = []
    for alert in fresh:
        site.alert_position = alert["id"]
        if _valid(alert, sessions, attempt_session):
            stored.append(alert_service.record(
                session, session_id=alert["session_id"], attempt_id=alert.get("attempt_id"), kind=alert["type"],
                category=alert["category"], detail=alert.get("detail") or "", at=alert["at"]))
    return stored


def _valid(alert: dict, sessions: set[int], attempt_session: dict[int, int]) -> bool:
    if alert.get("session_id") not in sessions or not is_whole(alert.get("at")):
        return False
    attempt_id = alert.get("attempt_id")
    if attempt_id is not None and not (is_whole(attempt_id) and attempt_session.get(attempt_id) == alert["session_id"]):
        return False
    kind, detail = alert.get("type"), alert.get("detail", "")
    return (isinstance(kind, str) and 0 < len(kind) <= 32 and alert.get("category") in alert_service.CATEGORIES
            and isinstance(detail, str) and len(detail) <= 1000)
