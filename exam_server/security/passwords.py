"""Password hashing: Argon2id for passwords a person chose, a keyed hash for generated ones.

A generated candidate password has 13 characters drawn by ``secrets`` from 31
(64 random bits) and lives for one sitting. Guessing it is hopeless whatever
the hash, so it needs no slow hash; it needs one that a copy of the database
alone cannot test guesses against: HMAC-SHA256 under the data folder's
``password.key``, which never enters the database. Staff passwords and
passwords a roster brings were chosen by people, and keep Argon2id.

The stored text says which is which: ``hmac-sha256$<key id>$<hex>`` or
Argon2's own ``$argon2id$...``, so hashes stored before the keyed kind existed
keep verifying with no migration.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

log = logging.getLogger("exam_server.security")

# Passwords a roster brings are chosen by someone, so they keep a slow hash. One pass over
# 8 MiB is enough for passwords that live for one sitting behind the login guard.
_candidate_hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
_staff_hasher = PasswordHasher()

# Letters and digits that cannot be confused when read off a printed card.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GENERATED_LENGTH = 13  # 13 x log2(31) = 64.4 bits: past the 60 that make a keyed hash enough
GENERATED_BITS = GENERATED_LENGTH * math.log2(len(_ALPHABET))

KEYED_PREFIX = "hmac-sha256$"
_PURPOSE = b"exam-server candidate password\0"  # the key signs nothing else, but say what this MAC is for


@dataclass(frozen=True)
class PasswordKey:
    """The secret of the keyed hash and its id, which each stored hash names."""

    key_id: str
    secret: bytes = b""

    @classmethod
    def of(cls, secret: bytes) -> PasswordKey:
        # The id shows which key a hash needs (a node with another key says so) and reveals nothing of it.
        return cls(hashlib.sha256(b"password key id\0" + secret).hexdigest()[:12], secret)

    def __repr__(self) -> str:
        return f"PasswordKey({self.key_id})"


def hash_password(password: str, *, staff: bool = False) -> str:
    """Argon2id: for staff, and for any password a person chose."""
    return (_staff_hasher if staff else _candidate_hasher).hash(password)


def hash_generated(password: str, key: PasswordKey) -> str:
    """The keyed hash of a generated password: microseconds, worthless without ``key``."""
    return f"{KEYED_PREFIX}{key.key_id}${_mac(key, password)}"


def _mac(key: PasswordKey, password: str) -> str:
    return hmac.new(key.secret, _PURPOSE + password.encode(), hashlib.sha256).hexdigest()


def is_keyed(stored_hash: str) -> bool:
    return stored_hash.startswith(KEYED_PREFIX)


def _verify_keyed(stored_hash: str, password: str, key: PasswordKey | None) -> bool:
    key_id, _, mac = stored_hash[len(KEYED_PREFIX):].partition("$")
    if key is None or key_id != key.key_id:
        log.error("a password hash needs password key %s, this server has %s: copy password.key from the "
                  "server that opened the session", key_id, key.key_id if key else "none")
        return False
    return hmac.compare_digest(mac.encode(), _mac(key, password).encode())


def _verify_argon2(stored_hash: str, password: str) -> bool:
    try:
        return _staff_hasher.verify(stored_hash, password)  # constant-time comparison inside
    except (VerificationError, InvalidHashError):
        return False


def verify_password(stored_hash: str, password: str, key: PasswordKey | None = None) -> bool:
    """Check a password against either kind of hash.

    A keyed hash is checked at once (a few microseconds); Argon2 runs off the
    event loop, so a login storm does not stall the exam.
    """
    if is_keyed(stored_hash):
        return _verify_keyed(stored_hash, password, key)
    from exam_server.async_mode import run_blocking

    return run_blocking(_verify_argon2, stored_hash, password)


def generate_password(length: int = GENERATED_LENGTH) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
