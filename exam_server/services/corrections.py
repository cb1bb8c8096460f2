"""Correcting an item of a session after the sitting, and rescoring every attempt that drew it.

A correction is one unit of work: every attempt that drew the item is
rescored from its stored answers by ``domain.scoring`` with the corrected
key; each result that changes is frozen again, and a signed one is kept as
a superseded revision and signed anew (``services.revisions``). A preview
runs the same code and rolls back, so what it shows is what saving does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import undefer

from exam_server.domain import correction as fix
from exam_server.domain.assembly import form_from_json
from exam_server.domain.attempt_status import RUNNING
from exam_server.domain.blueprint import WEIGHTED
from exam_server.errors import BadInput, Conflict, NotFound
from exam_server.security import keys as key_store
from exam_server.services.context import ServiceContext
from exam_server.services.corrected_keys import forget_states, item_states, open_state, seal_state
from exam_server.services.exams import load_blueprint
from exam_server.store import models

MAX_REASON = 1000


@dataclass(frozen=True)
class Change:
    """What the admin asks for: exactly one of a key letter, weights ("A=5,B=4") or an annulment."""

    key: str | None = None
    weights: str | None = None
    annul: str | None = None

    @property
    def action(self) -> str:
        given = [name for name, value in ((fix.KEY, self.key), (fix.WEIGHTS, self.weights), (fix.ANNUL, self.annul))
                 if value]
        if len(given) != 1:
            raise BadInput("give exactly one of --key, --weight or --annul")
        return given[0]


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None  # None: the command line, run by whoever holds the data folder
    remote_addr: str = ""


# ---------------------------------------------------------------- correcting


def correct(ctx: ServiceContext, session_id: int, item_id: int, change: Change, reason: str, *,
            actor: Actor = Actor(), dry_run: bool = False) -> dict:
    """Preview (``dry_run``) or make a correction; answers what changes for whom."""
    action, reason = change.action, _reason(reason)
    signer = None if dry_run else key_store.current_signing_key(ctx.settings)
    work = ctx.db.reading() if dry_run else ctx.db.unit_of_work()
    with work as session:
        if not dry_run:  # one correction of a session at a time: each builds on the one before
            session.execute(select(models.ExamSession.id).where(models.ExamSession.id == session_id).with_for_update())
        exam_session, drew = _attempts_with_item(session, session_id, item_id)
        before = _state_in_force(ctx, session, session_id, item_id)
        after = _changed(before, change, _unit(load_blueprint(exam_session.exam), drew, item_id))
        row = models.ItemCorrection(session_id=session_id, item_id=item_id, at=ctx.now(), user_id=actor.user_id,
                                    action=action, reason=reason)
        seal_state(ctx, row, after)
        session.add(row)
        session.flush()
        forget_states(session)
        changes = _rescore(ctx, session, drew, signer, row.id)
        preview = fix.summary([c for c, _ in changes], len(drew))
        answer = {"session_id": session_id, "item_id": item_id, "action": action, "reason": reason,
                  "before": fix.describe(before), "after": fix.describe(after), "dry_run": dry_run, **preview,
                  "revisions": [] if dry_run else
                  [{"participant_number": c.participant_number, "result_id": rid} for c, rid in changes]}
        if not dry_run:
            row.changes_json = json.dumps(preview["changed"], ensure_ascii=False)
            _audit(ctx, session, actor, answer)
        return answer


def _reason(reason) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise BadInput("--reason: say why the item is corrected (it goes into the minutes)")
    if len(reason) > MAX_REASON:
        raise BadInput(f"--reason: at most {MAX_REASON} characters")
    return reason.strip()


def _attempts_with_item(session, session_id: int, item_id: int):
    from exam_server.services.sessions import find_session

    exam_session = find_session(session, session_id)
    attempts = session.scalars(select(models.Attempt).options(undefer(models.Attempt.form_json))
                               .where(models.Attempt.session_id == session_id).order_by(models.Attempt.id)).all()
    running = [a.candidate.participant_number for a in attempts if a.status in RUNNING]
    if running:
        raise Conflict(f"{len(running)} attempts are still running ({', '.join(running[:5])}); "
                       "correct items once every attempt has ended")
    drew = [(a, e) for a in attempts for e in form_from_json(json.loads(a.form_json)) if e.item_id == item_id]
    if not drew:
        raise NotFound(f"no attempt of session {session_id} drew item {item_id}")
    return exam_session, drew


def _state_in_force(ctx, session, session_id: int, item_id: int) -> fix.ItemState:
    from exam_server.services.banks import read_items

    state = item_states(ctx, session, session_id).get(item_id)
    if state is None:
        item = read_items(ctx, session, [item_id])[item_id]
        state = fix.ItemState(tuple(o.weight for o in item.options))
    return state


def _unit(blueprint, drew, item_id: int) -> Decimal:
    """What a weight of 1 earns, for weights given in points (``--weight A=5``)."""
    section = blueprint.sections[drew[0][1].section]
    return section.points if section.scoring == WEIGHTED and section.points else Decimal(1)


def _changed(state: fix.ItemState, change: Change, unit: Decimal) -> fix.ItemState:
    try:
        if change.key:
            return fix.with_key(state, change.key)
        if change.weights:
            return fix.with_weights(state, fix.parse_weights(change.weights, len(state.weights), unit))
        return fix.annulled(state, change.annul)
    except ValueError as exc:
        raise BadInput(str(exc)) from None


def _rescore(ctx, session, drew, signer, correction_id: int) -> list[tuple[fix.ResultChange, str]]:
    """Every sat attempt that drew the item, scored again; the results that change, with their new ids.

    The attempt itself (responses, running points, events) stays the record of
    the sitting as it happened; only its result document changes.
    """
    from exam_server.services.results import compute_document
    from exam_server.services.revisions import replace_signed

    changed = []
    for attempt, _entry in drew:
        result = session.scalar(select(models.Result).where(models.Result.attempt_id == attempt.id))
        if attempt.started_at is None or result.document_json == "{}":
            continue  # never sat, or not ended: nothing frozen to change
        old = json.loads(result.document_json)
        new = compute_document(ctx, session, attempt, result.id)
        difference = fix.compare(old, new)
        if difference is None:
            continue
        if result.signature and signer is not None:
            replace_signed(session, result, new, signer, ctx.now(), correction_id)
        elif result.signature is None:
            result.document_json = json.dumps(new, ensure_ascii=False)
        changed.append((difference, result.id))
    return changed


def _audit(ctx, session, actor: Actor, answer: dict) -> None:
    # Not the weights: the audit log is kept in the clear, and an item's key is bank content.
    detail = {key: answer[key] for key in ("item_id", "action", "reason")}
    detail["changed"] = [{"participant_number": c["participant_number"], "total_before": c["total_before"],
                          "total_after": c["total_after"], "passed_before": c["passed_before"],
                          "passed_after": c["passed_after"]} for c in answer["changed"]]
    detail["revisions"] = answer["revisions"]
    session.add(models.AuditEntry(at=ctx.now(), user_id=actor.user_id, action="correct_item",
                                  target=f"session:{answer['session_id']}",
                                  detail_json=json.dumps(detail, ensure_ascii=False),
                                  remote_addr=actor.remote_addr[:64]))


def session_corrections(ctx: ServiceContext, session_id: int) -> list[dict]:
    """Every correction of a session, oldest first, for its page and its minutes."""
    with ctx.db.reading() as session:
        staff = dict(session.execute(select(models.StaffUser.id, models.StaffUser.username)).all())
        rows = session.scalars(select(models.ItemCorrection).where(models.ItemCorrection.session_id == session_id)
                               .order_by(models.ItemCorrection.id)).all()
        return [{"id": r.id, "item_id": r.item_id, "at": r.at, "by": staff.get(r.user_id, "cli"), "action": r.action,
                 "state": fix.describe(open_state(ctx, r)), "reason": r.reason,
                 "changed": json.loads(r.changes_json)} for r in rows]
