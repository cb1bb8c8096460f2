"""The public score board: only where the exam publishes it, names masked unless it says otherwise, final once closed."""
from __future__ import annotations

import pytest
import socketio

from exam_server.services import scoreboard, sessions
from tests.integration.conftest import ServerProcess, prepare_data
from tests.integration.helpers import BLUEPRINT
from tests.integration.sockets import Recorder, logged_in_candidate

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
    assert all(set(r) == {"attempt_id", "participant_number", "name", "status", "answered", "total", "sections"}
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
