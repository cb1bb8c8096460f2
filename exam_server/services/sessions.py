"""Opening and closing sittings.

Every candidate's form is drawn here, when the session opens, and stored with
the attempt: starting an exam then costs nothing, and a form is never drawn twice.
"""
from __future__ import annotations

import json
import secrets
import uuid

from sqlalchemy import select

from exam_server.domain.attempt_status import AttemptStatus
from exam_server.domain.assembly import PoolItem, assemble_form, form_to_json
from exam_server.domain.blueprint import Blueprint, check_availability
from exam_server.domain.scoring import blank_sums
from exam_server.domain.roster import parse_roster
from exam_server.async_mode import run_blocking
from exam_server.errors import BadInput, Conflict, NotFound
from exam_server.security.passwords import generate_password, hash_generated, hash_password
from exam_server.services.retirement import retired_ids
from exam_server.services.banks import category_matches, latest_versions, read_items
from exam_server.services.context import ServiceContext
from exam_server.services.exams import availability, find_exam, load_blueprint
from exam_server.store import models

# Session tokens are read aloud and typed at a kiosk: no 0/O, 1/I/L.
_TOKEN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TOKEN_LENGTH = 6


def _new_token(session) -> str:
    while True:
        token = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))
        if session.scalar(select(models.ExamSession.id).where(models.ExamSession.token == token)) is None:
            return token


def _pools(ctx, session, blueprint: Blueprint, versions) -> list[list[PoolItem]]:
    pools = []
    for section in blueprint.sections:
        # Retired items stay in forms drawn before; they are never drawn again.
        query = select(models.Item.id).where(models.Item.bank_version_id == versions[section.bank].id,
                                             models.Item.id.not_in(retired_ids()))
        condition = category_matches(section.category)
        if condition is not None:
            query = query.where(condition)
        ids = session.scalars(query.order_by(models.Item.ordinal)).all()
        items = read_items(ctx, session, ids)
        pools.append([
            PoolItem(item_id=i, option_count=len(items[i].options),
                     fixed=tuple(o.fixed for o in items[i].options), shuffle_options=items[i].shuffle_options)
            for i in ids
        ])
    return pools


def _proctor_rows(session, usernames) -> list[models.StaffUser]:
    users = []
    for username in usernames:
        user = session.scalar(select(models.StaffUser).where(models.StaffUser.username == username))
        if user is None:
            raise NotFound(f"--proctor {username}: no staff account with that username (create it with add-user)")
        users.append(user)
    return users


HALL_LIMIT = 100  # characters of a hall's (ruang's) name


def _password_hashes(ctx, entries, passwords, site) -> list[str]:
    """A generated password gets the keyed hash; one the roster chose keeps Argon2id.

    A site's session leaves with Argon2id for all: the site does not hold this
    server's password key, and Argon2 verifies anywhere.
    """
    key = None if site else ctx.password_key
    # Argon2 for a hall takes seconds: off the event loop, before the transaction.
    return run_blocking(lambda: [hash_generated(password, key) if key and not entry.password else hash_password(password)
                                 for entry, password in zip(entries, passwords)])


def create_session(
    ctx: ServiceContext,
    exam_code: str,
    name: str,
    roster_csv: bytes,
    roster_filename: str = "candidates.csv",
    *,
    proctors: tuple[str, ...] = (),
    seed: int | str | None = None,
    site: str | None = None,
    hall: str | None = None,
) -> dict:
    """Open a sitting: candidates, their passwords and their forms. Returns ids and credentials."""
    if not name.strip():
        raise BadInput("--name: a session needs a name")
    hall = (hall or "").strip() or None
    if hall is not None and len(hall) > HALL_LIMIT:
        raise BadInput(f"--hall: a hall's name has at most {HALL_LIMIT} characters")
    entries = parse_roster(roster_csv, roster_filename)
    seed = str(seed if seed is not None else secrets.randbits(62))
    passwords = [entry.password or generate_password() for entry in entries]
    hashes = _password_hashes(ctx, entries, passwords, site)
    credentials = []
    with ctx.db.unit_of_work() as session:
        exam = find_exam(session, exam_code)
        blueprint = load_blueprint(exam)
        check_availability(blueprint, availability(session, blueprint), f"exam {exam_code}")
        versions = latest_versions(session, {s.bank for s in blueprint.sections})
        pools = _pools(ctx, session, blueprint, versions)
        row = models.ExamSession(
            exam_id=exam.id, name=name.strip(), hall=hall, token=_new_token(session), seed=seed, status="open",
            bank_versions_json=json.dumps({code: v.id for code, v in versions.items()}), created_at=ctx.now(),
            site_code=site,  # a hub's sitting at a site (sites.hub); None: here
        )
        session.add(row)
        session.flush()
        session.add_all(models.SessionProctor(session_id=row.id, user_id=u.id) for u in _proctor_rows(session, proctors))
        # Before any answer every item counts as blank (which earns points where blank is set).
        blank_points = json.dumps([str(points) for points in blank_sums(blueprint)])
        for entry, password, password_hash in zip(entries, passwords, hashes):
            candidate = models.Candidate(
                session_id=row.id, participant_number=entry.participant_number, name=entry.name,
                nip=entry.nip, seat=entry.seat, password_hash=password_hash,
            )
            session.add(candidate)
            session.flush()
            form = assemble_form(blueprint, pools, seed, entry.participant_number)
            attempt = models.Attempt(
                session_id=row.id, candidate_id=candidate.id, form_json=json.dumps(form_to_json(form)),
                status=AttemptStatus.NOT_STARTED, duration_ms=blueprint.duration_ms, section_points_json=blank_points,
            )
            session.add(attempt)
            session.flush()
            session.add(models.Result(id=str(uuid.uuid4()), attempt_id=attempt.id, session_id=row.id, document_json="{}"))
            credentials.append({"participant_number": entry.participant_number, "password": password})
        if site:
            from exam_server.sites.seals import seal_new_session

            seal_new_session(ctx, session, row.id, site)  # its content leaves the hub only sealed
        return {"session_id": row.id, "session_token": row.token, "exam_code": exam.code, "hall": row.hall,
                "candidates": len(entries), "credentials": credentials}


def find_session(session, session_id: int) -> models.ExamSession:
    row = session.get(models.ExamSession, session_id)
    if row is None:
        raise NotFound(f"no session with id {session_id}")
    return row


def close_session(ctx: ServiceContext, session_id: int) -> None:
    with ctx.db.unit_of_work() as session:
        row = find_session(session, session_id)
        if row.status == "closed":
            raise Conflict(f"session {session_id} is already closed")
        row.status = "closed"
        row.closed_at = ctx.now()


def list_sessions(ctx: ServiceContext, user: models.StaffUser) -> list[dict]:
    """The sessions a staff member may see: all for an admin, the assigned ones for a proctor."""
    from sqlalchemy import func

    with ctx.db.reading() as session:
        query = select(models.ExamSession).order_by(models.ExamSession.id.desc())
        if user.role != "admin":
            query = query.join(models.SessionProctor, models.SessionProctor.session_id == models.ExamSession.id) \
                .where(models.SessionProctor.user_id == user.id)
        rows = session.scalars(query).all()
        counts = dict(session.execute(
            select(models.Attempt.session_id, func.count()).group_by(models.Attempt.session_id)).all())
        return [{"session_id": r.id, "name": r.name, "hall": r.hall, "exam_code": r.exam.code, "exam_title": r.exam.title,
                 "status": r.status, "candidates": counts.get(r.id, 0), "created_at": r.created_at,
                 "published_at": r.published_at, "logins_open": r.logins_open, "site": r.site_code} for r in rows]


def open_session_seb_keys(ctx: ServiceContext, session_token: str) -> tuple[str, ...] | None:
    """The Safe Exam Browser keys of the open session with this token (empty: any browser); None when there is none."""
    with ctx.db.reading() as session:
        row = session.execute(
            select(models.ExamSession.status, models.Exam.blueprint_json)
            .join(models.Exam, models.ExamSession.exam_id == models.Exam.id)
            .where(models.ExamSession.token == session_token)
        ).first()
    if row is None or row.status != "open":
        return None
    return tuple(json.loads(row.blueprint_json).get("seb_config_keys") or ())


def kiosk_url(settings, session_token: str) -> str:
    base = settings.public_url.rstrip("/") if settings.public_url else f"http://{settings.host}:{settings.port}"
    return f"{base}/?session={session_token}"


def public_kiosk_url(settings, session_token: str) -> str:
    """The kiosk's address for a card's QR code: only a public one ("" without public_url; see paper.public_base)."""
    from exam_server.services.paper import public_base

    base = public_base(settings.public_url)
    return f"{base}/?session={session_token}" if base else ""


def login_cards(ctx: ServiceContext, opened: dict) -> bytes:
    """Printable cards for a session just opened (the only moment passwords exist in clear)."""
    from exam_server.services.documents import candidate_cards
    from exam_server.services.paper import Office

    with ctx.db.reading() as session:
        row = find_session(session, opened["session_id"])
        people = {c.participant_number: c for c in session.scalars(
            select(models.Candidate).where(models.Candidate.session_id == row.id))}
        title, name, hall = row.exam.title, row.name, row.hall
        cards = [{"participant_number": c["participant_number"], "password": c["password"],
                  "name": people[c["participant_number"]].name, "seat": people[c["participant_number"]].seat,
                  "nip": people[c["participant_number"]].nip}
                 for c in opened["credentials"]]
    url = public_kiosk_url(ctx.settings, opened["session_token"])
    office = Office.of(ctx.settings, ctx.now())
    return run_blocking(lambda: candidate_cards(office, title, office.session_label(name, hall), opened["session_token"], url, cards))
