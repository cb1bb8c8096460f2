"""The burst rule: many answers of one attempt within ten seconds are raised, at most once a minute."""
from __future__ import annotations

from exam_server.services.alerts import AnswerBursts


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_answers_up_to_the_limit_raise_nothing():
    bursts = AnswerBursts(3, _Clock())
    assert [bursts.note(1) for _ in range(3)] == [None, None, None]


def test_one_answer_beyond_the_limit_within_the_window_raises_once():
    clock = _Clock()
    bursts = AnswerBursts(3, clock)
    found = [bursts.note(1) for _ in range(6)]
    assert found[:3] == [None] * 3 and found[3] == "4 answers within 10 s" and found[4:] == [None, None]
    clock.now += 61
    assert [bursts.note(1) for _ in range(4)][-1] == "4 answers within 10 s"


def test_answers_spread_beyond_the_window_and_other_attempts_do_not_count():
    clock = _Clock()
    bursts = AnswerBursts(2, clock)
    spread = []
    for _ in range(5):
        spread.append(bursts.note(1))
        clock.now += 11
    assert spread == [None] * 5
    assert [bursts.note(2), bursts.note(3), bursts.note(2)] == [None, None, None]
