"""Every page a browser shows carries the headers that keep scripts, frames and caches out."""
from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.slow

PAGES = ["/", "/proctor", "/admin/login", "/scoreboard/1", "/verify/unknown"]


def test_pages_send_a_strict_policy(live):
    # One server for every page: no page changes what the server holds.
    for path in PAGES:
        response = requests.get(live.url + path, timeout=10)
        policy = response.headers["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["default-src"] == "'self'", path
        assert "'unsafe-inline'" not in directives.get("script-src", directives["default-src"]), path
        assert "http:" not in policy and "https:" not in policy and "*" not in policy, path  # no remote origin
        assert directives.get("frame-ancestors") == "'none'", path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert "no-store" in response.headers["Cache-Control"], path


def test_the_admin_cookie_is_http_only_and_same_site_strict(live):
    response = requests.get(live.url + "/admin/login", timeout=10)
    cookie = response.headers["Set-Cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_a_socket_from_a_foreign_origin_is_refused(live):
    """Cross-site websocket hijacking: a page on another origin cannot open a socket with the victim's cookies."""
    foreign = requests.get(live.url + "/socket.io/?EIO=4&transport=polling", headers={"Origin": "https://evil.example"},
                           timeout=10)
    own = requests.get(live.url + "/socket.io/?EIO=4&transport=polling", headers={"Origin": live.url}, timeout=10)
    assert foreign.status_code == 400
    assert own.status_code == 200
