"""The server-authoritative attempt clock: start, pauses, extensions and credits -> remaining.

All times are integer epoch milliseconds read from an injected clock. The
state is a frozen value; every change returns a new one, which the caller
stores. Remaining time only grows through an extension or a credit; a pause
freezes it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any


@dataclass(frozen=True)
class AttemptClock:
    duration_ms: int
    started_at: int | None = None
    extension_ms: int = 0  # minutes granted by a proctor
    paused_ms: int = 0  # finished pauses and credited time
    paused_since: int | None = None

    @property
    def is_started(self) -> bool:
        return self.started_at is not None

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    def start(self, now: int) -> AttemptClock:
        """Start the clock now; starting again changes nothing."""
        return self if self.is_started else replace(self, started_at=now)

    def pause(self, now: int) -> AttemptClock:
        """Freeze the remaining time (nothing to do before start, while paused, or once time is up)."""
        if not self.is_started or self.is_paused or self.expired(now):
            return self
        return replace(self, paused_since=now)

    def resume(self, now: int) -> AttemptClock:
        """Let time run again; the pause moves the deadline by its length."""
        if self.paused_since is None:
            return self
        pause = max(0, now - self.paused_since)
        return replace(self, paused_ms=self.paused_ms + pause, paused_since=None)

    def extend(self, ms: int) -> AttemptClock:
        """Give the candidate ``ms`` more milliseconds (a proctor's extension)."""
        if ms <= 0:
            raise ValueError(f"an extension must be more than 0 ms (got {ms})")
        return replace(self, extension_ms=self.extension_ms + ms)

    def credit(self, ms: int) -> AttemptClock:
        """Give back ``ms`` lost through no fault of the candidate (a server outage)."""
        if ms < 0:
            raise ValueError(f"a credit cannot be negative (got {ms})")
        return replace(self, paused_ms=self.paused_ms + ms) if ms else self

    def _budget(self) -> int:
        """All the time the attempt may run, pauses and credits included."""
        return self.duration_ms + self.extension_ms + self.paused_ms

    def deadline(self) -> int | None:
        """When time is up, or None before start and while paused (it is not known then)."""
        if self.started_at is None or self.is_paused:
            return None
        return self.started_at + self._budget()

    def remaining_ms(self, now: int) -> int:
        """Milliseconds left, never negative and never more than the budget; frozen while paused."""
        if self.started_at is None:
            return self._budget()
        if self.paused_since is not None:
            now = self.paused_since
        left = self.started_at + self._budget() - now
        return max(0, min(self._budget(), left))

    def expired(self, now: int) -> bool:
        """Started and no time left."""
        return self.is_started and self.remaining_ms(now) == 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AttemptClock:
        return cls(
            duration_ms=int(data["duration_ms"]),
            started_at=_optional_int(data.get("started_at")),
            extension_ms=int(data.get("extension_ms", 0)),
            paused_ms=int(data.get("paused_ms", 0)),
            paused_since=_optional_int(data.get("paused_since")),
        )


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)
