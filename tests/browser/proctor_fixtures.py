"""Fixtures for the proctor console and score board tests: prepared data, servers, screenshots.

The data (keys, the small bank, the test exam, sessions) is prepared once per
run and copied for each test; each test gets its own server process on its
own SQLite database.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS, Browsing
from tests.integration.conftest import ExamCli, ServerProcess, make_services, prepare_data
from tests.integration.helpers import BLUEPRINT, ROSTER

PUBLIC_BLUEPRINT = BLUEPRINT.replace('title = "Ujian uji"\n', 'title = "Ujian uji"\npublic_scoreboard = true\n', 1)


@pytest.fixture
def steps(chromium, request):
    """The shared browser, with the console's wider window, a 10 s wait and full-page screenshots."""
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    steps = Browsing(chromium, folder, width=1366, timeout_ms=10_000, full_page=True)
    yield steps
    steps.close()


def _prepare(base: Path, blueprint: str | None) -> tuple[Path, dict]:
    exam_cli = ExamCli(base / "data", f"sqlite:///{base / 'exam.db'}")
    opened = prepare_data(exam_cli, base, blueprint)
    return base, opened


def _add_second_session(base: Path) -> dict:
    """A second sitting of the same exam for the same proctor, to switch between."""
    from exam_server.clock import SystemClock
    from exam_server.services import sessions

    services = make_services(base / "data", f"sqlite:///{base / 'exam.db'}", SystemClock())
    try:
        return sessions.create_session(services, "UJI-1", "Sesi 2", ROSTER.encode(), proctors=("pengawas",), seed=8,
                                       hall="Melati")
    finally:
        services.close()


@pytest.fixture(scope="session")
def console_data(tmp_path_factory):
    """The default exam (no public board) with two sessions assigned to 'pengawas'."""
    base, opened = _prepare(tmp_path_factory.mktemp("console-data"), None)
    second = _add_second_session(base)
    return base, {**opened, "second_session_id": second["session_id"]}


@pytest.fixture(scope="session")
def public_board_data(tmp_path_factory):
    """The same exam but with ``public_scoreboard = true``."""
    return _prepare(tmp_path_factory.mktemp("board-data"), PUBLIC_BLUEPRINT)


def _serve(prepared, target: Path, extra_env=None):
    base, opened = prepared
    shutil.copytree(base / "data", target / "data")
    for path in base.glob("exam.db*"):
        shutil.copy2(path, target / path.name)
    server = ServerProcess(target / "data", f"sqlite:///{target / 'exam.db'}", extra_env=extra_env).start()
    server.session = dict(opened)
    return server


@pytest.fixture
def console_server(console_data, tmp_path):
    server = _serve(console_data, tmp_path)
    yield server
    server.stop()


@pytest.fixture
def wit_console_server(console_data, tmp_path):
    """The same server in an office in Papua (office_zone WIT, UTC+9)."""
    server = _serve(console_data, tmp_path, {"EXAM_OFFICE_ZONE": "WIT"})
    yield server
    server.stop()


@pytest.fixture
def public_board_server(public_board_data, tmp_path):
    server = _serve(public_board_data, tmp_path)
    yield server
    server.stop()
