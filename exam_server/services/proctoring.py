"""What a proctor may do to a session or an attempt (CONTRACT section 3, /proctor).

Every action checks on the server that the staff member may act on that
session, and is written to the audit log with who, when, from where and why.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from exam_server.errors import BadInput, Conflict
from exam_server.security.login_keys import candidate_key
from exam_server.services import monitoring
from exam_server.domain.attempt_status import ENDED, AttemptStatus
from exam_server.services.attempt_core import clock_of, load_attempt, set_clock
from exam_server.services.attempt_end import end_attempt as end_attempt_now, result_shown
from exam_server.services.context import ServiceContext
from exam_server.services.events import append_event
from exam_server.services.exams import load_blueprint
from exam_server.services.sessions import find_session
from exam_server.services.users import may_watch
from exam_server.store import models

MAX_EXTENSION_MINUTES = 600
MAX_ANNOUNCEMENT = 1000
MAX_REASON = 500


@dataclass(frozen=True)
class Actor:
    user: models.StaffUser
    remote_addr: str = ""


def _reason(reason) -> str:
    if reason is None:
        return ""
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        raise BadInput(f"reason must be text of at most {MAX_REASON} characters")
    return reason.strip()


def _audit(ctx, session, actor: Actor, action: str, target: str, detail: dict) -> None:
    session.add(models.AuditEntry(at=ctx.now(), user_id=actor.user.id, action=action, target=target,
                                  detail_json=json.dumps(detail, ensure_ascii=False), remote_addr=actor.remote_addr[:64]))


def _whole_id(value, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise BadInput(f"{name} must be a whole number")
    return value


def session_of_attempt(ctx: ServiceContext, attempt_id) -> int:
    attempt_id = _whole_id(attempt_id, "attempt_id")
    with ctx.db.reading() as session:
        return load_attempt(session, attempt_id).session_id


def authorise_session(ctx: ServiceContext, actor: Actor, session_id) -> int:
    session_id = _whole_id(session_id, "session_id")
    with ctx.db.reading() as session:
        find_session(session, session_id)
    may_watch(ctx, actor.user, session_id)
    return session_id


def authorise_attempt(ctx: ServiceContext, actor: Actor, attempt_id) -> int:
    session_id = session_of_attempt(ctx, attempt_id)
    may_watch(ctx, actor.user, session_id)
    return attempt_id


def snapshot(ctx: ServiceContext, actor: Actor, session_id) -> dict:
    session_id = authorise_session(ctx, actor, session_id)
    with ctx.db.reading() as session:
        row = find_session(session, session_id)
        info = {"session_id": row.id, "name": row.name, "hall": row.hall, "status": row.status, "token": row.token,
                "logins_open": row.logins_open,
                "exam_code": row.exam.code, "exam_title": row.exam.title, "server_time": ctx.now(),
                "items": load_blueprint(row.exam).item_count,
                "sections": [section.name for section in load_blueprint(row.exam).sections]}
    return {"session": info, "candidates": monitoring.candidate_views(ctx, session_id=session_id)}


def _targets(ctx, actor: Actor, data: dict) -> tuple[str, list[int]]:
    """The attempts a pause/resume names: one attempt, or every attempt of a session."""
    if data.get("attempt_id") is not None:
        return f"attempt:{data['attempt_id']}", [authorise_attempt(ctx, actor, data["attempt_id"])]
    session_id = authorise_session(ctx, actor, data.get("session_id"))
    with ctx.db.reading() as session:
        ids = session.scalars(select(models.Attempt.id).where(models.Attempt.session_id == session_id)).all()
    return f"session:{session_id}", list(ids)


def pause(ctx: ServiceContext, actor: Actor, data: dict) -> list[dict]:
    """Stop the clock of running attempts; returns those that changed, with their remaining time."""
    return _pause_or_resume(ctx, actor, data, pausing=True)


def resume(ctx: ServiceContext, actor: Actor, data: dict) -> list[dict]:
    return _pause_or_resume(ctx, actor, data, pausing=False)


def _pause_or_resume(ctx, actor, data, *, pausing: bool) -> list[dict]:
    reason = _reason(data.get("reason"))
    target, ids = _targets(ctx, actor, data)
    return ctx.write(lambda session: _record_pause_or_resume(ctx, session, actor, data, target, ids, reason, pausing),
                     label="pause" if pausing else "resume")


def _record_pause_or_resume(ctx, session, actor, data, target, ids, reason, pausing: bool) -> list[dict]:
    now = ctx.now()
    changed = []
    for attempt_id in ids:
        attempt = load_attempt(session, attempt_id, lock=True)
        if attempt.status != (AttemptStatus.IN_PROGRESS if pausing else AttemptStatus.PAUSED):
            continue
        clock = clock_of(attempt)
        if pausing and clock.expired(now):
            continue  # its time is up: the deadline sweep ends it
        set_clock(attempt, clock.pause(now) if pausing else clock.resume(now))
        attempt.status = AttemptStatus.PAUSED if pausing else AttemptStatus.IN_PROGRESS
        append_event(session, attempt, "control", {"action": "pause" if pausing else "resume",
                                                   "by": actor.user.username, "reason": reason}, now)
        changed.append({"attempt_id": attempt_id, "remaining_ms": clock_of(attempt).remaining_ms(now)})
    # Refused only when its one attempt did not change: nothing was changed before the refusal.
    if data.get("attempt_id") is not None and not changed:
        raise Conflict(f"attempt {ids[0]} is not {'running' if pausing else 'paused'}")
    _audit(ctx, session, actor, "pause" if pausing else "resume", target,
           {"reason": reason, "attempts": [c["attempt_id"] for c in changed]})
    return changed


def extend(ctx: ServiceContext, actor: Actor, attempt_id, minutes, reason=None) -> dict:
    attempt_id = authorise_attempt(ctx, actor, attempt_id)
    reason = _reason(reason)
    try:
        amount = Decimal(str(minutes))
    except InvalidOperation:
        amount = Decimal(0)
    if isinstance(minutes, bool) or not (0 < amount <= MAX_EXTENSION_MINUTES):
        raise BadInput(f"minutes must be a number above 0 and at most {MAX_EXTENSION_MINUTES}")
    return ctx.write(lambda session: _record_extend(ctx, session, actor, attempt_id, amount, reason),
                     touches=(attempt_id, None), label="extend")


def _record_extend(ctx: ServiceContext, session, actor: Actor, attempt_id, amount, reason) -> dict:
    attempt = load_attempt(session, attempt_id, lock=True)
    if attempt.status in ENDED:
        raise Conflict(f"attempt {attempt_id} has ended ({attempt.status}); it cannot be extended")
    now = ctx.now()
    set_clock(attempt, clock_of(attempt).extend(int(amount * 60_000)))
    append_event(session, attempt, "control", {"action": "extend", "minutes": str(amount),
                                               "by": actor.user.username, "reason": reason}, now)
    _audit(ctx, session, actor, "extend", f"attempt:{attempt_id}", {"minutes": str(amount), "reason": reason})
    return {"attempt_id": attempt_id, "remaining_ms": clock_of(attempt).remaining_ms(now), "status": attempt.status}


def end_attempt(ctx: ServiceContext, actor: Actor, attempt_id, reason=None) -> dict:
    attempt_id = authorise_attempt(ctx, actor, attempt_id)
    reason = _reason(reason)
    return ctx.write(lambda session: _record_end(ctx, session, actor, attempt_id, reason),
                     touches=(attempt_id, None), label="end_attempt")


def _record_end(ctx: ServiceContext, session, actor: Actor, attempt_id, reason) -> dict:
    attempt = load_attempt(session, attempt_id, lock=True)
    if attempt.status in ENDED:
        raise Conflict(f"attempt {attempt_id} has already ended ({attempt.status})")
    document = end_attempt_now(ctx, session, attempt, AttemptStatus.ENDED_BY_PROCTOR, ctx.now(), actor.user.username)
    _audit(ctx, session, actor, "end_attempt", f"attempt:{attempt_id}", {"reason": reason})
    shown = result_shown(ctx, session, attempt)
    return {"attempt_id": attempt_id, "result": document, "shown_to_candidate": shown}


def reset_login(ctx: ServiceContext, actor: Actor, attempt_id, reason=None) -> dict:
    """Make the attempt's current login invalid and free it for a login at another workstation."""
    attempt_id = authorise_attempt(ctx, actor, attempt_id)
    reason = _reason(reason)
    return ctx.write(lambda session: _record_reset_login(ctx, session, actor, attempt_id, reason),
                     touches=(attempt_id, None), label="reset_login")


def _record_reset_login(ctx: ServiceContext, session, actor: Actor, attempt_id, reason) -> dict:
    attempt = load_attempt(session, attempt_id, lock=True)
    old_sid = attempt.connected_sid
    attempt.login_generation += 1
    attempt.connected_sid = attempt.connected_node = None
    append_event(session, attempt, "control", {"action": "reset_login", "by": actor.user.username,
                                               "reason": reason}, ctx.now())
    _audit(ctx, session, actor, "reset_login", f"attempt:{attempt_id}", {"reason": reason})
    # The candidate's sign-in lock goes too: whoever locked it, the proctor has seen the person.
    login_key = candidate_key(find_session(session, attempt.session_id).token, attempt.candidate.participant_number)
    return {"attempt_id": attempt_id, "disconnect_sid": old_sid, "login_key": login_key}


def announce(ctx: ServiceContext, actor: Actor, session_id, text, reason=None) -> dict:
    session_id = authorise_session(ctx, actor, session_id)
    reason = _reason(reason)
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_ANNOUNCEMENT:
        raise BadInput(f"text must be 1 to {MAX_ANNOUNCEMENT} characters")
    ctx.write(lambda session: _audit(ctx, session, actor, "announce", f"session:{session_id}",
                                     {"text": text.strip(), "reason": reason}), label="announce")
    return {"session_id": session_id, "text": text.strip()}


def set_logins(ctx: ServiceContext, actor: Actor, session_id, open_: bool, reason=None) -> dict:
    """The cut-off: after it, nobody new signs in; candidates already in go on (and may reconnect)."""
    session_id = authorise_session(ctx, actor, session_id)
    reason = _reason(reason)
    ctx.write(lambda session: _record_logins(ctx, session, actor, session_id, open_, reason), label="set_logins")
    return {"session_id": session_id, "logins_open": open_}


def _record_logins(ctx: ServiceContext, session, actor: Actor, session_id: int, open_: bool, reason) -> None:
    find_session(session, session_id).logins_open = open_
    _audit(ctx, session, actor, "open_logins" if open_ else "close_logins", f"session:{session_id}", {"reason": reason})
