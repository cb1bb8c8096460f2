"""Password hashing for staff and candidates (Argon2id).

Hashing is deliberately slow; servers call it off the event loop's hot path
(login only), never per answer.
"""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Candidates' passwords are generated (8 characters from 31: about 40 bits), live for
# one sitting, and guessing them online is stopped by the login guard. A lighter
# Argon2id (one pass over 8 MiB) keeps a hall signing in at once from queueing
# behind the hashing: a 600-candidate start storm costs seconds of CPU, not
# minutes, while an offline search of a dump still needs centuries per core.
_candidate_hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
_staff_hasher = PasswordHasher()

# Letters and digits that cannot be confused when read off a printed card.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def hash_password(password: str, *, staff: bool = False) -> str:
    return (_staff_hasher if staff else _candidate_hasher).hash(password)


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _staff_hasher.verify(stored_hash, password)  # constant-time comparison inside
    except (VerificationError, InvalidHashError):
        return False


def verify_password(stored_hash: str, password: str) -> bool:
    """Check a password; off the event loop, so a login storm does not stall the exam."""
    from exam_server.async_mode import run_blocking

    return run_blocking(_verify, stored_hash, password)


def generate_password(length: int = 8) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
