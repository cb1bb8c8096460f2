"""Namespace /candidate (CONTRACT section 3): parse, authorise, call a service, acknowledge."""
from __future__ import annotations

import time

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, join_room

from exam_server.errors import ExamError
from exam_server.realtime import rooms
from exam_server.realtime.acks import GuardedNamespace, acknowledge, payload
from exam_server.realtime.fields import whole_number
from exam_server.services import alerts, answering, attempts


def _services():
    return current_app.extensions["exam_services"]


def _runtime():
    return current_app.extensions["exam_runtime"]


class CandidateNamespace(GuardedNamespace):
    # A person clicks a few times a second at most; a kiosk resending its queue after a
    # reconnect sends a burst. Anything beyond is a script.
    events_per_second, event_burst = 10, 60

    def on_connect(self, auth=None):
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            connection = attempts.connect(_services(), token, request.sid, _services().settings.node_name)
        except ExamError as exc:
            raise ConnectionRefusedError(exc.message, exc.as_dict()) from None
        _runtime().remember(request.sid, connection.attempt_id, connection.session_id)
        # The budget is the attempt's, not the socket's: reconnecting must not refill it.
        self.share_budget(request.sid, ("attempt", connection.attempt_id))
        join_room(rooms.attempt(connection.attempt_id))
        join_room(rooms.session(connection.session_id))
        if connection.replaced_sid:
            # The same login came back before its old socket timed out: the newest one wins.
            self.disconnect(connection.replaced_sid)
        _runtime().candidate_changed(connection.attempt_id)

    def on_disconnect(self, reason=None):
        attempt_id = _runtime().forget(request.sid)
        if attempt_id is not None and attempts.disconnect(_services(), attempt_id, request.sid):
            _runtime().candidate_changed(attempt_id)

    def _attempt_id(self) -> int:
        attempt_id = _runtime().attempt_of(request.sid)
        if attempt_id is None:
            raise ExamError("this connection is not signed in", code="unauthorized")
        return attempt_id

    def _changed(self, result):
        _runtime().candidate_changed(self._attempt_id())
        return result

    def on_start(self, data=None):
        def call():
            payload(data)
            return self._changed(attempts.start(_services(), self._attempt_id()))

        return acknowledge("start", call)

    def on_state(self, data=None):
        return acknowledge("state", lambda: (payload(data), attempts.state(_services(), self._attempt_id()))[1])

    def on_form(self, data=None):
        def call():
            payload(data)
            return attempts.form(_services(), self._attempt_id(), _runtime().asset_inliner(self._attempt_id()))

        return acknowledge("form", call)

    def on_answer(self, data=None):
        def call():
            body = payload(data)
            attempt_id, services, runtime = self._attempt_id(), _services(), _runtime()  # the write runs outside this app context
            started = time.perf_counter()
            try:
                position, seq = whole_number(body, "position"), whole_number(body, "seq")
                ack = runtime.writer.perform(lambda session: answering.record_answer(
                    services, session, attempt_id, position, body.get("choice"), seq), touches=(attempt_id, position))
            except ExamError as refusal:
                runtime.metrics.refused.labels(refusal.code).inc()
                raise
            runtime.metrics.ack_seconds.observe(time.perf_counter() - started)
            runtime.metrics.answers.inc()
            runtime.note_answer(attempt_id)
            return self._changed(ack)

        return acknowledge("answer", call)

    def on_flag(self, data=None):
        def call():
            body = payload(data)
            position = whole_number(body, "position")
            attempt_id, services = self._attempt_id(), _services()
            return self._changed(_runtime().writer.perform(lambda session: answering.record_flag(
                services, session, attempt_id, position, body.get("flagged")), touches=(attempt_id, position)))

        return acknowledge("flag", call)

    def on_report(self, data=None):
        def call():
            body = payload(data)
            attempt_id = self._attempt_id()
            event = attempts.report(_services(), attempt_id, body.get("type"), body.get("detail"))
            category = alerts.REPORT_CATEGORY.get(event["type"], "candidate")
            _runtime().alert(attempt_id, event["type"], event["detail"], event["at"], category=category)
            self._changed(None)
            return {}

        return acknowledge("report", call)

    def on_submit(self, data=None):
        def call():
            payload(data)
            attempt_id, services = self._attempt_id(), _services()
            # Through the writer too, so it comes after every answer sent before it.
            return self._changed(_runtime().writer.perform(
                lambda session: answering.record_submit(services, session, attempt_id), touches=(attempt_id, None)))

        return acknowledge("submit", call)
