"""Staff accounts: administrators and proctors."""
from __future__ import annotations

import re

from sqlalchemy import select

from exam_server.async_mode import run_blocking
from exam_server.errors import BadInput, Conflict, Forbidden, Unauthorized
from exam_server.security.login_keys import normal_username
from exam_server.security.passwords import hash_password, verify_password
from exam_server.services.context import ServiceContext
from exam_server.store import models

ROLES = ("admin", "proctor")
MIN_PASSWORD = 8
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{2,64}$")
_DUMMY_HASH = hash_password("not-a-password", staff=True)


def add_user(ctx: ServiceContext, role: str, username: str, password: str) -> int:
    if role not in ROLES:
        raise BadInput(f"--role must be one of {', '.join(ROLES)}")
    if not _USERNAME.match(username or ""):
        raise BadInput("--username: 2-64 letters, digits, '.', '_', '@' or '-'")
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"the password must have at least {MIN_PASSWORD} characters")
    with ctx.db.unit_of_work() as session:
        if session.scalar(select(models.StaffUser).where(models.StaffUser.username == username)):
            raise Conflict(f"a staff account named {username!r} already exists")
        user = models.StaffUser(username=username, role=role,
                                password_hash=run_blocking(lambda: hash_password(password, staff=True)),
                                active=True, created_at=ctx.now())
        session.add(user)
        session.flush()
        return user.id


def authenticate(ctx: ServiceContext, username, password) -> dict:
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise BadInput("username and password are required")
    username = normal_username(username)
    with ctx.db.reading() as session:
        user = session.scalar(select(models.StaffUser).where(models.StaffUser.username == username))
        if not verify_password(user.password_hash if user else _DUMMY_HASH, password) or not user or not user.active:
            raise Unauthorized("the username or password is wrong", code="bad_credentials")
        return {"token": ctx.tokens.staff_token(user.id, user.role, user.token_epoch), "role": user.role,
                "user_id": user.id}


def staff_from_token(ctx: ServiceContext, token) -> models.StaffUser:
    claims = ctx.tokens.read_staff(token)
    with ctx.db.reading() as session:
        user = session.get(models.StaffUser, claims.user_id)
        if user is None or not user.active or user.role != claims.role or user.token_epoch != claims.epoch:
            raise Unauthorized("the staff account is no longer valid; sign in again")
        session.expunge(user)
        return user


def logout(ctx: ServiceContext, user_id: int) -> None:
    """End every token of the account: the console, the admin pages and any script signed in as it."""
    with ctx.db.unit_of_work() as session:
        user = session.get(models.StaffUser, user_id)
        if user is not None:
            user.token_epoch += 1


def may_watch(ctx: ServiceContext, user: models.StaffUser, session_id: int) -> None:
    """Admins see every session; a proctor only the sessions assigned to them."""
    if user.role == "admin":
        return
    with ctx.db.reading() as session:
        if session.get(models.SessionProctor, (session_id, user.id)) is None:
            raise Forbidden(f"session {session_id} is not assigned to {user.username}")


def still_watchable(ctx: ServiceContext, user: models.StaffUser, session_ids) -> set[int]:
    """Of the sessions a socket watches, those the staff member may still see (one query for all)."""
    session_ids = set(session_ids)
    if user.role == "admin" or not session_ids:
        return session_ids
    with ctx.db.reading() as session:
        return set(session.scalars(select(models.SessionProctor.session_id).where(
            models.SessionProctor.user_id == user.id, models.SessionProctor.session_id.in_(session_ids))))


def list_users(ctx: ServiceContext) -> list[dict]:
    with ctx.db.reading() as session:
        assignments: dict[int, list[int]] = {}
        for row in session.scalars(select(models.SessionProctor)):
            assignments.setdefault(row.user_id, []).append(row.session_id)
        return [{"user_id": u.id, "username": u.username, "role": u.role, "active": u.active,
                 "sessions": sorted(assignments.get(u.id, []))}
                for u in session.scalars(select(models.StaffUser).order_by(models.StaffUser.username))]


def set_active(ctx: ServiceContext, user_id: int, active: bool) -> None:
    """Disable or enable an account; a disabled account's tokens stop working at once."""
    with ctx.db.unit_of_work() as session:
        user = session.get(models.StaffUser, user_id)
        if user is None:
            raise BadInput(f"no staff account {user_id}")
        user.active = active
        if not active:
            user.token_epoch += 1


def set_password(ctx: ServiceContext, user_id: int, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"the password must have at least {MIN_PASSWORD} characters")
    with ctx.db.unit_of_work() as session:
        user = session.get(models.StaffUser, user_id)
        if user is None:
            raise BadInput(f"no staff account {user_id}")
        user.password_hash = run_blocking(lambda: hash_password(password, staff=True))
        user.token_epoch += 1  # a new password ends the sessions signed in with the old one


def assign(ctx: ServiceContext, user_id: int, session_id: int, assigned: bool = True) -> None:
    """Make a proctor watch a session, or stop."""
    with ctx.db.unit_of_work() as session:
        user = session.get(models.StaffUser, user_id)
        if user is None or session.get(models.ExamSession, session_id) is None:
            raise BadInput("no such staff account or session")
        row = session.get(models.SessionProctor, (session_id, user_id))
        if assigned and row is None:
            session.add(models.SessionProctor(session_id=session_id, user_id=user_id))
        elif not assigned and row is not None:
            session.delete(row)


def record_login_unlock(ctx: ServiceContext, admin: models.StaffUser, user_id: int, remote_addr: str = "") -> str:
    """Write to the audit log that an administrator lifted an account's sign-in lock; the account's name.

    The lock itself lives with the sign-in guard of the serving process, which the caller clears.
    """
    if admin.role != "admin":
        raise Forbidden("only administrators may do this")
    with ctx.db.unit_of_work() as session:
        user = session.get(models.StaffUser, user_id)
        if user is None:
            raise BadInput(f"no staff account {user_id}")
        session.add(models.AuditEntry(at=ctx.now(), user_id=admin.id, action="clear_login_lock",
                                      target=f"staff:{user.username}", detail_json="{}", remote_addr=remote_addr[:64]))
        return user.username
