"""Sealed sessions (CONTRACT section 8): a session's content under a key of that session alone.

- ``seal`` pads the package to a multiple of ``PAD`` bytes before AES-GCM, so
  not even its length (how many items, how long) is readable before opening.
- The session key reaches the site at opening, over the link, or from a
  release code read over the telephone: the package carries the session key
  wrapped under a key derived from the code with scrypt (memory-hard), salted
  with the site and the session, so a code opens one session at one site only.

Pure: no Flask, no database.
"""
from __future__ import annotations

import json
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

PAD = 256 * 1024
CODE_DIGITS = 16  # four groups of four: log2(10**16) = 53.1 bits
KDF = {"n": 2 ** 15, "r": 8, "p": 1}  # 32 MiB of memory per guess


class WrongKey(Exception):
    pass


def new_session_key() -> bytes:
    return AESGCM.generate_key(256)


def _aad(site: str, session_id: int, what: str) -> bytes:
    return f"sealed:{what}:{site}:{session_id}".encode()


def seal(package: dict, key: bytes, site: str, session_id: int) -> bytes:
    raw = json.dumps(package, separators=(",", ":"), ensure_ascii=False).encode()
    framed = len(raw).to_bytes(8, "big") + raw
    framed += b"\0" * (-len(framed) % PAD)
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, framed, _aad(site, session_id, "package"))


def open_sealed(blob: bytes, key: bytes, site: str, session_id: int) -> dict:
    try:
        framed = AESGCM(key).decrypt(blob[:12], blob[12:], _aad(site, session_id, "package"))
    except (InvalidTag, ValueError):
        raise WrongKey("the key does not open this session") from None
    size = int.from_bytes(framed[:8], "big")
    return json.loads(framed[8:8 + size])


def new_release_code() -> str:
    digits = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    return "-".join(digits[i:i + 4] for i in range(0, CODE_DIGITS, 4))


def normalise_code(code: str) -> str:
    digits = "".join(ch for ch in str(code) if ch.isdigit())
    if len(digits) != CODE_DIGITS:
        raise WrongKey(f"a release code has {CODE_DIGITS} digits")
    return digits


def code_key(code: str, site: str, session_id: int, kdf: dict | None = None) -> bytes:
    kdf = kdf or KDF
    salt = f"release:{site}:{session_id}".encode()
    return Scrypt(salt=salt, length=32, n=kdf["n"], r=kdf["r"], p=kdf["p"]).derive(normalise_code(code).encode())


def wrap(session_key: bytes, code: str, site: str, session_id: int) -> dict:
    nonce = os.urandom(12)
    sealed = AESGCM(code_key(code, site, session_id)).encrypt(nonce, session_key, _aad(site, session_id, "key"))
    return {"kdf": "scrypt", **KDF, "nonce": nonce.hex(), "key": sealed.hex()}


def unwrap(wrapped: dict, code: str, site: str, session_id: int) -> bytes:
    kdf = {k: int(wrapped[k]) for k in ("n", "r", "p")}
    if kdf["n"] > 2 ** 20 or kdf["r"] > 32 or kdf["p"] > 4:
        raise WrongKey("the sealed package asks for an unreasonable key derivation")
    try:
        return AESGCM(code_key(code, site, session_id, kdf)).decrypt(
            bytes.fromhex(wrapped["nonce"]), bytes.fromhex(wrapped["key"]), _aad(site, session_id, "key"))
    except (InvalidTag, ValueError):
        raise WrongKey("wrong release code") from None
