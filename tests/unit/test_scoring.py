"""Scoring: the contract's rules, exact decimals, and a running sheet that always equals a recount."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exam_server.domain.blueprint import Blueprint, Section
from exam_server.domain.scoring import ScoreSheet, format_points, item_bounds, item_points, quantise

D = Decimal
TWK = Section("TWK", "twk", "TWK", 3, "right_wrong", correct=D(5), wrong=D("-1"), blank=D("0.5"),
              pass_score=D(10))
TKP = Section("TKP", "tkp", None, 2, "weighted", points=D(5), pass_score=D(6))


def exam(pass_total: Decimal | None = None) -> Blueprint:
    return Blueprint("UD", "Ujian", D(90), pass_total=pass_total, sections=(TWK, TKP))


RIGHT_WRONG_KEYS = (D(1), D(0), D(0), D(0))
WEIGHTED_KEYS = (D("0.2"), D("0.4"), D("0.6"), D("0.8"), D(1))
KEYS = [(0, RIGHT_WRONG_KEYS)] * 3 + [(1, WEIGHTED_KEYS)] * 2


def recount(blueprint: Blueprint, keys, answers: dict[int, int | None]) -> list[Decimal]:
    """Section points computed from scratch, the slow way."""
    raw = [D(0)] * len(blueprint.sections)
    for position, (section, weights) in enumerate(keys, 1):
        choice = answers.get(position)
        weight = None if choice is None else weights[choice]
        raw[section] += item_points(blueprint.sections[section], weight)
    return [quantise(points) for points in raw]


# ---------------------------------------------------------------- the rules


def test_right_wrong_earns_correct_only_for_weight_exactly_one():
    assert item_points(TWK, D(1)) == 5
    assert item_points(TWK, D("1.00")) == 5
    assert item_points(TWK, D("0.5")) == -1
    assert item_points(TWK, D(0)) == -1
    assert item_points(TWK, None) == D("0.5")


def test_weighted_earns_points_times_weight_and_blank_earns_nothing():
    assert item_points(TKP, D(1)) == 5
    assert item_points(TKP, D("0.6")) == 3
    assert item_points(TKP, D("-0.5")) == D("-2.5")
    assert item_points(TKP, None) == 0


def test_item_bounds_include_leaving_the_item_blank():
    assert item_bounds(TWK, RIGHT_WRONG_KEYS) == (D(-1), D(5))
    assert item_bounds(TKP, WEIGHTED_KEYS) == (D(0), D(5))
    assert item_bounds(TKP, (D("-0.5"), D("0.5"))) == (D("-2.5"), D("2.5"))


@pytest.mark.parametrize(
    ("points", "shown"),
    [(D("12.5"), "12.50"), (D(0), "0.00"), (D("0.005"), "0.01"), (D("2.675"), "2.68"),
     (D("-0.004"), "0.00"), (D("-1.005"), "-1.01"), (D("1E+2"), "100.00"), (D("-0"), "0.00")],
)
def test_points_are_shown_with_two_places_rounded_half_up(points, shown):
    assert format_points(points) == shown


def test_thirds_are_summed_exactly_before_rounding():
    third = Section("S", "b", None, 3, "weighted", points=D(1))
    sheet = ScoreSheet(Blueprint("C", "T", D(1), sections=(third,)), [(0, (D("0.3333"),))] * 3)
    for position in (1, 2, 3):
        sheet.answer(position, 0)
    assert sheet.section_points() == [D("1.00")]  # 0.9999, not 3 x 0.33 = 0.99


# ---------------------------------------------------------------- the sheet


def test_a_fresh_sheet_counts_every_item_as_blank():
    sheet = ScoreSheet(exam(), KEYS)
    assert sheet.section_points() == [D("1.50"), D("0.00")]
    assert sheet.total() == D("1.50")
    assert sheet.max_points() == [D("15.00"), D("10.00")]
    assert sheet.min_points() == [D("-3.00"), D("0.00")]
    assert sheet.answered == 0 and sheet.snapshot() == {}


def test_answering_changing_and_clearing_return_the_change_of_the_section():
    sheet = ScoreSheet(exam(), KEYS)
    assert sheet.answer(1, 0) == D("4.5")  # blank 0.5 -> correct 5
    assert sheet.answer(1, 2) == D("-6")  # correct 5 -> wrong -1
    assert sheet.answer(1, None) == D("1.5")  # wrong -1 -> blank 0.5
    assert sheet.answer(4, 2) == D("3")
    assert sheet.section_points() == [D("1.50"), D("3.00")]
    assert sheet.choice(4) == 2 and sheet.choice(1) is None
    assert sheet.answered == 1


def test_a_candidate_passes_only_when_every_threshold_is_reached():
    sheet = ScoreSheet(exam(pass_total=D(16)), KEYS)
    sheet.restore({1: 0, 2: 0, 3: 1, 4: 4, 5: 1})  # TWK 5+5-1 = 9, TKP 5+2 = 7
    assert sheet.section_results() == [
        {"name": "TWK", "points": D("9.00"), "max_points": D("15.00"), "passed": False},
        {"name": "TKP", "points": D("7.00"), "max_points": D("10.00"), "passed": True},
    ]
    assert not sheet.passed()
    sheet.answer(3, 0)  # TWK 15
    assert sheet.section_results()[0]["passed"] and sheet.passed()
    sheet.answer(5, 0)  # TKP 6, total 21
    assert sheet.passed()
    assert not ScoreSheet(exam(pass_total=D(22)), KEYS).passed()


def test_a_section_without_a_pass_score_always_passes():
    free = Section("Free", "b", None, 1, "weighted")
    sheet = ScoreSheet(Blueprint("C", "T", D(1), sections=(free,)), [(0, (D(0), D(1)))])
    assert sheet.section_results()[0]["passed"] is True and sheet.passed()


def test_bad_positions_choices_and_sections_are_refused():
    sheet = ScoreSheet(exam(), KEYS)
    for position, choice in ((0, 1), (6, 1), (1, 4), (1, -1)):
        with pytest.raises(ValueError):
            sheet.answer(position, choice)
    with pytest.raises(ValueError):
        ScoreSheet(exam(), [(2, (D(1),))])


def test_restore_rebuilds_the_sheet_from_stored_answers():
    sheet = ScoreSheet(exam(), KEYS)
    sheet.restore({1: 0, 4: 3, 5: None})
    copy = ScoreSheet(exam(), KEYS)
    copy.restore(sheet.snapshot())
    assert copy.snapshot() == {1: 0, 4: 3}
    assert copy.section_points() == sheet.section_points() == [D("6.00"), D("4.00")]


# ---------------------------------------------------------------- properties

amounts = st.decimals(min_value=-10, max_value=10, places=2, allow_nan=False, allow_infinity=False)
weights = st.one_of(
    st.sampled_from([D(1), D(0), D("-0.5"), D("0.3333333"), D("0.6")]),
    st.decimals(min_value=-1, max_value=1, places=4, allow_nan=False, allow_infinity=False),
)


@st.composite
def sections(draw, number: int) -> Section:
    positive = amounts.filter(lambda d: d > 0)
    maybe_pass = st.none() | amounts
    if draw(st.booleans()):
        return Section(f"S{number}", "b", None, 1, "right_wrong", correct=draw(positive),
                       wrong=draw(amounts), blank=draw(amounts), pass_score=draw(maybe_pass))
    return Section(f"S{number}", "b", None, 1, "weighted", points=draw(positive),
                   pass_score=draw(maybe_pass))


@st.composite
def sheets(draw):
    """A blueprint, keys for 1..12 positions, and a sequence of answer changes."""
    count = draw(st.integers(min_value=1, max_value=4))
    blueprint = Blueprint("C", "T", D(1), pass_total=draw(st.none() | amounts),
                          sections=tuple(draw(sections(i)) for i in range(count)))
    keys = [(draw(st.integers(0, count - 1)), tuple(draw(st.lists(weights, min_size=1, max_size=5))))
            for _ in range(draw(st.integers(min_value=1, max_value=12)))]
    moves = draw(st.lists(
        st.integers(1, len(keys)).flatmap(
            lambda p: st.tuples(st.just(p), st.none() | st.integers(0, len(keys[p - 1][1]) - 1))),
        max_size=40))
    return blueprint, keys, moves


@given(sheets())
def test_the_running_sheet_always_equals_a_recount(case):
    blueprint, keys, moves = case
    sheet, answers = ScoreSheet(blueprint, keys), {}
    for position, choice in moves:
        before = sheet.section_points()
        change = sheet.answer(position, choice)
        answers[position] = choice
        after = recount(blueprint, keys, answers)
        assert sheet.section_points() == after
        section = keys[position - 1][0]
        assert change == after[section] - before[section]
        assert sheet.total() == sum(after, D(0))


@given(sheets())
def test_scores_stay_within_the_bounds_of_the_blueprint(case):
    blueprint, keys, moves = case
    sheet = ScoreSheet(blueprint, keys)
    for position, choice in moves:
        sheet.answer(position, choice)
        low, high = sheet.min_points(), sheet.max_points()
        for points, least, most in zip(sheet.section_points(), low, high):
            assert least <= points <= most
        assert sum(low, D(0)) <= sheet.total() <= sum(high, D(0))


@given(sheets())
def test_results_agree_with_the_thresholds_and_survive_a_restore(case):
    blueprint, keys, moves = case
    sheet = ScoreSheet(blueprint, keys)
    for position, choice in moves:
        sheet.answer(position, choice)
    results = sheet.section_results()
    assert [row["points"] for row in results] == sheet.section_points()
    expected = all(row["passed"] for row in results) and (
        blueprint.pass_total is None or sheet.total() >= blueprint.pass_total)
    assert sheet.passed() == expected
    copy = ScoreSheet(blueprint, keys)
    copy.restore(sheet.snapshot())
    assert copy.section_results() == results and copy.answered == sheet.answered
