"""Correcting an item after the sitting: a new key, new weights, or an annulment; and what it changes.

An item's scoring state is its option weights in the bank's original order
plus, at most, an annulment. A correction states the item's whole new state,
computed from the state in force before it, so corrections of one item
stack: the newest one is the state in force. Letters name options in the
bank's original order (A = the first option as imported), never a
candidate's shuffled order.

Rescoring itself is ``domain.scoring``: this module only says what the key
becomes and compares result documents before and after.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from exam_server.domain.scoring import ANNULMENTS

KEY, WEIGHTS, ANNUL = "key", "weights", "annul"
MAX_DECIMALS = 6  # a weight that needs more places is not exact enough to sign


@dataclass(frozen=True)
class ItemState:
    """How one item scores: weights in original option order, and an annulment or None."""

    weights: tuple[Decimal, ...]
    annul: str | None = None

    def to_json(self) -> dict:
        return {"weights": [str(w) for w in self.weights], "annul": self.annul}

    @classmethod
    def from_json(cls, data: Mapping) -> ItemState:
        return cls(tuple(Decimal(w) for w in data["weights"]), data.get("annul"))


def letters(count: int) -> list[str]:
    return [chr(ord("A") + i) for i in range(count)]


def option_index(letter: str, count: int) -> int:
    """The original index of an option letter; ValueError when the item has no such option."""
    names = letters(count)
    if not isinstance(letter, str) or letter.strip().upper() not in names:
        raise ValueError(f"option {letter!r} does not exist: the item has options {', '.join(names)}")
    return names.index(letter.strip().upper())


def with_key(state: ItemState, letter: str) -> ItemState:
    """The option named becomes the one correct answer (weight 1), every other weight 0."""
    correct = option_index(letter, len(state.weights))
    return ItemState(tuple(Decimal(1) if i == correct else Decimal(0) for i in range(len(state.weights))))


def with_weights(state: ItemState, changes: Mapping[int, Decimal]) -> ItemState:
    """The weights named change, the others stay as they are in force."""
    weights = list(state.weights)
    for index, weight in changes.items():
        weights[index] = weight
    return ItemState(tuple(weights))


def annulled(state: ItemState, mode: str) -> ItemState:
    if mode not in ANNULMENTS:
        raise ValueError(f"an annulment is one of {', '.join(ANNULMENTS)}, not {mode!r}")
    return ItemState(state.weights, mode)


def parse_weights(text: str, count: int, unit: Decimal) -> dict[int, Decimal]:
    """``"A=5,B=4"`` to original index -> weight, each value given in points of ``unit``.

    Under ``weighted`` scoring ``unit`` is the section's ``points``, so ``A=5``
    with points 5 is weight 1 and ``B=4`` is 0.8; ``A=80%`` is a weight of 0.8
    whatever the unit. A weight that needs more than six decimal places is refused.
    """
    changes: dict[int, Decimal] = {}
    for part in (p for p in text.split(",") if p.strip()):
        letter, equals, value = part.partition("=")
        if not equals:
            raise ValueError(f"{part.strip()!r}: write each weight as LETTER=POINTS, e.g. A=5")
        index = option_index(letter, count)
        changes[index] = _weight(value.strip(), unit)
    if not changes:
        raise ValueError("no weight given: write e.g. A=5,B=4")
    return changes


def _weight(value: str, unit: Decimal) -> Decimal:
    try:
        weight = Decimal(value[:-1]) / 100 if value.endswith("%") else Decimal(value) / unit
    except (InvalidOperation, ZeroDivisionError):
        raise ValueError(f"{value!r} is not a number") from None
    if not weight.is_finite() or weight != round(weight, MAX_DECIMALS):
        raise ValueError(f"{value!r} gives a weight that is not exact to {MAX_DECIMALS} places")
    return weight.normalize() if weight else Decimal(0)


def describe(state: ItemState) -> str:
    """A short statement of a state for the audit log and the minutes, e.g. "A=0 B=1"."""
    shown = " ".join(f"{name}={weight}" for name, weight in zip(letters(len(state.weights)), state.weights))
    return f"{shown} annul={state.annul}" if state.annul else shown


# ---------------------------------------------------------------- before and after


@dataclass(frozen=True)
class ResultChange:
    """One result whose points or pass/fail a correction changes."""

    attempt_id: int
    participant_number: str
    name: str
    total_before: str
    total_after: str
    passed_before: bool
    passed_after: bool
    sections: tuple[tuple[str, str, str], ...]  # (name, before, after) of the sections that change

    @property
    def delta(self) -> Decimal:
        return Decimal(self.total_after) - Decimal(self.total_before)

    @property
    def pass_changed(self) -> bool:
        return self.passed_before != self.passed_after

    def to_json(self) -> dict:
        return {"attempt_id": self.attempt_id, "participant_number": self.participant_number, "name": self.name,
                "total_before": self.total_before, "total_after": self.total_after, "delta": f"{self.delta:+f}",
                "passed_before": self.passed_before, "passed_after": self.passed_after,
                "sections": [{"name": n, "before": b, "after": a} for n, b, a in self.sections]}


def compare(before: Mapping, after: Mapping) -> ResultChange | None:
    """What changes between two result documents of one attempt (None: nothing that a reader sees)."""
    sections = tuple(
        (old["name"], old["points"], new["points"])
        for old, new in zip(before["sections"], after["sections"])
        if (old["points"], old["max_points"], old["passed"]) != (new["points"], new["max_points"], new["passed"])
    )
    if not sections and before["total"] == after["total"] and before["passed"] == after["passed"]:
        return None
    return ResultChange(after["attempt_id"], after["participant_number"], after["name"], before["total"],
                        after["total"], before["passed"], after["passed"], sections)


def summary(changes: Sequence[ResultChange], examined: int) -> dict:
    """The preview: every changed result, and the pass/fail changes listed apart."""
    ordered = sorted(changes, key=lambda c: c.participant_number)
    return {"examined": examined, "changed": [c.to_json() for c in ordered],
            "pass_changes": [c.to_json() for c in ordered if c.pass_changed]}
