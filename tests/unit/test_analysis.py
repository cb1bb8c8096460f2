"""Item analysis: textbook values worked out independently, randomised forms, and properties."""
from __future__ import annotations

import math
import statistics
from dataclasses import fields, replace
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from exam_server.domain.analysis import (
    ALPHA,
    DISTRACTOR_NEVER_CHOSEN,
    KEY_NEVER_CHOSEN,
    KR20,
    NEGATIVE_DISCRIMINATION,
    TOO_EASY,
    TOO_HARD,
    Analysis,
    Bin,
    CandidateResponses,
    ItemResponse,
    ItemStats,
    SectionStats,
    analyse,
    histogram,
    option_letter,
    section_totals,
    to_rows,
)

D = Decimal


def right_wrong(correct: bool | None, *, section: str = "TIU", value: Decimal = D(5),
                options: int = 4) -> ItemResponse:
    """A 1/0 item keyed on option 0: correct chooses 0, wrong chooses 1, None is blank."""
    choice = None if correct is None else (0 if correct else 1)
    return ItemResponse(choice, value if correct else D(0), value, (0,), options, section)


def weighted(choice: int | None, *, section: str = "TKP") -> ItemResponse:
    """A TKP-style item: option i is worth i + 1 points of 5, option 4 is the key."""
    points = D(0) if choice is None else D(choice + 1)
    return ItemResponse(choice, points, D(5), (4,), 5, section)


def from_matrix(matrix: list[list[int]], **options) -> list[CandidateResponses]:
    """Candidate c got every item i (ids 1..k) right when matrix[c][i] is 1."""
    return [CandidateResponses(f"c{number}", {item: right_wrong(bool(x), **options)
                                               for item, x in enumerate(row, 1)})
            for number, row in enumerate(matrix, 1)]


def by_id(analysis: Analysis) -> dict[int, ItemStats]:
    return {item.item_id: item for item in analysis.items}


# Ten candidates, five items. Totals 5 5 4 3 3 3 2 1 1 0: the upper 27% (3) and
# the lower 27% (3) have no ties at their edges.
TEXTBOOK = [
    [1, 1, 1, 1, 1],
    [1, 1, 1, 1, 1],
    [1, 1, 1, 1, 0],
    [1, 1, 1, 0, 0],
    [1, 0, 1, 1, 0],
    [0, 1, 1, 0, 1],
    [1, 0, 0, 1, 0],
    [0, 0, 1, 0, 0],
    [0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0],
]


def column(matrix: list[list[int]], item: int) -> list[int]:
    return [row[item] for row in matrix]


def textbook_point_biserial(matrix: list[list[int]], item: int) -> float:
    """r_pb = (M1 - M0) / s * sqrt(p q), on the rest score (total without the item)."""
    rests = [sum(row) - row[item] for row in matrix]
    right = [rest for rest, row in zip(rests, matrix) if row[item] == 1]
    wrong = [rest for rest, row in zip(rests, matrix) if row[item] == 0]
    p = len(right) / len(matrix)
    return (statistics.mean(right) - statistics.mean(wrong)) / statistics.pstdev(rests) \
        * math.sqrt(p * (1 - p))


def textbook_kr20(matrix: list[list[int]]) -> float:
    """KR-20 = k / (k - 1) x (1 - sum p q / variance of totals)."""
    k = len(matrix[0])
    pq = sum(statistics.mean(column(matrix, i)) * (1 - statistics.mean(column(matrix, i)))
             for i in range(k))
    return k / (k - 1) * (1 - pq / statistics.pvariance([sum(row) for row in matrix]))


def textbook_alpha(matrix: list[list[Fraction]]) -> float:
    """Cronbach's alpha = k / (k - 1) x (1 - sum of item variances / variance of totals)."""
    k = len(matrix[0])
    items = sum(statistics.pvariance([row[i] for row in matrix]) for i in range(k))
    return float(Fraction(k, k - 1) * (1 - items / statistics.pvariance([sum(row) for row in matrix])))


# ---------------------------------------------------------------- textbook values


def test_facility_is_the_proportion_who_got_the_item_right():
    items = by_id(analyse(from_matrix(TEXTBOOK)))
    assert [items[i].facility for i in range(1, 6)] == [0.6, 0.5, 0.7, 0.5, 0.4]
    assert all(item.n == 10 and item.blanks == 0 for item in items.values())


def test_point_biserial_correlates_the_item_with_the_rest_of_the_section():
    items = by_id(analyse(from_matrix(TEXTBOOK)))
    for index in range(5):
        expected = round(textbook_point_biserial(TEXTBOOK, index), 4)
        assert items[index + 1].point_biserial == pytest.approx(expected, abs=1e-12)


def test_discrimination_index_compares_the_top_and_bottom_27_percent():
    items = by_id(analyse(from_matrix(TEXTBOOK)))
    ranked = sorted(TEXTBOOK, key=sum, reverse=True)
    upper, lower = ranked[:3], ranked[-3:]
    for index in range(5):
        expected = statistics.mean(column(upper, index)) - statistics.mean(column(lower, index))
        assert items[index + 1].upper_lower == round(expected, 4)
    assert items[1].upper_lower == 1.0  # everyone on top right, everyone at the bottom wrong
    assert items[5].upper_lower == 0.3333  # 2/3 - 1/3


def test_kr20_of_a_fixed_form_is_the_textbook_value():
    section = analyse(from_matrix(TEXTBOOK)).sections[0]
    assert section.reliability_method == KR20
    assert section.reliability == round(textbook_kr20(TEXTBOOK), 4)


def test_section_statistics_describe_the_totals_in_points():
    section = analyse(from_matrix(TEXTBOOK, value=D(5))).sections[0]
    totals = [5 * sum(row) for row in TEXTBOOK]
    assert (section.section, section.n_candidates) == ("TIU", 10)
    assert section.mean == statistics.mean(totals) == 13.5
    assert section.sd == round(statistics.pstdev(totals), 4)
    assert (section.min, section.max) == (D(0), D(25))


def test_alpha_on_a_weighted_section_is_the_textbook_value():
    choices = [[4, 3, 4], [3, 3, 2], [2, 1, 3], [1, 2, 0], [0, 0, 1], [4, 4, 3]]
    responses = [CandidateResponses(f"c{n}", {i: weighted(c) for i, c in enumerate(row, 1)})
                 for n, row in enumerate(choices)]
    section = analyse(responses).sections[0]
    points = [[Fraction(c + 1) for c in row] for row in choices]
    assert section.reliability_method == ALPHA
    assert section.reliability == round(textbook_alpha(points), 4)


def test_alpha_uses_item_scores_when_items_are_worth_different_points():
    values = [D(1), D("2.5"), D(4)]
    earned = [["1", "2.5", "3"], ["0", "1.25", "4"], ["1", "0", "1"], ["0", "2.5", "0"],
              ["1", "1.25", "2"]]
    responses = [CandidateResponses(f"c{n}", {i: ItemResponse(0, D(p), v, (0,), 2, "S")
                                               for i, (p, v) in enumerate(zip(row, values))})
                 for n, row in enumerate(earned)]
    section = analyse(responses).sections[0]
    scores = [[Fraction(D(p)) / Fraction(v) for p, v in zip(row, values)] for row in earned]
    assert section.reliability == round(textbook_alpha(scores), 4)
    assert (section.min, section.max, section.mean) == (D(2), D("6.5"), 4.1)


def test_penalties_can_take_facility_below_zero():
    penalised = [ItemResponse(1, D(-1), D(4), (0,), 4, "S"), ItemResponse(0, D(4), D(4), (0,), 4, "S"),
                 ItemResponse(2, D(-1), D(4), (0,), 4, "S"), ItemResponse(3, D(-1), D(4), (0,), 4, "S")]
    responses = [CandidateResponses(f"c{n}", {1: answer}) for n, answer in enumerate(penalised)]
    assert analyse(responses).items[0].facility == 0.0625  # (4 - 3) / 4 / 4
    worse = [replace(sheet, answers={1: penalised[2]}) for sheet in responses]
    assert analyse(worse).items[0].facility == -0.25


def test_ties_at_the_edge_of_a_group_share_its_places():
    # n = 4: groups of one. a and b tie on top and share that place; d is alone at the bottom.
    rows = {"a": [1, 1, 0], "b": [0, 1, 1], "c": [0, 1, 0], "d": [0, 0, 0]}
    responses = [CandidateResponses(name, {i: right_wrong(bool(x)) for i, x in enumerate(row, 1)})
                 for name, row in rows.items()]
    assert by_id(analyse(responses))[1].upper_lower == 0.5
    assert analyse(responses[::-1]) == analyse(responses)


# ---------------------------------------------------------------- randomised forms


RANDOMISED = [
    CandidateResponses("a", {1: right_wrong(True), 2: right_wrong(True)}),
    CandidateResponses("b", {1: right_wrong(False), 3: right_wrong(True)}),
    CandidateResponses("c", {2: right_wrong(False), 3: right_wrong(False)}),
    CandidateResponses("d", {1: right_wrong(True), 3: right_wrong(True)}),
]


def test_an_item_counts_only_the_candidates_who_got_it():
    items = by_id(analyse(RANDOMISED))
    assert [(items[i].n, items[i].facility) for i in (1, 2, 3)] == [(3, 0.6667), (2, 0.5), (3, 0.6667)]
    assert items[2].point_biserial is None  # two candidates say nothing about a correlation
    assert items[1].choice_counts == (2, 1, 0, 0)


def test_reliability_of_randomised_forms_uses_the_mean_position():
    # k = 2 items each; item variances 2/9, 1/4, 2/9 weighted by n = 3, 2, 3 -> 11/48;
    # totals 2, 1, 0, 2 have variance 11/16; alpha = 2 x (1 - 2 x (11/48) / (11/16)) = 2/3.
    assert analyse(RANDOMISED).sections[0].reliability == 0.6667


def test_the_rest_score_is_taken_within_the_items_section_only():
    other = {10: right_wrong(True, section="TWK"), 11: right_wrong(False, section="TWK")}
    alone = from_matrix(TEXTBOOK)
    mixed = [replace(sheet, answers={**sheet.answers, **(other if n % 2 else {})})
             for n, sheet in enumerate(alone)]
    first, second = analyse(alone), analyse(mixed)
    assert [s.section for s in second.sections] == ["TIU", "TWK"]
    assert second.items[:5] == first.items
    assert [item.item_id for item in second.items] == [1, 2, 3, 4, 5, 10, 11]


# ---------------------------------------------------------------- flags and counts


def test_an_item_everyone_gets_right_has_no_correlation_and_is_too_easy():
    matrix = [row[:4] + [1] for row in TEXTBOOK]
    item = by_id(analyse(from_matrix(matrix)))[5]
    assert (item.facility, item.point_biserial, item.upper_lower) == (1.0, None, 0.0)
    assert TOO_EASY in item.flags and NEGATIVE_DISCRIMINATION not in item.flags
    assert DISTRACTOR_NEVER_CHOSEN in item.flags


def test_an_item_nobody_gets_right_is_too_hard_and_its_key_never_chosen():
    matrix = [row[:4] + [0] for row in TEXTBOOK]
    item = by_id(analyse(from_matrix(matrix)))[5]
    assert item.facility == 0.0
    assert {TOO_HARD, KEY_NEVER_CHOSEN} <= set(item.flags)


def test_reversing_the_key_of_a_good_item_makes_it_discriminate_negatively():
    reversed_first = [[1 - row[0]] + row[1:] for row in TEXTBOOK]
    good = by_id(analyse(from_matrix(TEXTBOOK)))[1]
    bad = by_id(analyse(from_matrix(reversed_first)))[1]
    assert good.point_biserial > 0 and good.upper_lower > 0 and good.flags == (DISTRACTOR_NEVER_CHOSEN,)
    assert bad.point_biserial == -good.point_biserial
    assert bad.upper_lower < 0
    assert NEGATIVE_DISCRIMINATION in bad.flags


def test_small_samples_raise_no_distribution_flags():
    item = by_id(analyse(from_matrix([[1, 0], [1, 1]])))[1]
    assert item.n == 2 and item.flags == ()
    assert item.upper_lower == 0.0  # groups of one, both right


def test_choices_are_counted_in_original_option_order_and_blanks_apart():
    answers = [0, 2, 2, None, 3, None]
    responses = [CandidateResponses(f"c{n}", {7: ItemResponse(c, D(1) if c == 0 else D(0), D(1),
                                                              (0,), 4, "S")})
                 for n, c in enumerate(answers)]
    item = analyse(responses).items[0]
    assert (item.choice_counts, item.blanks, item.n) == ((1, 0, 2, 1), 2, 6)


def test_a_lone_candidate_gives_no_correlation_discrimination_or_reliability():
    analysis = analyse(from_matrix([[1, 0]]))
    assert analysis.items[0].point_biserial is None and analysis.items[0].upper_lower is None
    assert analysis.sections[0].reliability is None and analysis.sections[0].sd == 0.0


def test_no_responses_give_an_empty_analysis():
    assert analyse([]) == Analysis((), ())


@pytest.mark.parametrize("bad", [
    dict(max_points=D(0)), dict(choice=4), dict(choice=-1), dict(key=(5,)), dict(option_count=0),
])
def test_impossible_responses_are_refused(bad):
    good = dict(choice=0, points=D(1), max_points=D(1), key=(0,), option_count=4, section="S")
    with pytest.raises(ValueError):
        ItemResponse(**{**good, **bad})


def test_an_item_must_keep_its_key_and_section_and_candidates_must_be_distinct():
    changed = ItemResponse(0, D(5), D(5), (1,), 4, "TIU")
    with pytest.raises(ValueError, match="item 1"):
        analyse([CandidateResponses("a", {1: right_wrong(True)}),
                 CandidateResponses("b", {1: changed})])
    with pytest.raises(ValueError, match="twice"):
        analyse(from_matrix([[1]]) * 2)


# ---------------------------------------------------------------- histogram and export


def test_histogram_splits_the_range_into_equal_bars_the_last_one_closed():
    totals = [D(n) for n in range(11)]
    assert histogram(totals, bins=5) == [
        Bin(D(0), D(2), 2), Bin(D(2), D(4), 2), Bin(D(4), D(6), 2), Bin(D(6), D(8), 2),
        Bin(D(8), D(10), 3),
    ]


def test_histogram_over_a_given_range_leaves_out_totals_outside_it():
    bars = histogram([D(-5), D(0), D("49.99"), D(50), D(100), D(120)], bins=2, low=D(0), high=D(100))
    assert bars == [Bin(D(0), D(50), 2), Bin(D(50), D(100), 2)]


def test_histogram_edge_cases():
    assert histogram([]) == []
    assert histogram([D(7), D(7)]) == [Bin(D(7), D(7), 2)]
    assert [bar.count for bar in histogram([], bins=3, low=D(0), high=D(3))] == [0, 0, 0]
    with pytest.raises(ValueError):
        histogram([D(1)], bins=0)
    with pytest.raises(ValueError):
        histogram([D(1)], low=D(2), high=D(1))


@given(st.lists(st.decimals(min_value=-50, max_value=200, places=2), min_size=1),
       st.integers(min_value=1, max_value=20))
def test_every_total_falls_in_exactly_one_bar(totals, bins):
    bars = histogram(totals, bins=bins)
    assert len(bars) in (1, bins)
    assert sum(bar.count for bar in bars) == len(totals)
    assert bars[0].start == min(totals) and bars[-1].end == max(totals)


def test_section_totals_feed_a_histogram_per_section():
    mixed = [CandidateResponses("a", {1: right_wrong(True), 9: weighted(2)}),
             CandidateResponses("b", {1: right_wrong(False)})]
    assert section_totals(mixed, "TIU") == [D(5), D(0)]
    assert section_totals(mixed, "TKP") == [D(3)]


def test_rows_hold_every_field_with_lettered_choice_counts():
    rows = to_rows(analyse(from_matrix(TEXTBOOK)))
    assert len(rows) == 5
    assert list(rows[0]) == [f.name for f in fields(ItemStats)]
    assert rows[0]["choice_counts"] == "A:6 B:4 C:0 D:0"
    assert rows[0]["flags"] == DISTRACTOR_NEVER_CHOSEN
    assert rows[0]["upper_lower"] == 1.0


def test_option_letters_continue_past_z():
    letters = [option_letter(i) for i in (0, 1, 25, 26, 27, 51, 52)]
    assert letters == ["A", "B", "Z", "AA", "AB", "AZ", "BA"]


# ---------------------------------------------------------------- properties


@st.composite
def sessions(draw) -> list[CandidateResponses]:
    """Candidates who each drew some items of a pool; right/wrong or weighted items, some blanks."""
    pool = []
    for item_id in range(draw(st.integers(1, 8))):
        options = draw(st.integers(2, 5))
        key = draw(st.integers(0, options - 1))
        weights = [Fraction(1) if o == key else draw(st.sampled_from([Fraction(0), Fraction(1, 4),
                                                                      Fraction(1, 2)]))
                   for o in range(options)]
        pool.append((item_id, options, key, weights, draw(st.sampled_from(["A", "B"])),
                     draw(st.sampled_from([D(1), D(5), D("2.5")]))))
    responses = []
    for number in range(draw(st.integers(0, 15))):
        drawn = draw(st.lists(st.sampled_from(pool), min_size=1, unique_by=lambda p: p[0]))
        answers = {}
        for item_id, options, key, weights, section, value in drawn:
            choice = draw(st.none() | st.integers(0, options - 1))
            weight = Fraction(0) if choice is None else weights[choice]
            points = value * D(weight.numerator) / D(weight.denominator)
            answers[item_id] = ItemResponse(choice, points, value, (key,), options, section)
        responses.append(CandidateResponses(f"c{number}", answers))
    return responses


@given(sessions())
def test_statistics_stay_within_their_ranges(responses):
    for item in analyse(responses).items:
        got = sum(item.item_id in sheet.answers for sheet in responses)
        assert item.n == got
        assert 0 <= item.facility <= 1
        assert item.point_biserial is None or abs(item.point_biserial) <= 1
        assert item.upper_lower is None or -1 <= item.upper_lower <= 1
        assert sum(item.choice_counts) == item.n - item.blanks


@given(sessions())
def test_only_the_order_of_sections_depends_on_the_order_of_candidates(responses):
    forward, backward = analyse(responses), analyse(responses[::-1])
    assert sorted(backward.items, key=by_place) == sorted(forward.items, key=by_place)
    assert sorted(backward.sections, key=by_name) == sorted(forward.sections, key=by_name)


def by_place(item: ItemStats) -> tuple[str, int]:
    return item.section, item.item_id


def by_name(section: SectionStats) -> str:
    return section.section


@given(sessions())
def test_section_totals_agree_with_section_statistics(responses):
    for section in analyse(responses).sections:
        totals = section_totals(responses, section.section)
        assert section.n_candidates == len(totals)
        assert (section.min, section.max) == (min(totals), max(totals))
        assert section.mean == round(float(statistics.mean(totals)), 4)


matrices = st.integers(2, 6).flatmap(
    lambda k: st.lists(st.lists(st.integers(0, 1), min_size=k, max_size=k), min_size=2, max_size=15))


@given(matrices)
def test_kr20_on_a_complete_matrix_equals_the_textbook_formula(matrix):
    assume(statistics.pvariance([sum(row) for row in matrix]) > 0)
    section = analyse(from_matrix(matrix)).sections[0]
    assert section.reliability == pytest.approx(textbook_kr20(matrix), abs=5e-5 + 1e-9)


@given(matrices)
def test_reversing_an_items_key_negates_its_point_biserial(matrix):
    flipped = [[1 - row[0]] + row[1:] for row in matrix]
    before, after = analyse(from_matrix(matrix)).items[0], analyse(from_matrix(flipped)).items[0]
    if before.point_biserial is None:
        assert after.point_biserial is None
    else:
        assert after.point_biserial == -before.point_biserial
        assert (NEGATIVE_DISCRIMINATION in after.flags) >= (after.point_biserial < 0)


def test_a_reliability_above_one_from_a_small_randomised_sample_is_reported_as_undefined():
    from decimal import Decimal

    from exam_server.domain.analysis import CandidateResponses, ItemResponse, analyse

    def answer(points):
        return ItemResponse(choice=0 if points else 1, points=Decimal(points), max_points=Decimal(1), key=(0,),
                            option_count=2, section="S")

    # Each candidate saw other items; their totals spread far more than the items vary: the approximation passes 1.
    responses = [
        CandidateResponses("a", {1: answer(1), 2: answer(1)}),
        CandidateResponses("b", {3: answer(0), 4: answer(0)}),
        CandidateResponses("c", {5: answer(1), 6: answer(1)}),
        CandidateResponses("d", {7: answer(0), 8: answer(0)}),
    ]
    reliability = analyse(responses).sections[0].reliability
    assert reliability is None
