"""Anchors and replay, without a database: what a signed head vouches for, and what the audit holds it against."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from exam_server.domain.audit_trail import ChainEvent, SignedAnchor, audit
from exam_server.domain.blueprint import Blueprint, Section
from exam_server.domain.scoring import ScoreSheet
from exam_server.security.anchors import AnchorClaim, anchor_problem, sign_anchor
from exam_server.security.keys import key_id_of

D = Decimal
TWK = Section("TWK", "twk", "TWK", 2, "right_wrong", correct=D(5), wrong=D("-1"), blank=D(0))
KEYS = [(0, (D(1), D(0), D(0)))] * 2  # option A is right at both positions


def sheet() -> ScoreSheet:
    return ScoreSheet(Blueprint("UD", "Ujian", D(90), sections=(TWK,)), KEYS)


def answer(number: int, position: int, choice: str | None, seq: int) -> ChainEvent:
    return ChainEvent(number, "answer", {"position": position, "choice": choice, "seq": seq}, f"h{number}")


EVENTS = [ChainEvent(1, "start", {}, "h1"), answer(2, 1, "B", 1), answer(3, 2, "A", 2), answer(4, 1, "A", 3)]


def anchor(number: int, points: str, reason: str = "checkpoint", **changes) -> SignedAnchor:
    base = SignedAnchor(number, f"h{number}", (points,), "form", reason, None)
    return replace(base, **changes)


CLAIM = AnchorClaim(attempt_id=7, number=4, head="ab" * 32, points=("10",), form_sha256="cd" * 32,
                    reason="end", at=1_800_000_000_000)


def test_an_anchor_verifies_with_its_key_and_no_field_can_change():
    private = Ed25519PrivateKey.generate()
    signature, key_id = sign_anchor(CLAIM, private)
    keys = {key_id_of(private.public_key()): private.public_key()}
    assert anchor_problem(CLAIM, signature, key_id, keys) is None
    for field, value in [("attempt_id", 8), ("number", 3), ("head", "00" * 32), ("points", ("15",)),
                         ("form_sha256", "00" * 32), ("reason", "checkpoint"), ("at", 1)]:
        assert "does not match" in anchor_problem(replace(CLAIM, **{field: value}), signature, key_id, keys)
    other = Ed25519PrivateKey.generate()
    assert "unknown key" in anchor_problem(CLAIM, *sign_anchor(CLAIM, other), keys)


def test_a_consistent_log_has_no_findings_and_says_how_far_it_is_anchored():
    found = audit(sheet(), EVENTS, [anchor(2, "-1"), anchor(3, "4")], live_points=["10"], form_sha256="form",
                  ended=False)
    assert found.problems == [] and found.anchored == 3 and found.replayed_points == [D(10)]


@pytest.mark.parametrize("anchors, live, ended, expected", [
    ([anchor(3, "4", head="other")], ["10"], False, "anchor at event 3 (checkpoint): the events up to 3 were rewritten"),
    ([anchor(3, "9")], ["10"], False, "the score it signed differs"),
    ([anchor(3, "4", form_sha256="x")], ["10"], False, "form was changed"),
    ([anchor(9, "4")], ["10"], False, "were removed"),
    ([anchor(3, "4", signature_problem="bad")], ["10"], False, "anchor at event 3 (checkpoint): bad"),
    ([anchor(4, "10")], ["10"], True, "no valid anchor was signed at its end"),
    ([anchor(4, "10", reason="end")], ["9"], True, "the live score in attempts (9) differs"),
    ([anchor(4, "10", reason="end")], ["ten"], True, "the live score in attempts (ten) differs"),
])
def test_each_disagreement_is_named(anchors, live, ended, expected):
    found = audit(sheet(), EVENTS, anchors, live_points=live, form_sha256="form", ended=ended)
    assert any(expected in problem for problem in found.problems), found.problems


def test_an_answer_outside_the_form_is_named_not_raised():
    events = EVENTS + [answer(5, 9, "A", 4), answer(6, 1, "Z", 5), ChainEvent(7, "answer", {}, "h7")]
    found = audit(sheet(), events, [], live_points=["10"], form_sha256="form", ended=False)
    assert [p.split(" holds")[0] for p in found.problems] == ["event 5", "event 6", "event 7"]
