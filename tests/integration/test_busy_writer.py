"""A write that waits for the writer past its timeout is refused as busy (503 + Retry-After, ack ``busy``), not as
an internal error; once the writer moves again the answer sent again is stored.

The writer is made slow for real: the test holds SQLite's write lock with a transaction of its own on the
database file, so the server's commit waits for it."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest

from tests.integration.conftest import ExamCli, ServerProcess, prepare_data
from tests.integration.sockets import Candidate, candidate_login, logged_in_candidate


@pytest.fixture(params=["eventlet", "gevent"])
def slow_writer_server(request, tmp_path):
    """A server over a SQLite file whose writes give up after one second."""
    database = tmp_path / "exam.db"
    cli = ExamCli(tmp_path / "data", f"sqlite:///{database}")
    opened = prepare_data(cli, tmp_path)
    server = ServerProcess(cli.data_dir, cli.database_url, async_mode=request.param,
                           extra_env={"EXAM_WRITE_TIMEOUT_SECONDS": "1"}).start()
    server.session = opened
    server.database = database
    yield server
    server.stop()


@contextmanager
def write_lock_held(database):
    """SQLite's write lock, taken by a real transaction of another connection; readers go on (WAL)."""
    holder = sqlite3.connect(database, isolation_level=None, timeout=10)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_writes_queued_past_the_timeout_are_refused_as_busy_and_stored_when_sent_again(slow_writer_server):
    server = slow_writer_server
    candidate = logged_in_candidate(server, "P-001")
    assert candidate.call("start")["ok"] is True
    with write_lock_held(server.database):
        ack = candidate.call("answer", {"position": 1, "choice": "B", "seq": 1})
        assert ack["ok"] is False and ack["error"]["code"] == "busy", ack
        login = candidate_login(server.url, server.session["session_token"], "P-002", server.session["passwords"]["P-002"])
        assert login.status_code == 503, login.text
        assert int(login.headers["Retry-After"]) > 0
        assert login.json()["error"]["code"] == "busy"
        assert login.json()["error"]["message"]
    again = candidate.call("answer", {"position": 1, "choice": "B", "seq": 1}, timeout=20)
    assert again == {"ok": True, "position": 1, "seq": 1, "saved": True}
    assert candidate.call("state")["answers"] == {"1": "B"}
    login = candidate_login(server.url, server.session["session_token"], "P-002", server.session["passwords"]["P-002"])
    assert login.status_code == 200, login.text
    second = Candidate(server.url, login.json()["token"]).connect()
    assert second.call("start")["ok"] is True
    second.close()
    candidate.close()
