"""Several server processes on one PostgreSQL database and one Redis message queue serve the same sessions."""
from __future__ import annotations

import os
import time
import uuid

import pytest

from tests.integration.conftest import ExamCli, ServerProcess, make_services, prepare_data
from tests.integration.helpers import BLUEPRINT
from tests.integration.sockets import Candidate, candidate_login, logged_in_candidate, logged_in_proctor

pytestmark = pytest.mark.slow

REDIS_URL = os.environ.get("EXAM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except Exception as exc:
        message = f"Redis is not reachable at {REDIS_URL} ({type(exc).__name__}); set EXAM_TEST_REDIS_URL"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


def two_nodes(tmp_path, postgres_url, redis_url, blueprint=None):
    cli = ExamCli(tmp_path / "data", postgres_url)
    opened = prepare_data(cli, tmp_path, blueprint)
    # Each test gets its own channel, so parallel or earlier runs cannot talk to these nodes.
    env = {"REDIS_URL": redis_url, "EXAM_ANSWER_BATCH_MS": "2"}
    channel = f"exam-test-{uuid.uuid4().hex[:8]}"
    nodes = [ServerProcess(cli.data_dir, postgres_url, extra_env={**env, "EXAM_NODE_NAME": f"{channel}-{name}"},
                           async_mode=mode, gunicorn=True)
             for name, mode in (("a", "eventlet"), ("b", "gevent"))]
    for node in nodes:
        node.extra_env["EXAM_REDIS_CHANNEL"] = channel
        node.start()
        node.session = opened
    return nodes


@pytest.fixture
def nodes(tmp_path, postgres_url, redis_url):
    nodes = two_nodes(tmp_path, postgres_url, redis_url)
    yield nodes
    for node in nodes:
        node.stop()


def test_a_proctor_on_one_node_sees_and_steers_a_candidate_on_another(nodes):
    node_a, node_b = nodes
    proctor = logged_in_proctor(node_a)
    proctor.call("watch", {"session_id": node_a.session["session_id"]})
    candidate = logged_in_candidate(node_b, "P-001")
    candidate.call("start")
    candidate.call("answer", {"position": 1, "choice": "A", "seq": 1})
    update = proctor.recorder.wait_for("candidate", where=lambda c: c["participant_number"] == "P-001" and c["answered"] == 1)
    assert update["connected"] is True
    attempt_id = update["attempt_id"]
    assert proctor.call("pause", {"attempt_id": attempt_id})["ok"]
    assert "remaining_ms" in candidate.recorder.wait_for("paused")
    assert proctor.call("announce", {"session_id": node_a.session["session_id"], "text": "dari simpul A"})["ok"]
    assert candidate.recorder.wait_for("announcement") == {"text": "dari simpul A"}
    assert proctor.call("reset_login", {"attempt_id": attempt_id})["ok"]
    deadline = time.monotonic() + 10
    while candidate.client.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not candidate.client.connected  # cut off on the other node


def test_a_candidate_resumes_on_any_node(nodes):
    node_a, node_b = nodes
    login = candidate_login(node_a.url, node_a.session["session_token"], "P-002", node_a.session["passwords"]["P-002"]).json()
    on_a = Candidate(node_a.url, login["token"]).connect()
    on_a.call("start")
    on_a.call("answer", {"position": 3, "choice": "B", "seq": 7})
    on_a.call("flag", {"position": 5, "flagged": True})
    on_a.close()
    on_b = Candidate(node_b.url, login["token"]).connect()
    state = on_b.call("state")
    assert state["answers"] == {"3": "B"} and state["flags"] == [5] and state["status"] == "in_progress"
    assert on_b.call("answer", {"position": 3, "choice": "B", "seq": 7})["saved"] is True  # the same ack on any node
    on_b.close()


def test_a_deadline_ends_the_attempt_exactly_once_across_nodes(tmp_path, postgres_url, redis_url):
    nodes = two_nodes(tmp_path, postgres_url, redis_url, BLUEPRINT.replace("duration_minutes = 30", "duration_minutes = 0.05"))
    try:
        candidates = [logged_in_candidate(nodes[i % 2], number) for i, number in enumerate(["P-001", "P-002", "P-003"])]
        for candidate in candidates:
            candidate.call("start")
        for candidate in candidates:
            assert candidate.recorder.wait_for("ended", timeout=15)["status"] == "timed_out"
        time.sleep(1.5)  # both nodes keep sweeping: nothing ends twice
        assert all(sum(1 for name, _ in c.recorder.events if name == "ended") == 1 for c in candidates)
        from exam_server.clock import SystemClock
        from exam_server.store import models

        services = make_services(nodes[0].data_dir, postgres_url, SystemClock())
        with services.db.reading() as session:
            ends = session.query(models.AttemptEvent).filter(models.AttemptEvent.kind == "end").count()
        services.close()
        assert ends == 3
    finally:
        for node in nodes:
            node.stop()


def test_the_message_queue_carries_json_only(nodes, redis_url):
    """Nothing pickled crosses Redis: a node never unpickles what another process put there."""
    import json
    import threading

    import redis

    channel = nodes[0].extra_env["EXAM_REDIS_CHANNEL"]
    messages: list[bytes] = []
    pubsub = redis.Redis.from_url(redis_url).pubsub()
    pubsub.subscribe(channel)
    stop = threading.Event()

    def listen():
        while not stop.is_set():
            message = pubsub.get_message(timeout=0.1)
            if message and message["type"] == "message":
                messages.append(message["data"])

    listener = threading.Thread(target=listen)
    listener.start()
    try:
        proctor = logged_in_proctor(nodes[0])
        proctor.call("watch", {"session_id": nodes[0].session["session_id"]})
        candidate = logged_in_candidate(nodes[1], "P-003")
        candidate.call("start")
        candidate.call("answer", {"position": 1, "choice": "A", "seq": 1})
        proctor.recorder.wait_for("candidate", where=lambda c: c["participant_number"] == "P-003" and c["answered"] == 1)
        proctor.call("announce", {"session_id": nodes[0].session["session_id"], "text": "uji"})
        candidate.recorder.wait_for("announcement")
    finally:
        stop.set()
        listener.join()
        pubsub.close()
    assert messages, "the nodes talked through the queue"
    for raw in messages:
        assert not raw.startswith(b"\x80"), "a pickled message"
        assert isinstance(json.loads(raw), dict)


def test_unassigning_a_proctor_on_one_node_cuts_their_watch_on_the_other(nodes):
    from tests.integration.test_unassigned_proctor import assert_cut_off

    node_a, node_b = nodes
    assert_cut_off(proctor_node=node_a, admin_node=node_b, candidate_node=node_b)


def test_a_sign_in_lock_holds_on_every_node_and_a_reset_on_either_lifts_it(nodes):
    """With REDIS_URL the nodes share their counts: switching nodes gives an attacker no fresh allowance."""
    node_a, node_b = nodes
    token, right = node_a.session["session_token"], node_a.session["passwords"]["P-003"]
    codes = [candidate_login(node.url, token, "P-003", f"salah-{i}").status_code
             for i, node in enumerate([node_a, node_b] * 4)]
    assert codes[:6] == [401] * 6 and set(codes[6:]) == {429}
    time.sleep(2.1)
    assert candidate_login(node_b.url, token, "P-003", "salah-lagi").status_code == 401  # now 4 s on both
    assert candidate_login(node_a.url, token, "P-003", right).status_code == 429
    proctor = logged_in_proctor(node_b)
    snapshot = proctor.call("watch", {"session_id": node_a.session["session_id"]})
    attempt_id = next(c["attempt_id"] for c in snapshot["candidates"] if c["participant_number"] == "P-003")
    assert proctor.call("reset_login", {"attempt_id": attempt_id})["ok"]
    assert candidate_login(node_a.url, token, "P-003", right).status_code == 200  # lifted on the other node
    forget_sign_ins(node_a)


def forget_sign_ins(node) -> None:
    """The sign-in counts the nodes left in the test Redis (known keys would otherwise stay for months)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    names = client.keys(f"{node.extra_env['EXAM_REDIS_CHANNEL']}:login:*")
    if names:
        client.delete(*names)
