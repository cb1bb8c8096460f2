"""Namespace /proctor (CONTRACT section 3): watch a session live and steer it."""
from __future__ import annotations

from flask import request
from flask_socketio import ConnectionRefusedError

from exam_server.current import runtime as _runtime, services as _services
from exam_server.errors import ExamError
from exam_server.realtime import proctor_controls as controls
from exam_server.realtime.acks import GuardedNamespace, acknowledge, payload
from exam_server.services import proctoring, users


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
        return acknowledge("watch", lambda: controls.watch(self._actor(), payload(data)))

    def on_pause(self, data=None):
        return acknowledge("pause", lambda: controls.pause_or_resume(self._actor(), payload(data), pausing=True))

    def on_resume(self, data=None):
        return acknowledge("resume", lambda: controls.pause_or_resume(self._actor(), payload(data), pausing=False))

    def on_extend(self, data=None):
        return acknowledge("extend", lambda: controls.extend(self._actor(), payload(data)))

    def on_end_attempt(self, data=None):
        return acknowledge("end_attempt", lambda: controls.end_attempt(self._actor(), payload(data)))

    def on_reset_login(self, data=None):
        return acknowledge("reset_login", lambda: controls.reset_login(self._actor(), payload(data)))

    def on_announce(self, data=None):
        return acknowledge("announce", lambda: controls.announce(self._actor(), payload(data)))

    def on_close_logins(self, data=None):
        return acknowledge("close_logins", lambda: controls.set_logins(self._actor(), payload(data), False))

    def on_open_logins(self, data=None):
        return acknowledge("open_logins", lambda: controls.set_logins(self._actor(), payload(data), True))
