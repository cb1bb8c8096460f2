"""What an attempt's event chain and its signed anchors add up to, and where they disagree.

Pure: events and anchors come in as plain values, the hash chain itself is
checked by ``services.events.verify_chain`` and each anchor's signature by
``security.anchors``. Here the answers are replayed through the same
``ScoreSheet`` that results use, and every anchor is held against the chain
it claims to cover.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from exam_server.domain.scoring import ScoreSheet, quantise


@dataclass(frozen=True)
class ChainEvent:
    number: int
    kind: str
    data: dict
    hash: str


@dataclass(frozen=True)
class SignedAnchor:
    number: int
    head: str
    points: tuple[str, ...]
    form_sha256: str
    reason: str
    signature_problem: str | None  # None: the signature is valid


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    anchored: int = 0  # events 1..anchored are covered by a valid anchor
    replayed_points: list[Decimal] = field(default_factory=list)


def shown(points: Sequence[str]) -> list[Decimal] | None:
    """Stored running points as results show them (two places); None when they are not numbers."""
    try:
        return [quantise(Decimal(p)) for p in points]
    except (InvalidOperation, TypeError, ValueError):
        return None


def replay(sheet: ScoreSheet, events: Sequence[ChainEvent],
           marks: set[int]) -> tuple[dict[int, list[Decimal]], list[str]]:
    """Apply every answer event to ``sheet``; the section points after each event named in ``marks``.

    An answer replaces the one before it at its position unless its seq is lower
    (the writer never logs such an answer; a log that holds one was not written by it).
    """
    seen: dict[int, int] = {}
    after: dict[int, list[Decimal]] = {0: sheet.section_points()} if 0 in marks else {}
    problems = []
    for event in events:
        if event.kind == "answer":
            problem = _apply(sheet, event, seen)
            if problem:
                problems.append(problem)
        if event.number in marks:
            after[event.number] = sheet.section_points()
    return after, problems


def _apply(sheet: ScoreSheet, event: ChainEvent, seen: dict[int, int]) -> str | None:
    try:
        position, choice, seq = event.data["position"], event.data["choice"], event.data["seq"]
        if seq < seen.get(position, -1):
            return None
        sheet.answer(position, None if choice is None else ord(choice) - ord("A"))
        seen[position] = seq
    except (KeyError, TypeError, ValueError):
        return f"event {event.number} holds an answer the attempt's form does not have"
    return None


def audit(sheet: ScoreSheet, events: Sequence[ChainEvent], anchors: Sequence[SignedAnchor], *,
          live_points: Sequence[str], form_sha256: str, ended: bool) -> Findings:
    """Every disagreement between the events, the anchors and the live score."""
    marks = {a.number for a in anchors if 0 <= a.number <= len(events)}
    after, problems = replay(sheet, events, marks)
    findings = Findings(problems=problems, replayed_points=sheet.section_points())
    for anchor in sorted(anchors, key=lambda a: a.number):
        problem = _anchor_problem(anchor, events, after, form_sha256)
        if problem:
            findings.problems.append(f"anchor at event {anchor.number} ({anchor.reason}): {problem}")
        else:
            findings.anchored = max(findings.anchored, anchor.number)
    if ended and not any(a.reason == "end" and not _anchor_problem(a, events, after, form_sha256) for a in anchors):
        findings.problems.append("the attempt has ended but no valid anchor was signed at its end")
    live = shown(live_points)
    if live != findings.replayed_points:
        findings.problems.append(f"the live score in attempts ({_text(live_points)}) differs from what the "
                                 f"answer events replay to ({_text(findings.replayed_points)})")
    return findings


def _anchor_problem(anchor: SignedAnchor, events: Sequence[ChainEvent], after: dict[int, list[Decimal]],
                    form_sha256: str) -> str | None:
    if anchor.signature_problem:
        return anchor.signature_problem
    if anchor.number > len(events) or anchor.number < 1:
        return "the events it covers were removed"
    if events[anchor.number - 1].hash != anchor.head:
        return f"the events up to {anchor.number} were rewritten after it was signed"
    if anchor.form_sha256 != form_sha256:
        return "the attempt's form was changed after it was signed"
    if shown(anchor.points) != after[anchor.number]:
        return "the score it signed differs from what the events up to it replay to"
    return None


def _text(points) -> str:
    return ", ".join(str(p) for p in points)
