"""Hostile payloads for every socket event and every JSON body, against a real server process.

Whatever arrives, the answer is an acknowledgement or an HTTP error with a
code, never a 500, never a dropped event, and nothing in the server's log
that says it failed.
"""
from __future__ import annotations

import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.conftest import ExamCli, ServerProcess, prepare_data
from tests.integration.sockets import STAFF_PASSWORDS, logged_in_candidate, logged_in_proctor

pytestmark = pytest.mark.slow

CODES = {"bad_request", "invalid_position", "invalid_choice", "not_started", "paused", "time_up", "submitted",
         "unauthorized", "forbidden", "not_found", "conflict", "rate_limited", "not_public"}
FIELDS = ["position", "choice", "seq", "flagged", "type", "detail", "session_id", "attempt_id", "minutes", "text",
          "reason", "token"]
odd_text = st.one_of(st.text(max_size=50), st.sampled_from(["", "A", "Z", "\x00", "\u202e", "😀" * 10, "a" * 5000,
                                                             "' OR 1=1 --", "<script>", "NaN", "-1"]))
scalar = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                   st.floats(allow_nan=False, allow_infinity=False), odd_text)
junk = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                    st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)),
                                                                    inner, max_size=5)), max_leaves=12)
payloads = st.one_of(junk, st.dictionaries(st.sampled_from(FIELDS), junk, max_size=6))


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzz")
    cli = ExamCli(base / "data", f"sqlite:///{base / 'exam.db'}")
    opened = prepare_data(cli, base)
    server = ServerProcess(cli.data_dir, cli.database_url, extra_env={"EXAM_SOCKET_EVENT_BUDGET_SCALE": "1000",
                                                                        "EXAM_LOGIN_ATTEMPTS_PER_MINUTE": "100000"}).start()
    server.session = opened
    server.candidate = logged_in_candidate(server, "P-001")
    server.candidate.call("start")
    server.proctor = logged_in_proctor(server, "lain")  # a proctor of no session: every control must be refused
    yield server
    server.stop()
    log = server.log_path.read_text()
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]


def well_formed(ack) -> bool:
    if not isinstance(ack, dict) or not isinstance(ack.get("ok"), bool):
        return False
    return ack["ok"] or (ack.get("error", {}).get("code") in CODES and isinstance(ack["error"].get("message"), str))


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])


@pytest.mark.parametrize("event", ["start", "state", "form", "answer", "flag", "report", "no_such_event"])
@FUZZ
@given(data=payloads)
def test_candidate_events_answer_every_payload(fuzz_server, event, data):
    assert well_formed(fuzz_server.candidate.call(event, data))


@pytest.mark.parametrize("event", ["watch", "pause", "resume", "extend", "end_attempt", "reset_login", "announce",
                                   "close_logins", "open_logins"])
@FUZZ
@given(data=payloads)
def test_proctor_events_answer_every_payload_and_act_on_nothing_foreign(fuzz_server, event, data):
    ack = fuzz_server.proctor.call(event, data)
    assert well_formed(ack)
    assert ack["ok"] is False  # "lain" is assigned to no session


@pytest.mark.parametrize("path", ["/api/v1/candidate/login", "/api/v1/staff/login", "/api/v1/staff/logout",
                                  "/api/v1/sessions/1/publish"])
@FUZZ
@given(body=st.one_of(payloads.map(json.dumps), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_json_bodies_never_cause_a_server_error(fuzz_server, path, body):
    response = requests.post(fuzz_server.url + path, data=body.encode("utf-8", "surrogatepass"),
                             headers={"Content-Type": "application/json"}, timeout=10)
    # 413: sign-in bodies past 4 KiB are refused before they are read
    assert response.status_code in (400, 401, 403, 404, 409, 413, 429), response.text
    assert response.json()["error"]["code"]


def test_the_real_session_still_works_after_the_fuzzing(fuzz_server):
    assert fuzz_server.candidate.call("state")["ok"]
    token = requests.post(fuzz_server.url + "/api/v1/staff/login", timeout=10,
                          json={"username": "pengawas", "password": STAFF_PASSWORDS["pengawas"]}).json()["token"]
    assert token
