"""Signed bearer tokens for candidates and staff.

A token proves who signed in; it is checked against the database on every
connect, so closing a session, resetting a login or disabling an account ends
it at once without a revocation list.
"""
from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from exam_server.errors import Unauthorized

_CANDIDATE = "candidate-token"
_STAFF = "staff-token"


@dataclass(frozen=True)
class CandidateClaims:
    attempt_id: int
    generation: int


@dataclass(frozen=True)
class StaffClaims:
    user_id: int
    role: str
    epoch: int


class TokenSigner:
    def __init__(self, secret: str, *, staff_max_age_s: int = 12 * 3600):
        self._candidate = URLSafeTimedSerializer(secret, salt=_CANDIDATE)
        self._staff = URLSafeTimedSerializer(secret, salt=_STAFF)
        self._staff_max_age = staff_max_age_s

    def candidate_token(self, attempt_id: int, generation: int) -> str:
        return self._candidate.dumps([attempt_id, generation])

    def read_candidate(self, token: object) -> CandidateClaims:
        if not isinstance(token, str) or not token:
            raise Unauthorized("a candidate token is required")
        try:
            attempt_id, generation = self._candidate.loads(token)
        except (BadSignature, ValueError, TypeError):
            raise Unauthorized("the candidate token is not valid") from None
        return CandidateClaims(int(attempt_id), int(generation))

    def staff_token(self, user_id: int, role: str, epoch: int = 0) -> str:
        return self._staff.dumps([user_id, role, epoch])

    def read_staff(self, token: object) -> StaffClaims:
        if not isinstance(token, str) or not token:
            raise Unauthorized("a staff token is required")
        try:
            user_id, role, epoch = self._staff.loads(token, max_age=self._staff_max_age)
        except SignatureExpired:
            raise Unauthorized("the staff token has expired, sign in again") from None
        except (BadSignature, ValueError, TypeError):
            raise Unauthorized("the staff token is not valid") from None
        return StaffClaims(int(user_id), str(role), int(epoch))
