"""With PostgreSQL under eventlet and gevent the writer's groups run in an OS thread of their own, on a connection
that waits there and not through the event loop's hub: answers are stored and acknowledged, and while a group
waits for a row lock the loop goes on serving everyone else."""
from __future__ import annotations

import threading

import pytest
import requests
import sqlalchemy

from tests.integration.conftest import ExamCli, ServerProcess, prepare_data
from tests.integration.sockets import logged_in_candidate

pytestmark = pytest.mark.postgres


@pytest.fixture(params=["eventlet", "gevent"])
def postgres_server(request, tmp_path, postgres_url):
    cli = ExamCli(tmp_path / "data", postgres_url)
    opened = prepare_data(cli, tmp_path)
    server = ServerProcess(cli.data_dir, postgres_url, async_mode=request.param,
                           extra_env={"EXAM_POSTGRES_WRITER": "thread"}).start()
    server.session = opened
    yield server
    server.stop()


def test_answers_are_stored_from_the_writers_thread_and_the_loop_serves_while_it_waits(postgres_server, postgres_url):
    server = postgres_server
    waiting, other = logged_in_candidate(server, "P-001"), logged_in_candidate(server, "P-002")
    for candidate in (waiting, other):
        assert candidate.call("start")["ok"] is True
    assert waiting.call("answer", {"position": 1, "choice": "A", "seq": 1})["saved"] is True
    attempt_id = waiting.call("state")["attempt_id"]

    engine = sqlalchemy.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg2://", 1))
    acks: list = []
    with engine.connect() as holder:
        holder.execute(sqlalchemy.text("SELECT id FROM attempts WHERE id = :id FOR UPDATE"), {"id": attempt_id})
        sender = threading.Thread(target=lambda: acks.append(
            waiting.call("answer", {"position": 2, "choice": "B", "seq": 2}, timeout=30)))
        sender.start()
        # The writer's group now waits for the row: the loop still answers HTTP and reads for others.
        assert requests.get(server.url + "/api/v1/health", timeout=5).json()["ok"] is True
        assert other.call("state", timeout=5)["ok"] is True
        assert sender.is_alive() and not acks, "the group was meant to wait for the row lock"
        holder.rollback()
    sender.join(30)
    engine.dispose()
    assert acks == [{"ok": True, "position": 2, "seq": 2, "saved": True}]
    assert other.call("answer", {"position": 1, "choice": "C", "seq": 1})["saved"] is True
    assert waiting.call("state")["answers"] == {"1": "A", "2": "B"}
    assert other.call("state")["answers"] == {"1": "C"}
    waiting.close()
    other.close()
