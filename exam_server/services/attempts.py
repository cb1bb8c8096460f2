"""A candidate's attempt, from login to the end: the use cases behind /candidate.

Each public function is one unit of work. An answer is acknowledged only after
the transaction that stores it has committed.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update

from exam_server.domain.attempt_status import ENDED, AttemptStatus
from exam_server.errors import BadInput, Conflict, Forbidden, Unauthorized
from exam_server.security.login_keys import normal_participant_number, normal_session_token
from exam_server.security.passwords import hash_generated, verify_password
from exam_server.services.attempt_core import (
    attempt_key, blueprint_of, clock_of, load_attempt, refused, require_not_ended, set_clock,
)
from exam_server.services.attempt_end import end_attempt, result_shown
from exam_server.services import delivered_forms
from exam_server.services.context import ServiceContext
from exam_server.services.events import append_event, staged_data
from exam_server.services.exams import load_blueprint
from exam_server.store import models


class AlreadyConnected(Conflict):
    code = "already_connected"


class SessionClosed(Forbidden):
    code = "session_closed"


class BadCredentials(Unauthorized):
    code = "bad_credentials"


# --- login and connection --------------------------------------------------


_LOGIN_ROW = (select(models.Candidate.id, models.Candidate.password_hash)
              .join(models.ExamSession, models.Candidate.session_id == models.ExamSession.id)
              .where(models.ExamSession.token == bindparam("token"),
                     models.Candidate.participant_number == bindparam("number")))


def login(ctx: ServiceContext, session_token, participant_number, password, *, remote: str = "") -> dict:
    if not all(isinstance(v, str) and v for v in (session_token, participant_number, password)):
        raise BadInput("session_token, participant_number and password are required")
    token, number = normal_session_token(session_token), normal_participant_number(participant_number)
    with ctx.db.reading() as session:
        # Built once, run on the session's connection: a storm's logins skip the ORM's per-call statement work.
        found = session.connection().execute(_LOGIN_ROW, {"token": token, "number": number}).first()
        from exam_server.sites.seals import refuse_if_sealed, refuse_at_hub

        if found is None:
            refuse_if_sealed(session, token)  # a site's session not opened yet: 403 session_not_open
        else:
            refuse_at_hub(ctx, session, token)  # a site's session is sat at the site, never at the hub
    # The slow check runs with no transaction open; the write below checks the state again.
    # An unknown number is checked against a keyed hash all the same, as long as a generated password takes.
    stored = found.password_hash if found else hash_generated("", ctx.password_key)
    if not verify_password(stored, password, ctx.password_key) or not found:
        raise BadCredentials("the session token, participant number or password is wrong")
    return ctx.write(lambda session: _record_login(ctx, session, found.id, remote))


def _record_login(ctx: ServiceContext, session, candidate_id: int, remote: str) -> dict:
    # As in _record_start: the reads need none of the group's earlier writes flushed one by one (an
    # earlier login of the same attempt in the group is found among the staged events).
    with session.no_autoflush:
        attempt = session.scalar(select(models.Attempt).where(models.Attempt.candidate_id == candidate_id)
                                 .with_for_update())
        exam_session = _held_exam_session(session, attempt.session_id)
        if exam_session.status != "open":
            raise SessionClosed("this session is closed")
        if not exam_session.logins_open:
            raise SessionClosed("this session takes no new logins; ask the proctor")
        if attempt.connected_sid:
            raise AlreadyConnected("this participant is connected at another workstation; "
                                   "ask the proctor to reset the login")
        previous = staged_data(session, attempt.id, "login") or session.scalar(
            select(models.AttemptEvent.data_json).where(
                models.AttemptEvent.attempt_id == attempt.id, models.AttemptEvent.kind == "login")
            .order_by(models.AttemptEvent.number.desc()).limit(1))
        previous_remote = json.loads(previous).get("remote") if previous else None
        # A new login makes the tokens of earlier logins useless: the newest workstation wins.
        attempt.login_generation += 1
        append_event(session, attempt, "login", {"remote": remote}, ctx.now())
    moved = previous_remote is not None and previous_remote != remote and attempt.status != AttemptStatus.NOT_STARTED
    return {"token": ctx.tokens.candidate_token(attempt.id, attempt.login_generation), "attempt_id": attempt.id,
            "moved_from": previous_remote if moved else None}


def _held_exam_session(session, session_id: int) -> models.ExamSession:
    """The exam session, loaded once per unit of work.

    The session's identity map holds an unchanged object weakly: without this
    reference each login or connect of a group loaded its exam session again.
    """
    held = session.info.setdefault("exam_server.exam_sessions", {})
    if session_id not in held:
        held[session_id] = session.get(models.ExamSession, session_id)
    return held[session_id]


SEB_KEYS_SECONDS = 5.0


def seb_config_keys(ctx: ServiceContext, session_token) -> tuple[str, ...]:
    """The Safe Exam Browser Config Keys the exam of an open session requires (none: any browser).

    Every login asks; in a start storm a thousand logins would read and parse
    the same exam again and again, so a session's keys are kept for a few seconds.
    """
    if not isinstance(session_token, str) or not session_token:
        return ()
    token = normal_session_token(session_token)
    now = time.monotonic()
    cached = ctx.seb_keys_cache.get(token)
    if cached is not None and cached[0] > now:
        return cached[1]
    with ctx.db.reading() as session:
        exam_session = session.scalar(select(models.ExamSession).where(models.ExamSession.token == token))
        if exam_session is None:
            return ()  # not kept: unknown tokens must not fill the cache
        keys = load_blueprint(exam_session.exam).seb_config_keys
    ctx.seb_keys_cache[token] = (now + SEB_KEYS_SECONDS, keys)
    return keys


@dataclass(frozen=True)
class Connection:
    attempt_id: int
    session_id: int
    replaced_sid: str | None  # a stale connection of the same login, to be dropped


def connect(ctx: ServiceContext, token, sid: str, node: str) -> Connection:
    claims = ctx.tokens.read_candidate(token)
    return ctx.write(lambda session: _record_connect(ctx, session, claims, sid, node))


def _record_connect(ctx: ServiceContext, session, claims, sid: str, node: str) -> Connection:
    with session.no_autoflush:  # as in _record_start: its reads need none of the group's earlier writes
        attempt = session.get(models.Attempt, claims.attempt_id)
        if attempt is None or attempt.login_generation != claims.generation:
            raise Unauthorized("this login is no longer valid; log in again")
        if _held_exam_session(session, attempt.session_id).status != "open":
            raise SessionClosed("this session is closed")
    replaced = attempt.connected_sid if attempt.connected_sid not in (None, sid) else None
    attempt.connected_sid, attempt.connected_node, attempt.last_seen_at = sid, node, ctx.now()
    return Connection(attempt.id, attempt.session_id, replaced)


def disconnect(ctx: ServiceContext, attempt_id: int, sid: str) -> bool:
    """Forget the connection if it is still the attempt's current one."""
    return ctx.write(lambda session: _record_disconnect(ctx, session, attempt_id, sid))


def _record_disconnect(ctx: ServiceContext, session, attempt_id: int, sid: str) -> bool:
    changed = session.execute(
        update(models.Attempt).where(models.Attempt.id == attempt_id, models.Attempt.connected_sid == sid)
        .values(connected_sid=None, connected_node=None, last_seen_at=ctx.now())
    ).rowcount
    return bool(changed)


def release_connections(ctx: ServiceContext, node: str) -> int:
    """At start: connections a previous run of this node held no longer exist."""
    with ctx.db.unit_of_work() as session:
        return session.execute(
            update(models.Attempt).where(models.Attempt.connected_node == node)
            .values(connected_sid=None, connected_node=None)
        ).rowcount


# --- the exam ----------------------------------------------------------------


def start(ctx: ServiceContext, attempt_id: int) -> dict:
    started, items = ctx.write(lambda session: _record_start(ctx, session, attempt_id))
    if items is not None:
        delivered_forms.keep(ctx, attempt_id, items)  # kept only once the start has committed
    return started


def _record_start(ctx: ServiceContext, session, attempt_id: int) -> tuple[dict, list[delivered_forms.KeptItem] | None]:
    """Start (or resume) the attempt; with it, in the writer, its scoring key and its delivered form.

    Building both here, once, keeps that work off the event loop, where the
    first ``form`` of a start storm would otherwise build a thousand of them.

    Its reads need none of the group's changes flushed (they read this
    attempt's row, which the session already holds if the group changed it,
    and the exam's items), so they do not flush the earlier writes of the
    group one by one: the group's changes are written together at its commit.
    """
    building = attempt_id not in ctx.form_cache
    with session.no_autoflush:
        attempt = load_attempt(session, attempt_id, lock=True, with_form=building and attempt_id not in ctx.key_cache)
        now = ctx.now()
        if attempt.status == AttemptStatus.NOT_STARTED:
            set_clock(attempt, clock_of(attempt).start(now))
            attempt.status = AttemptStatus.IN_PROGRESS
            append_event(session, attempt, "start", {}, now)
        elif attempt.status in ENDED:
            raise refused("submitted", f"the attempt has ended ({attempt.status})")
        items = delivered_forms.build_form(ctx, session, attempt_key(ctx, session, attempt)) if building else None
    return {"remaining_ms": clock_of(attempt).remaining_ms(now), "server_time": now}, items


def state(ctx: ServiceContext, attempt_id: int) -> dict:
    with ctx.db.reading() as session:
        attempt = load_attempt(session, attempt_id)
        # The blueprint, not the scoring key: a kiosk asks for its state before the start, and
        # building a thousand keys there would put the start's work back on the event loop.
        blueprint = blueprint_of(ctx, session, attempt.session_id)
        responses = session.scalars(select(models.Response).where(models.Response.attempt_id == attempt_id)).all()
        now = ctx.now()
        firsts = blueprint.first_positions
        return {
            "attempt_id": attempt.id,
            "status": attempt.status,
            "server_time": now,
            "remaining_ms": clock_of(attempt).remaining_ms(now),
            "sections": [{"name": s.name, "first": first, "count": s.count}
                         for s, first in zip(blueprint.sections, firsts)],
            "items": blueprint.item_count,
            "answers": {str(r.position): r.choice for r in responses if r.choice is not None},
            "flags": sorted(r.position for r in responses if r.flagged),
            # Beyond the contract: what the kiosk shows before the start.
            "name": attempt.candidate.name,
            "participant_number": attempt.candidate.participant_number,
            "exam_title": blueprint.title,
            "instructions": blueprint.instructions,
            "show_score": blueprint.show_score_to_candidate,
        }


def form_text(ctx: ServiceContext, attempt_id: int) -> str:
    """The candidate's items in their own order, as the JSON array the kiosk gets: texts only, never
    weights or original ids.

    Served from memory when this process started (or served) the attempt; otherwise (another
    node started it, or this process restarted since) built from the database once and kept.
    """
    kept = delivered_forms.served(ctx, attempt_id)
    if kept is not None:
        return kept
    with ctx.db.reading() as session:
        attempt = load_attempt(session, attempt_id, with_form=attempt_id not in ctx.key_cache)
        if attempt.status == AttemptStatus.NOT_STARTED:
            raise refused("not_started", "start the exam before asking for its form")
        items = delivered_forms.build_form(ctx, session, attempt_key(ctx, session, attempt))
    delivered_forms.keep(ctx, attempt_id, items)
    return delivered_forms.encoded(items)


def form(ctx: ServiceContext, attempt_id: int) -> dict:
    """The form as data, ``{"items": [...]}``, as a kiosk decodes it."""
    return {"items": json.loads(form_text(ctx, attempt_id))}


REPORT_TYPES = ("focus_lost", "fullscreen_exit", "visibility_hidden", "copy", "paste", "kiosk_exit", "other")


def report(ctx: ServiceContext, attempt_id: int, kind, detail) -> dict:
    if kind not in REPORT_TYPES:
        raise BadInput(f"type must be one of {', '.join(REPORT_TYPES)}")
    if detail is not None and (not isinstance(detail, str) or len(detail) > 500):
        raise BadInput("detail must be text of at most 500 characters")
    return ctx.write(lambda session: _record_report(ctx, session, attempt_id, kind, detail))


def _record_report(ctx: ServiceContext, session, attempt_id: int, kind: str, detail) -> dict:
    attempt = load_attempt(session, attempt_id, lock=True)
    # After the end a report would only raise alerts and violations on a finished exam.
    require_not_ended(attempt)
    attempt.violations += 1
    now = ctx.now()
    append_event(session, attempt, "report", {"type": kind, "detail": detail or ""}, now)
    return {"type": kind, "detail": detail or "", "at": now}


def end_due_attempts(ctx: ServiceContext) -> list[dict]:
    """End every attempt whose deadline has passed, exactly once across all nodes."""
    now = ctx.now()
    due = (models.Attempt.status == AttemptStatus.IN_PROGRESS) & (models.Attempt.deadline_at <= now)
    return _end_where(ctx, due, AttemptStatus.TIMED_OUT, "clock", now)


def end_long_pauses(ctx: ServiceContext) -> list[dict]:
    """Where a pause limit is set, end attempts paused for longer than it."""
    limit = ctx.settings.max_pause_minutes * 60_000
    if not limit:
        return []
    now = ctx.now()
    too_long = (models.Attempt.status == AttemptStatus.PAUSED) & (models.Attempt.paused_since < now - limit)
    return _end_where(ctx, too_long, AttemptStatus.ENDED_BY_PROCTOR, "pause_limit", now)


def _end_where(ctx: ServiceContext, condition, status: AttemptStatus, by: str, now: int) -> list[dict]:
    from exam_server.sites.scope import runs_here

    ended = []
    condition = condition & runs_here(ctx)  # a hub never ends a site's attempt: the site does, and says so
    with ctx.db.reading() as session:
        ids = session.scalars(select(models.Attempt.id).where(condition)).all()
    for attempt_id in ids:
        with ctx.db.unit_of_work() as session:
            # The conditional update is the lock: only one node sees rowcount 1.
            won = session.execute(update(models.Attempt).where(models.Attempt.id == attempt_id, condition)
                                  .values(status=status, ended_at=now)).rowcount
            if not won:
                continue
            attempt = load_attempt(session, attempt_id)
            document = end_attempt(ctx, session, attempt, status, now, by)
            shown = result_shown(ctx, session, attempt)
            ended.append({"attempt_id": attempt_id, "session_id": attempt.session_id, "status": status,
                          "result": document if shown else None, "document": document})
    return ended


def remaining_many(ctx: ServiceContext, attempt_ids) -> dict[int, dict]:
    """``{attempt_id: {remaining_ms, server_time}}`` for many attempts in one query."""
    with ctx.db.reading() as session:
        rows = session.scalars(select(models.Attempt).where(models.Attempt.id.in_(list(attempt_ids)))).all()
        now = ctx.now()
        return {a.id: {"remaining_ms": clock_of(a).remaining_ms(now), "server_time": now} for a in rows}


def remaining(ctx: ServiceContext, attempt_id: int) -> dict:
    with ctx.db.reading() as session:
        attempt = load_attempt(session, attempt_id)
        return {"remaining_ms": clock_of(attempt).remaining_ms(ctx.now()), "server_time": ctx.now(),
                "status": attempt.status}
