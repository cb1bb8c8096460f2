"""The /proctor namespace: a live picture of the hall, and controls that reach the candidate at once."""
from __future__ import annotations

import json

import pytest
import socketio

from tests.integration.conftest import make_services
from tests.integration.sockets import Proctor, logged_in_candidate, logged_in_proctor

pytestmark = pytest.mark.slow


def test_watch_gives_a_full_snapshot_then_updates_follow(live):
    proctor = logged_in_proctor(live)
    snapshot = proctor.call("watch", {"session_id": live.session["session_id"]})
    assert snapshot["ok"] and snapshot["session"]["session_id"] == live.session["session_id"]
    assert snapshot["session"]["hall"] == "Cendana"
    assert [c["participant_number"] for c in snapshot["candidates"]] == ["P-001", "P-002", "P-003"]
    first = snapshot["candidates"][0]
    assert set(first) >= {"attempt_id", "participant_number", "name", "status", "connected", "answered", "flagged",
                          "remaining_ms", "score", "violations"}
    assert first["status"] == "not_started" and first["connected"] is False

    candidate = logged_in_candidate(live, "P-001")
    candidate.call("start")
    candidate.call("answer", {"position": 1, "choice": "A", "seq": 1})
    update = proctor.recorder.wait_for("candidate", where=lambda c: c["participant_number"] == "P-001" and c["answered"] == 1)
    assert update["status"] == "in_progress" and update["connected"] is True
    assert set(update["score"]) == {"total", "sections"} and set(update["score"]["sections"]) == {"Dasar", "Lanjut"}
    candidate.call("report", {"type": "fullscreen_exit", "detail": ""})
    alert = proctor.recorder.wait_for("alert")
    assert alert["type"] == "fullscreen_exit" and alert["attempt_id"] == update["attempt_id"]
    assert proctor.recorder.wait_for("candidate", where=lambda c: c["violations"] == 1)
    candidate.close()
    assert proctor.recorder.wait_for("candidate", where=lambda c: c["participant_number"] == "P-001" and not c["connected"])
    proctor.close()


def test_a_proctor_sees_only_the_sessions_assigned_to_them(live):
    stranger = logged_in_proctor(live, "lain")
    refused = stranger.call("watch", {"session_id": live.session["session_id"]})
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    attempt_id = logged_in_candidate(live, "P-001").call("state")["attempt_id"]
    assert stranger.call("pause", {"attempt_id": attempt_id})["error"]["code"] == "forbidden"
    assert stranger.call("end_attempt", {"attempt_id": attempt_id})["error"]["code"] == "forbidden"
    admin = logged_in_proctor(live, "admin")
    assert admin.call("watch", {"session_id": live.session["session_id"]})["ok"] is True


def test_a_bad_staff_token_cannot_connect(live):
    proctor = Proctor(live.url, "forged")
    with pytest.raises(socketio.exceptions.ConnectionError):
        proctor.connect()
    assert proctor.recorder.wait_for("connect_error")["data"]["code"] == "unauthorized"


def test_every_control_reaches_the_candidate_and_is_audited(live):
    candidate = logged_in_candidate(live, "P-002")
    candidate.call("start")
    attempt_id = candidate.call("state")["attempt_id"]
    proctor = logged_in_proctor(live)
    session_id = live.session["session_id"]

    assert proctor.call("pause", {"session_id": session_id, "reason": "listrik padam"})["ok"]
    paused = candidate.recorder.wait_for("paused")
    assert proctor.call("resume", {"session_id": session_id})["ok"]
    assert candidate.recorder.wait_for("resumed")["remaining_ms"] >= paused["remaining_ms"] - 1000
    extended = proctor.call("extend", {"attempt_id": attempt_id, "minutes": 10, "reason": "gangguan"})
    assert extended["ok"] and extended["remaining_ms"] > 35 * 60_000
    assert candidate.recorder.wait_for("time", where=lambda t: t["remaining_ms"] > 35 * 60_000)
    assert proctor.call("announce", {"session_id": session_id, "text": "Harap tenang"})["ok"]
    assert candidate.recorder.wait_for("announcement") == {"text": "Harap tenang"}
    ended = proctor.call("end_attempt", {"attempt_id": attempt_id, "reason": "menyontek"})
    assert ended["ok"] and ended["result"]["status"] == "ended_by_proctor"
    assert candidate.recorder.wait_for("ended")["status"] == "ended_by_proctor"
    assert proctor.call("extend", {"attempt_id": attempt_id, "minutes": 5})["ok"] is False
    assert proctor.call("extend", {"attempt_id": attempt_id, "minutes": "lots"})["error"]["code"] == "bad_request"

    from exam_server.clock import SystemClock
    from exam_server.store import models

    services = make_services(live.data_dir, live.database_url, SystemClock())
    with services.db.reading() as session:
        audit = [(a.action, json.loads(a.detail_json).get("reason"), a.remote_addr)
                 for a in session.query(models.AuditEntry).order_by(models.AuditEntry.id)]
    services.close()
    assert [a[0] for a in audit] == ["pause", "resume", "extend", "announce", "end_attempt"]
    assert audit[0][1] == "listrik padam" and audit[-1][1] == "menyontek"
    assert all(a[2] == "127.0.0.1" for a in audit)


def test_staff_list_the_sessions_they_may_see(live):
    import requests

    from tests.integration.sockets import STAFF_PASSWORDS, staff_login

    def sessions_of(username):
        token = staff_login(live.url, username, STAFF_PASSWORDS[username]).json()["token"]
        return requests.get(f"{live.url}/api/v1/sessions", headers={"Authorization": f"Bearer {token}"}, timeout=5)

    assert [s["session_id"] for s in sessions_of("pengawas").json()["sessions"]] == [live.session["session_id"]]
    assert sessions_of("lain").json()["sessions"] == []
    listed = sessions_of("admin").json()["sessions"]
    assert listed[0]["candidates"] == 3 and listed[0]["exam_code"] == "UJI-1"
    assert requests.get(f"{live.url}/api/v1/sessions", timeout=5).status_code == 401


def test_two_proctors_see_the_same_updates_and_a_late_one_the_same_truth(live):
    first = logged_in_proctor(live)
    admin = logged_in_proctor(live, "admin")
    for proctor in (first, admin):
        assert proctor.call("watch", {"session_id": live.session["session_id"]})["ok"]
    candidate = logged_in_candidate(live, "P-002")
    candidate.call("start")
    for seq in range(1, 4):
        candidate.call("answer", {"position": seq, "choice": "A", "seq": seq})
    candidate.call("flag", {"position": 2, "flagged": True})
    for proctor in (first, admin):
        seen = proctor.recorder.wait_for("candidate", where=lambda c: c["answered"] == 3 and c["flagged"] == 1)
        assert seen["participant_number"] == "P-002"
    # Updates are coalesced: a burst of answers does not become one message per answer per proctor.
    assert sum(1 for name, _ in first.recorder.events if name == "candidate") < 10
    late = logged_in_proctor(live, "pengawas")
    snapshot = late.call("watch", {"session_id": live.session["session_id"]})
    mine = next(c for c in snapshot["candidates"] if c["participant_number"] == "P-002")
    last_seen = [data for name, data in first.recorder.events if name == "candidate" and data["participant_number"] == "P-002"][-1]
    assert {k: mine[k] for k in ("answered", "flagged", "status", "connected", "score")} == \
           {k: last_seen[k] for k in ("answered", "flagged", "status", "connected", "score")}
