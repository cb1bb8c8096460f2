"""Sealed sessions at both ends: the hub seals and releases, the site holds sealed and opens.

See ``sites.sealing`` for the cryptography. The hub keeps each session key and
release code encrypted with its bank key; the site keeps the sealed package
and the key wrapped under the release code, and no key that opens either.
"""
from __future__ import annotations

import base64
import json

from sqlalchemy import select

from exam_server.errors import BadInput, Conflict, ExamError, Forbidden, NotFound
from exam_server.sites import sealing
from exam_server.sites.packages import apply_package
from exam_server.store import models

MAX_FAILURES = 5  # wrong codes in a row before the site waits
LOCK_MS = 60_000  # doubled with each further wrong code


class SessionNotOpen(Forbidden):
    code = "session_not_open"


class TooManyTries(ExamError):
    code = "rate_limited"
    http_status = 429
    exit_status = 2


def _context(session_id: int, what: str) -> str:
    return f"seal:{what}:{session_id}"


# --- the hub ---

def seal_new_session(ctx, session, session_id: int, site: str) -> None:
    key, code = sealing.new_session_key(), sealing.new_release_code()
    session.add(models.SessionSeal(
        session_id=session_id, key_sealed=ctx.cipher.seal(key, _context(session_id, "key")),
        code_sealed=ctx.cipher.seal(code.encode(), _context(session_id, "code")),
        wrapped_json=json.dumps(sealing.wrap(key, code, site, session_id)), site_opened_how=""))


def _seal(session, session_id: int) -> models.SessionSeal:
    seal = session.get(models.SessionSeal, session_id)
    if seal is None:
        raise NotFound(f"session {session_id} is not a sealed session of a site")
    return seal


def sealed_package(ctx, session, row: models.ExamSession, package: dict) -> dict:
    seal = _seal(session, row.id)
    key = ctx.cipher.open(seal.key_sealed, _context(row.id, "key"))
    blob = sealing.seal(package, key, row.site_code, row.id)
    return {"sealed": {"session_id": row.id, "token": row.token, "blob": base64.b64encode(blob).decode(),
                       "wrapped": json.loads(seal.wrapped_json)}}


def open_at_hub(ctx, session_id: int) -> dict:
    with ctx.db.unit_of_work() as session:
        seal = _seal(session, session_id)
        seal.opened_at = seal.opened_at or ctx.now()
        site = session.get(models.ExamSession, session_id).site_code
        session.add(models.AuditEntry(at=ctx.now(), action="session_open", target=f"session:{session_id}",
                                      detail_json=json.dumps({"site": site, "how": "link"})))
    return {"session_id": session_id, "site": site, "opened": True}


def release_code(ctx, session_id: int) -> dict:
    with ctx.db.unit_of_work() as session:
        seal = _seal(session, session_id)
        code = ctx.cipher.open(seal.code_sealed, _context(session_id, "code")).decode()
        session.add(models.AuditEntry(at=ctx.now(), action="release_code_shown", target=f"session:{session_id}",
                                      detail_json="{}"))
    return {"session_id": session_id, "release_code": code}


def keys_for(ctx, session, site: str, opened_at_site: set[int]) -> list[dict]:
    """Session keys the hub has released and the site has not used yet."""
    rows = session.execute(select(models.SessionSeal).join(
        models.ExamSession, models.ExamSession.id == models.SessionSeal.session_id).where(
        models.ExamSession.site_code == site, models.SessionSeal.opened_at.is_not(None))).scalars()
    return [{"session_id": r.session_id, "key": ctx.cipher.open(r.key_sealed, _context(r.session_id, "key")).hex()}
            for r in rows if r.session_id not in opened_at_site]


def note_opened_at_site(ctx, session, site: str, reports: list) -> None:
    """Record the sessions the site says it opened, once each; the site sends them until the hub has them."""
    wanted = {}
    for report in reports[:100]:
        if isinstance(report, dict) and isinstance(report.get("session_id"), int) \
                and not isinstance(report["session_id"], bool) and 0 < report["session_id"] < 2 ** 31:
            wanted.setdefault(report["session_id"], report)
    if not wanted:
        return
    # One query for all of them: only this site's sessions, not yet noted.
    seals = session.scalars(select(models.SessionSeal).join(
        models.ExamSession, models.ExamSession.id == models.SessionSeal.session_id).where(
        models.SessionSeal.session_id.in_(sorted(wanted)), models.ExamSession.site_code == site,
        models.SessionSeal.site_opened_at.is_(None))).all()
    for seal in seals:
        report = wanted[seal.session_id]
        how = report.get("how") if report.get("how") in ("link", "code") else "link"
        seal.site_opened_at, seal.site_opened_how = ctx.now(), how
        session.add(models.AuditEntry(at=ctx.now(), action="session_opened_at_site", target=f"session:{seal.session_id}",
                                      detail_json=json.dumps({"site": site, "how": how, "site_time": report.get("at")})))


# --- the site ---

def refuse_if_sealed(session, token: str) -> None:
    sealed = session.scalar(select(models.SealedSession).where(models.SealedSession.token == token))
    if sealed is not None and sealed.opened_at is None:
        raise SessionNotOpen("the session is not open yet / sesi belum dibuka")


class SatAtSite(Forbidden):
    code = "session_at_site"


def refuse_at_hub(ctx, session, token: str) -> None:
    from exam_server.sites.role import read_role

    if read_role(ctx.settings.data_dir) != "hub":
        return
    site = session.scalar(select(models.ExamSession.site_code).where(models.ExamSession.token == token))
    if site:
        raise SatAtSite(f"this session is sat at site {site} / sesi ini dikerjakan di situs {site}")


def store_sealed(ctx, sealed: dict) -> None:
    with ctx.db.unit_of_work() as session:
        if session.get(models.SealedSession, sealed["session_id"]) is not None:
            return
        session.add(models.SealedSession(session_id=sealed["session_id"], token=sealed["token"],
                                         blob=base64.b64decode(sealed["blob"]), wrapped_json=json.dumps(sealed["wrapped"]),
                                         opened_how="", reported=False, failures=0))
        session.add(models.AuditEntry(at=ctx.now(), action="site_session_pulled", target=f"session:{sealed['session_id']}",
                                      detail_json=json.dumps({"sealed": True})))


def open_with_key(ctx, site: str, session_id: int, key: bytes, how: str, remote: str = "") -> dict:
    with ctx.db.reading() as session:
        sealed = session.get(models.SealedSession, session_id)
        if sealed is None:
            raise NotFound(f"session {session_id} has not been pulled from the hub yet (run 'exam-server sync')")
        if sealed.opened_at is not None:
            return {"session_id": session_id, "opened": True, "how": sealed.opened_how}
        blob = sealed.blob
    package = sealing.open_sealed(blob, key, site, session_id)
    apply_package(ctx, package)
    with ctx.db.unit_of_work() as session:
        sealed = session.get(models.SealedSession, session_id)
        sealed.opened_at, sealed.opened_how, sealed.failures = ctx.now(), how, 0
        session.add(models.AuditEntry(at=ctx.now(), action="session_open", target=f"session:{session_id}",
                                      detail_json=json.dumps({"site": site, "how": how}),
                                      remote_addr=remote[:64]))
    return {"session_id": session_id, "opened": True, "how": how}


def open_with_code(ctx, session_id: int, code: str) -> dict:
    """At the site, without the hub: wrong codes are refused and, after a few, slowed down like passwords."""
    with ctx.db.reading() as session:
        state = session.get(models.LinkState, 1)
        sealed = session.get(models.SealedSession, session_id)
        if state is None:
            raise BadInput("this site is not enrolled")
        if sealed is None:
            raise NotFound(f"session {session_id} has not been pulled from the hub yet")
        if sealed.opened_at is not None:
            return {"session_id": session_id, "opened": True, "how": sealed.opened_how}
        if sealed.locked_until and sealed.locked_until > ctx.now():
            raise TooManyTries(f"too many wrong release codes; try again in "
                               f"{(sealed.locked_until - ctx.now()) // 1000 + 1} s")
        site, wrapped = state.site_code, json.loads(sealed.wrapped_json)
    try:
        key = sealing.unwrap(wrapped, code, site, session_id)
    except sealing.WrongKey as exc:
        with ctx.db.unit_of_work() as session:
            sealed = session.get(models.SealedSession, session_id)
            sealed.failures += 1
            if sealed.failures >= MAX_FAILURES:
                sealed.locked_until = ctx.now() + LOCK_MS * 2 ** (sealed.failures - MAX_FAILURES)
            session.add(models.AuditEntry(at=ctx.now(), action="release_code_refused", target=f"session:{session_id}",
                                          detail_json=json.dumps({"failures": sealed.failures})))
        raise Conflict(f"{exc}: the session stays sealed", code="bad_release_code") from None
    return open_with_key(ctx, site, session_id, key, "code")


def opened_reports(ctx) -> list[dict]:
    with ctx.db.reading() as session:
        return [{"session_id": r.session_id, "how": r.opened_how, "at": r.opened_at}
                for r in session.scalars(select(models.SealedSession).where(models.SealedSession.opened_at.is_not(None)))]


def pulled_ids(ctx) -> list[int]:
    with ctx.db.reading() as session:
        return list(session.scalars(select(models.SealedSession.session_id)))
