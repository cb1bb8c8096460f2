"""Exact scoring (CONTRACT section 4) and a running score sheet updated in O(1) per answer.

An option's weight is a fraction of the item's value. Under ``right_wrong`` an
option of weight exactly 1 earns ``correct``, any other earns ``wrong``, a
blank earns ``blank``. Under ``weighted`` the chosen option earns ``points`` x
its weight and a blank earns 0.

Sections are kept at full precision and quantised to two places (half up)
only when shown; the total is the sum of the shown section points, so a
result slip always adds up. ``running_score`` is the one place that turns
exact section sums into shown points: the proctors' feed, the board and the
signed result all go through it, so the live score is the result's score.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from exam_server.domain.blueprint import RIGHT_WRONG, Blueprint, Section

CENT = Decimal("0.01")
ZERO = Decimal(0)


def quantise(points: Decimal) -> Decimal:
    """Two decimal places, half up; never a negative zero."""
    shown = points.quantize(CENT, rounding=ROUND_HALF_UP)
    return abs(shown) if shown.is_zero() else shown


def format_points(points: Decimal) -> str:
    """Points as shown everywhere: two decimal places, e.g. "12.50"."""
    return f"{quantise(points):f}"


def item_points(section: Section, weight: Decimal | None) -> Decimal:
    """What one item earns given the weight of the chosen option (None = blank)."""
    if section.scoring == RIGHT_WRONG:
        if weight is None:
            return section.blank
        return section.correct if weight == 1 else section.wrong
    return ZERO if weight is None else section.points * weight


@dataclass(frozen=True)
class Score:
    """What anyone is shown: each section at two places, the total their sum."""

    sections: tuple[Decimal, ...]
    total: Decimal


def running_score(raw: Sequence[Decimal]) -> Score:
    """The score of exact per-section sums; every score shown or signed comes from here.

    The total adds the shown section points, never the raw ones: two sections of
    0.3333 make 0.66 (0.33 + 0.33), as the result slip prints them.
    """
    sections = tuple(quantise(points) for points in raw)
    return Score(sections, sum(sections, ZERO))


def blank_sums(blueprint: Blueprint) -> list[Decimal]:
    """Exact per-section sums of a form left entirely blank."""
    return [item_points(section, None) * section.count for section in blueprint.sections]


def shift(raw: Sequence[Decimal], section: int, before: Decimal, after: Decimal) -> list[Decimal]:
    """Exact per-section sums after one item of ``section`` goes from ``before`` to ``after`` points."""
    sums = list(raw)
    sums[section] += after - before
    return sums


def item_bounds(section: Section, weights: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """The least and the most one item can earn, leaving it blank included."""
    outcomes = [item_points(section, None)] + [item_points(section, w) for w in weights]
    return min(outcomes), max(outcomes)


ANNUL_FULL, ANNUL_NONE = "full", "none"
ANNULMENTS = (ANNUL_FULL, ANNUL_NONE)


def annulled_outcomes(outcomes: tuple[Decimal, ...], annul: str | None) -> tuple[Decimal, ...]:
    """An item's outcomes after an annulment by the committee.

    ``ANNUL_FULL``: every answer, a blank too, earns the most the item can earn.
    ``ANNUL_NONE``: the item counts for no one: it earns 0 and adds nothing to the maximum.
    """
    if annul is None:
        return outcomes
    if annul == ANNUL_FULL:
        return (max(outcomes),) * len(outcomes)
    if annul == ANNUL_NONE:
        return (ZERO,) * len(outcomes)
    raise ValueError(f"annulment must be one of {', '.join(ANNULMENTS)}, not {annul!r}")


class ScoreSheet:
    """One attempt's running score.

    ``keys[position - 1]`` is (section index, option weights in display order),
    optionally followed by an annulment (``ANNUL_FULL`` or ``ANNUL_NONE``, see
    ``annulled_outcomes``). Each item's outcomes are computed once, so
    recording an answer is O(1).
    """

    def __init__(self, blueprint: Blueprint, keys: Sequence[tuple]):
        self.blueprint = blueprint
        self._sections = [key[0] for key in keys]
        self._outcomes = [annulled_outcomes(self._item_outcomes(key[0], key[1]), key[2] if len(key) > 2 else None)
                          for key in keys]
        self._low = self._per_section(min)
        self._high = self._per_section(max)
        self._reset()

    def _per_section(self, pick: Callable[[tuple[Decimal, ...]], Decimal]) -> list[Decimal]:
        """Sum over each section's items of ``pick(outcomes)``."""
        sums = [ZERO] * len(self.blueprint.sections)
        for index, outcomes in zip(self._sections, self._outcomes):
            sums[index] += pick(outcomes)
        return sums

    def _reset(self) -> None:
        """Every position blank."""
        self._answers: list[int | None] = [None] * len(self._outcomes)
        self._answered = 0
        self._raw = self._per_section(lambda outcomes: outcomes[-1])

    def _item_outcomes(self, index: int, weights: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
        """Points for each display choice, then for a blank (last)."""
        if not 0 <= index < len(self.blueprint.sections):
            raise ValueError(f"no section {index} in blueprint {self.blueprint.code}")
        section = self.blueprint.sections[index]
        return tuple(item_points(section, w) for w in weights) + (item_points(section, None),)

    @property
    def item_count(self) -> int:
        return len(self._answers)

    def answer(self, position: int, choice: int | None) -> Decimal:
        """Record, change or clear (None) an answer; return the change of its section's points.

        The change is that of the shown (two-place) section points.
        """
        slot = self._slot(position)
        outcomes = self._outcomes[slot]
        if choice is not None and not 0 <= choice < len(outcomes) - 1:
            raise ValueError(f"position {position} has no option {choice}")
        previous = self._answers[slot]
        index = self._sections[slot]
        before = self.section_points()[index]
        self._raw = shift(self._raw, index, outcomes[-1 if previous is None else previous],
                          outcomes[-1 if choice is None else choice])
        self._answers[slot] = choice
        self._answered += (choice is not None) - (previous is not None)
        return self.section_points()[index] - before

    def _slot(self, position: int) -> int:
        if not 1 <= position <= len(self._answers):
            raise ValueError(f"no position {position} (the form has {len(self._answers)})")
        return position - 1

    def choice(self, position: int) -> int | None:
        """The display index chosen at a position, or None when blank."""
        return self._answers[self._slot(position)]

    @property
    def answered(self) -> int:
        """How many positions hold an answer."""
        return self._answered

    def section_points(self) -> list[Decimal]:
        return list(running_score(self._raw).sections)

    def total(self) -> Decimal:
        """The sum of the shown section points."""
        return running_score(self._raw).total

    def max_points(self) -> list[Decimal]:
        return [quantise(high) for high in self._high]

    def min_points(self) -> list[Decimal]:
        return [quantise(low) for low in self._low]

    def section_passed(self) -> list[bool]:
        """Per section: reached its pass_score (True when it has none)."""
        return [
            section.pass_score is None or points >= section.pass_score
            for section, points in zip(self.blueprint.sections, self.section_points())
        ]

    def passed(self) -> bool:
        """Every section with a pass_score reached it, and the total reached pass_total."""
        pass_total = self.blueprint.pass_total
        total_ok = pass_total is None or self.total() >= pass_total
        return total_ok and all(self.section_passed())

    def section_results(self) -> list[dict[str, Any]]:
        """Per section ``{"name", "points", "max_points", "passed"}`` (Decimals, two places)."""
        rows = zip(self.blueprint.sections, self.section_points(), self.max_points(),
                   self.section_passed())
        return [
            {"name": section.name, "points": points, "max_points": high, "passed": ok}
            for section, points, high, ok in rows
        ]

    def snapshot(self) -> dict[int, int]:
        """The answered positions and their display choices."""
        return {slot + 1: choice for slot, choice in enumerate(self._answers) if choice is not None}

    def restore(self, answers: Mapping[int, int | None]) -> None:
        """Start again from blank and apply stored answers (position -> choice or None)."""
        self._reset()
        for position, choice in answers.items():
            self.answer(position, choice)
