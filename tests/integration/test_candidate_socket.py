"""The /candidate namespace against a real server process, on SQLite and PostgreSQL."""
from __future__ import annotations

import time

import pytest
import requests
import socketio

from tests.integration.conftest import ServerProcess, prepare_data
from tests.integration.helpers import BLUEPRINT
from tests.integration.sockets import Candidate, candidate_login, logged_in_candidate, logged_in_proctor

pytestmark = pytest.mark.slow


def error_code(ack: dict) -> str:
    assert ack["ok"] is False, ack
    return ack["error"]["code"]


def test_an_unknown_token_is_refused_at_connect_with_a_code(live):
    candidate = Candidate(live.url, "not-a-token")
    with pytest.raises(socketio.exceptions.ConnectionError):
        candidate.connect()
    assert candidate.recorder.wait_for("connect_error")["data"]["code"] == "unauthorized"


def test_every_refusal_has_its_own_code(live):
    candidate = logged_in_candidate(live, "P-002")
    assert error_code(candidate.call("answer", {"position": 1, "choice": "A", "seq": 1})) == "not_started"
    assert error_code(candidate.call("form")) == "not_started"
    candidate.call("start")
    assert error_code(candidate.call("answer", {"position": 99, "choice": "A", "seq": 1})) == "invalid_position"
    assert error_code(candidate.call("answer", {"position": 1, "choice": "Q", "seq": 1})) == "invalid_choice"
    assert error_code(candidate.call("answer", {"position": 1, "choice": "A"})) == "bad_request"
    assert error_code(candidate.call("answer", ["not", "an", "object"])) == "bad_request"
    assert error_code(candidate.call("flag", {"position": 1, "flagged": "yes"})) == "bad_request"
    assert error_code(candidate.call("report", {"type": "rm -rf", "detail": ""})) == "bad_request"
    proctor = logged_in_proctor(live)
    state = candidate.call("state")
    assert proctor.call("pause", {"attempt_id": state["attempt_id"]})["ok"]
    candidate.recorder.wait_for("paused")
    assert error_code(candidate.call("answer", {"position": 1, "choice": "A", "seq": 2})) == "paused"
    assert proctor.call("resume", {"attempt_id": state["attempt_id"]})["ok"]
    candidate.recorder.wait_for("resumed")
    assert candidate.call("answer", {"position": 1, "choice": "A", "seq": 3})["saved"] is True
    assert candidate.call("submit")["ok"]
    assert error_code(candidate.call("answer", {"position": 2, "choice": "A", "seq": 4})) == "submitted"
    candidate.close()
    proctor.close()


def test_a_reconnect_keeps_answers_flags_and_time(live):
    login = candidate_login(live.url, live.session["session_token"], "P-002", live.session["passwords"]["P-002"]).json()
    first = Candidate(live.url, login["token"]).connect()
    first.call("start")
    first.call("answer", {"position": 2, "choice": "C", "seq": 10})
    first.call("flag", {"position": 4, "flagged": True})
    before = first.call("state")
    first.close()
    again = Candidate(live.url, login["token"]).connect()
    after = again.call("state")
    assert after["answers"] == {"2": "C"} and after["flags"] == [4]
    assert 0 <= before["remaining_ms"] - after["remaining_ms"] < 5_000
    # A retry of an answer already stored returns the same acknowledgement.
    assert again.call("answer", {"position": 2, "choice": "C", "seq": 10}) == {"ok": True, "position": 2, "seq": 10, "saved": True}
    assert again.call("answer", {"position": 2, "choice": "A", "seq": 9})["stale"] is True
    assert again.call("state")["answers"] == {"2": "C"}
    again.close()


def test_the_form_is_the_same_at_another_workstation_and_after_a_restart(live):
    session, passwords = live.session["session_token"], live.session["passwords"]
    first = logged_in_candidate(live, "P-003")
    first.call("start")
    kept = first.call("form")  # kept at the start, served without building it again
    assert kept["ok"] and kept["items"]
    proctor = logged_in_proctor(live)
    assert proctor.call("reset_login", {"attempt_id": first.call("state")["attempt_id"], "reason": "pindah meja"})["ok"]
    proctor.close()
    deadline = time.monotonic() + 5
    while first.client.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    elsewhere = Candidate(live.url, candidate_login(live.url, session, "P-003", passwords["P-003"]).json()["token"]).connect()
    elsewhere.call("start")  # the resume
    assert elsewhere.call("form") == kept
    live.kill()
    live.start()
    after = Candidate(live.url, candidate_login(live.url, session, "P-003", passwords["P-003"]).json()["token"]).connect()
    assert after.call("form") == kept  # built again from the database by the new process
    after.call("start")
    assert after.call("form") == kept
    after.close()


def test_a_second_login_is_refused_until_the_proctor_resets_it(live):
    session, passwords = live.session["session_token"], live.session["passwords"]
    first = logged_in_candidate(live, "P-003")
    refused = candidate_login(live.url, session, "P-003", passwords["P-003"])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "already_connected"
    proctor = logged_in_proctor(live)
    attempt_id = first.call("state")["attempt_id"]
    assert proctor.call("reset_login", {"attempt_id": attempt_id, "reason": "komputer rusak"})["ok"]
    deadline = time.monotonic() + 5
    while first.client.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not first.client.connected  # the old workstation is cut off
    second = candidate_login(live.url, session, "P-003", passwords["P-003"])
    assert second.status_code == 200
    with pytest.raises(socketio.exceptions.ConnectionError):
        Candidate(live.url, first.token).connect()  # the old login is no longer valid
    proctor.close()


def test_after_a_crash_nobody_is_locked_out_by_a_dead_connection(live):
    logged_in_candidate(live, "P-002")
    live.kill()
    live.start()
    again = candidate_login(live.url, live.session["session_token"], "P-002", live.session["passwords"]["P-002"])
    assert again.status_code == 200, again.text


def test_login_errors_are_the_contract_codes(live):
    wrong = candidate_login(live.url, live.session["session_token"], "P-002", "salah-sekali")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "bad_credentials"
    empty = requests.post(f"{live.url}/api/v1/candidate/login", data="nonsense", timeout=5)
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "bad_request"


SHORT = BLUEPRINT.replace("duration_minutes = 30", "duration_minutes = 0.04")  # 2.4 seconds


@pytest.fixture
def short_exam(exam_cli, tmp_path):
    opened = prepare_data(exam_cli, tmp_path, SHORT)
    server = ServerProcess(exam_cli.data_dir, exam_cli.database_url).start()
    server.session = opened
    yield server
    server.stop()


def test_time_up_and_the_server_ends_the_attempt_at_the_deadline(short_exam):
    candidate = logged_in_candidate(short_exam, "P-001")
    candidate.call("start")
    assert candidate.call("answer", {"position": 1, "choice": "A", "seq": 1})["saved"]
    ended = candidate.recorder.wait_for("ended", timeout=10)
    assert ended["status"] == "timed_out" and ended["result"]["status"] == "timed_out"
    assert error_code(candidate.call("answer", {"position": 2, "choice": "A", "seq": 2})) == "time_up"
    candidate.close()


def test_the_deadline_ends_an_attempt_with_nobody_connected(short_exam):
    candidate = logged_in_candidate(short_exam, "P-002")
    candidate.call("start")
    attempt_id = candidate.call("state")["attempt_id"]
    candidate.close()
    proctor = logged_in_proctor(short_exam)
    deadline = time.monotonic() + 10
    status = None
    while time.monotonic() < deadline:
        snapshot = proctor.call("watch", {"session_id": short_exam.session["session_id"]})
        status = next(c["status"] for c in snapshot["candidates"] if c["attempt_id"] == attempt_id)
        if status == "timed_out":
            break
        time.sleep(0.2)
    assert status == "timed_out"
    proctor.close()
