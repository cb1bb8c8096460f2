"""A hub and two sites, each site's link through a relay the test cuts and restores (CONTRACT section 6)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from exam_server.clock import SystemClock
from exam_server.store import models
from tests.integration.conftest import ExamCli, ServerProcess, make_services
from tests.integration.helpers import BLUEPRINT, GIFT_BANK
from tests.integration.relay import Relay
from tests.integration.sockets import Candidate, Proctor, candidate_login, staff_login

pytestmark = pytest.mark.slow

ROSTER_A = "participant_number,name,password\nA-001,Ani,sandi-a001\nA-002,Agus,sandi-a002\n"
ROSTER_B = "participant_number,name,password\nB-001,Bayu,sandi-b001\n"


def wait_until(check, timeout: float, message: str, step: float = 0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(message)


def sqlite(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'exam.db'}"


class Hall:
    """A site: its data folder, its server process, its relay to the hub."""

    def __init__(self, root: Path, code: str, hub, database_url: str | None = None):
        self.code = code
        self.cli = ExamCli(root / f"site-{code}", database_url or sqlite(root / f"site-{code}"))
        self.relay = Relay(hub.port)
        self.server = None

    def setup(self, enrollment_code: str) -> dict:
        self.cli("init", "--role", "site", check=True)
        enrolled = json.loads(self.cli("enroll", "--hub", self.relay.url, "--code", enrollment_code, "--json",
                                       check=True).out)
        synced = json.loads(self.cli("sync", "--json", check=True).out)
        self.server = ServerProcess(self.cli.data_dir, self.cli.database_url).start()
        return {"enrolled": enrolled, "synced": synced}

    def services(self):
        return make_services(self.cli.data_dir, self.cli.database_url, SystemClock())


@pytest.fixture
def hub_and_sites(tmp_path):
    hub_cli = ExamCli(tmp_path / "hub", sqlite(tmp_path / "hub"))
    hub_cli("init", "--role", "hub", check=True)
    assert json.loads(hub_cli("init", "--role", "site", "--json", check=True).out)["role"] == "hub"  # stays
    from exam_server.services import banks, exams, users

    services = make_services(hub_cli.data_dir, hub_cli.database_url, SystemClock())
    banks.import_bank(services, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
    exams.create_exam(services, BLUEPRINT)
    users.add_user(services, "admin", "admin", "sandi-admin-1")
    services.close()
    codes = {}
    for code, name in (("A", "Aula Jakarta"), ("B", "Aula Medan")):
        added = json.loads(hub_cli("site", "add", code, "--name", name, "--json", check=True).out)
        assert added["site"] == code and added["enrollment_code"]
        codes[code] = added["enrollment_code"]
    sessions = {}
    for code, roster in (("A", ROSTER_A), ("B", ROSTER_B)):
        csv = tmp_path / f"roster-{code}.csv"
        csv.write_text(roster)
        sessions[code] = json.loads(hub_cli("create-session", "--exam", "UJI-1", "--name", f"Sesi {code}",
                                            "--candidates", str(csv), "--site", code, "--seed", "5", "--json",
                                            check=True).out)
        # Sealed until opened (section 8): opened now, so the site opens it at its first exchange.
        hub_cli("open-session", str(sessions[code]["session_id"]), check=True)
    hub = ServerProcess(hub_cli.data_dir, hub_cli.database_url).start()
    halls = {code: Hall(tmp_path, code, hub) for code in ("A", "B")}
    try:
        for code, hall in halls.items():
            done = hall.setup(codes[code])
            assert done["enrolled"]["site"] == code
            assert done["synced"]["pulled_sessions"] == 1
        yield hub_cli, hub, halls, sessions, codes
    finally:
        for hall in halls.values():
            if hall.server:
                hall.server.stop()
            hall.relay.close()
        hub.stop()


def hub_proctor(hub) -> Proctor:
    token = staff_login(hub.url, "admin", "sandi-admin-1").json()["token"]
    proctor = Proctor(hub.url, token)
    proctor.client.on("site", lambda data=None: proctor.recorder("site", data), namespace="/proctor")
    return proctor.connect()


def candidate_at(hall: Hall, session: dict, number: str, password: str) -> Candidate:
    response = candidate_login(hall.server.url, session["session_token"], number, password)
    assert response.status_code == 200, response.text
    return Candidate(hall.server.url, response.json()["token"], reconnection=True).connect()


def responses(services, attempt_id: int) -> dict:
    with services.db.reading() as session:
        return {r.position: (r.choice, r.seq) for r in session.scalars(
            select(models.Response).where(models.Response.attempt_id == attempt_id, models.Response.answered_at.is_not(None)))}


def test_hub_and_two_sites_through_cuts_and_a_crash(hub_and_sites):
    hub_cli, hub, halls, sessions, _codes = hub_and_sites
    a, b = halls["A"], halls["B"]
    proctor = hub_proctor(hub)
    snapshot = proctor.call("watch", {"session_id": sessions["A"]["session_id"]})
    assert snapshot["ok"] and {c["site"] for c in snapshot["candidates"]} == {"A"}

    # Credentials printed at the hub work at the site (and only there); an answer reaches the hub's proctor within 1 s.
    at_hub = candidate_login(hub.url, sessions["A"]["session_token"], "A-001", "sandi-a001")
    assert at_hub.status_code == 403 and at_hub.json()["error"]["code"] == "session_at_site"
    ani = candidate_at(a, sessions["A"], "A-001", "sandi-a001")
    assert ani.call("start")["ok"]
    attempt_id = ani.call("state")["attempt_id"]
    assert ani.call("answer", {"position": 1, "choice": "B", "seq": 1})["saved"]  # warms the hub's scoring key
    proctor.recorder.wait_for("candidate", 5, lambda c: c["attempt_id"] == attempt_id and c["answered"] == 1)
    seen = len(proctor.recorder.events)
    sent = time.monotonic()
    assert ani.call("answer", {"position": 2, "choice": "A", "seq": 1})["saved"]
    update = wait_until(lambda: next((d for e, d in proctor.recorder.events[seen:] if e == "candidate"
                                      and d["attempt_id"] == attempt_id and d["answered"] == 2), None), 5,
                        "the answer did not reach the hub's proctor")
    assert time.monotonic() - sent < 1.0
    assert update["site"] == "A"
    bayu = candidate_at(b, sessions["B"], "B-001", "sandi-b001")
    assert bayu.call("start")["ok"] and bayu.call("answer", {"position": 2, "choice": "B", "seq": 1})["saved"]

    # Cut A's link: the hall goes on, every answer acknowledged locally; the hub shows A off line.
    a.relay.cut()
    seq = 1
    for position in range(3, 6):
        seq += 1
        assert ani.call("answer", {"position": position, "choice": "B", "seq": seq})["saved"]
    gone = proctor.recorder.wait_for("site", 10, lambda s: s["site"] == "A" and not s["online"])
    assert set(gone) == {"site", "online", "last_seen", "backlog"}
    sites = json.loads(hub_cli("sites", "--json", check=True).out)
    assert {s["site"]: s["online"] for s in sites} == {"A": False, "B": True}
    from tests.integration.test_admin_http import AdminBrowser

    browser = AdminBrowser(hub.url)
    assert browser.sign_in("admin", "sandi-admin-1").status_code == 303
    page = browser.get("/admin/sessions").text  # the admin pages list sessions by site with the site's state
    assert "A ·" in page and "luring" in page and "daring" in page
    browser.close()

    # A control on the cut site answers site_offline and never happens later.
    started = time.monotonic()
    refused = proctor.call("pause", {"attempt_id": attempt_id}, timeout=20)
    assert refused == {"ok": False, "error": refused["error"]} and refused["error"]["code"] == "site_offline"
    assert 9 <= time.monotonic() - started < 15

    # kill -9 the site while its link is cut; restart it; answers go on; restore the link.
    a.server.kill()
    a.server.start()
    for position in (6, 1):  # the kiosk's socket reconnects by itself and sends again what was not acknowledged
        seq += 1
        assert wait_until(lambda: _answer(ani, position, "C", seq), 20, "no answer after the restart")["saved"]
    a.relay.restore()
    proctor.recorder.wait_for("site", 10, lambda s: s["site"] == "A" and s["online"])
    site_services, hub_services = a.services(), make_services(hub_cli.data_dir, hub_cli.database_url, SystemClock())
    try:
        wait_until(lambda: responses(hub_services, attempt_id) == responses(site_services, attempt_id), 10,
                   "the hub did not catch up with the site's answers")
        time.sleep(1.5)  # a pause that was refused must not happen late
        with site_services.db.reading() as session:
            assert session.get(models.Attempt, attempt_id).status == "in_progress"
            site_events = session.scalars(select(models.AttemptEvent.hash).where(
                models.AttemptEvent.attempt_id == attempt_id).order_by(models.AttemptEvent.number)).all()
        with hub_services.db.reading() as session:
            hub_events = session.scalars(select(models.AttemptEvent.hash).where(
                models.AttemptEvent.attempt_id == attempt_id).order_by(models.AttemptEvent.number)).all()
        assert hub_events == site_events  # exactly what the site stored, once each

        # A control while the link is up is carried out at the site, and acknowledged after.
        paused = proctor.call("pause", {"attempt_id": attempt_id}, timeout=20)
        assert paused["ok"], paused
        ani.recorder.wait_for("paused", 5)
        assert proctor.call("resume", {"attempt_id": attempt_id}, timeout=20)["ok"]

        # Results: the site's, the hub's and an independent recomputation agree; the hub publishes and verifies.
        assert ani.call("submit")["ok"]
        assert bayu.call("submit")["ok"]
        wait_until(lambda: _ended_at_hub(hub_services, sessions["A"]["session_id"]), 10, "the submit did not arrive")
        hub_results = requests.get(f"{hub.url}/api/v1/sessions/{sessions['A']['session_id']}/results", timeout=10,
                                   headers={"Authorization": "Bearer " + staff_login(hub.url, "admin", "sandi-admin-1").json()["token"]}).json()
        mine = next(r for r in hub_results["results"] if r["attempt_id"] == attempt_id)
        assert not mine.get("mismatch")
        from exam_server.services.results import compute_document

        with site_services.db.reading() as session:
            site_document = json.loads(session.scalar(select(models.Result.document_json).where(
                models.Result.attempt_id == attempt_id)))
        with hub_services.db.reading() as session:
            recomputed = compute_document(hub_services, session, session.get(models.Attempt, attempt_id), mine["result_id"])
        for key in ("total", "passed", "status", "sections"):
            assert mine[key] == site_document[key] == recomputed[key], key
        b_session = sessions["B"]["session_id"]
        wait_until(lambda: _ended_at_hub(hub_services, b_session), 10, "B's submit did not arrive")
        for code in ("A", "B"):
            session_id = str(sessions[code]["session_id"])
            if code == "A":  # A-002 never started: end nothing, publish signs it with its status
                pass
            hub_cli("publish", session_id, check=True)
            out = hub_cli.data_dir / f"results-{code}.json"
            hub_cli("results", session_id, "--format", "json", "--out", str(out), check=True)
            assert hub_cli("verify", str(out)).code == 0
    finally:
        site_services.close()
        hub_services.close()
        ani.close()
        bayu.close()
        proctor.close()


def _answer(candidate: Candidate, position: int, choice: str, seq: int):
    try:
        ack = candidate.call("answer", {"position": position, "choice": choice, "seq": seq}, timeout=2)
    except Exception:  # not reconnected yet
        return None
    return ack if ack.get("ok") else None


def _ended_at_hub(services, session_id: int) -> bool:
    with services.db.reading() as session:
        statuses = session.scalars(select(models.Attempt.status).join(models.Candidate).where(
            models.Attempt.session_id == session_id, models.Candidate.participant_number.in_(("A-001", "B-001")))).all()
    return bool(statuses) and all(s == "submitted" for s in statuses)
