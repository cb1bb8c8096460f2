"""The hub refuses link messages from a site never enrolled, replayed or altered ones, and a revoked site's."""
from __future__ import annotations

import json
import time

import pytest
import requests

from exam_server.sites import envelope
from tests.integration.conftest import ExamCli, ServerProcess


@pytest.fixture
def hub(tmp_path, database_url):
    cli = ExamCli(tmp_path / "hub", database_url)
    cli("init", "--role", "hub", check=True)
    code = json.loads(cli("site", "add", "A", "--name", "Aula", "--json", check=True).out)["enrollment_code"]
    server = ServerProcess(cli.data_dir, cli.database_url).start()
    yield cli, server, code
    server.stop()


def post(server, raw: bytes, signature: str):
    return requests.post(f"{server.url}/api/v1/link/exchange", data=raw, timeout=10,
                         headers={"Content-Type": "application/json", "X-Site-Signature": signature})


def message(key, site="A", body=None, nonce=None):
    now = int(time.time() * 1000)
    return envelope.seal(key, site, nonce or now * 1000, now, body or {"events": [], "backlog": 0})


def test_refusals(hub):
    cli, server, code = hub
    key = envelope.new_private_key()
    # Not enrolled yet: even a well-signed message is refused.
    assert post(server, *message(key)).status_code == 403
    # A wrong enrollment code is refused; the right one works once.
    wrong = requests.post(f"{server.url}/api/v1/link/enroll", json={"enrollment_code": "000000-000000-000000-000000",
                                                                     "public_key": envelope.public_hex(key)}, timeout=10)
    assert wrong.status_code == 403
    enrolled = requests.post(f"{server.url}/api/v1/link/enroll", timeout=10,
                             json={"enrollment_code": code, "public_key": envelope.public_hex(key)})
    assert enrolled.status_code == 200 and enrolled.json()["site"] == "A"
    again = requests.post(f"{server.url}/api/v1/link/enroll", timeout=10,
                          json={"enrollment_code": code, "public_key": envelope.public_hex(envelope.new_private_key())})
    assert again.status_code == 403
    # A site code that was never added, signed by some key: refused.
    assert post(server, *message(envelope.new_private_key(), site="ZZ")).status_code == 403
    # The enrolled key is accepted once; the same bytes again are a replay.
    raw, signature = message(key)
    first = post(server, raw, signature)
    assert first.status_code == 200 and first.json()["acked"] == 0
    replayed = post(server, raw, signature)
    assert replayed.status_code == 403 and "replayed" in replayed.json()["error"]["message"]
    # Altered: a byte of the body changed after signing.
    raw, signature = message(key, body={"events": [], "backlog": 5})
    assert post(server, raw.replace(b'"backlog":5', b'"backlog":6'), signature).status_code == 403
    # Signed by another key in the site's name.
    assert post(server, *message(envelope.new_private_key())).status_code == 403
    # Oversized and malformed bodies are refused without harm.
    assert post(server, b"{" * 100, "00").status_code in (400, 403)
    # Revoked: its own key no longer opens the link.
    cli("site", "revoke", "A", check=True)
    assert post(server, *message(key)).status_code == 403
    assert post(server, *message(key)).json()["error"]["code"] == "link_refused"
