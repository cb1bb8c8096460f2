"""The public score board: only where the exam publishes it, names masked unless it says otherwise, final once closed."""
from __future__ import annotations

import pytest
import socketio

from exam_server.services import scoreboard, sessions
from tests.integration.conftest import ServerProcess, prepare_data
from tests.integration.helpers import BLUEPRINT
from tests.integration.sockets import Recorder, logged_in_candidate, logged_in_proctor

pytestmark = pytest.mark.slow


def test_masking_keeps_the_first_letter_of_each_word():
    assert scoreboard.mask("Budi Santoso") == "B*** S******"
    assert scoreboard.mask("  Ni  Luh ") == "N* L**"


def board_client(server):
    recorder = Recorder()
    client = socketio.Client(reconnection=False)
    client.on("row", lambda data: recorder("row", data), namespace="/scoreboard")
    client.connect(server.url, namespaces=["/scoreboard"], transports=["websocket"], wait_timeout=10)
    return client, recorder


@pytest.fixture
def public_board(exam_cli, tmp_path):
    opened = prepare_data(exam_cli, tmp_path, BLUEPRINT.replace('title = "Ujian uji"', 'title = "Ujian uji"\npublic_scoreboard = true'))
    server = ServerProcess(exam_cli.data_dir, exam_cli.database_url).start()
    server.session = opened
    yield server
    server.stop()


def test_the_board_streams_masked_rows_and_freezes_when_the_session_closes(public_board, exam_cli):
    client, recorder = board_client(public_board)
    board = client.call("watch", {"session_id": public_board.session["session_id"]}, namespace="/scoreboard")
    assert board["ok"] and board["session"]["frozen"] is False
    assert {r["name"] for r in board["rows"]} == {"=*** F******", "B*** S******", "C**** L******"}
    assert all(set(r) == {"attempt_id", "participant_number", "name", "status", "answered", "total", "sections",
                          "took_part"}
               for r in board["rows"])
    candidate = logged_in_candidate(public_board, "P-002")
    candidate.call("start")
    candidate.call("answer", {"position": 1, "choice": "A", "seq": 1})
    row = recorder.wait_for("row", where=lambda r: r["answered"] == 1)
    assert row["participant_number"] == "P-002" and row["name"] == "B*** S******"
    assert not [e for e, _ in candidate.recorder.events if e == "row"]  # the kiosk's socket never gets the board
    from tests.integration.helpers import in_process_services

    services = in_process_services(exam_cli)
    sessions.close_session(services, public_board.session["session_id"])
    services.close()
    final = client.call("watch", {"session_id": public_board.session["session_id"]}, namespace="/scoreboard")
    assert final["session"]["frozen"] is True
    client.disconnect()


def test_an_exam_that_does_not_publish_has_no_board(live):
    client, _ = board_client(live)
    refused = client.call("watch", {"session_id": live.session["session_id"]}, namespace="/scoreboard")
    assert refused["ok"] is False and refused["error"]["code"] == "not_public"
    client.disconnect()


def test_the_board_shows_no_points_until_the_attempt_ends_while_proctors_see_them_live(public_board):
    """A candidate who tries every option of an item reads nothing from the board; proctors see each change."""
    session_id = public_board.session["session_id"]
    client, board = board_client(public_board)
    snapshot = client.call("watch", {"session_id": session_id}, namespace="/scoreboard")
    assert all(r["total"] is None and r["sections"] is None for r in snapshot["rows"])
    proctor = logged_in_proctor(public_board)
    assert proctor.call("watch", {"session_id": session_id})["ok"]
    candidate = logged_in_candidate(public_board, "P-002")
    candidate.call("start")
    item = next(i for i in candidate.call("form")["items"] if i["section"] == "Dasar")
    right = next(o["key"] for o in item["options"] if o["text"].startswith("Benar"))
    wrong = next(o["key"] for o in item["options"] if not o["text"].startswith("Benar"))
    for seq, (choice, live_total) in enumerate(((wrong, "-1.00"), (right, "5.00"), (None, "0.00"), (right, "5.00")), 1):
        assert candidate.call("answer", {"position": item["position"], "choice": choice, "seq": seq})["ok"]
        proctor.recorder.wait_for("candidate", where=lambda c: c["participant_number"] == "P-002"
                                  and c["score"]["total"] == live_total and c["answered"] == int(choice is not None))
    again = client.call("watch", {"session_id": session_id}, namespace="/scoreboard")
    assert [r["total"] for r in again["rows"] if r["participant_number"] == "P-002"] == [None]

    result = candidate.call("submit")["result"]
    final = board.wait_for("row", where=lambda r: r["participant_number"] == "P-002" and r["status"] == "submitted")
    assert final["total"] == result["total"] == "5.00"
    assert final["sections"] == {s["name"]: s["points"] for s in result["sections"]}
    # Rows arrive in order on one socket: every row before the end carried no points.
    rows = [data for event, data in board.events if event == "row" and data["participant_number"] == "P-002"]
    running = [r for r in rows if r["status"] not in ("submitted", "timed_out", "ended_by_proctor")]
    assert running and all(r["total"] is None and r["sections"] is None for r in running)
    rows_now = client.call("watch", {"session_id": session_id}, namespace="/scoreboard")["rows"]
    assert [r["total"] for r in rows_now if r["participant_number"] == "P-002"] == ["5.00"]
    candidate.close()
    proctor.close()
    client.disconnect()


def test_the_board_ranks_only_those_who_took_part(public_board):
    """A candidate who never came, ended by the proctor to close the sitting, gets no points and no rank."""
    session_id = public_board.session["session_id"]
    proctor = logged_in_proctor(public_board)
    assert proctor.call("watch", {"session_id": session_id})["ok"]
    absent = next(c for c in proctor.call("watch", {"session_id": session_id})["candidates"]
                  if c["participant_number"] == "P-001")
    assert absent["started"] is False and absent["ever_connected"] is False
    ended = proctor.call("end_attempt", {"attempt_id": absent["attempt_id"], "reason": "tidak hadir"})
    assert ended["ok"], ended
    candidate = logged_in_candidate(public_board, "P-002")
    candidate.call("start")
    assert candidate.call("submit")["status"] == "submitted"
    client, _ = board_client(public_board)
    rows = {r["participant_number"]: r for r in
            client.call("watch", {"session_id": session_id}, namespace="/scoreboard")["rows"]}
    assert rows["P-001"]["status"] == "ended_by_proctor"
    assert rows["P-001"]["took_part"] is False and rows["P-001"]["total"] is None
    assert rows["P-002"]["took_part"] is True and rows["P-002"]["total"] == "0.00"
    candidate.close()
    proctor.close()
    client.disconnect()
