"""Turning a service call into a Socket.IO acknowledgement: the one place that does."""
from __future__ import annotations

import logging
from typing import Any, Callable

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
