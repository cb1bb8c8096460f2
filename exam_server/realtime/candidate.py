"""Namespace /candidate (CONTRACT section 3): parse, authorise, call a service, acknowledge.

Every write goes through ``ctx.write`` inside the service (the writer groups
it with others and acknowledges it after its commit); timing, metrics and the
burst rule are the writer's observer (``Runtime.observe_write``), not code here.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import request
from flask_socketio import ConnectionRefusedError, join_room

from exam_server.current import runtime as _runtime, services as _services
from exam_server.errors import ExamError
from exam_server.realtime import rooms
from exam_server.realtime.acks import GuardedNamespace, acknowledge, payload
from exam_server.realtime.fields import whole_number
from exam_server.realtime.packets import RawJSON
from exam_server.services import alerts, answering, attempts

Call = Callable[[dict, int], Any]


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

    def on_start(self, data=None):
        return self._act("start", data, lambda body, attempt_id: attempts.start(_services(), attempt_id))

    def on_state(self, data=None):
        return self._act("state", data, lambda body, attempt_id: attempts.state(_services(), attempt_id),
                         changes=False)

    def on_form(self, data=None):
        # Served as kept at the start (built in the writer), its JSON joined from pieces encoded once:
        # no database read and no encoding of the whole form on the loop.
        return self._act("form", data, lambda body, attempt_id: {
            "items": RawJSON(attempts.form_text(_services(), attempt_id))}, changes=False)

    def on_answer(self, data=None):
        return self._act("answer", data, lambda body, attempt_id: answering.answer(
            _services(), attempt_id, whole_number(body, "position"), body.get("choice"), whole_number(body, "seq")),
            written=True)

    def on_flag(self, data=None):
        return self._act("flag", data, lambda body, attempt_id: answering.flag(
            _services(), attempt_id, whole_number(body, "position"), body.get("flagged")), written=True)

    def on_report(self, data=None):
        return self._act("report", data, self._report)

    def on_submit(self, data=None):
        return self._act("submit", data, lambda body, attempt_id: answering.submit(_services(), attempt_id))

    # --- shared by the events ---

    def _act(self, event: str, data: Any, call: Call, *, changes: bool = True, written: bool = False) -> dict:
        """Parse the payload, find the connection's attempt, call, mark the candidate changed, acknowledge.

        ``written``: the call is an answer or a flag, whose committed columns the writer keeps for the feed."""

        def run():
            body = payload(data)
            attempt_id = self._attempt_id()
            result = call(body, attempt_id)
            if written:
                _runtime().candidate_written(attempt_id)
            elif changes:
                _runtime().candidate_changed(attempt_id)
            return result

        return acknowledge(event, run)

    def _attempt_id(self) -> int:
        attempt_id = _runtime().attempt_of(request.sid)
        if attempt_id is None:
            raise ExamError("this connection is not signed in", code="unauthorized")
        return attempt_id

    def _report(self, body: dict, attempt_id: int) -> dict:
        """A kiosk's report is kept and shown to the session's proctors as an alert."""
        event = attempts.report(_services(), attempt_id, body.get("type"), body.get("detail"))
        category = alerts.REPORT_CATEGORY.get(event["type"], "candidate")
        _runtime().alert(attempt_id, event["type"], event["detail"], event["at"], category=category)
        return {}
