"""Where the sign-in guard keeps its counts: a bounded map in this process, or Redis shared by every node.

Both hold the same things per key: the failures since the last success, the
time a lock ends, the tries in the current minute, and whether the key has
ever signed in (``known``). Keys come from strangers, so neither may grow
without bound: the map forgets the least recently used key past
``max_keys`` and any key untouched for ``forget_seconds``; Redis expires
every entry after ``forget_seconds``.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger("exam_server.login")


class LockState(Protocol):
    def locked_until(self, key: str) -> float: ...
    def count_try(self, key: str, window: int) -> int: ...
    def add_failure(self, key: str) -> int: ...
    def lock(self, key: str, until: float) -> None: ...
    def clear(self, key: str, *, tries: bool = True) -> None: ...
    def is_known(self, key: str) -> bool: ...
    def mark_known(self, key: str) -> None: ...


@dataclass
class _Entry:
    touched: float
    failures: int = 0
    locked_until: float = 0.0
    window: int = -1
    tries: int = 0


class MemoryLockState:
    """One process's counts, in two least-recently-used maps of bounded size."""

    def __init__(self, now, *, max_keys: int, forget_seconds: float):
        self._now = now
        self.max_keys = max_keys
        self.forget_seconds = forget_seconds
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        # Only a correct password adds here, so strangers cannot fill it or push keys out.
        self._known: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def _entry(self, key: str) -> _Entry:
        now = self._now()
        entry = self._entries.pop(key, None) or _Entry(touched=now)
        entry.touched = now
        self._entries[key] = entry  # now the most recently used
        self._forget(self._entries, lambda e: e.touched, self.forget_seconds)
        return entry

    def _forget(self, entries: OrderedDict, touched, seconds: float) -> None:
        limit = self._now() - seconds
        while entries and (len(entries) > self.max_keys or touched(next(iter(entries.values()))) < limit):
            entries.popitem(last=False)

    def locked_until(self, key: str) -> float:
        entry = self._entries.get(key)
        return entry.locked_until if entry else 0.0

    def count_try(self, key: str, window: int) -> int:
        entry = self._entry(key)
        if entry.window != window:
            entry.window, entry.tries = window, 0
        entry.tries += 1
        return entry.tries

    def add_failure(self, key: str) -> int:
        entry = self._entry(key)
        entry.failures += 1
        return entry.failures

    def lock(self, key: str, until: float) -> None:
        self._entry(key).locked_until = until

    def clear(self, key: str, *, tries: bool = True) -> None:
        """Forget the key's failures and lock, and with ``tries`` this minute's count too."""
        if tries:
            self._entries.pop(key, None)
        elif key in self._entries:
            self._entries[key].failures, self._entries[key].locked_until = 0, 0.0

    def is_known(self, key: str) -> bool:
        return key in self._known

    def mark_known(self, key: str) -> None:
        self._known.pop(key, None)
        self._known[key] = self._now()
        self._forget(self._known, lambda touched: touched, KNOWN_SECONDS)


KNOWN_SECONDS = 90 * 24 * 3600  # a key that signed in stays known for a season of sittings

# The tries of this minute's window, in one atomic step: a new window starts again from one.
_COUNT_TRY = """
if redis.call('HGET', KEYS[1], 'window') ~= ARGV[1] then
  redis.call('HSET', KEYS[1], 'window', ARGV[1], 'tries', 0)
end
local tries = redis.call('HINCRBY', KEYS[1], 'tries', 1)
redis.call('EXPIRE', KEYS[1], 120)
return tries
"""


class RedisLockState:
    """The counts in Redis, so every node sees the same failures, locks and resets."""

    def __init__(self, client, *, prefix: str, forget_seconds: float):
        self._redis = client
        self._prefix = prefix
        self._forget = max(1, int(forget_seconds))
        self._count_try = client.register_script(_COUNT_TRY)

    def _name(self, kind: str, key: str) -> str:
        return f"{self._prefix}:login:{kind}:{key}"

    def locked_until(self, key: str) -> float:
        return float(self._redis.hget(self._name("lock", key), "until") or 0)

    def count_try(self, key: str, window: int) -> int:
        return int(self._count_try(keys=[self._name("tries", key)], args=[window]))

    def add_failure(self, key: str) -> int:
        name = self._name("lock", key)
        pipe = self._redis.pipeline()
        pipe.hincrby(name, "failures", 1)  # atomic: nodes racing each other cannot lose a failure
        pipe.expire(name, self._forget)
        return int(pipe.execute()[0])

    def lock(self, key: str, until: float) -> None:
        name = self._name("lock", key)
        pipe = self._redis.pipeline()
        pipe.hset(name, "until", repr(until))
        pipe.expire(name, self._forget)
        pipe.execute()

    def clear(self, key: str, *, tries: bool = True) -> None:
        self._redis.delete(self._name("lock", key), *([self._name("tries", key)] if tries else []))

    def is_known(self, key: str) -> bool:
        return bool(self._redis.exists(self._name("known", key)))

    def mark_known(self, key: str) -> None:
        self._redis.set(self._name("known", key), 1, ex=KNOWN_SECONDS)


class FallbackLockState:
    """Redis first; while it cannot be reached, this process's own map, so sign-ins go on and stay limited.

    After a failure Redis is left alone for a few seconds, so a Redis outage
    does not add its connection timeout to every sign-in.
    """

    RETRY_SECONDS = 5.0

    def __init__(self, primary: RedisLockState, fallback: MemoryLockState, now):
        self._primary = primary
        self._fallback = fallback
        self._now = now
        self._down_until = 0.0
        self._down = False

    def __getattr__(self, method: str):
        import redis

        def call(*args, **kwargs):
            if self._now() >= self._down_until:
                try:
                    answer = getattr(self._primary, method)(*args, **kwargs)
                except redis.RedisError:
                    self._went_down()
                else:
                    if self._down:
                        log.warning("sign-in counts: Redis is back; the nodes share their counts again")
                        self._down = False
                    return answer
            return getattr(self._fallback, method)(*args, **kwargs)

        return call

    def _went_down(self) -> None:
        if not self._down:
            log.error("sign-in counts: Redis unreachable, this node counts alone until it returns")
        self._down = True
        self._down_until = self._now() + self.RETRY_SECONDS
