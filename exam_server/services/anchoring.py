"""Signing the heads of attempt event chains: at the end of each attempt, and at checkpoints.

Answers never sign anything. A background loop signs, at most once per
``anchor_seconds`` per attempt, the head of every chain that has grown since
its last anchor; the end of an attempt signs in the transaction that ends it.

Before signing, the events since the latest anchor are checked to lead on
from it, and no anchor this process signed may have gone: the server never
puts its key to a chain someone rewrote in the database meanwhile. It raises
the attempt to its proctors instead, and the audit reports the missing anchor.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import undefer

from exam_server.errors import ConfigError
from exam_server.security import keys as key_store
from exam_server.security.anchors import AnchorClaim, anchor_problem, form_digest, sign_anchor
from exam_server.services import alerts
from exam_server.services.context import ServiceContext
from exam_server.services.events import GENESIS, verify_segment
from exam_server.store import models

log = logging.getLogger("exam_server.anchoring")

BATCH = 50  # attempts per transaction: their rows stay locked only as long as 50 checks and signatures take
ALERT = "audit_chain_rewritten"
_SIGNED = "exam_server.signed_heads"  # session.info: heads signed in this transaction, remembered once committed
_RAISED = "exam_server.anchor_alerts"  # session.info: alerts to show the proctors once committed


@dataclass(frozen=True)
class AnchorKeys:
    current: key_store.SigningKey
    public: dict


def anchor_keys(ctx: ServiceContext) -> AnchorKeys | None:
    """The anchor keys, read once per process; None (and an error in the log) when they are missing."""
    if ctx.anchor_keys is False:
        try:
            current = key_store.current_anchor_key(ctx.settings)
            public = {kid: key.public for kid, key in key_store.anchor_keys(ctx.settings).items()}
            ctx.anchor_keys = AnchorKeys(current, public)
        except (ConfigError, ValueError, OSError) as exc:  # never refuse a submit for it: the audit reports the gap
            log.error("attempts are not anchored: %s", exc)
            ctx.anchor_keys = None
    return ctx.anchor_keys


def claim_of(row: models.AttemptAnchor) -> AnchorClaim:
    return AnchorClaim(attempt_id=row.attempt_id, number=row.number, head=row.head_hash,
                       points=tuple(json.loads(row.points_json)), form_sha256=row.form_sha256,
                       reason=row.reason, at=row.at)


def sign_head(ctx: ServiceContext, session, attempt: models.Attempt, reason: str) -> bool:
    """Sign the attempt's chain head and running score as they stand in this transaction.

    Refused (False) when the chain no longer leads on from what was signed before.
    """
    return bool(sign_heads(ctx, session, [attempt], reason))


def sign_heads(ctx: ServiceContext, session, attempts: list[models.Attempt], reason: str) -> int:
    """``sign_head`` for many attempts: their latest anchors and newer events read in three queries, not
    two per attempt, and the anchors written in one statement. Returns how many were signed."""
    keys = anchor_keys(ctx)
    if keys is None or not attempts:
        return 0
    now = ctx.now()
    latest = _latest_anchors(session, [a.id for a in attempts])
    events = _events_after(session, {a.id: latest[a.id].number if a.id in latest else 0 for a in attempts})
    rows = []
    for attempt in attempts:
        problem = _unsignable(ctx, attempt, latest.get(attempt.id), events.get(attempt.id, []), keys)
        if problem:
            _refuse(session, attempt, problem, now)
            continue
        claim = AnchorClaim(attempt_id=attempt.id, number=attempt.event_count, head=attempt.last_event_hash,
                            points=tuple(json.loads(attempt.section_points_json)),
                            form_sha256=form_digest(attempt.form_json), reason=reason, at=now)
        signature, key_id = sign_anchor(claim, keys.current.private)
        rows.append({"attempt_id": claim.attempt_id, "number": claim.number, "head_hash": claim.head,
                     "points_json": json.dumps(list(claim.points)), "form_sha256": claim.form_sha256,
                     "reason": reason, "at": now, "key_id": key_id, "signature": signature})
        attempt.anchored_count, attempt.anchored_at = attempt.event_count, now
        session.info.setdefault(_SIGNED, []).append((ctx.anchor_heads, attempt.id, claim.number, claim.head))
    if rows:
        session.connection().execute(models.AttemptAnchor.__table__.insert(), rows)
    return len(rows)


def _latest_anchors(session, attempt_ids: list[int]) -> dict[int, models.AttemptAnchor]:
    """Each attempt's newest anchor (highest event number, then latest written)."""
    newest = (select(models.AttemptAnchor.attempt_id, func.max(models.AttemptAnchor.number).label("number"))
              .where(models.AttemptAnchor.attempt_id.in_(attempt_ids))
              .group_by(models.AttemptAnchor.attempt_id).subquery())
    rows = session.scalars(select(models.AttemptAnchor).join(newest, and_(
        models.AttemptAnchor.attempt_id == newest.c.attempt_id, models.AttemptAnchor.number == newest.c.number))
        .order_by(models.AttemptAnchor.id)).all()
    return {row.attempt_id: row for row in rows}  # the latest written wins a tie


def _events_after(session, after: dict[int, int]) -> dict[int, list]:
    """The events of each attempt after the given number, in order, as plain rows."""
    table = models.AttemptEvent.__table__
    found: dict[int, list] = {}
    query = select(table.c.attempt_id, table.c.number, table.c.at, table.c.kind, table.c.data_json,
                   table.c.prev_hash, table.c.hash).where(
        or_(*(and_(table.c.attempt_id == attempt_id, table.c.number > number) for attempt_id, number in after.items()))
    ).order_by(table.c.attempt_id, table.c.number)
    for row in session.execute(query):
        found.setdefault(row.attempt_id, []).append(row)
    return found


def _unsignable(ctx: ServiceContext, attempt: models.Attempt, latest: models.AttemptAnchor | None, events: list,
                keys: AnchorKeys) -> str | None:
    """Why the chain as stored must not be signed, or None."""
    remembered = ctx.anchor_heads.get(attempt.id)
    if remembered is not None and (latest is None or latest.number < remembered[0]):
        return f"the anchor signed at event {remembered[0]} was removed from the database"
    after, prev = 0, GENESIS
    if latest is not None:
        try:
            problem = anchor_problem(claim_of(latest), latest.signature, latest.key_id, keys.public)
        except (TypeError, ValueError):
            problem = "it cannot be read"
        if problem:
            return f"the latest anchor (event {latest.number}): {problem}"
        after, prev = latest.number, latest.head_hash
    return verify_segment(events, after, prev, attempt.event_count, attempt.last_event_hash)


def _refuse(session, attempt: models.Attempt, problem: str, now: int) -> None:
    log.error("attempt %d is not anchored: %s", attempt.id, problem)
    attempt.anchored_at = now  # looked at again a checkpoint later, not at every tick
    raised = session.scalar(select(func.count()).select_from(models.Alert).where(
        models.Alert.attempt_id == attempt.id, models.Alert.type == ALERT))
    if not raised:
        detail = f"Log peserta diubah di basis data / the attempt's log was changed in the database: {problem}"
        alert = alerts.record(session, session_id=attempt.session_id, attempt_id=attempt.id, kind=ALERT,
                              category="technical", detail=detail, at=now)
        session.info.setdefault(_RAISED, []).append(alert)


def remember_signed(session) -> None:
    """``after_commit`` listener: heads signed in the committed transaction are this process's newest."""
    for heads, attempt_id, number, head in session.info.pop(_SIGNED, ()):
        if number > heads.get(attempt_id, (0, ""))[0]:
            heads[attempt_id] = (number, head)


def forget_unsigned(session) -> None:
    """``after_rollback`` listener: heads signed in a transaction that rolled back were never signed."""
    session.info.pop(_SIGNED, None)


def _due(ctx: ServiceContext, now: int):
    interval = ctx.settings.anchor_seconds * 1000
    return (models.Attempt.event_count > models.Attempt.anchored_count) & or_(
        models.Attempt.anchored_at.is_(None), models.Attempt.anchored_at <= now - interval)


def checkpoint_due(ctx: ServiceContext, on_alert=lambda alert: None) -> int:
    """Sign every chain that grew since its last anchor, that anchor being old enough; returns how many.

    ``on_alert`` receives each attempt found rewritten, after the commit that records it.
    """
    if anchor_keys(ctx) is None:
        return 0
    now = ctx.now()
    with ctx.db.reading() as session:
        ids = session.scalars(select(models.Attempt.id).where(_due(ctx, now)).order_by(models.Attempt.id)).all()
    signed = 0
    for start in range(0, len(ids), BATCH):
        # Through the writer: on SQLite it runs in the writer's thread, off the event loop, between groups
        # of answers rather than competing with them for the database.
        done, raised = ctx.write(lambda session: _checkpoint_batch(ctx, session, ids[start:start + BATCH], now),
                                 label="anchor")
        signed += done
        for alert in raised:
            on_alert(alert)
    return signed


def _checkpoint_batch(ctx: ServiceContext, session, ids: list[int], now: int) -> tuple[int, list]:
    # Checked again: another node may have signed. Rows a writer holds are skipped, signed next tick:
    # the loop never waits for a lock, so it can never close a deadlock with a writer's group.
    query = (select(models.Attempt).where(models.Attempt.id.in_(ids), _due(ctx, now))
             .order_by(models.Attempt.id).options(undefer(models.Attempt.form_json))
             .with_for_update(skip_locked=True))
    signed = sign_heads(ctx, session, list(session.scalars(query)), "checkpoint")
    return signed, session.info.pop(_RAISED, [])
