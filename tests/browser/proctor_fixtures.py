"""Fixtures for the proctor console and score board tests: a browser, prepared data, servers, screenshots.

The data (keys, the small bank, the test exam, sessions) is prepared once per
run and copied for each test; each test gets its own server process on its
own SQLite database.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.integration.conftest import ExamCli, ServerProcess, make_services, prepare_data
from tests.integration.helpers import BLUEPRINT, ROSTER

ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
PUBLIC_BLUEPRINT = BLUEPRINT.replace('title = "Ujian uji"\n', 'title = "Ujian uji"\npublic_scoreboard = true\n', 1)


def chromium_path() -> str:
    return shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def console_browser(request):
    """A headless Chromium: the suite's shared one when the browser conftest offers it, else our own."""
    try:
        shared = request.getfixturevalue("chromium")
    except pytest.FixtureLookupError:
        shared = None
    if shared is not None:
        yield shared
        return
    executable = chromium_path()
    if not Path(executable).is_file():
        message = f"Chromium is not installed at {executable} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Steps:
    """One test's browser pages, the errors they raised, and a screenshot of each step."""

    def __init__(self, browser, folder: Path):
        self.browser = browser
        self.folder = folder
        self.contexts = []
        self.errors: list[str] = []
        self.count = 0

    def new_page(self, width: int = 1366, height: int = 900):
        context = self.browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("console", lambda message: message.type == "error" and self.errors.append(f"console: {message.text}"))
        return page

    def shot(self, page, step: str) -> Path:
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def steps(console_browser, request):
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    steps = Steps(console_browser, folder)
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
        return sessions.create_session(services, "UJI-1", "Sesi 2", ROSTER.encode(), proctors=("pengawas",), seed=8)
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


def _serve(prepared, target: Path):
    base, opened = prepared
    shutil.copytree(base / "data", target / "data")
    for path in base.glob("exam.db*"):
        shutil.copy2(path, target / path.name)
    server = ServerProcess(target / "data", f"sqlite:///{target / 'exam.db'}").start()
    server.session = dict(opened)
    return server


@pytest.fixture
def console_server(console_data, tmp_path):
    server = _serve(console_data, tmp_path)
    yield server
    server.stop()


@pytest.fixture
def public_board_server(public_board_data, tmp_path):
    server = _serve(public_board_data, tmp_path)
    yield server
    server.stop()
