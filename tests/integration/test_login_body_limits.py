"""Small login bodies: oversized, over-long or malformed sign-ins are refused cleanly, before any check.

Everything here goes from outside: a server process and HTTP requests.
"""
from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.slow


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


MALFORMED = [b"[" * 2000 + b"]" * 2000, b'{"a":' * 600 + b"1" + b"}" * 600,
             b'{"username": "admin", ', b"\xff\xfe{}", b"null", b"[1, 2]", b""]


def test_deep_or_malformed_json_gets_a_clean_bad_request(live):
    # One server for every body: a refused body leaves nothing behind (no lock entry, no count).
    for body in MALFORMED:
        for path in LOGINS:
            answer = requests.post(live.url + path, data=body, headers={"Content-Type": "application/json"},
                                   timeout=10)
            assert answer.status_code == 400, (path, body[:20])
            assert answer.json()["error"]["code"] == "bad_request", (path, body[:20])
    log = live.log_path.read_text(errors="replace")
    assert "Traceback" not in log and "RecursionError" not in log
