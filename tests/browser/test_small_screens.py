"""The kiosk on the hall's small screens (1366x768, 1280x720, 1024x768), with the demo's 60-question exam.

What a candidate relies on: with the proctor's announcement shown, no control
is covered, the finish button is on screen without scrolling, and axe-core
finds no WCAG A/AA violation on the sign-in, instructions, question and finish
dialog. Screenshots of each step at each size go to test-artifacts/.
"""
from __future__ import annotations

import csv
import shutil

import pytest
from playwright.sync_api import expect

from tests.browser.page_checks import SIZES, axe_violations, covered_controls, in_window
from tests.integration.conftest import ServerProcess, make_services
from tests.integration.sockets import Proctor, staff_login

pytestmark = pytest.mark.browser

ANNOUNCEMENT = ("Perhatian: sisa waktu 10 menit. Periksa kembali soal yang Anda tandai ragu-ragu "
                "sebelum menekan tombol Selesai ujian.")


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory):
    """The demo's data (sample banks, both sample exams, open sessions), prepared once per run."""
    from exam_server.clock import SystemClock
    from exam_server.services.demo import prepare

    base = tmp_path_factory.mktemp("demo-data")
    services = make_services(base / "data", f"sqlite:///{base / 'exam.db'}", SystemClock())
    try:
        info = prepare(services)
    finally:
        services.close()
    return base, info


@pytest.fixture
def demo_server(demo_data, tmp_path):
    base, info = demo_data
    shutil.copytree(base / "data", tmp_path / "data")
    for path in base.glob("exam.db*"):
        shutil.copy2(path, tmp_path / path.name)
    server = ServerProcess(tmp_path / "data", f"sqlite:///{tmp_path / 'exam.db'}").start()
    server.info = info
    yield server
    server.stop()


def announce(server, session_id: int, text: str) -> None:
    response = staff_login(server.url, "pengawas", "pengawas-demo-2026")
    response.raise_for_status()
    proctor = Proctor(server.url, response.json()["token"]).connect()
    try:
        assert proctor.call("watch", {"session_id": session_id})["ok"]
        assert proctor.call("announce", {"session_id": session_id, "text": text})["ok"]
    finally:
        proctor.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_on_small_screens_nothing_is_covered_and_the_finish_button_is_on_screen(demo_server, browsing, size):
    width, height = size
    session = demo_server.info["sessions"][0]  # Ujian Dinas Tingkat I: 60 questions in three sections
    candidate = session["credentials"][size[0] % len(session["credentials"])]
    page = browsing.new_page(width, height)

    def check(step: str, root: str | None = None) -> None:
        browsing.shot(page, f"{step}-{width}x{height}")
        covered = covered_controls(page, root)
        assert not covered, f"{step}: " + "\n".join(covered)
        violations = axe_violations(page, root)
        assert not violations, f"{step}: " + "\n".join(violations)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, step

    page.goto(f"{demo_server.url}/?session={session['session_token']}")
    expect(page.locator("#screen-login")).to_be_visible()
    check("login")
    page.fill("#participant-number", candidate["participant_number"])
    page.fill("#password", candidate["password"])
    page.click("#login-submit")
    expect(page.locator("#screen-identity")).to_be_visible()
    check("instructions")

    page.click("#start-btn")
    expect(page.locator("#q-number")).to_have_text("Soal 1 dari 60")
    announce(demo_server, session["session_id"], ANNOUNCEMENT)
    expect(page.locator("#toasts .toast")).to_contain_text("sisa waktu 10 menit")
    assert in_window(page, "#finish-btn"), "the finish button needs scrolling to"
    check("question-with-announcement")

    # The last question too: the question pane scrolls, the finish button stays.
    page.click("#nav-grid button[data-position='60']")
    expect(page.locator("#q-number")).to_have_text("Soal 60 dari 60")
    assert in_window(page, "#finish-btn")
    page.evaluate("document.querySelector('#nav-grid').scrollTop = 0")
    page.keyboard.press("P")  # back to 59 by key: its number is brought into the scrolled list's view
    expect(page.locator("#q-number")).to_have_text("Soal 59 dari 60")
    assert page.evaluate("""() => {
        const list = document.querySelector('#nav-grid').getBoundingClientRect();
        const here = document.querySelector('#nav-grid .nav.current').getBoundingClientRect();
        return here.top >= list.top && here.bottom <= list.bottom;
    }""")
    assert covered_controls(page) == []

    page.click("#finish-btn")
    expect(page.locator("#submit-dialog")).to_be_visible()
    check("finish-dialog", "#submit-dialog")
    assert not [e for e in browsing.errors if "page error" in e]
