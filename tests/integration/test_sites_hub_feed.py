"""At the hub, the proctor feed shows a site's candidates from the values an exchange wrote: the same
``candidate`` object a fresh snapshot shows, and none built for sessions nobody watches."""
from __future__ import annotations

import json
import re
import time

import pytest
import requests
from sqlalchemy import select

from exam_server.clock import SystemClock
from exam_server.services import banks, exams, sessions, users
from exam_server.sites import envelope, hub
from exam_server.store import models
from tests.integration.conftest import ExamCli, ServerProcess, make_services
from tests.integration.helpers import BLUEPRINT, GIFT_BANK
from tests.integration.sockets import Proctor, staff_login
from tests.integration.test_sites_link import sqlite, wait_until

pytestmark = pytest.mark.slow


class SignedSite:
    """An enrolled site key sending exchanges as a site's link does, events numbered by the test."""

    def __init__(self, hub_url: str, code: str, enrollment_code: str):
        self.hub_url, self.code = hub_url, code
        self.key = envelope.new_private_key()
        requests.post(f"{hub_url}/api/v1/link/enroll", timeout=10, json={
            "enrollment_code": enrollment_code, "public_key": envelope.public_hex(self.key)}).raise_for_status()
        self.nonce, self.position, self.numbers = 0, 0, {}

    def event(self, attempt_id: int, kind: str, data: dict, state: dict) -> dict:
        self.position += 1
        number = self.numbers[attempt_id] = self.numbers.get(attempt_id, 0) + 1
        return {"position": self.position, "attempt_id": attempt_id, "number": number, "at": 1_000 + number,
                "kind": kind, "data_json": json.dumps(data), "prev_hash": f"h{number - 1}", "hash": f"h{number}",
                "state_json": json.dumps(state)}

    def exchange(self, events: list[dict]) -> dict:
        self.nonce = envelope.next_nonce(self.nonce, int(time.time() * 1000))
        raw, signature = envelope.seal(self.key, self.code, self.nonce, int(time.time() * 1000), {"events": events})
        answer = requests.post(f"{self.hub_url}/api/v1/link/exchange", data=raw, timeout=10,
                               headers={"Content-Type": "application/json", "X-Site-Signature": signature})
        assert answer.status_code == 200, answer.text
        return answer.json()


# Paused: the remaining time is frozen, so a view built now and a snapshot taken later agree to the millisecond.
PAUSED = {"status": "paused", "duration_ms": 1_800_000, "started_at": 1_000, "extension_ms": 0, "paused_ms": 0,
          "paused_since": 61_000, "deadline_at": None, "ended_at": None, "violations": 2, "login_generation": 0}


@pytest.fixture
def hub_with_two_sessions(tmp_path):
    cli = ExamCli(tmp_path / "hub", sqlite(tmp_path / "hub"))
    cli("init", "--role", "hub", check=True)
    services = make_services(cli.data_dir, cli.database_url, SystemClock())
    try:
        banks.import_bank(services, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
        exams.create_exam(services, BLUEPRINT)
        users.add_user(services, "admin", "admin", "sandi-admin-1")
        enrollment = hub.add_site(services, "A", "Aula")["enrollment_code"]
        watched = sessions.create_session(services, "UJI-1", "Sesi 1", b"participant_number,name\nA-1,Ani\n",
                                          seed=5, site="A")["session_id"]
        other = sessions.create_session(services, "UJI-1", "Sesi 2",
                                        b"participant_number,name\nB-1,Bayu\nB-2,Budi\nB-3,Bela\n",
                                        seed=5, site="A")["session_id"]
        with services.db.reading() as session:
            attempts = {s: list(session.scalars(select(models.Attempt.id).where(models.Attempt.session_id == s)
                                                .order_by(models.Attempt.id))) for s in (watched, other)}
    finally:
        services.close()
    server = ServerProcess(cli.data_dir, cli.database_url).start()
    try:
        yield server, SignedSite(server.url, "A", enrollment), watched, other, attempts
    finally:
        server.stop()


def _views_built(server) -> dict[str, float]:
    text = requests.get(server.url + "/metrics", timeout=10).text
    return {m[1]: float(m[2]) for m in re.finditer(r'^exam_feed_views_total\{source="(\w+)"\} (\S+)$', text, re.M)}


def test_a_watched_sites_candidate_comes_from_the_exchange_as_a_snapshot_shows_it(hub_with_two_sessions):
    server, site, watched, other, attempts = hub_with_two_sessions
    proctor = Proctor(server.url, staff_login(server.url, "admin", "sandi-admin-1").json()["token"]).connect()
    try:
        proctor.call("watch", {"session_id": watched})
        ani = attempts[watched][0]
        events = [site.event(ani, "start", {}, PAUSED),
                  site.event(ani, "answer", {"position": 1, "choice": "A", "seq": 1}, PAUSED),
                  site.event(ani, "flag", {"position": 2, "flagged": True}, PAUSED)]
        for attempt_id in attempts[other]:  # the same exchange changes the session nobody watches
            events += [site.event(attempt_id, "start", {}, PAUSED),
                       site.event(attempt_id, "answer", {"position": 1, "choice": "B", "seq": 1}, PAUSED)]
        assert site.exchange(events)["acked"] == len(events)
        update = proctor.recorder.wait_for("candidate", where=lambda d: d["attempt_id"] == ani and d["flagged"] == 1)
        snapshot = proctor.call("watch", {"session_id": watched})
        assert update == snapshot["candidates"][0]
        assert update["site"] == "A" and update["answered"] == 1 and update["violations"] == 2
        assert update["status"] == "paused" and update["remaining_ms"] == 1_800_000 - 60_000
        assert _views_built(server).get("ingest") == 1  # the watched candidate's view only
        assert not _views_built(server).get("read")  # and nothing read again

        proctor.call("watch", {"session_id": other})  # someone watches the other session now: its views are built
        since = len(proctor.recorder.events)
        site.exchange([site.event(a, "answer", {"position": 2, "choice": "C", "seq": 2}, PAUSED)
                       for a in attempts[other]])
        wait_until(lambda: {d["attempt_id"] for e, d in proctor.recorder.events[since:]
                            if e == "candidate" and d["answered"] == 2} == set(attempts[other]), 10,
                   "the other session's candidates were not updated")
        assert _views_built(server).get("ingest") == 1 + len(attempts[other])
        fresh = {c["attempt_id"]: c for c in proctor.call("watch", {"session_id": other})["candidates"]}
        for event, data in proctor.recorder.events[since:]:
            if event == "candidate":
                assert data == fresh[data["attempt_id"]]
    finally:
        proctor.close()


def test_an_attempt_that_ends_is_read_again_after_its_result_is_frozen(hub_with_two_sessions):
    server, site, watched, _other, attempts = hub_with_two_sessions
    proctor = Proctor(server.url, staff_login(server.url, "admin", "sandi-admin-1").json()["token"]).connect()
    try:
        proctor.call("watch", {"session_id": watched})
        ani = attempts[watched][0]
        submitted = {**PAUSED, "status": "submitted", "paused_since": None, "ended_at": 70_000}
        site.exchange([site.event(ani, "start", {}, PAUSED),
                       site.event(ani, "end", {"status": "submitted", "by": "candidate"}, submitted)])
        update = proctor.recorder.wait_for("candidate", where=lambda d: d["status"] == "submitted")
        assert update == proctor.call("watch", {"session_id": watched})["candidates"][0]
        assert _views_built(server).get("read") == 1 and not _views_built(server).get("ingest")
    finally:
        proctor.close()
