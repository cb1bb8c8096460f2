"""The states of an attempt, one set for the server, the consoles and the kiosk.

Stored as text in ``attempts.status`` and sent as text over the sockets, so the
members are strings: ``AttemptStatus.PAUSED == "paused"``. The web console and
the kiosk keep copies in their JavaScript; a unit test holds them equal to this.
"""
from __future__ import annotations

from enum import StrEnum


class AttemptStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    SUBMITTED = "submitted"
    TIMED_OUT = "timed_out"
    ENDED_BY_PROCTOR = "ended_by_proctor"


# The attempt can take no more answers: its result is frozen.
ENDED: frozenset[AttemptStatus] = frozenset(
    {AttemptStatus.SUBMITTED, AttemptStatus.TIMED_OUT, AttemptStatus.ENDED_BY_PROCTOR})
# Started and not ended: the clock runs or is paused.
RUNNING: frozenset[AttemptStatus] = frozenset({AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED})
# The order of a results listing: ended attempts first, then running ones, then those never started.
LISTING_ORDER: tuple[AttemptStatus, ...] = (
    AttemptStatus.SUBMITTED, AttemptStatus.TIMED_OUT, AttemptStatus.ENDED_BY_PROCTOR,
    AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED, AttemptStatus.NOT_STARTED)


def is_ended(status: str) -> bool:
    """True when an attempt in ``status`` has ended (submitted, timed out or ended by a proctor)."""
    return status in ENDED
