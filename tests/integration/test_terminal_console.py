"""The terminal proctor console against a real server: commands typed on stdin reach the candidate.

Most tests pipe the commands (plain lines out); one runs the console in a
pseudo-terminal, where it shows the rich live view and reads keys itself.
"""
from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import sys
import termios
import threading
import time

import pytest

from tests.conftest import ROOT
from tests.integration.sockets import STAFF_PASSWORDS, logged_in_candidate, logged_in_proctor

pytestmark = pytest.mark.slow


def console_env(password: str = STAFF_PASSWORDS["pengawas"]) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PROCTOR_PASSWORD": password, "NO_COLOR": "1"}


def run_console(server, *args: str, stdin: str, password: str = STAFF_PASSWORDS["pengawas"],
                server_option: str = "--server") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "proctor_console", server_option, server.url, *args],
        input=stdin, capture_output=True, text=True, env=console_env(password), cwd=ROOT, timeout=60,
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
    assert "\x1b" not in out  # piped: plain lines, no colours or cursor movement
    header = next(line for line in out.splitlines() if line.split()[:3] == ["ID", "No", "Nama"])
    assert header.split()[-3:] == ["Total", "Sisa", "Pel"]
    for number in ("P-001", "P-002", "P-003"):
        assert re.search(rf"^#\d+ +{number} ", out, re.MULTILINE)
    assert re.search(r"^#\d+ +P-001 .* kerja +on ", out, re.MULTILINE)
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

    # --url is the old name of --server: scripts written for it keep working
    run = run_console(live, "--username", "pengawas", "--session", str(live.session["session_id"]), "--lang", "en",
                      stdin="resume P-002\nextend p-002 5 network trouble\nsay Harap tenang [bold]\n",
                      server_option="--url")

    assert run.returncode == 0, run.stderr  # end of input ends the console
    assert "refused: attempt" in run.stdout and "is not paused" in run.stdout
    assert "ok: time left now 0:3" in run.stdout
    assert '"text": "Harap tenang [bold]"' in run.stdout  # typed text is printed as typed, never as markup
    assert candidate.recorder.wait_for("time", where=lambda t: t["remaining_ms"] > 31 * 60_000)
    assert candidate.recorder.wait_for("announcement") == {"text": "Harap tenang [bold]"}
    candidate.close()


def test_wrong_password_and_a_session_of_someone_else_end_with_status_1(live):
    wrong = run_console(live, "--username", "pengawas", "--session", "1", stdin="", password="salah")
    assert wrong.returncode == 1 and "wrong username or password" in wrong.stderr

    stranger = run_console(live, "--username", "lain", "--session", str(live.session["session_id"]), stdin="quit\n",
                           password=STAFF_PASSWORDS["lain"])
    assert stranger.returncode == 1 and "cannot watch session" in stranger.stderr

    nameless = run_console(live, "--session", "1", stdin="quit\n")
    assert nameless.returncode == 1 and "--username" in nameless.stderr


class Terminal:
    """The console in a pseudo-terminal of 120×40: keys go in, the screen's bytes come out."""

    def __init__(self, server, *args: str):
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {**console_env(), "TERM": "xterm-256color"}
        env.pop("COLUMNS", None)
        env.pop("LINES", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "proctor_console", "--server", server.url, *args],
            stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=env, cwd=ROOT, start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),  # Ctrl-C from this terminal interrupts
        )
        os.close(slave)
        self.master = master
        self.output = b""
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.output += data

    def text(self) -> str:
        with self.lock:
            return self.output.decode("utf-8", "replace")

    def wait_for(self, pattern: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.text()):
            if time.monotonic() > deadline or self.process.poll() is not None:
                ended = "" if self.process.poll() is None else f"exit {self.process.returncode}: " \
                    f"{self.process.stderr.read().decode()}\n"
                raise AssertionError(f"{pattern!r} never shown; {ended}screen so far:\n{self.text()[-3000:]!r}")
            time.sleep(0.05)

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def resize(self, rows: int, columns: int) -> None:
        """As a terminal window does: the console is told by SIGWINCH."""
        with self.lock:
            self.output = b""
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

    def close(self) -> int:
        try:
            return self.process.wait(timeout=20)
        finally:
            os.close(self.master)


def test_on_a_terminal_the_live_view_ticks_and_takes_commands_at_its_prompt(live):
    candidate = logged_in_candidate(live, "P-001")
    candidate.call("start")
    screen = Terminal(live, "--username", "pengawas", "--session", str(live.session["session_id"]))

    screen.wait_for(r"\x1b\[\?1049h")  # the alternate screen: the live view, not printed lines
    screen.wait_for(r"Peringatan")  # the alerts panel
    screen.wait_for(r"#\d+ P-001 ")
    screen.wait_for(r"pengawas> ")
    first = re.findall(r"0:(\d\d):(\d\d)", screen.text())[-1]
    screen.wait_for(r"0:(?!{}:{})\d\d:\d\d".format(*first))  # the clock of the running candidate ticks
    screen.type("pause al")
    screen.wait_for(r"pengawas> pause al")  # what is typed is drawn by the view (the terminal does not echo)
    screen.type("\x7fll\r")
    screen.wait_for(r"\? \[y/N\]")  # pausing everyone asks first
    screen.type("y\r")
    assert candidate.recorder.wait_for("paused")["remaining_ms"] > 0
    screen.wait_for(r"ok: 1 peserta dijeda")
    screen.wait_for(r"P-001 .* jeda +on ")
    screen.resize(16, 60)
    screen.wait_for(r"\x1b\[2J")  # cleared, then drawn for the new size: the columns that fit
    screen.wait_for(r"No.*Nama.*Kursi.*Status.*Sisa")
    assert "Dasar" not in screen.text() and "Ragu" not in screen.text()
    screen.type("\x03")  # Ctrl-C leaves as quietly as quit

    assert screen.close() == 0, screen.process.stderr.read().decode()
    assert "\x1b[?1049l" in screen.text()  # the terminal is given back as it was
    candidate.close()
