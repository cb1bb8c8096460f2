"""A hub on two nodes (PostgreSQL and Redis) and a site whose exchanges land on either node (CONTRACT section 6)."""
from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
import requests
from sqlalchemy import select

from exam_server.clock import SystemClock
from exam_server.sites import envelope
from exam_server.store import models
from tests.integration.conftest import ExamCli, ServerProcess, make_services
from tests.integration.helpers import BLUEPRINT, GIFT_BANK
from tests.integration.test_sites_ingest import event
from tests.integration.test_sites_link import ROSTER_A, Hall, candidate_at, hub_proctor, responses, wait_until
from tests.reliability.test_several_nodes import redis_url  # noqa: F401  (a fixture)

pytestmark = pytest.mark.slow


@pytest.fixture
def hub_nodes(tmp_path, postgres_url, redis_url):  # noqa: F811
    """A hub's data on PostgreSQL with sites A and C and a sealed session for each, served by two nodes."""
    from exam_server.services import banks, exams, users

    cli = ExamCli(tmp_path / "hub", postgres_url)
    cli("init", "--role", "hub", check=True)
    services = make_services(cli.data_dir, postgres_url, SystemClock())
    banks.import_bank(services, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
    exams.create_exam(services, BLUEPRINT)
    users.add_user(services, "admin", "admin", "sandi-admin-1")
    services.close()
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_A)
    enrollment, sessions = {}, {}
    for code in ("A", "C"):
        enrollment[code] = json.loads(cli("site", "add", code, "--name", f"Aula {code}", "--json", check=True).out)["enrollment_code"]
        sessions[code] = json.loads(cli("create-session", "--exam", "UJI-1", "--name", f"Sesi {code}", "--candidates",
                                        str(roster), "--site", code, "--seed", "5", "--json", check=True).out)
        cli("open-session", str(sessions[code]["session_id"]), check=True)
    channel = f"exam-test-{uuid.uuid4().hex[:8]}"
    env = {"REDIS_URL": redis_url, "EXAM_REDIS_CHANNEL": channel}
    nodes = [ServerProcess(cli.data_dir, postgres_url, async_mode=mode, gunicorn=True,
                           extra_env={**env, "EXAM_NODE_NAME": f"{channel}-{name}"})
             for name, mode in (("a", "eventlet"), ("b", "gevent"))]
    for node in nodes:
        node.start()
    try:
        yield cli, nodes, enrollment, sessions
    finally:
        for node in nodes:
            node.stop()


def event_hashes(services, attempt_id: int) -> list[str]:
    with services.db.reading() as session:
        return session.scalars(select(models.AttemptEvent.hash).where(models.AttemptEvent.attempt_id == attempt_id)
                               .order_by(models.AttemptEvent.number, models.AttemptEvent.id)).all()


def test_a_site_exchanging_with_either_node_is_watched_and_steered_from_one(hub_nodes, tmp_path):
    cli, (node_a, node_b), enrollment, sessions = hub_nodes
    hall = Hall(tmp_path, "A", node_b)  # every exchange through node B at first
    proctor = ani = None
    site_services = hub_services = None
    try:
        assert hall.setup(enrollment["A"])["synced"]["pulled_sessions"] == 1
        proctor = hub_proctor(node_a)
        assert proctor.call("watch", {"session_id": sessions["A"]["session_id"]})["ok"]
        ani = wait_until(lambda: _try(lambda: candidate_at(hall, sessions["A"], "A-001", "sandi-a001")), 15,
                         "the session did not open at the site")
        assert ani.call("start")["ok"]
        attempt_id = ani.call("state")["attempt_id"]

        # An answer taken through node B reaches the proctor on node A within a few seconds.
        assert ani.call("answer", {"position": 1, "choice": "B", "seq": 1})["saved"]
        proctor.recorder.wait_for("candidate", 5, lambda c: c["attempt_id"] == attempt_id and c["answered"] == 1)

        # A control given on node A is carried out at the site, which hears of it through node B.
        assert proctor.call("pause", {"attempt_id": attempt_id}, timeout=20)["ok"]
        ani.recorder.wait_for("paused", 5)
        assert proctor.call("resume", {"attempt_id": attempt_id}, timeout=20)["ok"]
        ani.recorder.wait_for("resumed", 5)

        # Exchanges alternate between the nodes, connections dropped under way (retries land on the other node).
        hall.relay.route(node_a.port, node_b.port)
        stop = threading.Event()

        def churn():
            # Every 2 s: a control needs two exchanges within 10 s (its delivery, then its outcome), and on a
            # loaded machine an exchange can take most of a second.
            while not stop.wait(2.0):
                hall.relay.drop()

        churner = threading.Thread(target=churn, daemon=True)
        churner.start()
        try:
            seq = 1
            for round_ in range(4):
                for position in range(1, 7):
                    seq += 1
                    choice = "AB"[(position + round_) % 2]
                    assert _retry(lambda: ani.call("answer", {"position": position, "choice": choice, "seq": seq},
                                                   timeout=3))["saved"]
                extended = proctor.call("extend", {"attempt_id": attempt_id, "minutes": 1, "reason": "uji"}, timeout=20)
                assert extended["ok"], extended
        finally:
            stop.set()
            churner.join()
        proctor.recorder.wait_for("candidate", 5, lambda c: c["attempt_id"] == attempt_id and c["answered"] == 6)

        site_services, hub_services = hall.services(), make_services(cli.data_dir, cli.database_url, SystemClock())
        wait_until(lambda: event_hashes(hub_services, attempt_id) == event_hashes(site_services, attempt_id), 15,
                   "the hub's events are not exactly the site's")
        assert responses(hub_services, attempt_id) == responses(site_services, attempt_id)
        with site_services.db.reading() as session:
            attempt = session.get(models.Attempt, attempt_id)
            assert attempt.extension_ms == 4 * 60_000  # each extend carried out once

        # Each transition of the site is told once to the proctor, whichever node noticed it.
        before = _site_events(proctor)
        hall.relay.cut()
        proctor.recorder.wait_for("site", 10, lambda s: s["site"] == "A" and not s["online"])
        time.sleep(1.5)  # the other node has noticed too by now
        assert [s["online"] for s in _site_events(proctor)[len(before):]] == [False]
    finally:
        for thing in (ani, proctor):
            if thing is not None:
                thing.close()
        for services in (site_services, hub_services):
            if services is not None:
                services.close()
        if hall.server:
            hall.server.stop()
        hall.relay.close()


def test_the_same_batch_at_both_nodes_at_once_is_applied_once(hub_nodes):
    cli, nodes, enrollment, sessions = hub_nodes
    key = envelope.new_private_key()
    enrolled = requests.post(f"{nodes[0].url}/api/v1/link/enroll", timeout=10,
                             json={"enrollment_code": enrollment["C"], "public_key": envelope.public_hex(key)})
    assert enrolled.status_code == 200, enrolled.text
    services = make_services(cli.data_dir, cli.database_url, SystemClock())
    try:
        with services.db.reading() as session:
            attempt_id = session.scalar(select(models.Attempt.id).where(
                models.Attempt.session_id == sessions["C"]["session_id"]).order_by(models.Attempt.id))
        events = [event(1, attempt_id, 1, "start", {}, "in_progress")]
        events += [event(n, attempt_id, n, "answer", {"position": 1 + n % 6, "choice": "AB"[n % 2], "seq": n},
                         "in_progress") for n in range(2, 41)]
        nonce = 0
        acked = []
        for first in range(0, 40, 4):
            batch = events[max(0, first - 4):first + 4]  # each batch again holds the previous one: retries
            messages = []
            for _ in nodes:
                nonce = envelope.next_nonce(nonce, services.now())
                messages.append(envelope.seal(key, "C", nonce, services.now(), {"events": batch, "backlog": 0,
                                                                               "have_sessions": [sessions["C"]["session_id"]]}))
            answers = _at_once([(node, raw, signature) for node, (raw, signature) in zip(nodes, messages)]
                               + [(nodes[1], *messages[0])])  # the very same message at the other node too
            assert sorted(a.status_code for a in answers)[:1] == [200]
            assert sum(a.status_code == 200 for a in answers) <= 2  # a message is accepted once, at one node
            acked += [a.json()["acked"] for a in answers if a.status_code == 200]
        assert max(acked) == 40
        hashes = event_hashes(services, attempt_id)
        assert hashes == [f"h{n}" for n in range(1, 41)]  # each once, in order, whichever node took it
        with services.db.reading() as session:
            attempt = session.get(models.Attempt, attempt_id)
            assert (attempt.event_count, attempt.answered_count) == (40, 6)
    finally:
        services.close()


def _at_once(calls) -> list:
    answers: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def post(index, node, raw, signature):
        barrier.wait()
        answers[index] = requests.post(f"{node.url}/api/v1/link/exchange", data=raw, timeout=15, headers={
            "Content-Type": "application/json", "X-Site-Signature": signature})

    threads = [threading.Thread(target=post, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _site_events(proctor) -> list[dict]:
    return [data for name, data in list(proctor.recorder.events) if name == "site"]


def _try(action):
    try:
        return action()
    except AssertionError:
        return None


def _retry(action, attempts: int = 10):
    for _ in range(attempts - 1):
        try:
            return action()
        except Exception:  # the kiosk's socket reconnecting
            time.sleep(0.3)
    return action()
