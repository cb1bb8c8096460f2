"""Generated candidate passwords are stored under the data folder's password key, chosen ones with Argon2id."""
from __future__ import annotations

import shutil
import stat

import pytest
from sqlalchemy import select, update

from exam_server.services import attempts, banks, exams, sessions, users
from exam_server.store import models
from tests.integration.conftest import make_services
from tests.integration.helpers import BLUEPRINT, GIFT_BANK, ROSTER
from tests.integration.sockets import candidate_login


def _hashes(services, session_id) -> dict[str, str]:
    with services.db.reading() as session:
        rows = session.execute(select(models.Candidate.participant_number, models.Candidate.password_hash)
                               .where(models.Candidate.session_id == session_id)).all()
    return dict(rows)


def _open_session(services, **options) -> dict:
    banks.import_bank(services, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
    exams.create_exam(services, BLUEPRINT)
    opened = sessions.create_session(services, "UJI-1", "Sesi 1", ROSTER.encode(), seed=7, **options)
    opened["passwords"] = {c["participant_number"]: c["password"] for c in opened["credentials"]}
    return opened


def test_generated_passwords_get_the_keyed_hash_and_chosen_ones_keep_argon2id(services, exam_session):
    stored = _hashes(services, exam_session["session_id"])
    assert stored["P-001"].startswith("$argon2id$")  # the roster chose it
    assert stored["P-002"].startswith("hmac-sha256$") and stored["P-003"].startswith("hmac-sha256$")
    assert len(exam_session["passwords"]["P-002"]) == 13
    users.add_user(services, "proctor", "pengawas", "sandi-pengawas")
    with services.db.reading() as session:
        staff = session.scalar(select(models.StaffUser.password_hash).where(models.StaffUser.username == "pengawas"))
    assert staff.startswith("$argon2id$") and "m=65536" in staff
    for number in ("P-001", "P-002"):
        assert attempts.login(services, exam_session["session_token"], number, exam_session["passwords"][number])["token"]
    with pytest.raises(attempts.BadCredentials):
        attempts.login(services, exam_session["session_token"], "P-003", exam_session["passwords"]["P-002"])


def test_the_key_is_private_and_made_on_first_use_in_an_older_data_folder(tmp_path, clock):
    data = tmp_path / "data"
    services = make_services(data, f"sqlite:///{tmp_path / 'exam.db'}", clock)
    key_file = data / "password.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # made with the other keys
    services.close()
    key_file.unlink()  # a data folder from before the keyed hash
    services = make_services(data, f"sqlite:///{tmp_path / 'exam.db'}", clock)
    try:
        key_file.unlink(missing_ok=True)
        opened = _open_session(services)
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert attempts.login(services, opened["session_token"], "P-002", opened["passwords"]["P-002"])["token"]
    finally:
        services.close()


def test_a_hash_copied_into_another_data_folder_does_not_verify_there(tmp_path, clock):
    first = make_services(tmp_path / "a", f"sqlite:///{tmp_path / 'a.db'}", clock)
    second = make_services(tmp_path / "b", f"sqlite:///{tmp_path / 'b.db'}", clock)
    try:
        here, there = _open_session(first), _open_session(second)
        copied = _hashes(first, here["session_id"])["P-002"]
        with second.db.unit_of_work() as session:
            session.execute(update(models.Candidate).where(models.Candidate.session_id == there["session_id"],
                                                           models.Candidate.participant_number == "P-002")
                            .values(password_hash=copied))
        with pytest.raises(attempts.BadCredentials):
            attempts.login(second, there["session_token"], "P-002", here["passwords"]["P-002"])
    finally:
        first.close()
        second.close()
    # With the first folder's key as well, the same row verifies: the key alone made the difference.
    shutil.copyfile(tmp_path / "a" / "password.key", tmp_path / "b" / "password.key")
    second = make_services(tmp_path / "b", f"sqlite:///{tmp_path / 'b.db'}", clock)
    try:
        assert attempts.login(second, there["session_token"], "P-002", here["passwords"]["P-002"])["token"]
    finally:
        second.close()


def test_a_sites_session_carries_argon2_hashes_which_verify_without_the_hubs_key(services):
    opened = _open_session(services, site="S01")
    stored = _hashes(services, opened["session_id"])
    assert all(h.startswith("$argon2id$") for h in stored.values())
    assert len(opened["passwords"]["P-002"]) == 13


def test_a_generated_password_signs_in_over_http(live):
    token, password = live.session["session_token"], live.session["passwords"]["P-003"]
    assert candidate_login(live.url, token, "P-003", password + "x").status_code == 401
    answer = candidate_login(live.url, token, "P-003", password)
    assert answer.status_code == 200 and answer.json()["token"]
