"""Turning a service call into a Socket.IO acknowledgement: the one place that does."""
from __future__ import annotations

import logging
from typing import Any, Callable, Hashable

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
    """A token bucket per key (a connection, or an attempt): a burst is fine, a flood gets ``rate_limited``."""

    def __init__(self, per_second: float, burst: int, now=None):
        import time

        self.per_second, self.burst = per_second, burst
        self._now = now or time.monotonic
        self._buckets: dict[Hashable, tuple[float, float]] = {}

    def allow(self, key: Hashable) -> bool:
        now = self._now()
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.per_second)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1, now)
        return True

    def forget(self, key: Hashable) -> None:
        self._buckets.pop(key, None)


class GuardedNamespace(Namespace):
    """A namespace whose every event first passes a budget: the connection's, or the one it shares."""

    events_per_second: float = 10
    event_burst: int = 60

    def __init__(self, namespace: str, *, budget_scale: float = 1.0):
        super().__init__(namespace)
        self.budget = EventBudget(self.events_per_second * budget_scale, int(self.event_burst * budget_scale))
        self._budget_keys: dict[str, Hashable] = {}

    def share_budget(self, sid: str, key: Hashable) -> None:
        """Charge the connection's events to ``key``, which outlives it: a reconnect brings no fresh budget."""
        self._budget_keys[sid] = key

    def trigger_event(self, event, *args):
        sid = args[0] if args else None  # python-socketio passes the connection's id first
        if event == "disconnect":
            self.budget.forget(sid)
            self._budget_keys.pop(sid, None)
        elif event != "connect":
            if not self.budget.allow(self._budget_keys.get(sid, sid)):
                return refused("rate_limited", f"too many events from this connection or its attempt; slow down "
                                               f"({event} was not handled)")
            if not hasattr(self, f"on_{event}"):
                return refused("bad_request", f"unknown event {str(event)[:40]!r}")
        return super().trigger_event(event, *args)
