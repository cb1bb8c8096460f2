"""What a hostile candidate can still try on the sockets: reconnecting for budget, reporting after the end, forged frames."""
from __future__ import annotations

import json

import pytest
import requests
import websocket

from tests.integration.conftest import ServerProcess, prepare_data
from tests.integration.sockets import Candidate, candidate_login, logged_in_candidate, logged_in_proctor

pytestmark = pytest.mark.slow


@pytest.fixture
def stingy(exam_cli, tmp_path):
    """A server whose candidate budget is 0.5 events a second in bursts of 3, so a test can spend it quickly."""
    opened = prepare_data(exam_cli, tmp_path)
    server = ServerProcess(exam_cli.data_dir, exam_cli.database_url,
                           extra_env={"EXAM_SOCKET_EVENT_BUDGET_SCALE": "0.05"}).start()
    server.session = opened
    yield server
    server.stop()


def codes(acks) -> list:
    return [a["error"]["code"] if not a["ok"] else "ok" for a in acks]


def test_a_reconnect_does_not_refill_the_event_budget(stingy):
    token = candidate_login(stingy.url, stingy.session["session_token"], "P-001",
                            stingy.session["passwords"]["P-001"]).json()["token"]
    first = Candidate(stingy.url, token).connect()
    assert "rate_limited" in codes([first.call("state") for _ in range(5)])
    first.close()
    again = Candidate(stingy.url, token).connect()
    # A new socket had a fresh burst of 3; the attempt's budget has refilled by far less than that.
    assert "rate_limited" in codes([again.call("state") for _ in range(3)])
    again.close()


def test_a_report_after_submit_is_refused_as_submitted_and_raises_nothing(live):
    candidate = logged_in_candidate(live, "P-002")
    candidate.call("start")
    assert candidate.call("report", {"type": "focus_lost", "detail": "before"})["ok"] is True
    assert candidate.call("submit")["ok"] is True
    refused = candidate.call("report", {"type": "focus_lost", "detail": "after"})
    assert refused["ok"] is False and refused["error"]["code"] == "submitted"
    proctor = logged_in_proctor(live)
    views = proctor.call("watch", {"session_id": live.session["session_id"]})["candidates"]
    assert [v["violations"] for v in views if v["participant_number"] == "P-002"] == [1]
    candidate.close()
    proctor.close()


DEEP_LIST = '42/candidate,5["answer",' + "[" * 5000 + "]" * 5000 + "]"
DEEP_OBJECT = '42/candidate,5["answer",' + '{"a":' * 5000 + "1" + "}" * 5000 + "]"
NESTED = '42/candidate,5["answer",{"position":' + "[" * 100 + "1" + "]" * 100 + "}]"
# Frames no real client sends: each must close its connection.
CLOSING = [
    "x garbage after no packet type", "bnot base64!", b"\xff\xfe\x00",            # engine.io framing
    "4x", "49", "42/candidate,", "42/candidate,not json", '42/candidate,{"a":1}',   # socket.io framing
    "42/candidate,[]", '42/candidate,"answer"', "42/candidate,5[5]", "42/candidate,5[null,{}]",  # event names
    '42/candidate,5[["answer"],{}]', '42/candidate,5[{"toString":1},{}]',
    '42/candidate,5["state",{},{},{}]',                                             # more than one payload
    '42/candidate,5["connect",{"token":"x"}]', '42/candidate,5["disconnect"]',     # reserved names
    '451-/candidate,5["answer",{"_placeholder":true,"num":0}]',                     # a binary attachment
    '43/candidate,5{"a":1}', '44/candidate,{"a":1}', '40/candidate,[1]',            # packets of the wrong kind
    DEEP_LIST, DEEP_OBJECT, NESTED,                                                 # deep nesting
]
# Well-framed events with a payload of the wrong type: a bad_request acknowledgement.
REFUSED = ['42/candidate,5["answer",[1,2]]', '42/candidate,5["answer","x"]', '42/candidate,5["flag",7]',
           '42/candidate,5["no_such_event",{}]', '42/candidate,5["__init__",{}]']


def signed_in_websocket(server, token: str) -> websocket.WebSocket:
    url = server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    ws = websocket.create_connection(url, timeout=10)
    assert ws.recv().startswith("0{")
    ws.send("40/candidate," + json.dumps({"token": token}))
    assert ws.recv().startswith('40/candidate,{"sid"')
    return ws


def after(ws: websocket.WebSocket, frame) -> list:
    """Send the frame, then a state call; what came back, or ``closed``."""
    try:
        ws.send_binary(frame) if isinstance(frame, bytes) else ws.send(frame)
        ws.send('42/candidate,77["state",{}]')
        seen = []
        while not seen or not seen[-1].startswith("43/candidate,77"):
            message = ws.recv()
            if not message:
                return ["closed"]
            if isinstance(message, str) and message.startswith("43/candidate,"):
                seen.append(message)
        return seen
    except (websocket.WebSocketException, ConnectionError):
        return ["closed"]
    finally:
        ws.close()


def test_malformed_packets_are_refused_cleanly_and_the_server_stays_healthy(live):
    token = candidate_login(live.url, live.session["session_token"], "P-003",
                            live.session["passwords"]["P-003"]).json()["token"]
    for frame in CLOSING:
        assert after(signed_in_websocket(live, token), frame) == ["closed"], frame[:60]
    for frame in REFUSED:
        refusal, state = after(signed_in_websocket(live, token), frame)
        assert json.loads(refusal[len("43/candidate,5"):])[0]["error"]["code"] == "bad_request", frame
        assert json.loads(state[len("43/candidate,77"):])[0]["ok"] is True
    assert requests.get(live.url + "/api/v1/health", timeout=10).ok
    candidate = Candidate(live.url, token).connect()
    candidate.call("start")
    assert candidate.call("answer", {"position": 1, "choice": "A", "seq": 1})["saved"] is True
    candidate.close()
    log = live.log_path.read_text()
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]
