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

from sqlalchemy import func, select, update

from exam_server.errors import BadInput, Conflict, ExamError, NotFound
from exam_server.realtime.fields import MAX_WHOLE, is_whole
from exam_server.sites import envelope, presence, site_alerts
from exam_server.sites.online import is_online
from exam_server.store import models

ENROLLMENT_MS = 24 * 3600 * 1000
COMMAND_WAIT_S = 10.0  # a proctor's control answers site_offline after this
COMMAND_RUN_MS = 8000  # the site refuses a command after this: it never happens after the hub gave up
MAX_EVENTS = 1000  # per exchange
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


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


def _open(ctx, session, raw: bytes, signature: str) -> tuple[models.Site, envelope.Message]:
    """The site's row, locked, and its message once the signature, the nonce and the time check out."""
    try:
        message = envelope.read(raw)
    except envelope.Refused as refused:
        raise LinkRefused(refused.message) from None
    site = session.scalar(select(models.Site).where(models.Site.code == message.site).with_for_update())
    if site is None or site.revoked_at:
        raise LinkRefused(f"site {message.site} is not enrolled here, or was revoked")
    try:
        envelope.check(message, raw, signature, site.public_key, last_nonce=site.last_nonce, now_ms=ctx.now())
    except envelope.Refused as refused:
        raise LinkRefused(f"{refused.code}: {refused.message}") from None
    return site, message


# --- the exchange ---

def receive(ctx, session, raw: bytes, signature: str) -> tuple[envelope.Message, dict, list[int], list]:
    """One signed exchange as a write of the group-commit writer: checked, then applied in ``session``.

    Everything is refused before anything changes, so a refused exchange
    leaves the group it shares a transaction with untouched. Its nonce is
    recorded with what it applied: the same message is never accepted again.
    Returns the message, the answer (without ``downloads``), the attempts
    whose view changed and, of those, the ones whose columns the proctor
    feed can take as written (``ingest.AttemptState``, see ``sites.feed``).
    """
    site, message = _open(ctx, session, raw, signature)
    _check_exchange(message.body)
    site.last_nonce = message.nonce
    site.last_seen_at = ctx.now()
    answer, changed, written = _apply_exchange(ctx, session, site, message.body)
    return message, answer, changed, written


def exchange(ctx, site_code: str, body: dict) -> tuple[dict, list[int]]:
    """Apply what the site sends (a message already opened); answer with everything, downloads included.

    Returns the answer and the attempts whose view changed.
    """
    _check_exchange(body)
    with ctx.db.unit_of_work() as session:
        site = session.scalar(select(models.Site).where(models.Site.code == site_code).with_for_update())
        answer, changed, _written = _apply_exchange(ctx, session, site, body)
    answer.update(downloads(ctx, site_code, body))
    return answer, changed


def _check_exchange(body: dict) -> None:
    events, results, outcomes = body.get("events") or [], body.get("results") or {}, body.get("outcomes") or []
    have, backlog = body.get("have_sessions") or [], body.get("backlog", 0)
    if not (isinstance(events, list) and isinstance(results, dict) and isinstance(outcomes, list)
            and isinstance(have, list) and isinstance(backlog, int)) or len(events) > MAX_EVENTS:
        raise BadInput("malformed exchange")
    if not all(isinstance(event, dict) and is_whole(event.get("position")) for event in events):
        raise BadInput("an event needs a position")
    presence.check(body.get("presence"))
    site_alerts.check(body.get("alerts"))


def _apply_exchange(ctx, session, site: models.Site, body: dict) -> tuple[dict, list[int], list]:
    """The events, results, command outcomes and opened sessions of a checked exchange."""
    from exam_server.sites.seals import note_opened_at_site

    events = body.get("events") or []
    changed, written = _ingest(ctx, session, site, events, body.get("results") or {})
    site.backlog = max(0, min(max(body.get("backlog", 0), 0), MAX_WHOLE) - len(events))
    _record_outcomes(session, site, body.get("outcomes") or [])
    changed += [a for a in presence.take(ctx, session, site, body.get("presence")) if a not in changed]
    new_alerts = site_alerts.take(session, site, body.get("alerts"))
    commands = _deliver_commands(ctx, session, site)
    note_opened_at_site(ctx, session, site.code, _opened(body))
    return {"acked": site.acked_position, "commands": commands, "alerts_acked": site.alert_position,
            "new_alerts": new_alerts, "hub_time": ctx.now()}, changed, written


def _opened(body: dict) -> list:
    return body.get("opened") if isinstance(body.get("opened"), list) else []


def downloads(ctx, site_code: str, body: dict) -> dict:
    """What goes down to the site after its exchange is stored: sessions it lacks, keys released to it.

    Read outside the writer's transaction: building a sealed package decrypts a bank.
    """
    from exam_server.sites.seals import keys_for

    have = {s for s in body.get("have_sessions") or [] if isinstance(s, int)}
    opened = {o.get("session_id") for o in _opened(body) if isinstance(o, dict)}
    with ctx.db.reading() as session:
        site = session.scalar(select(models.Site).where(models.Site.code == site_code))
        return {"sessions": _packages(ctx, session, site, have), "keys": keys_for(ctx, session, site_code, opened)}


def _ingest(ctx, session, site: models.Site, events: list, results: dict) -> tuple[list[int], list]:
    """Apply the batch (sites.ingest), then freeze the hub's own result of each attempt that ended in it.

    Returns the attempts changed, and the states of those that go on, as written.
    """
    from exam_server.services import results as result_service
    from exam_server.sites.ingest import Ingest

    ingest = Ingest(ctx, session, site.code, site.acked_position, events)
    changed = ingest.run()
    ended = ingest.write()
    site.acked_position = ingest.acked
    if ingest.last_event_at is not None:
        site.last_event_at = ingest.last_event_at
    for attempt_id in ended:
        attempt = session.get(models.Attempt, attempt_id, populate_existing=True)
        document = result_service.finalize(ctx, session, attempt)  # the hub's own recomputation
        theirs = results.get(str(attempt_id))
        if isinstance(theirs, dict):
            _record_site_result(session, attempt_id, theirs, _differs(document, theirs))
    return changed, ingest.written()


def _record_site_result(session, attempt_id: int, theirs: dict, mismatch: bool) -> None:
    row = session.get(models.SiteResult, attempt_id)
    if row is None:
        session.add(models.SiteResult(attempt_id=attempt_id, document_json=json.dumps(theirs)[:100_000],
                                      mismatch=mismatch))
    else:
        row.document_json, row.mismatch = json.dumps(theirs)[:100_000], mismatch



def _differs(ours: dict, theirs: dict) -> bool:
    keys = ("total", "passed", "status")
    if any(ours.get(k) != theirs.get(k) for k in keys):
        return True
    mine = [(s["name"], s["points"]) for s in ours.get("sections", [])]
    other = theirs.get("sections")
    if not isinstance(other, list):
        return True
    return mine != [(s.get("name"), s.get("points")) for s in other if isinstance(s, dict)]


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
        if not isinstance(outcome, dict) or not is_whole(outcome.get("id")):
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
