"""The proctor's web console and the public score board, in Chromium, against a real server process.

A proctor signs in, picks sessions and watches candidates (real Socket.IO
clients) work; every control goes through the page's confirmation dialog and
must reach the candidate. The score board is checked for a public exam (it
lists and updates) and for the default exam (it says the board is not public).
"""
from __future__ import annotations

import re

import pytest
import requests

from tests.browser.proctor_fixtures import (  # noqa: F401  (fixtures used by name)
    console_data, console_server, public_board_data, public_board_server, steps, wit_console_server,
)
from tests.integration.sockets import STAFF_PASSWORDS, logged_in_candidate, logged_in_proctor

pytestmark = pytest.mark.browser

ID_TEXT = {
    "bad_credentials": "Nama pengguna atau kata sandi salah.",
    "rate_limited": "Terlalu banyak percobaan masuk. Tunggu satu menit, lalu coba lagi.",
    "not_public": "Ujian ini tidak menayangkan papan skor langsung.",
    "not_found": "Sesi ujian ini tidak ditemukan.",
}


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def tile(page, number: str):
    return page.locator(f'#grid .tile[data-number="{number}"]')


def row(page, number: str):
    return page.locator(f'#table-body tr[data-number="{number}"]')


def expect_order(page, selector: str, numbers: list[str], *, any_order: bool = False) -> None:
    """Waits until the visible rows or tiles are exactly these participants (in this order unless any_order)."""
    page.wait_for_function(
        """([selector, numbers, anyOrder]) => {
            let shown = [...document.querySelectorAll(selector)].filter(n => !n.hidden).map(n => n.dataset.number);
            if (anyOrder) { shown = shown.sort(); numbers = [...numbers].sort(); }
            return JSON.stringify(shown) === JSON.stringify(numbers);
        }""", arg=[selector, numbers, any_order], timeout=5_000)


def sign_in(page, username: str, password: str) -> None:
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")


def confirm_dialog(page, reason: str | None = None, minutes: int | None = None) -> None:
    dialog = page.locator("#action-dialog")
    expect()(dialog).to_be_visible()
    if minutes is not None:
        page.fill("#dialog-minutes", str(minutes))
    if reason is not None:
        page.fill("#dialog-reason", reason)
    page.click("#dialog-confirm")


def correct_choice(candidate) -> tuple[int, str]:
    """A position and the display key of its correct option (the test bank's correct options start with 'Benar')."""
    for item in candidate.call("form")["items"]:
        for option in item["options"]:
            if "Benar" in option["text"]:
                return item["position"], option["key"]
    raise AssertionError("no item with a recognisable correct option")


def test_proctor_signs_in_watches_the_hall_and_steers_a_candidate(console_server, steps):
    server = console_server
    session_id = server.session["session_id"]
    page = steps.new_page()
    page.goto(f"{server.url}/proctor")
    steps.shot(page, "login")

    # Wrong password, then a locked-out account: both said plainly.
    sign_in(page, "pengawas", "bukan-sandinya")
    expect()(page.locator("#login-error")).to_have_text(ID_TEXT["bad_credentials"])
    for _ in range(10):
        requests.post(f"{server.url}/api/v1/staff/login", json={"username": "lain", "password": "salah"}, timeout=10)
    sign_in(page, "lain", STAFF_PASSWORDS["lain"])
    expect()(page.locator("#login-error")).to_have_text(ID_TEXT["rate_limited"])
    assert page.locator("#login-error").get_attribute("data-code") == "rate_limited"
    steps.shot(page, "rate-limited")

    # The session list, then the hall of session 1.
    sign_in(page, "pengawas", STAFF_PASSWORDS["pengawas"])
    picker_button = page.locator(f'#session-rows button[data-session-id="{session_id}"]')
    expect()(picker_button).to_be_visible()
    assert page.locator("#session-rows tr").count() == 2
    second_row = page.locator(f'#session-rows tr[data-session-id="{server.session["second_session_id"]}"]')
    expect()(second_row).to_contain_text("Sesi 2 · Ruang: Melati")
    steps.shot(page, "session-picker")
    picker_button.click()
    expect()(page.locator("#grid .tile")).to_have_count(3)
    for number, name in (("P-001", "=Ani Formula"), ("P-002", "Budi Santoso"), ("P-003", "Citra Lestari")):
        expect()(tile(page, number).locator(".name")).to_have_text(name)
        expect()(tile(page, number)).to_have_attribute("data-status", "not_started")
    expect()(page.locator("#count-not-started")).to_have_text("3")
    assert page.evaluate("sessionStorage.getItem('proctor.v1.auth')")
    steps.shot(page, "hall")

    # A second session in another tab, by its id; then back to the first.
    page.click("#add-session-btn")
    page.fill("#session-id", str(server.session["second_session_id"]))
    page.click("#session-watch")
    expect()(page.locator("#tabs .tab")).to_have_count(2)
    expect()(page.locator("#session-name")).to_have_text("Sesi 2 · Ruang: Melati")
    page.click(f'#tabs .tab[data-session-id="{session_id}"]')
    expect()(page.locator("#session-name")).to_have_text("Sesi 1 · Ruang: Cendana")
    steps.shot(page, "two-sessions")

    # A candidate signs in, starts and answers: the tile follows live.
    candidate = logged_in_candidate(server, "P-002")
    budi = tile(page, "P-002")
    expect()(budi).to_have_attribute("data-connected", "true")
    candidate.call("start")
    position, key = correct_choice(candidate)
    assert candidate.call("answer", {"position": position, "choice": key, "seq": 1})["ok"]
    expect()(budi).to_have_attribute("data-status", "in_progress")
    expect()(budi).to_have_class(re.compile(r"\bstatus-in_progress\b"))
    expect()(budi.locator(".answered")).to_have_attribute("data-answered", "1")
    expect()(budi.locator(".answered")).to_contain_text("1/6")
    expect()(budi.locator(".status")).to_have_text("Mengerjakan")
    expect()(page.locator("#count-connected")).to_have_text("1")
    expect()(page.locator("#count-in-progress")).to_have_text("1")
    expect()(page.locator("#histogram rect.hist-bar[data-count='1']")).to_have_count(1)
    countdown = budi.locator(".time").inner_text()
    assert re.fullmatch(r"0:[23]\d:\d\d", countdown)
    steps.shot(page, "candidate-answered")

    # The candidate leaves the exam window: a highlighted badge and a feed entry.
    candidate.call("report", {"type": "focus_lost", "detail": ""})
    badge = budi.locator("[data-role='badge']")
    expect()(badge).to_have_attribute("data-count", "1")
    expect()(badge).to_have_class(re.compile(r"\bbadge-new\b"))
    expect()(page.locator("#feed .feed-alert").first).to_contain_text("P-002")
    expect()(page.locator("#feed .feed-alert").first).to_contain_text("keluar dari jendela ujian")
    steps.shot(page, "alert")

    # Pause with a reason, through the dialog.
    budi.locator("button[data-action='toggle']").click()
    expect()(page.locator("#dialog-title")).to_have_text("Jeda ujian peserta?")
    expect()(page.locator("#dialog-target")).to_contain_text("Budi Santoso")
    steps.shot(page, "pause-dialog")
    confirm_dialog(page, reason="listrik padam")
    assert "remaining_ms" in candidate.recorder.wait_for("paused")
    expect()(page.locator("#action-dialog")).to_be_hidden()
    expect()(budi).to_have_attribute("data-status", "paused")
    expect()(page.locator("#feed .feed-action").first).to_contain_text("listrik padam")
    steps.shot(page, "paused")

    # A refusal is shown in the dialog: another proctor resumed the candidate meanwhile.
    budi.locator("button[data-action='toggle']").click()
    expect()(page.locator("#dialog-title")).to_have_text("Lanjutkan ujian peserta?")
    other = logged_in_proctor(server)
    assert other.call("resume", {"attempt_id": int(budi.get_attribute("data-attempt"))})["ok"]
    candidate.recorder.wait_for("resumed")
    confirm_dialog(page, reason="sudah normal")
    expect()(page.locator("#dialog-error")).to_be_visible()
    expect()(page.locator("#dialog-error")).to_contain_text("not paused")
    assert page.locator("#dialog-error").get_attribute("data-code") == "conflict"
    steps.shot(page, "refused")
    page.click("#dialog-cancel")
    other.close()
    expect()(budi).to_have_attribute("data-status", "in_progress")

    # Five more minutes.
    budi.locator("button[data-action='extend']").click()
    confirm_dialog(page, reason="gangguan jaringan", minutes=5)
    assert candidate.recorder.wait_for("time", where=lambda t: t["remaining_ms"] > 31 * 60_000)
    expect()(page.locator("#action-dialog")).to_be_hidden()
    expect()(budi.locator(".time")).to_contain_text(re.compile(r"0:3[2-5]:\d\d"))
    steps.shot(page, "extended")

    # An announcement, written as text (markup stays visible as characters).
    text = "<b>Harap tenang</b> & kerjakan sendiri"
    page.fill("#announce-text", text)
    page.click("#announce-btn")
    expect()(page.locator("#dialog-text")).to_have_value(text)
    confirm_dialog(page)
    assert candidate.recorder.wait_for("announcement") == {"text": text}
    expect()(page.locator("#feed .feed-action").first).to_contain_text(text)
    assert page.locator("#feed b").count() == 0
    steps.shot(page, "announced")

    # End the attempt.
    budi.locator("button[data-action='end']").click()
    expect()(page.locator("#dialog-warning")).to_be_visible()
    confirm_dialog(page, reason="selesai lebih awal")
    assert candidate.recorder.wait_for("ended")["status"] == "ended_by_proctor"
    expect()(budi).to_have_attribute("data-status", "ended_by_proctor")
    expect()(budi.locator(".status")).to_have_text("Diakhiri pengawas")
    expect()(budi.locator("button[data-action='end']")).to_be_disabled()
    expect()(page.locator("#count-finished")).to_have_text("1")
    steps.shot(page, "ended")

    # The table view sorts by any column.
    page.click("#view-table")
    expect()(page.locator("#table-body tr")).to_have_count(3)
    expect()(page.locator("#grid")).to_be_hidden()
    page.click("#table-head button[data-sort='name']")
    expect_order(page, "#table-body tr", ["P-001", "P-002", "P-003"])
    page.click("#table-head button[data-sort='name']")
    expect_order(page, "#table-body tr", ["P-003", "P-002", "P-001"])
    assert page.locator("#table-head th[data-key='name']").get_attribute("aria-sort") == "descending"
    page.click("#table-head button[data-sort='status']")
    expect_order(page, "#table-body tr", ["P-001", "P-003", "P-002"])  # ended sorts after not started
    page.click("#table-head button[data-sort='total']")
    page.click("#table-head button[data-sort='total']")
    expect_order(page, "#table-body tr", ["P-002", "P-001", "P-003"])  # the only points so far, then by number
    expect()(row(page, "P-002").locator("td[data-key='violations']")).to_have_text("1")
    steps.shot(page, "table-sorted")

    # The filter "disconnected" shows who was in and dropped out: neither the candidate still
    # connected nor those who never came in ("belum masuk"), until the candidate leaves.
    page.check("#filter-disconnected")
    expect()(row(page, "P-002")).to_be_hidden()
    expect_order(page, "#table-body tr", [])
    page.click("#view-grid")
    expect_order(page, "#grid .tile", [])
    steps.shot(page, "filter-disconnected")
    candidate.close()
    expect()(budi).to_be_visible()
    expect_order(page, "#grid .tile", ["P-002"])
    expect()(budi.locator(".conn")).to_have_text("terputus")
    page.uncheck("#filter-disconnected")

    # English on request.
    page.click("#lang-btn")
    expect()(page.locator("#view-grid")).to_have_text("Seat grid")
    expect()(budi.locator(".status")).to_have_text("Ended by proctor")
    steps.shot(page, "english")
    # The refused sign-ins are the only failed requests; nothing else (a CSP violation included) is logged.
    expected = ("status of 401 (UNAUTHORIZED)", "status of 429 (TOO MANY REQUESTS)")
    assert [e for e in steps.errors if not e.endswith(expected)] == []


def test_alert_times_are_the_offices_not_the_browsers(wit_console_server, steps):
    """The server's office is in WIT (UTC+9), the proctor's computer in UTC: the feed says the office's hour."""
    from datetime import datetime, timedelta, timezone

    server = wit_console_server
    page = steps.new_page(timezone_id="UTC")
    page.goto(f"{server.url}/proctor")
    sign_in(page, "pengawas", STAFF_PASSWORDS["pengawas"])
    page.click(f'#session-rows button[data-session-id="{server.session["session_id"]}"]')
    candidate = logged_in_candidate(server, "P-002")
    expect()(tile(page, "P-002")).to_have_attribute("data-connected", "true")
    candidate.call("start")
    before = datetime.now(timezone.utc)
    candidate.call("report", {"type": "focus_lost", "detail": ""})
    alert = page.locator("#feed .feed-alert").first
    expect()(alert).to_contain_text("keluar dari jendela ujian")
    after = datetime.now(timezone.utc)
    shown = alert.locator("time").inner_text()
    assert re.fullmatch(r"\d\d\.\d\d\.\d\d WIT", shown), shown
    office = {(moment + timedelta(hours=9)).strftime("%H.%M") for moment in (before, after)}
    assert shown[:5] in office, (shown, office)
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "UTC"


def test_the_console_reconnects_by_itself_and_reloads_the_snapshot(console_server, steps):
    server = console_server
    page = steps.new_page()
    page.goto(f"{server.url}/proctor")
    sign_in(page, "pengawas", STAFF_PASSWORDS["pengawas"])
    page.click(f'#session-rows button[data-session-id="{server.session["session_id"]}"]')
    candidate = logged_in_candidate(server, "P-001")
    ani = tile(page, "P-001")
    expect()(ani).to_have_attribute("data-connected", "true")

    server.kill()
    expect()(page.locator("#conn-state")).to_have_attribute("data-state", "lost")
    steps.shot(page, "connection-lost")
    server.start()
    # Nobody told the console that the candidate's socket died with the server: only the fresh snapshot can.
    expect()(page.locator("#conn-state")).to_be_hidden(timeout=20_000)
    expect()(ani).to_have_attribute("data-connected", "false")
    expect()(page.locator("#feed .feed-note").first).to_contain_text("Tersambung kembali")
    steps.shot(page, "reconnected")
    candidate.close()
    # A reload keeps the sign-in and the watched session (sessionStorage), with no second login.
    page.reload()
    expect()(page.locator("#grid .tile")).to_have_count(3)
    assert [e for e in steps.errors if "ERR_CONNECTION_REFUSED" not in e and "WebSocket" not in e] == []


def test_console_and_board_pages_carry_strict_security_headers(console_server):
    for path in ("/proctor", f"/scoreboard/{console_server.session['session_id']}"):
        response = requests.get(console_server.url + path, timeout=10)
        assert response.status_code == 200
        policy = response.headers["Content-Security-Policy"]
        for rule in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
                     "connect-src 'self'", "frame-ancestors 'none'"):
            assert rule in policy
        assert "unsafe-inline" not in policy
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), "no inline script"
        assert not re.search(r"\son[a-z]+\s*=", response.text), "no inline event handler"
        assert not re.search(r"\sstyle\s*=", response.text), "no inline style"
        for script in re.findall(r'<script src="([^"]+)"', response.text):
            assert requests.get(console_server.url + script, timeout=10).status_code == 200


def test_the_public_board_shows_points_only_once_an_attempt_ends(public_board_server, steps):
    server = public_board_server
    page = steps.new_page(1920, 1080)
    page.goto(f"{server.url}/scoreboard/{server.session['session_id']}")
    expect()(page.locator("#board-rows tr")).to_have_count(3)
    expect()(page.locator("#board-subtitle")).to_contain_text("Ujian uji")
    assert [h.strip() for h in page.locator("#board-head-row th").all_inner_texts()] == [
        "Peringkat", "No. peserta", "Nama", "Status", "Dijawab", "Dasar", "Lanjut", "Total"]
    expect_order(page, "#board-rows tr", ["P-001", "P-002", "P-003"])  # nobody has finished: by participant number
    assert page.locator("#board-rows .rank").all_inner_texts() == ["—", "—", "—"]
    assert page.locator("#board-rows .total").all_inner_texts() == ["—", "—", "—"]
    expect()(page.locator("#board-note")).to_contain_text("Nilai tampil setelah peserta selesai")
    steps.shot(page, "board")

    candidate = logged_in_candidate(server, "P-003")
    candidate.call("start")
    position, key = correct_choice(candidate)
    assert candidate.call("answer", {"position": position, "choice": key, "seq": 1})["ok"]
    working = page.locator('#board-rows tr[data-number="P-003"]')
    expect()(working.locator(".answered")).to_have_attribute("data-answered", "1")
    expect()(working.locator(".status")).to_have_text("Mengerjakan")
    assert working.locator(".total").inner_text() == "—"  # a right answer shows nothing while the attempt runs
    expect_order(page, "#board-rows tr", ["P-001", "P-002", "P-003"])
    steps.shot(page, "board-working")

    result = candidate.call("submit")["result"]
    first = page.locator("#board-rows tr").first
    expect()(first).to_have_attribute("data-number", "P-003")
    expect()(first.locator(".status")).to_have_text("Selesai")
    expect()(first.locator(".total")).to_have_text(result["total"].replace(".", ","))  # decimal comma
    assert page.locator("#board-rows .rank").all_inner_texts() == ["1", "—", "—"]
    # the two who never came are listed without a rank, as not signed in
    assert page.locator("#board-rows .status").all_inner_texts()[1:] == ["Belum masuk", "Belum masuk"]
    steps.shot(page, "board-finished")
    candidate.close()
    assert steps.errors == []


def test_the_board_says_so_when_the_exam_does_not_publish_one(console_server, steps):
    page = steps.new_page()
    page.goto(f"{console_server.url}/scoreboard/{console_server.session['session_id']}")
    expect()(page.locator("#board-state")).to_have_text(ID_TEXT["not_public"])
    expect()(page.locator("#board")).to_be_hidden()
    steps.shot(page, "not-public")
    page.goto(f"{console_server.url}/scoreboard/999")
    expect()(page.locator("#board-state")).to_have_text(ID_TEXT["not_found"])
    steps.shot(page, "not-found")
    assert steps.errors == []
