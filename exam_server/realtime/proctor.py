"""Namespace /proctor (CONTRACT section 3): watch a session live and steer it."""
from __future__ import annotations

from flask import request
from flask_socketio import ConnectionRefusedError, join_room

from exam_server.current import runtime as _runtime, services as _services
from exam_server.errors import ExamError
from exam_server.extensions import socketio
from exam_server.realtime import rooms
from exam_server.realtime.acks import GuardedNamespace, acknowledge, payload
from exam_server.realtime.fields import number, whole_number
from exam_server.services import proctoring, users




def _to_candidate(event: str, data: dict, room: str) -> None:
    socketio.emit(event, data, namespace="/candidate", to=room)


class ProctorNamespace(GuardedNamespace):
    events_per_second, event_burst = 5, 30

    def on_connect(self, auth=None):
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            users.staff_from_token(_services(), token)
        except ExamError as exc:
            raise ConnectionRefusedError(exc.message, exc.as_dict()) from None
        _runtime().remember_staff(request.sid, token)

    def on_disconnect(self, reason=None):
        _runtime().forget_staff(request.sid)

    def _actor(self) -> proctoring.Actor:
        # Checked again at every event: a disabled account stops at once.
        user = users.staff_from_token(_services(), _runtime().staff_token(request.sid))
        return proctoring.Actor(user, request.remote_addr or "")

    def on_watch(self, data=None):
        def call():
            body = payload(data)
            snapshot = proctoring.snapshot(_services(), self._actor(), whole_number(body, "session_id"))
            join_room(rooms.proctors(snapshot["session"]["session_id"]))
            _runtime().watching(request.sid, snapshot["session"]["session_id"])
            return snapshot

        return acknowledge("watch", call)

    def _at_site(self, action: str, body: dict):
        """At a hub, a control on a site's session is carried out by the site (None: not a site's session)."""
        from exam_server.sites.relay import at_site

        return at_site(_services(), self._actor(), action, body)

    def on_pause(self, data=None):
        return acknowledge("pause", lambda: self._pause_or_resume(payload(data), pausing=True))

    def on_resume(self, data=None):
        return acknowledge("resume", lambda: self._pause_or_resume(payload(data), pausing=False))

    def _pause_or_resume(self, body: dict, *, pausing: bool) -> dict:
        relayed = self._at_site("pause" if pausing else "resume", body)
        if relayed is not None:
            return relayed
        action = proctoring.pause if pausing else proctoring.resume
        for name in ("attempt_id", "session_id"):
            whole_number(body, name, required=False)
        changed = action(_services(), self._actor(), body)
        for attempt in changed:
            _to_candidate("paused" if pausing else "resumed", {"remaining_ms": attempt["remaining_ms"]},
                          rooms.attempt(attempt["attempt_id"]))
            _runtime().candidate_changed(attempt["attempt_id"])
        return {"attempts": [a["attempt_id"] for a in changed]}

    def on_extend(self, data=None):
        def call():
            body = payload(data)
            relayed = self._at_site("extend", body)
            if relayed is not None:
                return relayed
            extended = proctoring.extend(_services(), self._actor(), whole_number(body, "attempt_id"),
                                         number(body, "minutes"), body.get("reason"))
            _runtime().send_time_to(extended["attempt_id"])
            _runtime().candidate_changed(extended["attempt_id"])
            return {"remaining_ms": extended["remaining_ms"]}

        return acknowledge("extend", call)

    def on_end_attempt(self, data=None):
        def call():
            body = payload(data)
            relayed = self._at_site("end_attempt", body)
            if relayed is not None:
                return relayed
            ended = proctoring.end_attempt(_services(), self._actor(), whole_number(body, "attempt_id"),
                                           body.get("reason"))
            notice = {"status": "ended_by_proctor"}
            if ended["shown_to_candidate"]:
                notice["result"] = ended["result"]
            _to_candidate("ended", notice, rooms.attempt(ended["attempt_id"]))
            _runtime().candidate_changed(ended["attempt_id"])
            return {"result": ended["result"]}

        return acknowledge("end_attempt", call)

    def on_reset_login(self, data=None):
        def call():
            body = payload(data)
            relayed = self._at_site("reset_login", body)
            if relayed is not None:
                return relayed
            reset = proctoring.reset_login(_services(), self._actor(), whole_number(body, "attempt_id"),
                                           body.get("reason"))
            _runtime().login_guard.clear(reset["login_key"])
            if reset["disconnect_sid"]:
                socketio.server.disconnect(reset["disconnect_sid"], namespace="/candidate")
            _runtime().candidate_changed(reset["attempt_id"])
            return {}

        return acknowledge("reset_login", call)

    def on_announce(self, data=None):
        def call():
            body = payload(data)
            relayed = self._at_site("announce", body)
            if relayed is not None:
                return relayed
            announced = proctoring.announce(_services(), self._actor(), whole_number(body, "session_id"),
                                            body.get("text"), body.get("reason"))
            _to_candidate("announcement", {"text": announced["text"]}, rooms.session(announced["session_id"]))
            return {}

        return acknowledge("announce", call)

    def on_close_logins(self, data=None):
        return acknowledge("close_logins", lambda: self._set_logins(payload(data), False))

    def on_open_logins(self, data=None):
        return acknowledge("open_logins", lambda: self._set_logins(payload(data), True))

    def _set_logins(self, body: dict, open_: bool) -> dict:
        done = proctoring.set_logins(_services(), self._actor(), whole_number(body, "session_id"), open_,
                                     body.get("reason"))
        return {"logins_open": done["logins_open"]}
