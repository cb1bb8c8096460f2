"""Items whose key may be wrong: the signs the committee checks before it corrects a key.

- the item discriminates negatively (the weaker candidates did better on it);
- in the top group (the 27% with the highest section totals among those who
  got the item) a distractor was chosen more often than the key;
- everyone, or no one, earned the item's full value (a proportion correct
  of 1 or 0; counted on full marks, so penalty marking, where the analysis's
  facility can fall below 0, changes nothing).

Unlike the flags of ``domain.analysis`` these need no minimum number of
candidates: a wrong key shows in a small hall too.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from exam_server.domain.analysis import GROUP_SHARE, Analysis, CandidateResponses, ItemResponse, ItemStats

NEGATIVE = "negative_discrimination"
DISTRACTOR_OVER_KEY = "distractor_over_key"
P_EXTREME = "p_extreme"


def review_flags(responses: Sequence[CandidateResponses], analysis: Analysis) -> dict[int, tuple[str, ...]]:
    """item_id -> the signs it shows (items showing none are left out)."""
    totals = _section_totals(responses)
    flagged = {}
    for stats in analysis.items:
        got = [(sheet.candidate, sheet.answers[stats.item_id]) for sheet in responses if stats.item_id in sheet.answers]
        signs = _signs(stats, _top_group_prefers_a_distractor(got, totals), _all_or_none_correct(got))
        if signs:
            flagged[stats.item_id] = signs
    return flagged


def _signs(stats: ItemStats, distractor_over_key: bool, extreme: bool) -> tuple[str, ...]:
    negative = any(v is not None and v < 0 for v in (stats.upper_lower, stats.point_biserial))
    rules = ((NEGATIVE, negative), (DISTRACTOR_OVER_KEY, distractor_over_key), (P_EXTREME, extreme))
    return tuple(name for name, raised in rules if raised)


def _all_or_none_correct(got: Sequence[tuple[str, ItemResponse]]) -> bool:
    correct = [answer.points == answer.max_points for _, answer in got]
    return bool(correct) and (all(correct) or not any(correct))


def _section_totals(responses: Sequence[CandidateResponses]) -> dict[tuple[str, str], Decimal]:
    totals: dict[tuple[str, str], Decimal] = {}
    for sheet in responses:
        for answer in sheet.answers.values():
            key = (sheet.candidate, answer.section)
            totals[key] = totals.get(key, Decimal(0)) + answer.points
    return totals


def _top_group_prefers_a_distractor(got: Sequence[tuple[str, ItemResponse]],
                                    totals: dict[tuple[str, str], Decimal]) -> bool:
    size = math.floor(len(got) * GROUP_SHARE + Fraction(1, 2))
    if size == 0 or not got[0][1].key:
        return False
    ranked = sorted(got, key=lambda pair: (-totals[(pair[0], pair[1].section)], pair[0]))[:size]
    counts = [0] * got[0][1].option_count
    for _, answer in ranked:
        if answer.choice is not None:
            counts[answer.choice] += 1
    key = got[0][1].key
    best_key = max(counts[index] for index in key)
    return any(count > best_key for index, count in enumerate(counts) if index not in key)
