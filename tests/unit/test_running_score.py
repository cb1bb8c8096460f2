"""The live score equals the result: the answer path's running sums and the result path agree to the cent.

The answer path (``services.answering``) keeps exact per-section sums as
strings, moved by one item's change at a time (``shift``); the proctors' feed
and the board show them through ``running_score``. The result path rebuilds a
``ScoreSheet`` from the final answers. Both must print the same points.
"""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from exam_server.domain.blueprint import Blueprint, Section
from exam_server.domain.scoring import (
    ScoreSheet, blank_sums, format_points, item_points, running_score, shift,
)

D = Decimal
THIRD = D("0.3333")


class AnswerPath:
    """What the answer writer stores and the proctors' feed shows, step by step, strings included."""

    def __init__(self, blueprint: Blueprint, keys):
        self.blueprint, self.keys = blueprint, keys
        self.stored_sums = [str(p) for p in blank_sums(blueprint)]
        self.stored_items = {}

    def answer(self, position: int, choice: int | None) -> None:
        section_index, weights = self.keys[position - 1]
        section = self.blueprint.sections[section_index]
        before = self.stored_items.get(position, str(item_points(section, None)))
        after = item_points(section, None if choice is None else weights[choice])
        sums = shift([D(p) for p in self.stored_sums], section_index, D(before), after)
        self.stored_sums, self.stored_items[position] = [str(p) for p in sums], str(after)

    def shown(self) -> tuple[list[str], str]:
        score = running_score([D(p) for p in self.stored_sums])
        return [format_points(p) for p in score.sections], format_points(score.total)


def result_path(blueprint: Blueprint, keys, answers: dict[int, int | None]) -> tuple[list[str], str]:
    """What the signed result prints, rebuilt from the stored answers as ``services.results`` does."""
    sheet = ScoreSheet(blueprint, keys)
    sheet.restore({position: choice for position, choice in answers.items() if choice is not None})
    return [format_points(row["points"]) for row in sheet.section_results()], format_points(sheet.total())


def test_two_sections_of_a_third_show_the_same_total_live_and_in_the_result():
    halves = tuple(Section(name, "b", None, 1, "weighted", points=D(1)) for name in ("A", "B"))
    blueprint = Blueprint("C", "T", D(1), sections=halves)
    keys = [(0, (THIRD, D(1))), (1, (THIRD, D(1)))]
    live = AnswerPath(blueprint, keys)
    live.answer(1, 0)
    live.answer(2, 0)
    assert live.shown() == result_path(blueprint, keys, {1: 0, 2: 0}) == (["0.33", "0.33"], "0.66")


# ---------------------------------------------------------------- properties

amounts = st.decimals(min_value=-5, max_value=5, places=4, allow_nan=False, allow_infinity=False)
weights = st.one_of(
    st.sampled_from([D(1), D(0), THIRD, D("0.6667"), D("-0.3333"), D("0.3333333")]),
    st.decimals(min_value=-1, max_value=1, places=4, allow_nan=False, allow_infinity=False),
)


@st.composite
def sections(draw, number: int) -> Section:
    count = draw(st.integers(min_value=1, max_value=4))
    if draw(st.booleans()):
        return Section(f"S{number}", "b", None, count, "right_wrong", correct=draw(amounts.filter(lambda d: d > 0)),
                       wrong=draw(amounts), blank=draw(amounts))
    return Section(f"S{number}", "b", None, count, "weighted", points=draw(st.sampled_from([D(1), D(5), THIRD]) | amounts))


@st.composite
def exams(draw):
    """A form (sections with their items' option weights) and a sequence of answers, changes and clears."""
    blueprint = Blueprint("C", "T", D(1), sections=tuple(draw(sections(i)) for i in range(draw(st.integers(1, 4)))))
    keys = [(index, tuple(draw(st.lists(weights, min_size=1, max_size=5))))
            for index, section in enumerate(blueprint.sections) for _ in range(section.count)]
    keys = draw(st.permutations(keys))  # sections interleave in the candidate's order
    moves = draw(st.lists(
        st.integers(1, len(keys)).flatmap(
            lambda p: st.tuples(st.just(p), st.none() | st.integers(0, len(keys[p - 1][1]) - 1))),
        max_size=40))
    return blueprint, keys, moves


@settings(max_examples=300)
@given(exams())
def test_the_running_score_after_every_answer_equals_the_result(case):
    blueprint, keys, moves = case
    live, answers = AnswerPath(blueprint, keys), {}
    assert live.shown() == result_path(blueprint, keys, answers)
    for position, choice in moves:
        live.answer(position, choice)
        answers[position] = choice
        assert live.shown() == result_path(blueprint, keys, answers)


@given(st.lists(amounts, min_size=1, max_size=6))
def test_the_total_is_the_sum_of_the_shown_sections(raw):
    score = running_score(raw)
    assert score.total == sum(score.sections, D(0))
    assert all(points == points.quantize(D("0.01")) for points in score.sections)
