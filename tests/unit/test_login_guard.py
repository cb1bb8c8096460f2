import pytest

from exam_server.security.login_guard import FREE_FAILURES, LoginGuard, RateLimited


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_failures_beyond_the_free_ones_lock_the_key_for_doubling_times():
    clock = Clock()
    guard = LoginGuard(per_minute=1000, now=clock)
    for _ in range(FREE_FAILURES):
        guard.check("budi")
        guard.failed("budi")
    guard.check("budi")
    guard.failed("budi")  # the first failure past the free ones
    with pytest.raises(RateLimited) as locked:
        guard.check("budi")
    assert "2 s" in locked.value.message or "3 s" in locked.value.message
    clock.now += 2.01
    guard.check("budi")
    guard.failed("budi")
    clock.now += 2.01
    with pytest.raises(RateLimited):
        guard.check("budi")  # now locked for 4 s
    clock.now += 2
    guard.check("budi")
    guard.check("ani")  # other keys are not affected


def test_a_success_clears_the_failures():
    clock = Clock()
    guard = LoginGuard(per_minute=1000, now=clock)
    for _ in range(FREE_FAILURES + 1):
        guard.failed("ani")
    clock.now += 10
    guard.succeeded("ani")
    for _ in range(FREE_FAILURES):
        guard.failed("ani")
    guard.check("ani")


def test_attempts_per_minute_are_capped_whatever_the_outcome():
    clock = Clock()
    guard = LoginGuard(per_minute=3, now=clock)
    for _ in range(3):
        guard.check("citra")
    with pytest.raises(RateLimited):
        guard.check("citra")
    clock.now += 61
    guard.check("citra")
