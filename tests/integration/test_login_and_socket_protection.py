"""Guessing is slowed down, floods are refused, and a staff logout or a disabled account cuts live sockets."""
from __future__ import annotations

import time

import pytest
import requests

from tests.integration.conftest import make_services
from tests.integration.sockets import STAFF_PASSWORDS, candidate_login, logged_in_candidate, logged_in_proctor, staff_login

pytestmark = pytest.mark.slow


def test_repeated_wrong_passwords_lock_the_participant_with_growing_waits(live):
    token = live.session["session_token"]
    codes = [candidate_login(live.url, token, "P-002", f"salah-{i}").status_code for i in range(7)]
    assert codes[:6] == [401] * 6 and codes[6] == 429
    locked = candidate_login(live.url, token, "P-002", live.session["passwords"]["P-002"])
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "rate_limited"
    assert candidate_login(live.url, token, "P-003", live.session["passwords"]["P-003"]).status_code == 200  # others unaffected
    time.sleep(2.2)
    assert candidate_login(live.url, token, "P-002", live.session["passwords"]["P-002"]).status_code == 200


def test_a_flood_of_events_on_one_connection_is_refused_with_a_clear_code(live):
    candidate = logged_in_candidate(live, "P-001")
    answers = [candidate.call("state") for _ in range(80)]
    codes = {a["error"]["code"] for a in answers if not a["ok"]}
    assert codes == {"rate_limited"}
    assert sum(a["ok"] for a in answers) >= 60
    time.sleep(1.0)
    assert candidate.call("state")["ok"] is True  # the budget refills
    assert candidate.call("no-such-event")["error"]["code"] == "bad_request"


def test_logout_cuts_the_staff_sockets_within_two_seconds(live):
    token = staff_login(live.url, "pengawas", STAFF_PASSWORDS["pengawas"]).json()["token"]
    from tests.integration.sockets import Proctor

    proctor = Proctor(live.url, token).connect()
    assert proctor.call("watch", {"session_id": live.session["session_id"]})["ok"]
    out = requests.post(f"{live.url}/api/v1/staff/logout", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert out.status_code == 200
    started = time.monotonic()
    while proctor.client.connected and time.monotonic() - started < 5:
        time.sleep(0.05)
    assert not proctor.client.connected and time.monotonic() - started < 2.5
    assert requests.get(f"{live.url}/api/v1/sessions", headers={"Authorization": f"Bearer {token}"}, timeout=5).status_code == 401


def test_disabling_an_account_cuts_its_sockets(live):
    proctor = logged_in_proctor(live)
    from exam_server.clock import SystemClock
    from exam_server.services import users
    from exam_server.store import models

    services = make_services(live.data_dir, live.database_url, SystemClock())
    with services.db.reading() as session:
        user_id = session.query(models.StaffUser).filter_by(username="pengawas").one().id
    users.set_active(services, user_id, False)
    services.close()
    started = time.monotonic()
    while proctor.client.connected and time.monotonic() - started < 5:
        time.sleep(0.05)
    assert not proctor.client.connected and time.monotonic() - started < 2.5
    assert staff_login(live.url, "pengawas", STAFF_PASSWORDS["pengawas"]).status_code == 401


def test_the_proctor_closes_logins_and_those_already_in_go_on(live):
    inside = logged_in_candidate(live, "P-001")
    inside.call("start")
    proctor = logged_in_proctor(live)
    assert proctor.call("close_logins", {"session_id": live.session["session_id"], "reason": "waktu masuk habis"})["logins_open"] is False
    late = candidate_login(live.url, live.session["session_token"], "P-002", live.session["passwords"]["P-002"])
    assert late.status_code == 403 and late.json()["error"]["code"] == "session_closed"
    assert inside.call("answer", {"position": 1, "choice": "A", "seq": 1})["saved"]
    inside.close()
    from tests.integration.sockets import Candidate

    assert Candidate(live.url, inside.token).connect().call("state")["ok"]  # a reconnect is not a new login
    assert proctor.call("open_logins", {"session_id": live.session["session_id"]})["logins_open"] is True
    assert candidate_login(live.url, live.session["session_token"], "P-002", live.session["passwords"]["P-002"]).status_code == 200
