"""One hierarchy of typed errors.

Every error a user can cause carries a stable ``code`` (the contract's error
codes), a human message, and how it maps to an HTTP status and a CLI exit
status. The web, Socket.IO and CLI layers each turn these into their own
envelope in one place; nothing else catches broadly.
"""
from __future__ import annotations


class ExamError(Exception):
    code = "error"
    http_status = 500
    exit_status = 1

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


class BadInput(ExamError):
    """The user gave us something we cannot accept (a file, a payload, an argument)."""

    code = "bad_request"
    http_status = 400
    exit_status = 2


class LocatedProblems(BadInput):
    """Several problems found in one pass, each with where it is (file:line, key, path)."""

    def __init__(self, problems: list, *, summary: str = "the input was refused"):
        self.problems = list(problems)
        lines = [summary + ":"] + [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class NotFound(ExamError):
    code = "not_found"
    http_status = 404
    exit_status = 2


class Conflict(ExamError):
    code = "conflict"
    http_status = 409
    exit_status = 2


class Unauthorized(ExamError):
    code = "unauthorized"
    http_status = 401
    exit_status = 2


class Forbidden(ExamError):
    code = "forbidden"
    http_status = 403
    exit_status = 2


class Busy(ExamError):
    """The server is too busy to do this now; nothing is lost by asking again after ``retry_after`` seconds."""

    code = "busy"
    http_status = 503
    exit_status = 1
    retry_after = 5  # seconds: long enough for a queue to drain, short enough that nobody gives up

    def __init__(self, message: str = "the server is busy; try again in a few seconds", *, retry_after: int | None = None):
        super().__init__(message)
        if retry_after is not None:
            self.retry_after = retry_after


class ConfigError(ExamError):
    """A setting is unknown, missing or malformed; raised at start, before serving."""

    code = "config_error"
    exit_status = 2
