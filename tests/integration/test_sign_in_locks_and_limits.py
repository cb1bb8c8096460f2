"""Sign-in locks that cannot be dodged by spelling and can be lifted by staff; small bodies; no idle sockets.

Everything here goes from outside: a server process, HTTP requests, Socket.IO
clients and raw TCP sockets.
"""
from __future__ import annotations

import re
import socket
import time

import pytest
import requests

from tests.integration.conftest import ServerProcess, make_services, prepare_data
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


# ------------------------------------------------------------------ bodies

LOGINS = {"/api/v1/candidate/login": ("session_token", "participant_number", "password"),
          "/api/v1/staff/login": ("username", "password")}


def test_a_login_body_past_a_few_kilobytes_is_refused_with_413(live):
    for path, names in LOGINS.items():
        body = {name: "x" for name in names} | {"padding": "x" * 8000}
        answer = requests.post(live.url + path, json=body, timeout=10)
        assert answer.status_code == 413, path
        assert set(answer.json()["error"]) == {"code", "message"}
    big = requests.post(live.url + "/api/v1/candidate/login", data=b"{" + b" " * 4_000_000 + b"}",
                        headers={"Content-Type": "application/json"}, timeout=30)
    assert big.status_code == 413


def test_the_admin_sign_in_form_is_capped_too(live):
    answer = requests.post(live.url + "/admin/login", data={"username": "admin", "password": "x" * 8000}, timeout=10)
    assert answer.status_code == 413


def test_an_over_long_field_is_refused_naming_it(live):
    for path, names in LOGINS.items():
        for name in names:
            body = {n: "x" for n in names} | {name: "9" * 2000}
            answer = requests.post(live.url + path, json=body, timeout=10)
            assert answer.status_code == 400, (path, name)
            assert answer.json()["error"]["code"] == "bad_request" and name in answer.json()["error"]["message"]


@pytest.mark.parametrize("body", [b"[" * 2000 + b"]" * 2000, b'{"a":' * 600 + b"1" + b"}" * 600,
                                  b'{"username": "admin", ', b"\xff\xfe{}", b"null", b"[1, 2]", b""])
def test_deep_or_malformed_json_gets_a_clean_bad_request(live, body):
    for path in LOGINS:
        answer = requests.post(live.url + path, data=body, headers={"Content-Type": "application/json"}, timeout=10)
        assert answer.status_code == 400, (path, body[:20])
        assert answer.json()["error"]["code"] == "bad_request"
    log = live.log_path.read_text(errors="replace")
    assert "Traceback" not in log and "RecursionError" not in log


# ------------------------------------------------------------------ idle connections

MODES = [("eventlet", False), ("threading", False), ("gevent", False), ("eventlet", True), ("gevent", True)]


@pytest.fixture
def prepared(exam_cli, tmp_path):
    prepare_data(exam_cli, tmp_path)
    return exam_cli


@pytest.mark.parametrize("mode,gunicorn", MODES, ids=[f"{m}{'-gunicorn' if g else ''}" for m, g in MODES])
def test_a_connection_that_never_completes_its_request_is_closed(prepared, mode, gunicorn):
    server = ServerProcess(prepared.data_dir, prepared.database_url, async_mode=mode, gunicorn=gunicorn,
                           extra_env={"EXAM_REQUEST_TIMEOUT_SECONDS": "2"}).start()
    try:
        half = socket.create_connection(("127.0.0.1", server.port))
        silent = socket.create_connection(("127.0.0.1", server.port))
        half.sendall(b"POST /api/v1/staff/login HTTP/1.1\r\nHost: x\r\nContent-Type: applic")
        assert closed_within(half, 8) and closed_within(silent, 8)
        assert requests.get(server.url + "/api/v1/health", timeout=5).status_code == 200  # others still served
    finally:
        server.stop()


def closed_within(connection: socket.socket, seconds: float) -> bool:
    """True when the server closes the connection (end of stream or reset) before ``seconds`` pass."""
    connection.settimeout(seconds)
    started = time.monotonic()
    try:
        while connection.recv(4096):
            pass  # a 408 or 400 answer before closing is fine
    except socket.timeout:
        return False
    except ConnectionResetError:
        pass
    finally:
        connection.close()
    return time.monotonic() - started < seconds


def test_a_quiet_candidate_socket_outlives_the_timeout(exam_cli, tmp_path):
    """The timeout is one of silence: a websocket's pings keep an idle candidate connected.

    A ping every second against a 4 s timeout keeps the wait short; three timeouts of
    idleness would have cut a connection that the pings did not keep alive.
    """
    from tests.integration.sockets import logged_in_candidate

    opened = prepare_data(exam_cli, tmp_path)
    server = ServerProcess(exam_cli.data_dir, exam_cli.database_url,
                           extra_env={"EXAM_REQUEST_TIMEOUT_SECONDS": "4", "EXAM_SOCKET_PING_SECONDS": "1"}).start()
    server.session = opened
    try:
        candidate = logged_in_candidate(server, "P-001")
        time.sleep(12)
        assert candidate.client.connected and candidate.call("state")["ok"]
        candidate.close()
    finally:
        server.stop()
