"""Item analysis of a finished session (classical test theory), for the exam committee.

Per item: facility, corrected item-total correlation, the upper-lower
discrimination index, how often each original option was chosen, and flags
for items worth a second look. Per section: the spread of totals and a
reliability estimate (KR-20 or Cronbach's alpha).

Candidates draw different items from a pool, so an item's statistics use only
the candidates who got it. An item's score is ``points / max_points``; for a
right/wrong item marked 1/0 that is 1 when correct and 0 otherwise, so its
facility is the proportion correct. Under penalty marking (negative points)
facility is the mean fraction of the item's value and can fall below 0.

Sums are exact (whole numbers of the smallest decimal step, then Fractions);
the statistics are reported as floats rounded to four places, because this
is reporting, not scoring. Section minimum and maximum stay Decimal: they
are real scores.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from exam_server.domain.analysis_export import (  # noqa: F401 - importable from here
    Bin, histogram, option_letter, section_totals, to_rows,
)

KR20 = "KR-20"
ALPHA = "alpha"

NEGATIVE_DISCRIMINATION = "negative_discrimination"
KEY_NEVER_CHOSEN = "key_never_chosen"
DISTRACTOR_NEVER_CHOSEN = "distractor_never_chosen"
TOO_EASY = "too_easy"
TOO_HARD = "too_hard"

PLACES = 4
GROUP_SHARE = Fraction(27, 100)  # upper and lower groups of the discrimination index
EASY = Fraction(95, 100)
HARD = Fraction(5, 100)
MIN_FLAG_N = 10  # fewer candidates than this say too little for the distribution flags
MIN_CORRELATION_N = 3


@dataclass(frozen=True)
class ItemResponse:
    """One candidate's answer to one item, in the bank's original option order."""

    choice: int | None  # original option index, None when left blank
    points: Decimal
    max_points: Decimal
    key: tuple[int, ...]  # original indexes of the options of weight 1
    option_count: int
    section: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", tuple(self.key))
        if not (self.points.is_finite() and self.max_points.is_finite()):
            raise ValueError(f"points must be finite numbers (got {self.points}, {self.max_points})")
        if self.max_points <= 0:
            raise ValueError(f"max_points must be greater than 0 (got {self.max_points})")
        if self.option_count < 1:
            raise ValueError(f"option_count must be at least 1 (got {self.option_count})")
        for index in self.key + (() if self.choice is None else (self.choice,)):
            if not 0 <= index < self.option_count:
                raise ValueError(f"option {index} does not exist (the item has {self.option_count})")


@dataclass(frozen=True)
class CandidateResponses:
    """Every item one candidate got, by bank item id."""

    candidate: str
    answers: Mapping[int, ItemResponse]


@dataclass(frozen=True)
class ItemStats:
    """One item's statistics over the candidates who got it."""

    item_id: int
    section: str
    n: int  # candidates who got the item
    facility: float  # p: mean score / max (proportion correct for 1/0 items)
    point_biserial: float | None  # item score against the rest of the section total
    upper_lower: float | None  # D = p(upper 27%) - p(lower 27%) by section total
    choice_counts: tuple[int, ...]  # per original option
    blanks: int
    flags: tuple[str, ...]


@dataclass(frozen=True)
class SectionStats:
    """The spread of one section's totals (in points) and its reliability."""

    section: str
    n_candidates: int
    mean: float
    sd: float  # population standard deviation
    min: Decimal
    max: Decimal
    reliability: float | None
    reliability_method: str  # KR20 when every item scored only 0 or full marks, else ALPHA


@dataclass(frozen=True)
class Analysis:
    items: tuple[ItemStats, ...]
    sections: tuple[SectionStats, ...]


# ---------------------------------------------------------------- gathering


@dataclass
class _Item:
    """Everything seen of one item, one entry per candidate who got it (points in units)."""

    item_id: int
    section: str
    key: tuple[int, ...]
    option_count: int
    max_points: Decimal
    value: int  # max_points in units
    candidates: list[str] = field(default_factory=list)
    choices: list[int | None] = field(default_factory=list)
    points: list[int] = field(default_factory=list)

    def add(self, candidate: str, answer: ItemResponse, points: int) -> None:
        shape = (answer.section, answer.key, answer.option_count, answer.max_points)
        if shape != (self.section, self.key, self.option_count, self.max_points):
            raise ValueError(f"item {self.item_id} has a different section, key, option count "
                             f"or max_points for candidate {candidate!r}")
        self.candidates.append(candidate)
        self.choices.append(answer.choice)
        self.points.append(points)


@dataclass
class _Tally:
    """One candidate's section: points and item scores (both in units), items got."""

    raw: int = 0
    scored: int = 0
    count: int = 0


def _scale(responses: Sequence[CandidateResponses]) -> int:
    """The number of decimal places that makes every points value of the session whole.

    Points are then counted in whole units of 10**-scale, so every sum is an
    exact and fast int; a section's item scores (points / max_points) are
    counted in units of 1 / the lcm of its items' values.
    """
    exponents = [value.as_tuple().exponent for sheet in responses
                 for answer in sheet.answers.values() for value in (answer.points, answer.max_points)]
    return max([0] + [-exponent for exponent in exponents if isinstance(exponent, int)])


def _units(value: Decimal, scale: int) -> int:
    numerator, denominator = value.as_integer_ratio()
    return numerator * 10**scale // denominator


def _gather(responses: Sequence[CandidateResponses], scale: int) -> dict[int, _Item]:
    """Items by id, in order of first appearance; a candidate may appear only once."""
    items: dict[int, _Item] = {}
    seen: set[str] = set()
    for sheet in responses:
        if sheet.candidate in seen:
            raise ValueError(f"candidate {sheet.candidate!r} appears twice")
        seen.add(sheet.candidate)
        for item_id, answer in sheet.answers.items():
            item = items.get(item_id)
            if item is None:
                item = items[item_id] = _Item(item_id, answer.section, answer.key, answer.option_count,
                                              answer.max_points, _units(answer.max_points, scale))
            item.add(sheet.candidate, answer, _units(answer.points, scale))
    return items


def _tallies(items: Sequence[_Item], common: int) -> dict[str, _Tally]:
    """Each candidate's tally of one section; ``common`` is the lcm of its items' values."""
    tallies: dict[str, _Tally] = {}
    for item in items:
        step = common // item.value
        for candidate, points in zip(item.candidates, item.points):
            tally = tallies.setdefault(candidate, _Tally())
            tally.raw += points
            tally.scored += points * step
            tally.count += 1
    return tallies


# ---------------------------------------------------------------- the analysis


def analyse(responses: Sequence[CandidateResponses]) -> Analysis:
    """Item and section statistics.

    Sections come in the order they first appear in ``responses``; items
    follow their section's order, then their item id.
    """
    scale = _scale(responses)
    items = _gather(responses, scale)
    order = list(dict.fromkeys(item.section for item in items.values()))
    item_rows: list[ItemStats] = []
    section_rows: list[SectionStats] = []
    for name in order:
        members = sorted((item for item in items.values() if item.section == name),
                         key=lambda item: item.item_id)
        tallies = _tallies(members, math.lcm(*(item.value for item in members)))
        item_rows += [_item_stats(item, tallies) for item in members]
        section_rows.append(_section_stats(name, tallies, members, scale))
    return Analysis(tuple(item_rows), tuple(section_rows))


def _item_stats(item: _Item, tallies: Mapping[str, _Tally]) -> ItemStats:
    n = len(item.points)
    totals = [tallies[candidate].raw for candidate in item.candidates]
    rests = [total - points for total, points in zip(totals, item.points)]
    facility = Fraction(sum(item.points), n * item.value)
    correlation = _correlation(item.points, rests) if n >= MIN_CORRELATION_N else None
    discrimination = _upper_lower(item.points, totals)
    counts = [item.choices.count(option) for option in range(item.option_count)]
    negative = any(value is not None and value < 0 for value in (correlation, discrimination))
    return ItemStats(
        item_id=item.item_id,
        section=item.section,
        n=n,
        facility=_shown(facility),
        point_biserial=None if correlation is None else _shown(correlation),
        upper_lower=None if discrimination is None else _shown(discrimination / item.value),
        choice_counts=tuple(counts),
        blanks=item.choices.count(None),
        flags=_flags(n, facility, negative, counts, item.key),
    )


def _flags(n: int, facility: Fraction, negative: bool, counts: Sequence[int],
           key: tuple[int, ...]) -> tuple[str, ...]:
    """Reasons for the committee to look at an item again; the distribution ones need n >= 10.

    An item whose key is empty (no option of weight 1) is never flagged for its key.
    """
    enough = n >= MIN_FLAG_N
    distractors = [count for index, count in enumerate(counts) if index not in key]
    rules = (
        (NEGATIVE_DISCRIMINATION, negative),
        (KEY_NEVER_CHOSEN, n >= 1 and bool(key) and not any(counts[index] for index in key)),
        (DISTRACTOR_NEVER_CHOSEN, enough and 0 in distractors),
        (TOO_EASY, enough and facility > EASY),
        (TOO_HARD, enough and facility < HARD),
    )
    return tuple(name for name, raised in rules if raised)


def _correlation(xs: Sequence[int], ys: Sequence[int]) -> float | None:
    """Pearson's r; None when either side does not vary.

    r squared is exact, so the sign is exact and |r| never exceeds 1 by rounding.
    """
    sxy, sxx, syy = _spread(xs, ys), _spread(xs, xs), _spread(ys, ys)
    if sxx == 0 or syy == 0:
        return None
    return math.copysign(math.sqrt(Fraction(sxy * sxy, sxx * syy)), sxy)


def _spread(xs: Sequence[int], ys: Sequence[int]) -> int:
    """n x the sum of products of deviations from the means: n squared x covariance, exactly."""
    return len(xs) * sum(x * y for x, y in zip(xs, ys)) - sum(xs) * sum(ys)


def _upper_lower(points: Sequence[int], totals: Sequence[int]) -> Fraction | None:
    """Mean points of the top 27% minus those of the bottom 27%, ranked by section total.

    The group size is 27% of n rounded half up; None when that is 0 (n < 2).
    """
    size = math.floor(len(points) * GROUP_SHARE + Fraction(1, 2))
    if size == 0:
        return None
    ranked = sorted(zip(totals, points), key=lambda pair: pair[0])
    return _group_mean(ranked[::-1], size) - _group_mean(ranked, size)


def _group_mean(ranked: Sequence[tuple[int, int]], size: int) -> Fraction:
    """Mean points of the first ``size`` (total, points) pairs.

    Candidates tied with the last one in the group share its remaining places
    equally, so the result does not depend on how ties happen to be ordered.
    """
    edge = ranked[size - 1][0]
    first = next(index for index, (total, _) in enumerate(ranked) if total == edge)
    tied = [points for total, points in ranked if total == edge]
    inside = sum(points for _, points in ranked[:first])
    return Fraction(inside * len(tied) + (size - first) * sum(tied), size * len(tied))


def _section_stats(name: str, tallies: Mapping[str, _Tally], items: Sequence[_Item],
                   scale: int) -> SectionStats:
    raws = [tally.raw for tally in tallies.values()]
    unit = 10**scale
    dichotomous = all(points in (0, item.value) for item in items for points in item.points)
    return SectionStats(
        section=name,
        n_candidates=len(raws),
        mean=_shown(Fraction(sum(raws), len(raws) * unit)),
        sd=_shown(math.sqrt(_variance(raws)) / unit),
        min=Decimal(min(raws)).scaleb(-scale),
        max=Decimal(max(raws)).scaleb(-scale),
        reliability=_reliability(list(tallies.values()), items),
        reliability_method=KR20 if dichotomous else ALPHA,
    )


def _reliability(tallies: Sequence[_Tally], items: Sequence[_Item]) -> float | None:
    """Cronbach's alpha over the k positions of a section (KR-20 when items score 0 or 1).

    alpha = k / (k - 1) x (1 - sum of item variances / variance of totals),
    on item scores ``points / max_points`` and totals of those scores.

    Candidates drew different items, so there is no full candidate-by-item
    matrix. This is an approximation, commonly used for randomised forms when
    the full matrix is missing: the section is treated as k positions filled
    by interchangeable items of its pool; k is the mean number of items a
    candidate got, and the variance of one position is the mean of the item
    variances weighted by how many candidates got each item (each item's
    variance over those candidates only). The sum of item variances is then
    k times that mean. For a fixed form (everyone got the same items) it is
    exactly the textbook formula. None with fewer than 2 candidates, k <= 1,
    or totals that do not vary.
    """
    if len(tallies) < 2:
        return None
    k = Fraction(sum(tally.count for tally in tallies), len(tallies))
    total_variance = _variance([tally.scored for tally in tallies])
    if k <= 1 or total_variance == 0:
        return None
    common = math.lcm(*(item.value for item in items))
    answered = sum(len(item.points) for item in items)
    position_variance = sum(len(item.points) * (common // item.value) ** 2 * _variance(item.points)
                            for item in items) / answered
    value = k / (k - 1) * (1 - k * position_variance / total_variance)
    # On randomised forms with few candidates the approximation can pass 1, which no
    # reliability can: say "undefined" rather than print a number that means nothing.
    return None if value > 1 else _shown(value)


def _variance(values: Sequence[int]) -> Fraction:
    """Population variance (divided by n), exactly."""
    return Fraction(_spread(values, values), len(values) ** 2)


def _shown(value: Fraction | float) -> float:
    """Four places; ``or`` turns a negative zero into 0.0."""
    return round(float(value), PLACES) or 0.0
