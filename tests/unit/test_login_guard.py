import os
import uuid

import pytest

from exam_server.security.login_guard import FREE_FAILURES, LockPolicy, LoginGuard, RateLimited
from exam_server.security.login_keys import candidate_key, staff_key
from exam_server.security.login_state import FallbackLockState, MemoryLockState, RedisLockState


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


# ------------------------------------------------ one spelling, known keys, resets, bounded state

REDIS_URL = os.environ.get("EXAM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_state():
    """A maker of guard states in a real Redis, each under its own prefix, removed after the test."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}; set EXAM_TEST_REDIS_URL")
    prefixes = []

    def make() -> RedisLockState:
        prefixes.append(f"exam-test-{uuid.uuid4().hex[:8]}")
        return RedisLockState(client, prefix=prefixes[-1], forget_seconds=3600)

    yield make
    for prefix in prefixes:
        names = client.keys(f"{prefix}:*")
        if names:
            client.delete(*names)


def state_of(kind: str, clock, request) -> object:
    if kind == "memory":
        return MemoryLockState(clock, max_keys=1000, forget_seconds=3600)
    return request.getfixturevalue("redis_state")()


@pytest.fixture(params=["memory", "redis"])
def guard_and_clock(request):
    """The same guard over each place its counts can live: this process, or a real Redis."""
    clock = Clock()
    state = state_of(request.param, clock, request)
    return LoginGuard(per_minute=1000, now=clock, state=state, policy=LockPolicy(900, 60)), clock


def fail_times(guard: LoginGuard, key: str, times: int, clock: Clock) -> None:
    for _ in range(times):
        clock.now += 1000  # past any lock
        guard.check(key)
        guard.failed(key)


def test_every_spelling_of_one_candidate_is_one_key():
    spellings = [("abc123", "P-001"), (" ABC123", "P-001 "), ("AbC123\t", "\u00a0P-001")]
    assert len({candidate_key(token, number) for token, number in spellings}) == 1
    assert candidate_key("abc123", "P-001") != candidate_key("abc123", "P-002")
    assert staff_key(" admin ") == staff_key("admin")


def test_an_unknown_key_is_locked_for_up_to_fifteen_minutes(guard_and_clock):
    guard, clock = guard_and_clock
    fail_times(guard, "staff:siapa", 30, clock)
    with pytest.raises(RateLimited):
        guard.check("staff:siapa")
    clock.now += 899
    with pytest.raises(RateLimited):
        guard.check("staff:siapa")
    clock.now += 2
    guard.check("staff:siapa")


def test_a_key_that_signed_in_before_is_locked_for_less(guard_and_clock):
    guard, clock = guard_and_clock
    guard.check("staff:budi")
    guard.succeeded("staff:budi")
    fail_times(guard, "staff:budi", 30, clock)
    with pytest.raises(RateLimited):
        guard.check("staff:budi")
    clock.now += 61
    guard.check("staff:budi")  # 60 s at most, where a stranger's key waits 15 min


def test_clearing_a_key_lifts_its_lock_and_its_failures_at_once(guard_and_clock):
    guard, clock = guard_and_clock
    fail_times(guard, "candidate:ABC123:P-002", 12, clock)
    with pytest.raises(RateLimited):
        guard.check("candidate:ABC123:P-002")
    guard.clear("candidate:ABC123:P-002")
    guard.check("candidate:ABC123:P-002")
    guard.failed("candidate:ABC123:P-002")
    guard.check("candidate:ABC123:P-002")  # the count starts again from nothing


def test_the_map_in_memory_keeps_a_bounded_number_of_keys():
    clock = Clock()
    state = MemoryLockState(clock, max_keys=100, forget_seconds=3600)
    guard = LoginGuard(per_minute=10, now=clock, state=state)
    for number in range(5000):
        guard.check(f"candidate:ABC123:X-{number}")
        guard.failed(f"candidate:ABC123:X-{number}")
    assert len(state) == 100
    clock.now += 3601
    guard.check("candidate:ABC123:late")
    assert len(state) == 1  # keys untouched for a day are forgotten


def test_only_successes_make_a_key_known_and_known_keys_are_bounded_too():
    clock = Clock()
    state = MemoryLockState(clock, max_keys=10, forget_seconds=3600)
    guard = LoginGuard(per_minute=10, now=clock, state=state)
    guard.failed("staff:tamu")
    assert not state.is_known("staff:tamu")
    for number in range(50):
        guard.succeeded(f"staff:u{number}")
    assert state.is_known("staff:u49") and not state.is_known("staff:u0")


def test_redis_expires_what_it_keeps(redis_state):
    clock = Clock()
    state = redis_state()
    guard = LoginGuard(per_minute=10, now=clock, state=state)
    guard.check("candidate:ABC123:P-009")
    guard.failed("candidate:ABC123:P-009")
    names = state._redis.keys(f"{state._prefix}:*")
    assert len(names) == 2 and all(0 < state._redis.ttl(name) <= 3600 for name in names)


def test_without_redis_the_guard_counts_alone_and_tries_redis_again_later():
    import redis

    clock = Clock()
    unreachable = RedisLockState(redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2),
                                 prefix="exam-test", forget_seconds=3600)
    local = MemoryLockState(clock, max_keys=100, forget_seconds=3600)
    guard = LoginGuard(per_minute=1000, now=clock, state=FallbackLockState(unreachable, local, clock))
    for _ in range(FREE_FAILURES + 1):
        guard.check("staff:budi")
        guard.failed("staff:budi")
    with pytest.raises(RateLimited):
        guard.check("staff:budi")  # still limited, by this process's own counts
    assert len(local) == 1


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_tries_per_minute_are_capped_in_either_store_and_a_clear_resets_them(kind, request):
    clock = Clock()
    state = state_of(kind, clock, request)
    guard = LoginGuard(per_minute=3, now=clock, state=state)
    for _ in range(3):
        guard.check("candidate:ABC123:P-001")
    with pytest.raises(RateLimited):
        guard.check("candidate:ABC123:P-001")
    guard.clear("candidate:ABC123:P-001")
    guard.check("candidate:ABC123:P-001")
    clock.now += 60
    for _ in range(3):
        guard.check("candidate:ABC123:P-001")  # a new minute, a new allowance


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_a_success_clears_the_failures_but_not_the_tries_of_the_minute(kind, request):
    clock = Clock()
    guard = LoginGuard(per_minute=3, now=clock, state=state_of(kind, clock, request))
    for _ in range(3):
        guard.check("staff:ani")
    guard.succeeded("staff:ani")
    with pytest.raises(RateLimited):
        guard.check("staff:ani")
