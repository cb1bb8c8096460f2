"""The terminal proctor console against a real server: commands typed on stdin reach the candidate."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.integration.sockets import STAFF_PASSWORDS, logged_in_candidate, logged_in_proctor

pytestmark = pytest.mark.slow


def run_console(server, *args: str, stdin: str,
                password: str = STAFF_PASSWORDS["pengawas"]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PROCTOR_PASSWORD": password, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "proctor_console", "--url", server.url, *args],
        input=stdin, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )


def test_pause_all_typed_at_the_terminal_pauses_the_running_candidate(live):
    candidate = logged_in_candidate(live, "P-001")
    candidate.call("start")
    session_id = live.session["session_id"]

    run = run_console(live, "--username", "pengawas", "--session", str(session_id),
                      stdin="table\nbogus\nextend P-001 lots\npause all listrik padam\nquit\n")

    assert run.returncode == 0, run.stderr
    assert candidate.recorder.wait_for("paused")["remaining_ms"] > 0
    out = run.stdout
    assert "memantau sesi Sesi 1" in out
    for number in ("P-001", "P-002", "P-003"):
        assert number in out
    assert "perintah tidak dikenal: bogus" in out
    assert "extend perlu ID dan jumlah menit" in out
    assert "ok: 1 peserta dijeda" in out
    proctor = logged_in_proctor(live)
    snapshot = proctor.call("watch", {"session_id": session_id})
    assert {c["participant_number"]: c["status"] for c in snapshot["candidates"]}["P-001"] == "paused"
    proctor.close()
    candidate.close()


def test_a_refused_command_prints_the_servers_reason_and_the_console_goes_on(live):
    candidate = logged_in_candidate(live, "P-002")
    candidate.call("start")

    run = run_console(live, "--username", "pengawas", "--session", str(live.session["session_id"]), "--lang", "en",
                      stdin="resume P-002\nextend p-002 5 network trouble\nsay Harap tenang\n")

    assert run.returncode == 0, run.stderr  # end of input ends the console
    assert "refused: attempt" in run.stdout and "is not paused" in run.stdout
    assert "ok: time left now 0:3" in run.stdout
    assert candidate.recorder.wait_for("time", where=lambda t: t["remaining_ms"] > 31 * 60_000)
    assert candidate.recorder.wait_for("announcement") == {"text": "Harap tenang"}
    candidate.close()


def test_wrong_password_and_a_session_of_someone_else_end_with_status_1(live):
    wrong = run_console(live, "--username", "pengawas", "--session", "1", stdin="", password="salah")
    assert wrong.returncode == 1 and "wrong username or password" in wrong.stderr

    stranger = run_console(live, "--username", "lain", "--session", str(live.session["session_id"]), stdin="quit\n",
                           password=STAFF_PASSWORDS["lain"])
    assert stranger.returncode == 1 and "cannot watch session" in stranger.stderr
