"""Proctors' controls from the hub, carried out at the site as a local proctor's would be.

A command past its expiry (site clock) is refused: the hub has answered
``site_offline`` by then, and the action must never happen later.
"""
from __future__ import annotations

import json
import logging

from sqlalchemy import select

from exam_server.errors import BadInput, ExamError
from exam_server.extensions import socketio
from exam_server.realtime import rooms
from exam_server.services import proctoring
from exam_server.store import models

log = logging.getLogger("exam_server.sites")

ACTIONS = ("pause", "resume", "extend", "end_attempt", "reset_login", "announce")


def _actor(name) -> proctoring.Actor:
    # The hub authorised the staff member; here the control acts with an admin's reach under their name.
    label = f"hub:{name}" if isinstance(name, str) else "hub"
    return proctoring.Actor(models.StaffUser(id=None, username=label[:64], role="admin", active=True), "hub")


def first_delivery(ctx, command: dict) -> bool:
    """Record that a command arrived; False when it had arrived before (the hub sends it until it hears back).

    Recorded before the command is carried out, in its own commit: a crash in
    between leaves it not done (the hub answers site_offline), never done twice.
    """
    command_id = command.get("id") if isinstance(command, dict) else None
    if not isinstance(command_id, int) or isinstance(command_id, bool):
        return True  # refused by carry_out with a reason
    target = f"command:{command_id}"
    with ctx.db.unit_of_work() as session:
        seen = session.scalar(select(models.AuditEntry.id).where(
            models.AuditEntry.action == "site_command_received", models.AuditEntry.target == target).limit(1))
        if seen is not None:
            return False
        session.add(models.AuditEntry(at=ctx.now(), action="site_command_received", target=target,
                                      detail_json=json.dumps({"action": str(command.get("action"))[:32]})))
    return True


def carry_out(runtime, command: dict) -> dict:
    """Do one command; return its outcome for the hub: ``{id, ok, ...}`` or ``{id, ok: false, error}``."""
    command_id = command.get("id")
    try:
        if not isinstance(command_id, int):
            raise BadInput("a command needs an id")
        expires_at = command.get("expires_at")
        if not isinstance(expires_at, int) or runtime.services.now() >= expires_at:
            raise ExamError("the command expired before it could be carried out", code="expired")
        action, body = command.get("action"), command.get("body")
        if action not in ACTIONS or not isinstance(body, dict):
            raise BadInput("unknown command")
        data = _run(runtime, action, body, _actor(command.get("actor")))
        return {"id": command_id, "ok": True, **data}
    except ExamError as exc:
        return {"id": command_id, "ok": False, "error": exc.as_dict()}
    except Exception as exc:  # reported to the hub's proctor as a failure, never silently dropped
        log.exception("command failed")
        return {"id": command_id, "ok": False, "error": {"code": "internal_error", "message": type(exc).__name__}}


def _to_candidate(event: str, data: dict, room: str) -> None:
    socketio.emit(event, data, namespace="/candidate", to=room)


def _run(runtime, action: str, body: dict, actor) -> dict:
    ctx = runtime.services
    if action in ("pause", "resume"):
        pausing = action == "pause"
        changed = (proctoring.pause if pausing else proctoring.resume)(ctx, actor, body)
        for attempt in changed:
            _to_candidate("paused" if pausing else "resumed", {"remaining_ms": attempt["remaining_ms"]},
                          rooms.attempt(attempt["attempt_id"]))
            runtime.candidate_changed(attempt["attempt_id"])
        return {"attempts": [a["attempt_id"] for a in changed]}
    if action == "extend":
        extended = proctoring.extend(ctx, actor, body.get("attempt_id"), body.get("minutes"), body.get("reason"))
        runtime.send_time_to(extended["attempt_id"])
        runtime.candidate_changed(extended["attempt_id"])
        return {"remaining_ms": extended["remaining_ms"]}
    if action == "end_attempt":
        ended = proctoring.end_attempt(ctx, actor, body.get("attempt_id"), body.get("reason"))
        notice = {"status": "ended_by_proctor"}
        if ended["shown_to_candidate"]:
            notice["result"] = ended["result"]
        _to_candidate("ended", notice, rooms.attempt(ended["attempt_id"]))
        runtime.candidate_changed(ended["attempt_id"])
        return {"result": ended["result"]}
    if action == "reset_login":
        reset = proctoring.reset_login(ctx, actor, body.get("attempt_id"), body.get("reason"))
        runtime.login_guard.clear(reset["login_key"])
        if reset["disconnect_sid"]:
            socketio.server.disconnect(reset["disconnect_sid"], namespace="/candidate")
        runtime.candidate_changed(reset["attempt_id"])
        return {}
    announced = proctoring.announce(ctx, actor, body.get("session_id"), body.get("text"), body.get("reason"))
    _to_candidate("announcement", {"text": announced["text"]}, rooms.session(announced["session_id"]))
    return {}
