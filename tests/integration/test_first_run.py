"""A newcomer's first run: a busy port, the help of the serving commands, the demo's printout."""
from __future__ import annotations

import re
import socket

import pytest

from tests.integration.conftest import ExamCli

pytestmark = pytest.mark.slow

BUSY = ("port {port} sedang dipakai: pilih port lain dengan --port\n"
        "port {port} is in use: choose another with --port\n")


@pytest.fixture
def newcomer(tmp_path) -> ExamCli:
    return ExamCli(tmp_path / "data", f"sqlite:///{tmp_path / 'exam.db'}")


@pytest.fixture
def busy_port():
    """A port something else already listens on, as a second demo would find it."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_busy_port_is_said_first_in_both_languages_with_what_to_do(newcomer, busy_port, command):
    run = newcomer(command, "--host", "127.0.0.1", "--port", str(busy_port))
    assert run.code == 1
    assert run.out == ""  # nothing prepared, no URLs or logins printed for a server that will not run
    assert run.err == BUSY.format(port=busy_port)
    assert not (newcomer.data_dir / "demo-credentials-ujian-dinas-tingkat-1.csv").exists()


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_help_names_host_and_port_with_their_defaults(newcomer, command):
    text = " ".join(newcomer(command, "--help", check=True).out.split())
    assert "--host TEXT Address to listen on (default 127.0.0.1" in text
    assert "--port INTEGER Port to listen on (default 5000" in text


def test_the_demo_prints_each_sessions_addresses_under_it(newcomer):
    out = newcomer("demo", "--no-serve", "--port", "5123", check=True).out
    blocks = re.split(r"\n(?=\S)", out.strip())
    assert blocks[0].startswith("Administration:  http://127.0.0.1:5123/admin")
    sessions = [b for b in blocks if re.match(r"Demo .* \(exam \S+, session \d+\)", b)]
    assert len(sessions) == 2
    for block in sessions:
        session_id = re.search(r"session (\d+)\)", block).group(1)
        token = re.search(r"session token: (\S+)", block).group(1)
        assert f"kiosk (candidates): http://127.0.0.1:5123/?session={token}" in block
        assert f"proctor console:    http://127.0.0.1:5123/proctor  (session {session_id})" in block
        assert f"scoreboard:         http://127.0.0.1:5123/scoreboard/{session_id}" in block
        logins = re.search(r"logins in (\S+)", block).group(1)
        assert (newcomer.data_dir / logins.rsplit("/", 1)[-1]).is_file()
