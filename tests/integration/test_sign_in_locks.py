"""Sign-in locks that cannot be dodged by spelling and can be lifted by staff.

Everything here goes from outside: a server process, HTTP requests and Socket.IO clients.
"""
from __future__ import annotations

import re
import time

import pytest
import requests

from tests.integration.conftest import make_services
from tests.integration.sockets import STAFF_PASSWORDS, candidate_login, logged_in_proctor, staff_login

pytestmark = pytest.mark.slow


def lock_for_a_while(wrong_password) -> None:
    """Wrong passwords until the key is locked for 16 s: long enough to show that staff lift it, not time."""
    codes = [wrong_password(i).status_code for i in range(7)]
    assert codes[-1] == 429
    for lock in (2, 4, 8):
        time.sleep(lock + 0.1)
        assert wrong_password(lock).status_code == 401


def attempt_of(proctor, session_id: int, number: str) -> int:
    snapshot = proctor.call("watch", {"session_id": session_id})
    return next(c["attempt_id"] for c in snapshot["candidates"] if c["participant_number"] == number)


def test_every_spelling_of_a_participant_counts_against_one_lock(live):
    token = live.session["session_token"]
    spellings = [(token.lower(), "P-002"), (f" {token}", "P-002"), (f"{token} ", " P-002"), (token, "P-002\t"),
                 (token.lower() + " ", "P-002 "), (f"\t{token}", "P-002"), (token.title(), " P-002 ")]
    codes = [candidate_login(live.url, t, n, f"salah-{i}").status_code for i, (t, n) in enumerate(spellings)]
    assert codes == [401] * 6 + [429]
    assert candidate_login(live.url, token, "P-002", live.session["passwords"]["P-002"]).status_code == 429


def test_a_proctors_reset_lifts_the_candidates_lock_at_once(live):
    token = live.session["session_token"]
    lock_for_a_while(lambda i: candidate_login(live.url, token, "P-002", f"salah-{i}"))
    assert candidate_login(live.url, token, "P-002", live.session["passwords"]["P-002"]).status_code == 429
    proctor = logged_in_proctor(live)
    attempt_id = attempt_of(proctor, live.session["session_id"], "P-002")
    assert proctor.call("reset_login", {"attempt_id": attempt_id, "reason": "dikunci orang lain"})["ok"]
    signed_in = candidate_login(live.url, token.lower(), "P-002", live.session["passwords"]["P-002"])
    assert signed_in.status_code == 200 and signed_in.json()["attempt_id"] == attempt_id
    proctor.close()


def test_an_admin_lifts_a_staff_lock_and_the_log_says_who(live):
    from tests.integration.test_admin_http import AdminBrowser

    lock_for_a_while(lambda i: staff_login(live.url, "lain", f"salah-{i}"))
    assert staff_login(live.url, "lain", STAFF_PASSWORDS["lain"]).status_code == 429
    admin = AdminBrowser(live.url)
    assert admin.sign_in("admin", STAFF_PASSWORDS["admin"]).status_code == 303
    user_id, admin_id = staff_ids(live, "lain", "admin")
    row = re.search(r"<tr[^>]*>\s*<td>lain</td>.*?</tr>", admin.get("/admin/staff").text, re.S).group(0)
    assert "terkunci" in row
    assert admin.submit(f"/admin/staff/{user_id}/login-lock").status_code == 303
    assert staff_login(live.url, " lain ", STAFF_PASSWORDS["lain"]).status_code == 200
    entries = audit_entries(live, "clear_login_lock")
    assert [(e.user_id, e.target) for e in entries] == [(admin_id, "staff:lain")]
    admin.close()


def test_a_proctor_cannot_lift_a_staff_lock(live):
    proctor_token = staff_login(live.url, "pengawas", STAFF_PASSWORDS["pengawas"]).json()["token"]
    user_id, = staff_ids(live, "lain")
    refused = requests.post(f"{live.url}/admin/staff/{user_id}/login-lock", timeout=10, allow_redirects=False,
                            headers={"Authorization": f"Bearer {proctor_token}"})
    assert refused.status_code == 400  # no admin session, no CSRF token: refused before anything happens
    assert audit_entries(live, "clear_login_lock") == []


def staff_ids(live, *usernames: str) -> list[int]:
    from exam_server.clock import SystemClock
    from exam_server.store import models

    services = make_services(live.data_dir, live.database_url, SystemClock())
    try:
        with services.db.reading() as session:
            return [session.query(models.StaffUser).filter_by(username=name).one().id for name in usernames]
    finally:
        services.close()


def audit_entries(live, action: str) -> list:
    from exam_server.clock import SystemClock
    from exam_server.store import models

    services = make_services(live.data_dir, live.database_url, SystemClock())
    try:
        with services.db.reading() as session:
            entries = session.query(models.AuditEntry).filter_by(action=action).all()
            session.expunge_all()
            return entries
    finally:
        services.close()
