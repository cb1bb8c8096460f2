"""Turning a service call into a Socket.IO acknowledgement: the one place that does."""
from __future__ import annotations

import logging
from typing import Any, Callable

from flask_socketio import Namespace

from exam_server.errors import ExamError

log = logging.getLogger("exam_server.realtime")


def ok(result: dict | None = None) -> dict:
    return {"ok": True, **(result or {})}


def refused(code: str, message: str) -> dict:
    return {"ok": False, "error": {"code": code, "message": message}}


def payload(data: Any) -> dict:
    """Events take a JSON object; anything else is a bad request."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ExamError("the payload must be a JSON object", code="bad_request")
    return data


def acknowledge(event: str, call: Callable[[], dict | None]) -> dict:
    try:
        return ok(call())
    except ExamError as exc:
        return refused(exc.code, exc.message)
    except Exception:  # never let a handler die silently: the client gets an answer, the log the trace
        log.exception("event %s failed", event)
        return refused("internal_error", f"the server failed to handle {event}; it was logged")


class EventBudget:
    """A token bucket per connection: a burst is fine, a flood gets ``rate_limited``."""

    def __init__(self, per_second: float, burst: int, now=None):
        import time

        self.per_second, self.burst = per_second, burst
        self._now = now or time.monotonic
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, sid: str) -> bool:
        now = self._now()
        tokens, last = self._buckets.get(sid, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.per_second)
        if tokens < 1:
            self._buckets[sid] = (tokens, now)
            return False
        self._buckets[sid] = (tokens - 1, now)
        return True

    def forget(self, sid: str) -> None:
        self._buckets.pop(sid, None)


class GuardedNamespace(Namespace):
    """A namespace whose every event first passes the connection's budget."""

    events_per_second: float = 10
    event_burst: int = 60

    def __init__(self, namespace: str, *, budget_scale: float = 1.0):
        super().__init__(namespace)
        self.budget = EventBudget(self.events_per_second * budget_scale, int(self.event_burst * budget_scale))

    def trigger_event(self, event, *args):
        sid = args[0] if args else None  # python-socketio passes the connection's id first
        if event == "disconnect":
            self.budget.forget(sid)
        elif event != "connect":
            if not self.budget.allow(sid):
                return refused("rate_limited", f"too many events on this connection; slow down ({event} was not handled)")
            if not hasattr(self, f"on_{event}"):
                return refused("bad_request", f"unknown event {str(event)[:40]!r}")
        return super().trigger_event(event, *args)
