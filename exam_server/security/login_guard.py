"""Slowing down password guessing: a rate per minute, and a lockout that doubles with each failure.

Keys name what is guessed at (a participant of a session, a staff username),
not the address: a whole testing hall may sit behind one address. The state is
per process; with several nodes each keeps its own (documented in security.md).
"""
from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Callable

from exam_server.errors import ExamError

FREE_FAILURES = 5  # mistyped passwords happen; lockouts start after these
FIRST_LOCK_SECONDS = 2
MAX_LOCK_SECONDS = 15 * 60


class RateLimited(ExamError):
    code = "rate_limited"
    http_status = 429


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0


class LoginGuard:
    def __init__(self, per_minute: int, now: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self._now = now
        self._recent: dict[str, deque] = defaultdict(deque)
        self._failures: dict[str, _Failures] = defaultdict(_Failures)

    def check(self, key: str) -> None:
        """Raise ``rate_limited`` (saying how long to wait) when this key may not try now."""
        now = self._now()
        locked = self._failures[key].locked_until - now
        if locked > 0:
            raise RateLimited(f"too many failed sign-ins; try again in {int(locked) + 1} s")
        recent = self._recent[key]
        while recent and now - recent[0] > 60:
            recent.popleft()
        if len(recent) >= self.per_minute:
            raise RateLimited(f"too many sign-in attempts; wait {int(60 - (now - recent[0])) + 1} s")
        recent.append(now)

    def failed(self, key: str) -> None:
        failures = self._failures[key]
        failures.count += 1
        if failures.count > FREE_FAILURES:
            lock = min(FIRST_LOCK_SECONDS * 2 ** (failures.count - FREE_FAILURES - 1), MAX_LOCK_SECONDS)
            failures.locked_until = self._now() + lock

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)
