"""The attempt core's checks: positions, choices and required states, on attempts held in memory."""
from __future__ import annotations

from decimal import Decimal

import pytest

from exam_server.clock import FixedClock
from exam_server.domain.assembly import FormEntry
from exam_server.domain.attempt_status import ENDED, RUNNING, AttemptStatus, is_ended
from exam_server.errors import ExamError
from exam_server.services.attempt_core import (
    AttemptKey, check_choice, check_position, clock_of, display_keys, require_not_ended, require_running, set_clock,
)
from exam_server.store import models


class _Context:
    """What ``require_running`` asks of a service context: the time."""

    def __init__(self, now: int):
        self.clock = FixedClock(now)

    def now(self) -> int:
        return self.clock.now_ms()


def _key(option_counts: tuple[int, ...]) -> AttemptKey:
    form = tuple(FormEntry(position=i + 1, section=0, item_id=i + 1, option_order=tuple(range(n)))
                 for i, n in enumerate(option_counts))
    weights = tuple(tuple(Decimal(0) for _ in range(n)) for n in option_counts)
    return AttemptKey(blueprint=None, form=form, weights=weights)


def _attempt(status: AttemptStatus, *, started_at: int | None = 0, duration_ms: int = 60_000) -> models.Attempt:
    return models.Attempt(status=status, duration_ms=duration_ms, started_at=started_at, extension_ms=0,
                          paused_ms=0, paused_since=None)


def _code(call) -> str:
    with pytest.raises(ExamError) as refused:
        call()
    return refused.value.code


def test_a_position_is_a_whole_number_within_the_form():
    key = _key((4, 4, 5))
    assert check_position(key, 3) == 3
    for wrong in (0, 4, "1", True, 1.0, None):
        assert _code(lambda: check_position(key, wrong)) == "invalid_position"


def test_a_choice_is_a_display_key_of_that_position_or_blank():
    key = _key((4, 5))
    assert check_choice(key, 2, "E") == 4
    assert check_choice(key, 1, None) is None
    for wrong in ("E", "a", 0, ""):
        assert _code(lambda: check_choice(key, 1, wrong)) == "invalid_choice"


def test_display_keys_are_letters_from_a():
    assert display_keys(5) == ["A", "B", "C", "D", "E"]


def test_a_running_attempt_within_its_time_takes_changes():
    require_running(_Context(now=30_000), _attempt(AttemptStatus.IN_PROGRESS))


@pytest.mark.parametrize(("status", "code"), [
    (AttemptStatus.NOT_STARTED, "not_started"),
    (AttemptStatus.PAUSED, "paused"),
    (AttemptStatus.SUBMITTED, "submitted"),
    (AttemptStatus.ENDED_BY_PROCTOR, "submitted"),
    (AttemptStatus.TIMED_OUT, "time_up"),
])
def test_an_attempt_not_running_refuses_changes_by_name(status, code):
    assert _code(lambda: require_running(_Context(now=1_000), _attempt(status))) == code


def test_an_attempt_out_of_time_refuses_changes_although_the_sweep_has_not_ended_it():
    assert _code(lambda: require_running(_Context(now=61_000), _attempt(AttemptStatus.IN_PROGRESS))) == "time_up"


def test_only_ended_attempts_refuse_a_report():
    require_not_ended(_attempt(AttemptStatus.PAUSED))
    assert _code(lambda: require_not_ended(_attempt(AttemptStatus.SUBMITTED))) == "submitted"


def test_a_paused_clock_written_back_has_no_deadline():
    attempt = _attempt(AttemptStatus.IN_PROGRESS)
    set_clock(attempt, clock_of(attempt).pause(10_000))
    assert attempt.paused_since == 10_000 and attempt.deadline_at is None


def test_the_status_sets_split_every_status_once():
    assert is_ended("timed_out") and not is_ended(AttemptStatus.PAUSED)
    assert ENDED | RUNNING | {AttemptStatus.NOT_STARTED} == set(AttemptStatus)
    assert not ENDED & RUNNING
    assert AttemptStatus.PAUSED == "paused"
