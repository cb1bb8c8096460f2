"""Signs that an item's key may be wrong, for the committee's analysis page."""
from __future__ import annotations

from decimal import Decimal

from exam_server.domain.analysis import CandidateResponses, ItemResponse, analyse
from exam_server.domain.review_flags import DISTRACTOR_OVER_KEY, NEGATIVE, P_EXTREME, review_flags

D = Decimal


def answer(choice: int | None, key: int = 0) -> ItemResponse:
    return ItemResponse(choice, D(5) if choice == key else D(0), D(5), (key,), 4, "TWK")


def sitting(rows: list[dict[int, int | None]]) -> list[CandidateResponses]:
    return [CandidateResponses(f"c{n:02}", {item: answer(choice) for item, choice in row.items()})
            for n, row in enumerate(rows)]


def flags_of(rows):
    responses = sitting(rows)
    return review_flags(responses, analyse(responses))


def test_a_wrong_key_shows_as_the_top_group_choosing_a_distractor_and_negative_discrimination():
    # Items 1-3 sort the candidates; on item 9 the strongest choose B (1), the weakest the "key" A (0).
    strong = [{1: 0, 2: 0, 3: 0, 9: 1}] * 4
    middle = [{1: 0, 2: 0, 3: 2, 9: 1}] * 3
    weak = [{1: 2, 2: 3, 3: 1, 9: 0}] * 4
    flagged = flags_of(strong + middle + weak)
    assert set(flagged[9]) == {DISTRACTOR_OVER_KEY, NEGATIVE}
    assert 1 not in flagged and 2 not in flagged


def test_an_item_everyone_or_no_one_got_right_is_flagged_even_in_a_small_hall():
    flagged = flags_of([{1: 0, 2: 1, 3: 0}, {1: 0, 2: 2, 3: 1}, {1: 0, 2: 3, 3: 0}])
    assert flagged[1] == (P_EXTREME,) and P_EXTREME in flagged[2] and 3 not in flagged


def test_a_sound_item_shows_no_sign():
    rows = [{1: 0, 2: 0}] * 3 + [{1: 1, 2: 0}] * 2 + [{1: 1, 2: 1}] * 2
    assert 1 not in flags_of(rows)


def test_under_penalty_marking_no_one_right_is_still_a_p_of_0():
    responses = [CandidateResponses(f"c{n}", {1: ItemResponse(1, D(-1), D(5), (0,), 4, "TWK")}) for n in range(3)]
    assert P_EXTREME in review_flags(responses, analyse(responses))[1]
