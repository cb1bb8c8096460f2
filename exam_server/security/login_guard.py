"""Slowing down password guessing: a rate per minute, and a lockout that doubles with each failure.

Keys name what is guessed at (a participant of a session, a staff username,
spelled as ``login_keys`` spells them), not the address: a whole testing hall
may sit behind one address. The counts live in a bounded map of this process,
or in Redis when the nodes share one (``login_state``).

Anyone who knows a key can lock it, so the lock of a key that has signed in
before stops growing sooner, and a proctor or an admin can clear it at once.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from exam_server.errors import ExamError
from exam_server.security.login_state import FallbackLockState, LockState, MemoryLockState, RedisLockState

FREE_FAILURES = 5  # mistyped passwords happen; lockouts start after these
FIRST_LOCK_SECONDS = 2


class RateLimited(ExamError):
    code = "rate_limited"
    http_status = 429


@dataclass(frozen=True)
class LockPolicy:
    max_lock_seconds: float = 15 * 60
    known_max_lock_seconds: float = 2 * 60  # a key that has signed in: a stranger keeps it out for less

    def lock_seconds(self, failures: int, known: bool) -> float:
        """How long the key is locked after its ``failures``-th failure in a row (0: not at all)."""
        if failures <= FREE_FAILURES:
            return 0.0
        cap = self.known_max_lock_seconds if known else self.max_lock_seconds
        doublings = min(failures - FREE_FAILURES - 1, 32)  # past 2^32 s every cap is reached
        return min(FIRST_LOCK_SECONDS * 2 ** doublings, cap)


class LoginGuard:
    def __init__(self, per_minute: int, now: Callable[[], float] = time.time, *,
                 state: LockState | None = None, policy: LockPolicy = LockPolicy()):
        # Wall-clock time: with Redis, a lock set by one node is read by another.
        self.per_minute = per_minute
        self._now = now
        self.policy = policy
        self.state = state if state is not None else MemoryLockState(now, max_keys=20_000, forget_seconds=24 * 3600)

    def check(self, key: str) -> None:
        """Raise ``rate_limited`` (saying how long to wait) when this key may not try now."""
        now = self._now()
        locked = self.state.locked_until(key) - now
        if locked > 0:
            raise RateLimited(f"too many failed sign-ins; try again in {int(locked) + 1} s")
        tries = self.state.count_try(key, int(now // 60))
        if tries > self.per_minute:
            raise RateLimited(f"too many sign-in attempts; wait {60 - int(now % 60)} s")

    def failed(self, key: str) -> None:
        failures = self.state.add_failure(key)
        lock = self.policy.lock_seconds(failures, self.state.is_known(key))
        if lock:
            self.state.lock(key, self._now() + lock)

    def succeeded(self, key: str) -> None:
        self.state.clear(key, tries=False)  # the tries of this minute still count: the rate holds whatever the outcome
        self.state.mark_known(key)

    def locked_for(self, key: str) -> int:
        """Whole seconds until the key's lock ends (0: not locked), for staff to see."""
        left = self.state.locked_until(key) - self._now()
        return int(left) + 1 if left > 0 else 0

    def clear(self, key: str) -> None:
        """Lift the key's lock and forget its failures (a proctor's or an admin's reset)."""
        self.state.clear(key)


def guard_from_settings(settings) -> LoginGuard:
    """The guard a serving process uses: shared through Redis when REDIS_URL is set."""
    policy = LockPolicy(settings.login_lock_max_seconds, settings.login_lock_known_max_seconds)
    state = MemoryLockState(time.time, max_keys=settings.login_guard_max_keys,
                            forget_seconds=settings.login_forget_seconds)
    if settings.redis_url:
        import redis

        client = redis.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
        shared = RedisLockState(client, prefix=settings.redis_channel, forget_seconds=settings.login_forget_seconds)
        state = FallbackLockState(shared, state, time.time)
    return LoginGuard(settings.login_attempts_per_minute, state=state, policy=policy)
