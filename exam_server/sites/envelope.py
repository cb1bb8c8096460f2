"""Link messages: canonical JSON, signed by the site's Ed25519 key, fresh and used once.

A message is ``{"site", "nonce", "ts", "body"}`` as canonical JSON (keys sorted,
no spaces, UTF-8), sent with the hex signature over exactly those bytes. The
hub accepts it when the site is enrolled and not revoked, the signature is
good, ``ts`` is within ``WINDOW_MS`` of the hub's clock and ``nonce`` is higher
than any nonce of that site accepted before: an altered message fails the
signature, a replayed one the nonce, a stale one the window.

Pure: no Flask, no database. The caller keeps the last nonce per site.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

WINDOW_MS = 5 * 60 * 1000
MAX_MESSAGE_BYTES = 8 * 1024 * 1024


class Refused(Exception):
    """A message that must not be acted on; ``code`` says why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def new_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


def public_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def seal(key: Ed25519PrivateKey, site: str, nonce: int, ts: int, body: dict) -> tuple[bytes, str]:
    """The bytes to send and their signature (hex)."""
    raw = canonical({"site": site, "nonce": nonce, "ts": ts, "body": body})
    return raw, key.sign(raw).hex()


@dataclass(frozen=True)
class Message:
    site: str
    nonce: int
    ts: int
    body: dict


def read(raw: bytes) -> Message:
    """The message as it claims to be (not yet trusted): its site names the key that ``check`` verifies with.

    Parsed once: ``check`` verifies the signature over ``raw`` itself, not over a second parse.
    """
    if len(raw) > MAX_MESSAGE_BYTES:
        raise Refused("too_large", f"a link message is limited to {MAX_MESSAGE_BYTES} bytes")
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError) as exc:
        raise Refused("bad_request", f"not a JSON link message ({exc})") from None
    if not isinstance(value, dict) or set(value) != {"site", "nonce", "ts", "body"}:
        raise Refused("bad_request", "a link message has exactly site, nonce, ts and body")
    site, nonce, ts, body = value["site"], value["nonce"], value["ts"], value["body"]
    if not isinstance(site, str) or not 0 < len(site) <= 64:
        raise Refused("bad_request", "site must be a code of 1 to 64 characters")
    for name, number in (("nonce", nonce), ("ts", ts)):
        if not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 2 ** 63:
            raise Refused("bad_request", f"{name} must be a positive whole number")
    if not isinstance(body, dict):
        raise Refused("bad_request", "body must be an object")
    return Message(site, nonce, ts, body)


def _no_duplicates(pairs):
    # Called for every object of the message (each event is one): one dict built, its size compared.
    value = dict(pairs)
    if len(value) != len(pairs):
        raise ValueError("a key is repeated")
    return value


def open_message(raw: bytes, signature_hex: str, public_key_hex: str, *, last_nonce: int, now_ms: int) -> Message:
    """Check a message completely; return it, or raise ``Refused``."""
    message = read(raw)
    check(message, raw, signature_hex, public_key_hex, last_nonce=last_nonce, now_ms=now_ms)
    return message


def check(message: Message, raw: bytes, signature_hex: str, public_key_hex: str, *, last_nonce: int,
          now_ms: int) -> None:
    """Raise ``Refused`` unless ``message`` (read from ``raw``) is signed by the key, fresh and new."""
    if not public_key_hex:
        raise Refused("not_enrolled", f"site {message.site} is not enrolled")
    try:
        signature = bytes.fromhex(signature_hex or "")
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(signature, raw)
    except (ValueError, InvalidSignature):
        raise Refused("bad_signature", "the message is not signed by the site's enrolled key") from None
    if abs(now_ms - message.ts) > WINDOW_MS:
        raise Refused("stale", f"the message's time is {abs(now_ms - message.ts) // 1000} s away from the hub's")
    if message.nonce <= last_nonce:
        raise Refused("replayed", "the message was already received (its nonce is not new)")


def next_nonce(last: int, now_ms: int) -> int:
    """Higher than ``last`` and than any nonce of an earlier run (which were below ``now_ms * 1000``)."""
    return max(last + 1, now_ms * 1000)
