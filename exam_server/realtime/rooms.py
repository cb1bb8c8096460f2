"""Room names, in one place so every emitter agrees."""


def attempt(attempt_id: int) -> str:
    return f"attempt:{attempt_id}"


def session(session_id: int) -> str:
    return f"session:{session_id}"


def proctors(session_id: int) -> str:
    return f"proctors:{session_id}"


def scoreboard(session_id: int) -> str:
    return f"scoreboard:{session_id}"
