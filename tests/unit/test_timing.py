"""The attempt clock: the server decides how much time is left, and only extensions and credits add any."""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exam_server.domain.timing import AttemptClock

T0 = 1_800_000_000_000
MINUTE = 60_000
HOUR = 60 * MINUTE


def test_before_start_the_whole_duration_remains_and_there_is_no_deadline():
    clock = AttemptClock(HOUR)
    assert clock.remaining_ms(T0) == HOUR
    assert clock.deadline() is None
    assert not clock.expired(T0 + 10 * HOUR)
    assert not clock.is_started and not clock.is_paused


def test_a_started_clock_counts_down_to_its_deadline():
    clock = AttemptClock(HOUR).start(T0)
    assert clock.deadline() == T0 + HOUR
    assert clock.remaining_ms(T0 + MINUTE) == HOUR - MINUTE
    assert not clock.expired(T0 + HOUR - 1)
    assert clock.expired(T0 + HOUR)
    assert clock.remaining_ms(T0 + 2 * HOUR) == 0


def test_starting_again_changes_nothing():
    clock = AttemptClock(HOUR).start(T0)
    assert clock.start(T0 + MINUTE) is clock


def test_a_pause_freezes_the_time_and_moves_the_deadline():
    clock = AttemptClock(HOUR).start(T0).pause(T0 + MINUTE)
    assert clock.is_paused and clock.deadline() is None
    assert clock.remaining_ms(T0 + 30 * MINUTE) == HOUR - MINUTE
    assert clock.pause(T0 + 2 * MINUTE) is clock  # already paused
    resumed = clock.resume(T0 + 11 * MINUTE)
    assert resumed.deadline() == T0 + HOUR + 10 * MINUTE
    assert resumed.remaining_ms(T0 + 11 * MINUTE) == HOUR - MINUTE
    assert resumed.resume(T0 + 12 * MINUTE) is resumed  # not paused


def test_pausing_a_clock_that_has_not_started_or_has_run_out_does_nothing():
    clock = AttemptClock(HOUR)
    assert clock.pause(T0) is clock
    started = clock.start(T0)
    assert started.pause(T0 + HOUR) is started


def test_an_extension_adds_time_and_must_be_positive():
    clock = AttemptClock(HOUR).start(T0).extend(5 * MINUTE)
    assert clock.deadline() == T0 + HOUR + 5 * MINUTE
    assert AttemptClock(HOUR).extend(MINUTE).remaining_ms(T0) == HOUR + MINUTE
    for bad in (0, -MINUTE):
        with pytest.raises(ValueError):
            clock.extend(bad)


def test_a_credit_gives_back_lost_time():
    clock = AttemptClock(HOUR).start(T0)
    credited = clock.credit(3 * MINUTE)
    assert credited.remaining_ms(T0 + HOUR) == 3 * MINUTE
    assert clock.credit(0) is clock
    with pytest.raises(ValueError):
        clock.credit(-1)


def test_a_credit_while_paused_shows_at_once():
    clock = AttemptClock(HOUR).start(T0).pause(T0 + MINUTE).credit(MINUTE)
    assert clock.remaining_ms(T0 + 2 * MINUTE) == HOUR


def test_remaining_time_never_exceeds_the_budget_even_when_a_node_clock_lags():
    clock = AttemptClock(HOUR).start(T0)
    assert clock.remaining_ms(T0 - MINUTE) == HOUR


def test_the_clock_round_trips_through_json():
    clock = AttemptClock(HOUR, T0, extension_ms=MINUTE, paused_ms=7, paused_since=T0 + 9)
    assert AttemptClock.from_dict(json.loads(json.dumps(clock.to_dict()))) == clock
    assert AttemptClock.from_dict({"duration_ms": HOUR}) == AttemptClock(HOUR)


# ---------------------------------------------------------------- property

operations = st.lists(
    st.tuples(
        st.sampled_from(["wait", "start", "pause", "resume", "extend", "credit"]),
        st.integers(min_value=0, max_value=2 * HOUR),
    ),
    max_size=30,
)


def apply(clock: AttemptClock, now: int, name: str, amount: int) -> tuple[AttemptClock, int, int]:
    """Do one operation; return the new clock, the new time, and the time it may add."""
    if name == "wait":
        return clock, now + amount, 0
    if name in ("extend", "credit"):
        amount = max(amount, 1)
        return getattr(clock, name)(amount), now, amount
    return getattr(clock, name)(now), now, 0


@given(st.integers(min_value=1, max_value=3 * HOUR), operations)
def test_remaining_time_never_grows_except_by_an_extension_or_a_credit(duration, steps):
    clock, now = AttemptClock(duration), T0
    for name, amount in steps:
        before = clock.remaining_ms(now)
        clock, now, added = apply(clock, now, name, amount)
        after = clock.remaining_ms(now)
        assert 0 <= after <= before + added
        if name == "wait" and (clock.is_paused or not clock.is_started):
            assert after == before  # frozen: waiting takes nothing away
        if added and before > 0:
            assert after == before + added
        if clock.deadline() is not None:
            assert after == max(0, clock.deadline() - now)
        assert clock.expired(now) == (clock.is_started and after == 0)
