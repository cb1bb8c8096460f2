"""The /candidate handlers driven by Flask-SocketIO's test client: no server process, no network.

The app is the real one over a SQLite file; the runtime's loops are not
started, so every write goes through the service context's writer at once,
by the same code the grouping writer runs.
"""
from __future__ import annotations

import pytest

from exam_server.app import create_app
from exam_server.config import load_settings
from exam_server.extensions import socketio
from exam_server.security.keys import ensure_keys
from exam_server.services import attempts, banks, exams, sessions
from tests.integration.helpers import BLUEPRINT, GIFT_BANK, ROSTER


@pytest.fixture
def app(tmp_path):
    settings = load_settings({"data_dir": tmp_path, "async_mode": "threading"}, environ={})
    ensure_keys(settings)
    app = create_app(settings)
    services = app.extensions["exam_services"]
    services.db.upgrade()
    yield app
    services.close()


@pytest.fixture
def candidate(app):
    """A socket of a logged-in candidate of an open session."""
    services = app.extensions["exam_services"]
    banks.import_bank(services, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
    exams.create_exam(services, BLUEPRINT)
    opened = sessions.create_session(services, "UJI-1", "Sesi 1", ROSTER.encode(), seed=7)
    login = next(c for c in opened["credentials"] if c["participant_number"] == "P-002")
    token = attempts.login(services, opened["session_token"], "P-002", login["password"])["token"]
    client = socketio.test_client(app, namespace="/candidate", auth={"token": token})
    assert client.is_connected("/candidate")
    yield client
    client.disconnect(namespace="/candidate")


def _send(client, event: str, data=None) -> dict:
    return client.emit(event, data, namespace="/candidate", callback=True)


def test_an_answer_is_acknowledged_once_stored_and_the_state_shows_it(candidate):
    assert _send(candidate, "start")["ok"]
    assert _send(candidate, "answer", {"position": 1, "choice": "B", "seq": 1}) == {
        "ok": True, "position": 1, "seq": 1, "saved": True}
    assert _send(candidate, "state")["answers"] == {"1": "B"}


def test_a_refused_answer_is_acknowledged_with_its_code(candidate):
    assert _send(candidate, "answer", {"position": 1, "choice": "A", "seq": 1})["error"]["code"] == "not_started"
    _send(candidate, "start")
    assert _send(candidate, "answer", {"position": 99, "choice": "A", "seq": 1})["error"]["code"] == "invalid_position"
    assert _send(candidate, "answer", {"position": 1, "choice": "A", "seq": 2 ** 60})["error"]["code"] == "bad_request"
    assert _send(candidate, "answer", ["not", "an", "object"])["error"]["code"] == "bad_request"


def test_flag_and_submit_go_the_same_way(candidate):
    _send(candidate, "start")
    assert _send(candidate, "flag", {"position": 2, "flagged": True}) == {"ok": True}
    assert _send(candidate, "state")["flags"] == [2]
    assert _send(candidate, "submit")["status"] == "submitted"
    assert _send(candidate, "answer", {"position": 1, "choice": "A", "seq": 3})["error"]["code"] == "submitted"


def test_the_form_carries_texts_in_the_candidates_order(candidate):
    _send(candidate, "start")
    form = _send(candidate, "form")
    assert form["ok"] and [item["position"] for item in form["items"]][:2] == [1, 2]
    assert all("weight" not in option for item in form["items"] for option in item["options"])


def test_a_report_is_kept_and_acknowledged(candidate):
    _send(candidate, "start")
    assert _send(candidate, "report", {"type": "focus_lost"}) == {"ok": True}
    assert _send(candidate, "report", {"type": "nonsense"})["error"]["code"] == "bad_request"
