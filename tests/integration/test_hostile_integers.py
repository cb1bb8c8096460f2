"""Integers beyond what the database holds are refused at the socket's edge and spoil nobody's answers.

A number of 2^63 or more used to pass validation and fail only in the
group commit, taking every other candidate's answer of that group with it.
"""
from __future__ import annotations

import threading

import pytest
import socketio

from tests.integration.conftest import ServerProcess, prepare_data
from tests.integration.sockets import Candidate, logged_in_candidate, logged_in_proctor

pytestmark = pytest.mark.slow

HUGE = [2 ** 63, 2 ** 64 + 5, 2 ** 53 + 1, 10 ** 30]


def code(ack: dict) -> str:
    assert ack["ok"] is False, ack
    return ack["error"]["code"]


def assert_clean_log(server) -> None:
    log = server.log_path.read_text()
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]


@pytest.fixture
def roomy(exam_cli, tmp_path):
    """A server whose event budgets are large enough for a scripted attacker and scripted honest candidates."""
    opened = prepare_data(exam_cli, tmp_path)
    server = ServerProcess(exam_cli.data_dir, exam_cli.database_url,
                           extra_env={"EXAM_SOCKET_EVENT_BUDGET_SCALE": "100", "EXAM_BURST_ANSWERS": "100000"}).start()
    server.session = opened
    yield server
    server.stop()


def test_candidate_integers_outside_0_to_2_53_are_bad_requests(live):
    candidate = logged_in_candidate(live, "P-001")
    candidate.call("start")
    for value in HUGE + [-1, True, 1.0, "1"]:
        assert code(candidate.call("answer", {"position": value, "choice": "A", "seq": 1})) == "bad_request", value
        assert code(candidate.call("answer", {"position": 1, "choice": "A", "seq": value})) == "bad_request", value
        assert code(candidate.call("flag", {"position": value, "flagged": True})) == "bad_request", value
    # In range but not on the form: still the contract's own code.
    assert code(candidate.call("answer", {"position": 2 ** 53, "choice": "A", "seq": 2 ** 53})) == "invalid_position"
    assert candidate.call("answer", {"position": 1, "choice": "A", "seq": 2 ** 53})["saved"] is True
    assert candidate.call("state")["answers"] == {"1": "A"}
    candidate.close()
    assert_clean_log(live)


def test_proctor_and_board_integers_outside_0_to_2_53_are_bad_requests(roomy):
    proctor = logged_in_proctor(roomy)
    attempt_id = proctor.call("watch", {"session_id": roomy.session["session_id"]})["candidates"][0]["attempt_id"]
    for value in HUGE + [-1, True, False]:
        assert code(proctor.call("watch", {"session_id": value})) == "bad_request", value
        assert code(proctor.call("pause", {"attempt_id": value})) == "bad_request", value
        assert code(proctor.call("resume", {"session_id": value})) == "bad_request", value
        assert code(proctor.call("extend", {"attempt_id": value, "minutes": 5})) == "bad_request", value
        assert code(proctor.call("extend", {"attempt_id": attempt_id, "minutes": value})) == "bad_request", value
        assert code(proctor.call("end_attempt", {"attempt_id": value})) == "bad_request", value
        assert code(proctor.call("reset_login", {"attempt_id": value})) == "bad_request", value
        assert code(proctor.call("announce", {"session_id": value, "text": "x"})) == "bad_request", value
        assert code(proctor.call("close_logins", {"session_id": value})) == "bad_request", value
    assert code(proctor.call("extend", {"attempt_id": attempt_id, "minutes": float("nan")})) == "bad_request"
    assert code(proctor.call("extend", {"attempt_id": attempt_id, "minutes": float("inf")})) == "bad_request"
    assert proctor.call("extend", {"attempt_id": attempt_id, "minutes": 2.5})["ok"] is True
    proctor.close()
    board = socketio.Client(reconnection=False)
    board.connect(roomy.url, namespaces=["/scoreboard"], transports=["websocket"], wait_timeout=10)
    assert code(board.call("watch", {"session_id": 2 ** 63}, namespace="/scoreboard", timeout=10)) == "bad_request"
    board.disconnect()
    assert_clean_log(roomy)


def _hammer(candidate: Candidate, stop: threading.Event, sent: list) -> None:
    n = 0
    while not stop.is_set():
        value = HUGE[n % len(HUGE)]
        body = {"position": value, "choice": "A", "seq": 1} if n % 2 else {"position": 1, "choice": "A", "seq": value}
        candidate.client.emit("answer", body, namespace="/candidate")  # no wait: as many in flight as possible
        sent.append(value)
        n += 1
        stop.wait(0.002)


def _answer_honestly(candidate: Candidate, acks: list) -> None:
    for seq in range(1, 61):
        position = (seq - 1) % 6 + 1
        acks.append(candidate.call("answer", {"position": position, "choice": "ABC"[seq % 3], "seq": seq}))


def test_one_candidate_hammering_huge_numbers_spoils_no_honest_answer(roomy):
    attacker = logged_in_candidate(roomy, "P-001")
    honest = [logged_in_candidate(roomy, number) for number in ("P-002", "P-003")]
    for candidate in [attacker, *honest]:
        candidate.call("start")
    stop, sent = threading.Event(), []
    acks: list[list] = [[], []]
    hammer = threading.Thread(target=_hammer, args=(attacker, stop, sent))
    hammer.start()
    workers = [threading.Thread(target=_answer_honestly, args=(c, a)) for c, a in zip(honest, acks)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    stop.set()
    hammer.join(10)
    assert len(sent) > 50
    for candidate, answered in zip(honest, acks):
        assert [a for a in answered if not a.get("ok")] == []
        assert len(answered) == 60 and all(a["saved"] for a in answered)
        # The last round (seq 55..60) is what is stored.
        assert candidate.call("state")["answers"] == {str((s - 1) % 6 + 1): "ABC"[s % 3] for s in range(55, 61)}
    refusals = {code(attacker.call("answer", {"position": v, "choice": "A", "seq": 1})) for v in HUGE}
    assert refusals == {"bad_request"}
    for candidate in [attacker, *honest]:
        candidate.close()
    assert_clean_log(roomy)
