"""Corrections of a key: stacking states, weights in points, annulments scored by the one ScoreSheet."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exam_server.domain import correction as fix
from exam_server.domain.scoring import ANNUL_FULL, ANNUL_NONE, ScoreSheet
from tests.unit.test_scoring import KEYS, RIGHT_WRONG_KEYS, WEIGHTED_KEYS, exam, recount

D = Decimal


def test_a_key_stacks_on_what_is_in_force_and_clears_an_annulment():
    state = fix.ItemState(RIGHT_WRONG_KEYS)
    assert fix.with_key(state, "b").weights == (0, 1, 0, 0)
    annulled = fix.annulled(fix.with_key(state, "B"), ANNUL_FULL)
    assert annulled.annul == ANNUL_FULL and annulled.weights == (0, 1, 0, 0)
    assert fix.with_key(annulled, "C") == fix.ItemState((D(0), D(0), D(1), D(0)))
    assert fix.ItemState.from_json(annulled.to_json()) == annulled
    with pytest.raises(ValueError, match="does not exist"):
        fix.with_key(state, "E")


def test_weights_are_given_in_points_or_percent_and_must_be_exact():
    assert fix.parse_weights("A=5, C=4", 5, D(5)) == {0: D(1), 2: D("0.8")}
    assert fix.parse_weights("B=60%", 5, D(5)) == {1: D("0.6")}
    state = fix.with_weights(fix.ItemState(WEIGHTED_KEYS), {0: D(1), 4: D("0.2")})
    assert state.weights == (D(1), D("0.4"), D("0.6"), D("0.8"), D("0.2"))
    for bad in ("A=1/3", "A", "", "A=x", "F=1"):
        with pytest.raises(ValueError):
            fix.parse_weights(bad, 5, D(5))
    with pytest.raises(ValueError, match="exact"):
        fix.parse_weights("A=1", 5, D(3))


def test_annul_full_earns_the_most_and_none_counts_for_no_one():
    keys = [(0, RIGHT_WRONG_KEYS, ANNUL_FULL), (0, RIGHT_WRONG_KEYS, ANNUL_NONE)] + KEYS[2:]
    sheet = ScoreSheet(exam(), keys)
    assert sheet.section_points()[0] == D("5.5")  # 5 for the annulled item, 0 for the other, blank 0.5
    sheet.answer(1, 1)
    sheet.answer(2, 0)
    assert sheet.section_points()[0] == D("5.5")
    assert sheet.max_points()[0] == D(10)


@given(st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=3, max_size=3),
       st.sampled_from([None, ANNUL_FULL, ANNUL_NONE]))
def test_an_annulled_item_scores_as_its_rule_says_whatever_was_answered(choices, annul):
    keys = [(0, RIGHT_WRONG_KEYS, annul)] + KEYS[1:]
    sheet = ScoreSheet(exam(), keys)
    answers = {position: choice for position, choice in enumerate(choices, 1)}
    sheet.restore(answers)
    others = recount(exam(), [(0, RIGHT_WRONG_KEYS)] + KEYS[1:], {**answers, 1: None})
    first = {None: recount(exam(), KEYS, {1: choices[0]})[0] - D("1.0"), ANNUL_FULL: D(5), ANNUL_NONE: D(0)}[annul]
    assert sheet.section_points()[0] == others[0] - D("0.5") + first


def test_compare_lists_only_what_a_reader_sees_change():
    doc = {"attempt_id": 1, "participant_number": "P", "name": "N", "total": "10.00", "passed": True,
           "sections": [{"name": "S", "points": "10.00", "max_points": "20.00", "passed": True}]}
    assert fix.compare(doc, dict(doc)) is None
    lower = {**doc, "total": "8.00", "passed": False,
             "sections": [{"name": "S", "points": "8.00", "max_points": "20.00", "passed": False}]}
    change = fix.compare(doc, lower)
    assert change.delta == D(-2) and change.pass_changed and change.sections == (("S", "10.00", "8.00"),)
    assert fix.summary([change], 3)["pass_changes"][0]["delta"] == "-2.00"
