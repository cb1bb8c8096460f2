"""Signed results (CONTRACT section 5): Ed25519 over the canonical JSON of the result.

Canonical JSON: keys sorted, no spaces, UTF-8 (non-ASCII written as is). The
signature is standard base64 of the 64 signature bytes; ``key_id`` names the
public key (the first 16 hex digits of SHA-256 of its 32 raw bytes), so keys
can be rotated and old results stay verifiable with the old key.

A result whose JSON repeats a key is not valid (CONTRACT version 2, section
7): readers disagree on which of the two values counts, so one program could
check the signature of one total while another prints the other.
"""
from __future__ import annotations

import base64
import json
from typing import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from exam_server.security.keys import key_id_of

SIGNATURE_FIELDS = ("signature", "key_id")


class RepeatedKey(ValueError):
    """A JSON object names the same key twice."""


def _unique_pairs(pairs: list[tuple[str, object]]) -> dict:
    document: dict = {}
    for key, value in pairs:
        if key in document:
            raise RepeatedKey(f'the key "{key}" appears twice in one object: a result that repeats a key is not valid')
        document[key] = value
    return document


def load_strict(text: str | bytes):
    """JSON as ``json.loads`` reads it, but an object that repeats a key raises ``RepeatedKey``."""
    return json.loads(text, object_pairs_hook=_unique_pairs)


def repeated_key(text: str | bytes) -> str | None:
    """Why the JSON text is not a valid result because it repeats a key, or None when it does not."""
    try:
        load_strict(text)
    except RepeatedKey as exc:
        return str(exc)
    return None


def canonical_json(document: Mapping) -> bytes:
    unsigned = {k: v for k, v in document.items() if k not in SIGNATURE_FIELDS}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(document: Mapping, private: Ed25519PrivateKey) -> dict:
    """The document with ``signature`` and ``key_id`` added."""
    signature = base64.b64encode(private.sign(canonical_json(document))).decode("ascii")
    return {**document, "signature": signature, "key_id": key_id_of(private.public_key())}


def check(document: Mapping, public_keys: Mapping[str, Ed25519PublicKey]) -> str | None:
    """None when the signature is valid, else the reason it is not."""
    signature, key_id = document.get("signature"), document.get("key_id")
    if not signature or not key_id:
        return "the result carries no signature"
    public = public_keys.get(key_id)
    if public is None:
        return f"unknown key {key_id}"
    try:
        public.verify(base64.b64decode(signature, validate=True), canonical_json(document))
    except (InvalidSignature, ValueError):
        return "the signature does not match the result: it was altered or signed by another key"
    return None


def public_key_entry(public: Ed25519PublicKey) -> dict:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return {"key_id": key_id_of(public), "algorithm": "Ed25519", "public_key": base64.b64encode(raw).decode("ascii"),
            "pem": pem.decode("ascii")}


def load_public_keys(data: bytes) -> dict[str, Ed25519PublicKey]:
    """Public keys from a PEM file, or from the JSON that /api/v1/keys serves."""
    text = data.decode("utf-8", errors="replace").strip()
    if text.startswith("-----BEGIN"):
        public = serialization.load_pem_public_key(data)
        if not isinstance(public, Ed25519PublicKey):
            raise ValueError("the PEM file does not hold an Ed25519 public key")
        return {key_id_of(public): public}
    entries = json.loads(text)
    entries = entries.get("keys", [entries]) if isinstance(entries, dict) else entries
    keys = {}
    for entry in entries:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(entry["public_key"]))
        keys[key_id_of(public)] = public
    return keys
