"""The hub's side of the link: sites and their enrollment, ingest of their events, commands to them.

Every function works on a ``ServiceContext``; the web layer (``sites.web``)
only parses requests and calls these.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
from decimal import Decimal

from sqlalchemy import func, select, update

from exam_server.errors import BadInput, Conflict, ExamError, NotFound
from exam_server.sites import envelope, presence, site_alerts
from exam_server.sites.online import is_online
from exam_server.sites.outbox import STATE_FIELDS
from exam_server.store import models

ENROLLMENT_MS = 24 * 3600 * 1000
COMMAND_WAIT_S = 10.0  # a proctor's control answers site_offline after this
COMMAND_RUN_MS = 8000  # the site refuses a command after this: it never happens after the hub gave up
MAX_EVENTS = 1000  # per exchange
MAX_EVENT_TEXT = 16 * 1024
_BIG = 2 ** 53
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
STATUSES = {"not_started", "in_progress", "paused", "submitted", "timed_out", "ended_by_proctor"}


class LinkRefused(ExamError):
    code = "link_refused"
    http_status = 403


class SiteOffline(ExamError):
    code = "site_offline"
    http_status = 503


def require_role(settings, role: str) -> None:
    from exam_server.sites.role import read_role

    actual = read_role(settings.data_dir)
    if actual != role:
        raise BadInput(f"this command runs at a {role}; this server is a {actual} (see 'exam-server init --role')")


def check_site_for_session(ctx, code: str) -> None:
    require_role(ctx.settings, "hub")
    with ctx.db.reading() as session:
        site = _site(session, code)
        if site.revoked_at:
            raise Conflict(f"site {code} is revoked")


def _check_code(code: str) -> str:
    if not isinstance(code, str) or not _CODE.match(code):
        raise BadInput(f"{code!r}: a site code is 1 to 64 letters, digits, '.', '_' or '-'")
    return code


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def add_site(ctx, code: str, name: str) -> dict:
    """Register a site; returns its one-time enrollment code (valid 24 h)."""
    code = _check_code(code)
    if not name or not name.strip() or len(name) > 255:
        raise BadInput("--name: a site needs a name of at most 255 characters")
    enrollment = "-".join(secrets.token_hex(3).upper() for _ in range(4))
    with ctx.db.unit_of_work() as session:
        if session.scalar(select(models.Site.id).where(models.Site.code == code)) is not None:
            raise Conflict(f"site {code} already exists")
        session.add(models.Site(code=code, name=name.strip(), enrollment_hash=_digest(enrollment),
                                enrollment_expires_at=ctx.now() + ENROLLMENT_MS, public_key="",
                                last_nonce=0, acked_position=0, backlog=0, created_at=ctx.now()))
        session.add(models.AuditEntry(at=ctx.now(), action="site_add", target=f"site:{code}", detail_json="{}"))
    return {"site": code, "enrollment_code": enrollment}


def revoke_site(ctx, code: str) -> dict:
    with ctx.db.unit_of_work() as session:
        site = _site(session, code)
        site.revoked_at = site.revoked_at or ctx.now()
        session.add(models.AuditEntry(at=ctx.now(), action="site_revoke", target=f"site:{code}", detail_json="{}"))
    return {"site": code, "revoked": True}


def _site(session, code: str) -> models.Site:
    site = session.scalar(select(models.Site).where(models.Site.code == code))
    if site is None:
        raise NotFound(f"site {code}: no such site (add it with 'exam-server site add')")
    return site


def enroll(ctx, enrollment_code, public_key_hex, hub_url: str) -> dict:
    """A site registers its public key with its one-time code (which names the site)."""
    if not isinstance(public_key_hex, str) or not re.fullmatch(r"[0-9a-f]{64}", public_key_hex):
        raise LinkRefused("public_key must be 64 hex digits (Ed25519)")
    if not isinstance(enrollment_code, str) or not 0 < len(enrollment_code) <= 64:
        raise LinkRefused("bad enrollment code")
    with ctx.db.unit_of_work() as session:
        site = session.scalar(select(models.Site).where(
            models.Site.enrollment_hash == _digest(enrollment_code.strip().upper())).with_for_update())
        if site is None or site.revoked_at or (site.enrollment_expires_at or 0) < ctx.now():
            raise LinkRefused("the enrollment code is not valid (used, expired or wrong)")
        site.public_key, site.enrollment_hash, site.enrollment_expires_at = public_key_hex, "", None
        session.add(models.AuditEntry(at=ctx.now(), action="site_enroll", target=f"site:{site.code}",
                                      detail_json=json.dumps({"public_key": public_key_hex})))
        return {"site": site.code, "hub": hub_url}


def authenticate(ctx, raw: bytes, signature: str) -> envelope.Message:
    """Check a link message and record its nonce (so it is never accepted again)."""
    try:
        claimed = envelope.peek_site(raw)
    except envelope.Refused as refused:
        raise LinkRefused(refused.message) from None
    with ctx.db.unit_of_work() as session:
        site = session.scalar(select(models.Site).where(models.Site.code == claimed).with_for_update())
        if site is None or site.revoked_at:
            raise LinkRefused(f"site {claimed} is not enrolled here, or was revoked")
        try:
            message = envelope.open_message(raw, signature, site.public_key, last_nonce=site.last_nonce,
                                            now_ms=ctx.now())
        except envelope.Refused as refused:
            raise LinkRefused(f"{refused.code}: {refused.message}") from None
        site.last_nonce = message.nonce
        site.last_seen_at = ctx.now()
        return message


# --- the exchange ---

def exchange(ctx, site_code: str, body: dict) -> tuple[dict, list[int]]:
    """Apply what the site sends; answer with the position acknowledged, new sessions and commands.

    Returns the answer and the attempts whose view changed.
    """
    events = body.get("events") or []
    results = body.get("results") or {}
    outcomes = body.get("outcomes") or []
    have = body.get("have_sessions") or []
    backlog = body.get("backlog", 0)
    if not (isinstance(events, list) and isinstance(results, dict) and isinstance(outcomes, list)
            and isinstance(have, list) and isinstance(backlog, int)) or len(events) > MAX_EVENTS:
        raise BadInput("malformed exchange")
    backlog = min(max(backlog, 0), _BIG)
    changed: list[int] = []
    with ctx.db.unit_of_work() as session:
        site = session.scalar(select(models.Site).where(models.Site.code == site_code).with_for_update())
        _preload(session, site, events)
        for event in events:
            if not isinstance(event, dict) or not _whole(event.get("position")):
                raise BadInput("an event needs a position")
            if event["position"] <= site.acked_position:
                continue  # already applied: a retry changes nothing
            if event["position"] != site.acked_position + 1:
                break  # a gap: wait for the site to send from the acknowledged position
            attempt_id = _apply(ctx, session, site, event, results)
            site.acked_position = event["position"]
            site.last_event_at = event["at"] if _whole(event.get("at")) else site.last_event_at
            if attempt_id is not None:
                changed.append(attempt_id)
        _write_events(session)
        site.backlog = max(0, backlog - len(events))
        _record_outcomes(session, site, outcomes)
        changed += presence.take(ctx, session, site, body.get("presence"))
        new_alerts = site_alerts.take(session, site, body.get("alerts"))
        commands = _deliver_commands(ctx, session, site)
        sessions = _packages(ctx, session, site, {s for s in have if isinstance(s, int)})
        from exam_server.sites.seals import keys_for, note_opened_at_site

        opened = body.get("opened") if isinstance(body.get("opened"), list) else []
        note_opened_at_site(ctx, session, site.code, opened)
        keys = keys_for(ctx, session, site.code, {o.get("session_id") for o in opened if isinstance(o, dict)})
        return {"acked": site.acked_position, "sessions": sessions, "commands": commands, "keys": keys,
                "alerts_acked": site.alert_position, "new_alerts": new_alerts, "hub_time": ctx.now()}, changed


_ATTEMPTS, _RESPONSES, _EVENTS = "exam_server.link_attempts", "exam_server.link_responses", "exam_server.link_events"


def _preload(session, site: models.Site, events: list) -> None:
    """A batch's attempts (of this site only) and their responses in two queries, not two per event."""
    ids = sorted({e.get("attempt_id") for e in events if isinstance(e, dict) and isinstance(e.get("attempt_id"), int)
                  and not isinstance(e.get("attempt_id"), bool)})
    attempts = {}
    if ids:
        query = (select(models.Attempt).join(models.ExamSession, models.ExamSession.id == models.Attempt.session_id)
                 .where(models.Attempt.id.in_(ids), models.ExamSession.site_code == site.code))
        attempts = {a.id: a for a in session.scalars(query.with_for_update())}
    session.info[_ATTEMPTS] = attempts
    responses = {}
    if attempts:
        responses = {(r.attempt_id, r.position): r for r in session.scalars(
            select(models.Response).where(models.Response.attempt_id.in_(sorted(attempts))))}
    session.info[_RESPONSES] = responses
    session.info[_EVENTS] = []


def _write_events(session) -> None:
    rows = session.info.pop(_EVENTS, [])
    session.flush()
    if rows:
        session.connection().execute(models.AttemptEvent.__table__.insert(), rows)


def _response(session, attempt_id: int, position: int) -> models.Response | None:
    return session.info.get(_RESPONSES, {}).get((attempt_id, position))


def _add_response(session, response: models.Response) -> None:
    session.add(response)
    session.info.setdefault(_RESPONSES, {})[(response.attempt_id, response.position)] = response


def _apply(ctx, session, site: models.Site, event: dict, results: dict) -> int | None:
    from exam_server.services import results as result_service

    attempt = session.info.get(_ATTEMPTS, {}).get(event.get("attempt_id"))
    exam_session = attempt is not None
    if not exam_session:
        return None  # not this site's attempt: acknowledged and ignored, never applied
    number, kind = event.get("number"), event.get("kind")
    if not _whole(number) or number != attempt.event_count + 1 or not isinstance(kind, str):
        return None
    data_json = event.get("data_json") if isinstance(event.get("data_json"), str) else "{}"
    if len(data_json) > MAX_EVENT_TEXT or len(str(event.get("state_json", ""))) > MAX_EVENT_TEXT:
        return None  # no event of ours is this large: acknowledged, never applied
    try:
        data = json.loads(data_json)
        state = json.loads(event.get("state_json") or "{}")
    except ValueError:
        return None
    at = event["at"] if _whole(event.get("at")) else ctx.now()
    session.info[_EVENTS].append({"attempt_id": attempt.id, "number": number, "at": at, "kind": kind[:24],
                                  "data_json": data_json, "prev_hash": str(event.get("prev_hash", ""))[:64],
                                  "hash": str(event.get("hash", ""))[:64]})
    attempt.event_count, attempt.last_event_hash = number, str(event.get("hash", ""))[:64]
    _apply_state(attempt, state)
    if kind == "answer" and isinstance(data, dict):
        _apply_answer(ctx, session, attempt, data, at)
    elif kind == "flag" and isinstance(data, dict):
        _apply_flag(ctx, session, attempt, data)
    if attempt.status in {"submitted", "timed_out", "ended_by_proctor"}:
        _write_events(session)
        session.info[_EVENTS] = []
        document = result_service.finalize(ctx, session, attempt)  # the hub's own recomputation
        theirs = results.get(str(attempt.id))
        if isinstance(theirs, dict):
            mismatch = _differs(document, theirs)
            row = session.get(models.SiteResult, attempt.id)
            if row is None:
                session.add(models.SiteResult(attempt_id=attempt.id, document_json=json.dumps(theirs)[:100_000],
                                              mismatch=mismatch))
            else:
                row.document_json, row.mismatch = json.dumps(theirs)[:100_000], mismatch
    return attempt.id


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < _BIG


def _differs(ours: dict, theirs: dict) -> bool:
    keys = ("total", "passed", "status")
    if any(ours.get(k) != theirs.get(k) for k in keys):
        return True
    mine = [(s["name"], s["points"]) for s in ours.get("sections", [])]
    other = theirs.get("sections")
    if not isinstance(other, list):
        return True
    return mine != [(s.get("name"), s.get("points")) for s in other if isinstance(s, dict)]


def _apply_state(attempt: models.Attempt, state) -> None:
    if not isinstance(state, dict):
        return
    for name in STATE_FIELDS:
        value = state.get(name)
        if name == "status":
            if value in STATUSES:
                attempt.status = value
        elif name in ("started_at", "paused_since", "deadline_at", "ended_at"):
            if value is None or (isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2 ** 53):
                setattr(attempt, name, value)
        elif isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2 ** 53:
            setattr(attempt, name, value)


def _apply_answer(ctx, session, attempt: models.Attempt, data: dict, at: int) -> None:
    from exam_server.domain.scoring import item_points, shift
    from exam_server.services.attempt_core import attempt_key, display_keys

    key = attempt_key(ctx, session, attempt)
    position, choice, seq = data.get("position"), data.get("choice"), data.get("seq")
    if not isinstance(position, int) or not 1 <= position <= len(key.form) or not isinstance(seq, int):
        return
    keys = display_keys(len(key.weights[position - 1]))
    if choice is not None and choice not in keys:
        return
    section_index = key.form[position - 1].section
    section = key.blueprint.sections[section_index]
    response = _response(session, attempt.id, position)
    if response is None:
        response = models.Response(attempt_id=attempt.id, position=position, seq=0, flagged=False,
                                   points=str(item_points(section, None)))
        _add_response(session, response)
    new_points = item_points(section, None if choice is None else key.weights[position - 1][keys.index(choice)])
    points = shift([Decimal(p) for p in json.loads(attempt.section_points_json)], section_index,
                   Decimal(response.points), new_points)
    attempt.section_points_json = json.dumps([str(p) for p in points])
    attempt.answered_count += (choice is not None) - (response.choice is not None)
    response.choice, response.seq, response.points, response.answered_at = choice, seq, str(new_points), at


def _apply_flag(ctx, session, attempt: models.Attempt, data: dict) -> None:
    position, flagged = data.get("position"), data.get("flagged")
    if not isinstance(position, int) or not isinstance(flagged, bool) or position < 1:
        return
    from exam_server.domain.scoring import item_points
    from exam_server.services.attempt_core import attempt_key

    key = attempt_key(ctx, session, attempt)
    if position > len(key.form):
        return
    response = _response(session, attempt.id, position)
    if response is None:  # a position never answered counts as blank, as at the site
        section = key.blueprint.sections[key.form[position - 1].section]
        response = models.Response(attempt_id=attempt.id, position=position, seq=0, flagged=False,
                                   points=str(item_points(section, None)))
        _add_response(session, response)
    if response.flagged != flagged:
        attempt.flagged_count += 1 if flagged else -1
        response.flagged = flagged


# --- sessions down to the site ---

def _packages(ctx, session, site: models.Site, have: set[int]) -> list[dict]:
    rows = session.scalars(select(models.ExamSession).where(models.ExamSession.site_code == site.code)
                           .order_by(models.ExamSession.id)).all()
    from exam_server.sites.seals import sealed_package

    missing = [row for row in rows if row.id not in have][:5]  # a few per exchange: each is built and sealed
    return [sealed_package(ctx, session, row, session_package(ctx, session, row)) for row in missing]


def session_package(ctx, session, row: models.ExamSession) -> dict:
    from exam_server.services.banks import asset_context, item_context

    exam = row.exam
    version_ids = sorted(set(json.loads(row.bank_versions_json).values()))
    versions = session.scalars(select(models.BankVersion).where(models.BankVersion.id.in_(version_ids))).all()
    banks = {v.bank_id: session.get(models.Bank, v.bank_id) for v in versions}
    items, assets = [], []
    for version in versions:
        code = banks[version.bank_id].code
        for item in session.scalars(select(models.Item).where(models.Item.bank_version_id == version.id)):
            items.append({"id": item.id, "bank_version_id": item.bank_version_id, "ordinal": item.ordinal,
                          "category": item.category, "option_count": item.option_count,
                          "content": ctx.cipher.open_json(item.content, item_context(code, version.version, item.ordinal))})
        for asset in session.scalars(select(models.Asset).where(models.Asset.bank_version_id == version.id)):
            blob = ctx.cipher.open(asset.content, asset_context(code, version.version, asset.name))
            assets.append({"id": asset.id, "bank_version_id": asset.bank_version_id, "name": asset.name,
                           "content": base64.b64encode(blob).decode()})
    candidates = session.scalars(select(models.Candidate).where(models.Candidate.session_id == row.id)).all()
    attempts = session.scalars(select(models.Attempt).where(models.Attempt.session_id == row.id)).all()
    result_rows = session.scalars(select(models.Result).where(models.Result.session_id == row.id)).all()
    return {
        "exam": _columns(exam, ("id", "code", "title", "blueprint_json", "blueprint_toml", "created_at")),
        "session": _columns(row, ("id", "exam_id", "name", "token", "seed", "status", "logins_open", "bank_versions_json",
                                  "created_at", "site_code", "hall")),
        "banks": [_columns(b, ("id", "code", "created_at")) for b in banks.values()],
        "bank_versions": [_columns(v, ("id", "bank_id", "version", "format", "source_name", "content_sha256",
                                       "item_count", "categories_json", "report_json", "created_at")) for v in versions],
        "items": items, "assets": assets,
        "candidates": [_columns(c, ("id", "session_id", "participant_number", "name", "nip", "seat", "password_hash"))
                       for c in candidates],
        "attempts": [_columns(a, ("id", "session_id", "candidate_id", "form_json", "status", "duration_ms",
                                  "section_points_json")) for a in attempts],
        "results": [{"id": r.id, "attempt_id": r.attempt_id, "session_id": r.session_id} for r in result_rows],
    }


def _columns(row, names) -> dict:
    return {name: getattr(row, name) for name in names}


# --- commands up to the site ---

def _deliver_commands(ctx, session, site: models.Site) -> list[dict]:
    now = ctx.now()
    # "sent" again too: an answer lost on its way (a dropped connection, a node that died) must not lose the
    # command; the site carries out each command id once (sites.commands.first_delivery).
    rows = session.scalars(select(models.SiteCommand).where(
        models.SiteCommand.site_id == site.id, models.SiteCommand.state.in_(("pending", "sent")),
        models.SiteCommand.expires_at > now).order_by(models.SiteCommand.id)).all()
    for row in rows:
        row.state = "sent"
    return [{"id": r.id, "action": r.action, "body": json.loads(r.body_json), "actor": r.actor,
             "expires_at": r.expires_at} for r in rows]


def _record_outcomes(session, site: models.Site, outcomes: list) -> None:
    for outcome in outcomes[:100]:
        if not isinstance(outcome, dict) or not _whole(outcome.get("id")):
            continue
        text = json.dumps(outcome, ensure_ascii=False)
        if len(text) > 100_000:
            outcome = {"id": outcome["id"], "ok": False,
                       "error": {"code": "bad_request", "message": "the site's answer was too large"}}
            text = json.dumps(outcome)
        session.execute(update(models.SiteCommand).where(
            models.SiteCommand.id == outcome["id"], models.SiteCommand.site_id == site.id,
            models.SiteCommand.state.in_(("pending", "sent"))).values(
            state="done" if outcome.get("ok") else "failed", outcome_json=text))


def site_of_session(ctx, session_id) -> str | None:
    if not isinstance(session_id, int) or isinstance(session_id, bool):
        return None
    with ctx.db.reading() as session:
        row = session.get(models.ExamSession, session_id)
        return row.site_code if row is not None else None


def site_of_attempt(ctx, attempt_id) -> str | None:
    if not isinstance(attempt_id, int) or isinstance(attempt_id, bool):
        return None
    with ctx.db.reading() as session:
        attempt = session.get(models.Attempt, attempt_id)
        return site_of_session(ctx, attempt.session_id) if attempt is not None else None


def relay(ctx, site_code: str, action: str, body: dict, actor: str, sleep) -> dict:
    """Queue a proctor's control for the site and wait for its outcome; ``site_offline`` after 10 s.

    A command the hub gave up on is marked expired here, and the site refuses
    any command past its expiry, so it never happens later.
    """
    with ctx.db.unit_of_work() as session:
        site = _site(session, site_code)
        row = models.SiteCommand(site_id=site.id, action=action, body_json=json.dumps(body, ensure_ascii=False),
                                 actor=actor[:64], expires_at=ctx.now() + COMMAND_RUN_MS, state="pending",
                                 outcome_json="{}", created_at=ctx.now())
        session.add(row)
        session.add(models.AuditEntry(at=ctx.now(), action=f"site_command_{action}"[:64], target=f"site:{site_code}",
                                      detail_json=json.dumps({"body": body, "by": actor}, ensure_ascii=False)))
        session.flush()
        command_id = row.id
    deadline = time.monotonic() + COMMAND_WAIT_S
    while time.monotonic() < deadline:
        sleep(0.05)
        with ctx.db.reading() as session:
            row = session.get(models.SiteCommand, command_id)
            if row.state in ("done", "failed"):
                return json.loads(row.outcome_json)
    with ctx.db.unit_of_work() as session:
        gave_up = session.execute(update(models.SiteCommand).where(
            models.SiteCommand.id == command_id, models.SiteCommand.state.in_(("pending", "sent")))
            .values(state="expired")).rowcount
        if not gave_up:
            return json.loads(session.get(models.SiteCommand, command_id).outcome_json)
    raise SiteOffline(f"site {site_code} could not be reached within {int(COMMAND_WAIT_S)} s; nothing was done")


# --- views ---

def site_views(ctx) -> list[dict]:
    from exam_server.services.results import iso_time

    now = ctx.now()
    with ctx.db.reading() as session:
        counts = dict(session.execute(select(models.ExamSession.site_code, func.count(models.ExamSession.id))
                                      .where(models.ExamSession.site_code.is_not(None))
                                      .group_by(models.ExamSession.site_code)).all())
        return [{"site": s.code, "name": s.name, "online": is_online(s, now), "last_seen": iso_time(s.last_seen_at),
                 "backlog": s.backlog, "sessions": counts.get(s.code, 0), "enrolled": bool(s.public_key),
                 "revoked": s.revoked_at is not None,
                 "lag_ms": (now - s.last_event_at) if s.last_event_at else None}
                for s in session.scalars(select(models.Site).order_by(models.Site.code))]


def site_event(site: dict) -> dict:
    return {k: site[k] for k in ("site", "online", "last_seen", "backlog")}


def site_state_of_session(ctx, session_id) -> dict | None:
    """The ``site`` event of a session's site, for a proctor's snapshot; None when the session is the hub's own."""
    code = site_of_session(ctx, session_id)
    view = next((v for v in site_views(ctx) if v["site"] == code), None) if code else None
    return site_event(view) if view is not None else None


def sessions_of_site(ctx, code: str) -> list[int]:
    with ctx.db.reading() as session:
        return list(session.scalars(select(models.ExamSession.id).where(models.ExamSession.site_code == code)))


def resolve_mismatch(ctx, attempt_id: int, note: str) -> dict:
    """An admin has looked at the difference: the hub's recomputation stands and may be published."""
    with ctx.db.unit_of_work() as session:
        row = session.get(models.SiteResult, attempt_id)
        if row is None or not row.mismatch:
            raise NotFound(f"attempt {attempt_id} has no result that differs from its site's")
        row.resolved_at = row.resolved_at or ctx.now()
        session.add(models.AuditEntry(at=ctx.now(), action="site_result_resolved", target=f"attempt:{attempt_id}",
                                      detail_json=json.dumps({"note": note[:500], "site_document": json.loads(row.document_json)},
                                                             ensure_ascii=False)))
    return {"attempt_id": attempt_id, "resolved": True}
