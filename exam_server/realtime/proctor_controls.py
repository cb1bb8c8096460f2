"""What each proctor control does around its service call: checks the payload, calls, tells the sockets.

The namespace's handlers are one line each (parse, call one of these, acknowledge).
At a hub, a control on a site's session is carried out by the site
(``sites.relay.at_site``); everywhere else the service acts here and the
candidates and proctors concerned hear of it right after.
"""
from __future__ import annotations

from flask import request
from flask_socketio import join_room

from exam_server.current import runtime, services
from exam_server.extensions import socketio
from exam_server.realtime import rooms
from exam_server.realtime.fields import number, whole_number
from exam_server.services import proctoring
from exam_server.services.proctoring import Actor


def _to_candidate(event: str, data: dict, room: str) -> None:
    socketio.emit(event, data, namespace="/candidate", to=room)


def _at_site(actor: Actor, action: str, body: dict) -> dict | None:
    """At a hub, the site's answer to a control on its session (None: not a site's session)."""
    from exam_server.sites.relay import at_site

    return at_site(services(), actor, action, body)


def watch(actor: Actor, body: dict) -> dict:
    snapshot = proctoring.snapshot(services(), actor, whole_number(body, "session_id"))
    join_room(rooms.proctors(snapshot["session"]["session_id"]))
    runtime().watching(request.sid, snapshot["session"]["session_id"])
    from exam_server.sites.hub import site_state_of_session

    site = site_state_of_session(services(), snapshot["session"]["session_id"])
    if site is not None:  # at a hub: the site's link state now, so a late proctor sees an off line site at once
        snapshot["site"] = site
    return snapshot


def pause_or_resume(actor: Actor, body: dict, *, pausing: bool) -> dict:
    relayed = _at_site(actor, "pause" if pausing else "resume", body)
    if relayed is not None:
        return relayed
    for name in ("attempt_id", "session_id"):
        whole_number(body, name, required=False)
    changed = (proctoring.pause if pausing else proctoring.resume)(services(), actor, body)
    for attempt in changed:
        _to_candidate("paused" if pausing else "resumed", {"remaining_ms": attempt["remaining_ms"]},
                      rooms.attempt(attempt["attempt_id"]))
        runtime().candidate_changed(attempt["attempt_id"])
    return {"attempts": [a["attempt_id"] for a in changed]}


def extend(actor: Actor, body: dict) -> dict:
    relayed = _at_site(actor, "extend", body)
    if relayed is not None:
        return relayed
    extended = proctoring.extend(services(), actor, whole_number(body, "attempt_id"), number(body, "minutes"),
                                 body.get("reason"))
    runtime().send_time_to(extended["attempt_id"])
    runtime().candidate_changed(extended["attempt_id"])
    return {"remaining_ms": extended["remaining_ms"]}


def end_attempt(actor: Actor, body: dict) -> dict:
    relayed = _at_site(actor, "end_attempt", body)
    if relayed is not None:
        return relayed
    ended = proctoring.end_attempt(services(), actor, whole_number(body, "attempt_id"), body.get("reason"))
    notice = {"status": "ended_by_proctor"}
    if ended["shown_to_candidate"]:
        notice["result"] = ended["result"]
    _to_candidate("ended", notice, rooms.attempt(ended["attempt_id"]))
    runtime().candidate_changed(ended["attempt_id"])
    return {"result": ended["result"]}


def reset_login(actor: Actor, body: dict) -> dict:
    relayed = _at_site(actor, "reset_login", body)
    if relayed is not None:
        return relayed
    reset = proctoring.reset_login(services(), actor, whole_number(body, "attempt_id"), body.get("reason"))
    runtime().login_guard.clear(reset["login_key"])
    if reset["disconnect_sid"]:
        socketio.server.disconnect(reset["disconnect_sid"], namespace="/candidate")
    runtime().candidate_changed(reset["attempt_id"])
    return {}


def announce(actor: Actor, body: dict) -> dict:
    relayed = _at_site(actor, "announce", body)
    if relayed is not None:
        return relayed
    announced = proctoring.announce(services(), actor, whole_number(body, "session_id"), body.get("text"),
                                    body.get("reason"))
    _to_candidate("announcement", {"text": announced["text"]}, rooms.session(announced["session_id"]))
    return {}


def set_logins(actor: Actor, body: dict, open_: bool) -> dict:
    done = proctoring.set_logins(services(), actor, whole_number(body, "session_id"), open_, body.get("reason"))
    return {"logins_open": done["logins_open"]}
