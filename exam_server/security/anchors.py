"""Anchors: the head of an attempt's event chain and its running score, signed with the anchor key.

The hash chain alone proves nothing to someone who can write the database:
they can change an event and compute every hash again. An anchor signs, with a
key kept outside the database, how many events the chain had, the hash of the
last one, the score and the form at that moment, so a rewrite of anything it
covers needs the key.

The signed bytes are canonical JSON (keys sorted, no spaces, UTF-8) that begin
with a purpose tag: no anchor can pass for a signed result or the reverse.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from exam_server.security.keys import key_id_of

PURPOSE = "exam-server attempt anchor v1"


@dataclass(frozen=True)
class AnchorClaim:
    """What one anchor vouches for."""

    attempt_id: int
    number: int  # events covered: 1..number
    head: str  # hash of event ``number``
    points: tuple[str, ...]  # the attempt's running section points as stored
    form_sha256: str  # the form the points were computed on
    reason: str  # checkpoint | end
    at: int


def form_digest(form_json: str) -> str:
    return hashlib.sha256(form_json.encode("utf-8")).hexdigest()


def anchor_message(claim: AnchorClaim) -> bytes:
    body = {**asdict(claim), "points": list(claim.points), "purpose": PURPOSE}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign_anchor(claim: AnchorClaim, private: Ed25519PrivateKey) -> tuple[str, str]:
    """(signature in standard base64, key id)."""
    signature = base64.b64encode(private.sign(anchor_message(claim))).decode("ascii")
    return signature, key_id_of(private.public_key())


def anchor_problem(claim: AnchorClaim, signature: str, key_id: str,
                   public_keys: Mapping[str, Ed25519PublicKey]) -> str | None:
    """None when the anchor's signature is valid, else why not."""
    public = public_keys.get(key_id or "")
    if public is None:
        return f"signed by an unknown key ({key_id})"
    try:
        public.verify(base64.b64decode(signature or "", validate=True), anchor_message(claim))
    except (InvalidSignature, ValueError):
        return "its signature does not match what it covers"
    return None
