"""Item analysis for display and export: histogram bars, option letters and CSV rows."""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type hints only: analysis imports this module
    from exam_server.domain.analysis import Analysis, CandidateResponses


@dataclass(frozen=True)
class Bin:
    """A histogram bar: totals from ``start`` up to ``end`` (the last bar includes ``end``)."""

    start: Decimal
    end: Decimal
    count: int


def histogram(totals: Sequence[Decimal], bins: int = 10, low: Decimal | None = None,
              high: Decimal | None = None) -> list[Bin]:
    """Counts of totals in ``bins`` equal bars from ``low`` to ``high`` (default: min and max).

    Bars are half open, [start, end), except the last, which includes ``high``.
    Totals outside [low, high] are not counted. When low equals high there is
    a single bar. No totals and no range give no bars.
    """
    if bins < 1:
        raise ValueError(f"bins must be at least 1 (got {bins})")
    if not totals and (low is None or high is None):
        return []
    low = min(totals) if low is None else low
    high = max(totals) if high is None else high
    if high < low:
        raise ValueError(f"high ({high}) is below low ({low})")
    if high == low:
        return [Bin(low, high, sum(total == low for total in totals))]
    counts = [0] * bins
    for total in totals:
        if low <= total <= high:
            counts[min(math.floor(Fraction(total - low) * bins / Fraction(high - low)), bins - 1)] += 1
    edges = [low + (high - low) * index / bins for index in range(bins)] + [high]
    return [Bin(edges[index], edges[index + 1], count) for index, count in enumerate(counts)]


def option_letter(index: int) -> str:
    """A, B, ..., Z, AA, AB, ... for original option 0, 1, ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def to_rows(analysis: Analysis) -> list[dict[str, Any]]:
    """One row per item for CSV export, every field of ItemStats.

    Choice counts read "A:12 B:3 C:0" in original option order; flags are
    separated by spaces; an undefined statistic is None (an empty CSV cell).
    """
    return [{**asdict(item), "choice_counts": _lettered(item.choice_counts),
             "flags": " ".join(item.flags)} for item in analysis.items]


def _lettered(counts: tuple[int, ...]) -> str:
    return " ".join(f"{option_letter(index)}:{count}" for index, count in enumerate(counts))


def section_totals(responses: Iterable[CandidateResponses], section: str) -> list[Decimal]:
    """Each candidate's points in one section, for a histogram (candidates without it left out)."""
    totals = []
    for sheet in responses:
        points = [answer.points for answer in sheet.answers.values() if answer.section == section]
        if points:
            totals.append(sum(points, Decimal(0)))
    return totals
