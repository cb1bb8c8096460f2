import pytest

from exam_server.errors import Unauthorized
from exam_server.security.tokens import TokenSigner


def test_tokens_round_trip_and_carry_what_is_checked_against_the_database():
    signer = TokenSigner("s" * 40)
    assert signer.read_candidate(signer.candidate_token(12, 3)).attempt_id == 12
    claims = signer.read_staff(signer.staff_token(5, "proctor", 7))
    assert (claims.user_id, claims.role, claims.epoch) == (5, "proctor", 7)


def test_an_expired_staff_token_is_refused(monkeypatch):
    import time

    signer = TokenSigner("s" * 40, staff_max_age_s=60)
    token = signer.staff_token(5, "admin")
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(Unauthorized) as refused:
        signer.read_staff(token)
    assert "expired" in refused.value.message


@pytest.mark.parametrize("forge", [
    lambda s: s.candidate_token(1, 1),  # a candidate's token is no staff token
    lambda s: TokenSigner("x" * 40).staff_token(1, "admin"),  # signed with another secret
    lambda s: s.staff_token(1, "admin")[:-2] + "AA",  # altered
    lambda s: "", lambda s: None, lambda s: 12,
])
def test_forged_or_foreign_staff_tokens_are_refused(forge):
    signer = TokenSigner("s" * 40)
    with pytest.raises(Unauthorized):
        signer.read_staff(forge(signer))


def test_a_staff_token_is_no_candidate_token():
    signer = TokenSigner("s" * 40)
    with pytest.raises(Unauthorized):
        signer.read_candidate(signer.staff_token(1, "admin"))
