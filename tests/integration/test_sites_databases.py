"""A hub and a site on SQLite and on PostgreSQL: the site stores the hub's ids, and its own rows never collide with them."""
from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import func, select

from exam_server.clock import SystemClock
from exam_server.services import banks, exams, users
from exam_server.store import models
from tests.integration.conftest import ExamCli, ServerProcess, make_services
from tests.integration.helpers import BLUEPRINT, GIFT_BANK
from tests.integration.sockets import staff_login
from tests.integration.test_sites_link import ROSTER_A, Hall, candidate_at, responses, wait_until

pytestmark = pytest.mark.slow

LOCAL_BANK = "::L1:: Ibu kota Indonesia? {=Jakarta ~Bandung ~Medan ~Surabaya}\n"


def hashes(services, attempt_id: int) -> list[str]:
    with services.db.reading() as session:
        return session.scalars(select(models.AttemptEvent.hash).where(models.AttemptEvent.attempt_id == attempt_id)
                               .order_by(models.AttemptEvent.number)).all()


def outbox(services) -> tuple[int, int]:
    with services.db.reading() as session:
        return session.execute(select(func.count(), func.max(models.OutboxEvent.position))).one()


def status(services, attempt_id: int) -> str:
    with services.db.reading() as session:
        return session.get(models.Attempt, attempt_id).status


def test_a_site_pulls_a_sealed_session_and_the_hub_gets_exactly_its_answers(tmp_path, another_database):
    hub_cli = ExamCli(tmp_path / "hub", another_database("hub"))
    hub_cli("init", "--role", "hub", check=True)
    services = make_services(hub_cli.data_dir, hub_cli.database_url, SystemClock())
    banks.import_bank(services, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
    exams.create_exam(services, BLUEPRINT)

    users.add_user(services, "admin", "admin", "sandi-admin-1")
    services.close()
    enrollment = json.loads(hub_cli("site", "add", "A", "--name", "Aula", "--json", check=True).out)["enrollment_code"]
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_A)
    opened = json.loads(hub_cli("create-session", "--exam", "UJI-1", "--name", "Sesi A", "--candidates", str(roster),
                                "--site", "A", "--seed", "5", "--json", check=True).out)
    hub_cli("open-session", str(opened["session_id"]), check=True)
    hub = ServerProcess(hub_cli.data_dir, hub_cli.database_url).start()
    hall = Hall(tmp_path, "A", hub, another_database("site-A"))
    hall.cli.data_dir.mkdir(parents=True, exist_ok=True)
    (hall.cli.data_dir / "config.toml").write_text("outbox_keep_minutes = 0\n")  # pruned as soon as acknowledged
    site_services = hub_services = None
    candidates = []
    try:
        assert hall.setup(enrollment)["synced"]["pulled_sessions"] == 1
        ani = wait_until(lambda: _signed_in(hall, opened, "A-001", "sandi-a001"), 15, "the session did not open at the site")
        candidates.append(ani)
        site_services = hall.services()
        hub_services = make_services(hub_cli.data_dir, hub_cli.database_url, SystemClock())

        # The site's own inserts into the tables that hold the hub's ids get ids of their own.
        local = banks.import_bank(site_services, LOCAL_BANK.encode(), "lokal.gift", bank_code="lokal")
        with site_services.db.reading() as session:
            local_bank = session.scalar(select(models.Bank).where(models.Bank.code == "lokal"))
            hub_bank = session.scalar(select(models.Bank).where(models.Bank.code == "umum"))
            assert local_bank.id != hub_bank.id and local["imported"] == 1

        agus = candidate_at(hall, opened, "A-002", "sandi-a002")
        candidates.append(agus)
        attempts = []
        for candidate, choices in ((ani, "ABBAA"), (agus, "BABAB")):
            assert candidate.call("start")["ok"]
            attempts.append(candidate.call("state")["attempt_id"])
            for position, choice in enumerate(choices, start=1):
                assert candidate.call("answer", {"position": position, "choice": choice, "seq": position})["saved"]
        assert ani.call("answer", {"position": 2, "choice": None, "seq": 9})["saved"]  # cleared: at the hub too
        assert ani.call("submit")["ok"]

        for attempt_id in attempts:
            wait_until(lambda: hashes(hub_services, attempt_id) == hashes(site_services, attempt_id), 15,
                       f"attempt {attempt_id}: the hub's events differ from the site's")
            assert responses(hub_services, attempt_id) == responses(site_services, attempt_id)
        assert len(responses(hub_services, attempts[0])) == 5 and responses(hub_services, attempts[0])[2] == (None, 9)
        wait_until(lambda: status(hub_services, attempts[0]) == "submitted", 10, "the submit did not reach the hub")

        # The hub recomputed the result from the answers; it agrees with the site's.
        token = staff_login(hub.url, "admin", "sandi-admin-1").json()["token"]
        document = requests.get(f"{hub.url}/api/v1/sessions/{opened['session_id']}/results", timeout=10,
                                headers={"Authorization": "Bearer " + token}).json()
        mine = next(r for r in document["results"] if r["attempt_id"] == attempts[0])
        with site_services.db.reading() as session:
            at_site = json.loads(session.scalar(select(models.Result.document_json)
                                                .where(models.Result.attempt_id == attempts[0])))
        assert not mine.get("mismatch")
        assert (mine["total"], mine["status"]) == (at_site["total"], at_site["status"]) and mine["status"] == "submitted"

        # The site's outbox keeps only its newest row once the hub acknowledged everything.
        with site_services.db.reading() as session:
            events = session.scalar(select(func.count()).select_from(models.AttemptEvent))
        wait_until(lambda: outbox(site_services) == (1, events), 15, "the acknowledged outbox was not pruned")
    finally:
        for candidate in candidates:
            candidate.close()
        for services in (site_services, hub_services):
            if services is not None:
                services.close()
        if hall.server:
            hall.server.stop()
        hall.relay.close()
        hub.stop()


def _signed_in(hall, opened, number, password):
    from tests.integration.sockets import Candidate, candidate_login

    response = candidate_login(hall.server.url, opened["session_token"], number, password)
    if response.status_code != 200:
        return None
    return Candidate(hall.server.url, response.json()["token"], reconnection=True).connect()
