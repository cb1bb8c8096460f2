"""Operations: health and readiness, metrics, a graceful stop, and a message-queue outage that candidates never notice."""
from __future__ import annotations

import shutil
import signal
import subprocess
import time

import pytest
import requests

from tests.integration.conftest import ExamCli, ServerProcess, free_port, prepare_data
from tests.integration.sockets import logged_in_candidate, logged_in_proctor

pytestmark = pytest.mark.slow


def test_health_readiness_and_metrics(live):
    assert requests.get(f"{live.url}/healthz", timeout=5).json() == {"ok": True}
    ready = requests.get(f"{live.url}/readyz", timeout=5)
    assert ready.status_code == 200 and ready.json()["ready"] is True
    candidate = logged_in_candidate(live, "P-001")
    candidate.call("start")
    for seq in range(1, 4):
        candidate.call("answer", {"position": seq, "choice": "A", "seq": seq})
    candidate.call("answer", {"position": 99, "choice": "A", "seq": 9})
    text = requests.get(f"{live.url}/metrics", timeout=5).text
    assert "exam_connected_candidates 1.0" in text
    assert "exam_answers_total 3.0" in text
    assert 'exam_writes_refused_total{code="invalid_position"} 1.0' in text
    assert "exam_answer_ack_seconds_count 3.0" in text
    assert "exam_commit_group_size_count" in text
    candidate.close()


def test_sigterm_stores_what_was_handed_over_and_lets_candidates_go(live):
    candidate = logged_in_candidate(live, "P-002")
    candidate.call("start")
    assert candidate.call("answer", {"position": 1, "choice": "B", "seq": 1})["saved"]
    live.process.send_signal(signal.SIGTERM)
    assert live.process.wait(15) == 0
    deadline = time.monotonic() + 5
    while candidate.client.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not candidate.client.connected
    live.start()
    again = logged_in_candidate(live, "P-002")
    assert again.call("state")["answers"] == {"1": "B"}
    again.close()


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of the test's own, so it can be stopped and started without touching anyone else's."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()

    def start():
        return subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                 "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    holder = {"process": start(), "start": start, "url": f"redis://127.0.0.1:{port}/0"}
    time.sleep(0.3)
    yield holder
    holder["process"].kill()


def test_a_message_queue_outage_never_fails_a_candidate_and_proctors_resync(tmp_path, postgres_url, private_redis):
    cli = ExamCli(tmp_path / "data", postgres_url)
    opened = prepare_data(cli, tmp_path)
    server = ServerProcess(cli.data_dir, postgres_url, extra_env={"REDIS_URL": private_redis["url"]}).start()
    server.session = opened
    try:
        proctor = logged_in_proctor(server)
        proctor.call("watch", {"session_id": opened["session_id"]})
        proctor.client.on("resync", lambda data=None: proctor.recorder("resync", data), namespace="/proctor")
        candidate = logged_in_candidate(server, "P-001")
        candidate.call("start")
        private_redis["process"].kill()
        private_redis["process"].wait()
        deadline = time.monotonic() + 15
        while requests.get(f"{server.url}/readyz", timeout=5).json()["message_queue"] != "down":
            assert time.monotonic() < deadline, "the node never noticed the outage"
            time.sleep(0.2)
        assert requests.get(f"{server.url}/readyz", timeout=5).status_code == 200  # still serving
        acks = [candidate.call("answer", {"position": p, "choice": "A", "seq": p}, timeout=15) for p in range(1, 5)]
        assert all(a["ok"] and a["saved"] for a in acks)  # stored and acknowledged without the queue
        private_redis["process"] = private_redis["start"]()
        assert proctor.recorder.wait_for("resync", timeout=20)["reason"]
        snapshot = proctor.call("watch", {"session_id": opened["session_id"]})
        assert next(c for c in snapshot["candidates"] if c["participant_number"] == "P-001")["answered"] == 4
    finally:
        server.stop()
