"""Browser tests: Debian's Chromium, driven by Playwright, against a real server process.

Each test gets its own server on its own SQLite database. The data (keys, the
small bank, the test exam, an open session) is prepared once per run with the
real ``exam-server`` commands and copied for each test, which saves the few
seconds the commands take.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.integration.conftest import ExamCli, ServerProcess, prepare_data
from tests.integration.helpers import ROSTER, write_blueprint

ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_executable() -> str:
    return os.environ.get("EXAM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run; missing Chromium skips (fails under CI)."""
    executable = chromium_executable()
    if not Path(executable).is_file():
        message = f"Chromium is not installed at {executable} (apt-get install chromium, or set EXAM_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def prepared_data(tmp_path_factory):
    """A data folder and SQLite database with the test exam's session open, made once and copied per test."""
    base = tmp_path_factory.mktemp("kiosk-data")
    exam_cli = ExamCli(base / "data", f"sqlite:///{base / 'exam.db'}")
    opened = prepare_data(exam_cli, base)
    return base, opened


def copy_prepared(prepared, target: Path) -> ExamCli:
    base, _ = prepared
    shutil.copytree(base / "data", target / "data")
    for path in base.glob("exam.db*"):
        shutil.copy2(path, target / path.name)
    return ExamCli(target / "data", f"sqlite:///{target / 'exam.db'}")


@pytest.fixture
def kiosk_server(prepared_data, tmp_path):
    """A server process serving a fresh copy of the prepared data; ``kill()`` and ``start()`` keep port and data."""
    exam_cli = copy_prepared(prepared_data, tmp_path)
    server = ServerProcess(exam_cli.data_dir, exam_cli.database_url).start()
    server.session = dict(prepared_data[1])
    server.cli = exam_cli
    yield server
    server.stop()


@pytest.fixture
def server_for_exam(prepared_data, tmp_path):
    """Serves a copy of the prepared data plus another exam (a blueprint with its own code) and an open session of it."""
    servers = []

    def serve(blueprint: str) -> ServerProcess:
        folder = tmp_path / f"exam-{len(servers)}"
        folder.mkdir()
        exam_cli = copy_prepared(prepared_data, folder)
        code = exam_cli("create-exam", str(write_blueprint(folder, blueprint)), check=True).out.strip().split()[-1]
        roster, credentials = folder / "peserta.csv", folder / "creds.csv"
        roster.write_text(ROSTER, encoding="utf-8")
        opened = exam_cli("create-session", "--exam", code, "--name", "Sesi 2", "--candidates", str(roster),
                          "--seed", "7", "--credentials-out", str(credentials), "--json", check=True).json()
        opened["passwords"] = {r["participant_number"]: r["password"] for r in csv.DictReader(credentials.open())}
        server = ServerProcess(exam_cli.data_dir, exam_cli.database_url)
        servers.append(server)
        server.start()
        server.session, server.cli = opened, exam_cli
        return server

    yield serve
    for server in servers:
        server.stop()


class Browsing:
    """A browser context for one test: pages, the page errors they raised, and screenshots of each step."""

    def __init__(self, browser, folder: Path, *, width: int = 1280, timeout_ms: int | None = None,
                 full_page: bool = False):
        self.browser = browser
        self.folder = folder
        self.width = width  # the console needs a wider window than the kiosk
        self.timeout_ms = timeout_ms
        self.full_page = full_page
        self.contexts = []
        self.errors: list[str] = []
        self.step = 0

    def new_page(self, width: int | None = None, height: int = 900, timezone_id: str | None = None):
        options = {"timezone_id": timezone_id} if timezone_id else {}
        context = self.browser.new_context(viewport={"width": width or self.width, "height": height}, locale="id-ID",
                                           **options)
        self.contexts.append(context)
        page = context.new_page()
        if self.timeout_ms:
            page.set_default_timeout(self.timeout_ms)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("console", lambda message: message.type == "error" and self.errors.append(f"console: {message.text}"))
        return page

    def shot(self, page, name: str) -> Path:
        self.step += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.step:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=self.full_page)
        return path

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(chromium, request):
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    browsing = Browsing(chromium, folder)
    yield browsing
    browsing.close()
