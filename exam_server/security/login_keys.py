"""What a sign-in names, spelled one way: the account lookup and the lock key both use these.

If the lock key were the raw text while the lookup tidied it, every spelling
of one account (``abc123``, `` ABC123``) would get its own allowance of guesses.
"""
from __future__ import annotations

from exam_server.errors import BadInput

# Longer than any real value (tokens are 6 characters, numbers and names at most 64 in the
# database); anything longer is refused before it costs a password check or a lock entry.
FIELD_LIMITS = {"session_token": 64, "participant_number": 64, "username": 64, "password": 1024}


def checked_field(body: dict, name: str):
    """The field as sent, refused with ``bad_request`` naming it when it is text past its limit."""
    value = body.get(name)
    if isinstance(value, str) and len(value) > FIELD_LIMITS[name]:
        raise BadInput(f"{name} is longer than {FIELD_LIMITS[name]} characters")
    return value


def normal_session_token(token: str) -> str:
    return token.strip().upper()  # printed on the board in capitals, typed in any case


def normal_participant_number(number: str) -> str:
    return number.strip()  # stored as the roster wrote it; case is part of the number


def normal_username(username: str) -> str:
    return username.strip()


def candidate_key(session_token, participant_number) -> str:
    """The lock key of one candidate of one session, whatever the spelling."""
    token = normal_session_token(session_token) if isinstance(session_token, str) else ""
    number = normal_participant_number(participant_number) if isinstance(participant_number, str) else ""
    return f"candidate:{token}:{number}"


def staff_key(username) -> str:
    return f"staff:{normal_username(username) if isinstance(username, str) else ''}"
