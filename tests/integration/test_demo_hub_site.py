"""The hub-and-site demo, as a newcomer runs it: a hub and a site on this machine, a sealed session opened for them."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT
from tests.integration.conftest import free_port
from tests.integration.sockets import candidate_login

pytestmark = pytest.mark.slow


def test_the_demo_starts_a_hub_and_a_site_and_opens_the_sealed_session(tmp_path):
    hub_port, site_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXAM_") and k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(PYTHON=sys.executable, DEMO_DIR=str(tmp_path), HUB_PORT=str(hub_port), SITE_PORT=str(site_port),
               PYTHONPATH=str(ROOT), EXAM_ASYNC_MODE="threading")
    demo = subprocess.Popen(["bash", str(ROOT / "scripts" / "demo"), "--hub-site"], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        printed = ""
        deadline = time.monotonic() + 240
        while "Ctrl-C" not in printed and time.monotonic() < deadline and demo.poll() is None:
            printed += demo.stdout.readline()
        assert "Ctrl-C" in printed, printed
        token = re.search(r"token (\S+): sealed for site HALL1", printed).group(1)
        number, password = re.search(r"\(number,password\): ([^,\s]+),(\S+)", printed).groups()
        assert re.search(r"Release code \(to open without the hub\): \d{4}(-\d{4}){3}", printed)
        # The demo opened the session at the hub; the site lets the candidate in once its link has carried the key.
        site = f"http://127.0.0.1:{site_port}"
        for _ in range(60):
            login = candidate_login(site, token, number, password)
            if login.status_code == 200:
                break
            assert login.json()["error"]["code"] == "session_not_open"
            time.sleep(0.5)
        assert login.status_code == 200, login.text
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(timeout=30)
