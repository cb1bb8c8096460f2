"""The candidate's kiosk in a real Chromium, against a real server process."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from exam_server.security import seb
from exam_server.store import models
from tests.integration.helpers import BLUEPRINT, in_process_services
from tests.integration.sockets import logged_in_proctor

pytestmark = pytest.mark.browser

SAVED, SAVING = "✓ Tersimpan", "Menyimpan…"


class Kiosk:
    """What a candidate does and sees, in the words of the page."""

    def __init__(self, page: Page, server, browsing):
        self.page = page
        self.server = server
        self.browsing = browsing

    def shot(self, name: str) -> None:
        self.browsing.shot(self.page, name)

    def open(self, query: str = ""):
        return self.page.goto(self.server.url + "/" + query)

    def login(self, number: str, password: str | None = None) -> None:
        if self.page.locator("#session-token").get_attribute("readonly") is None:  # prefilled by a start URL
            self.page.fill("#session-token", self.server.session["session_token"])
        self.page.fill("#participant-number", number)
        self.page.fill("#password", password or self.server.session["passwords"][number])
        self.page.click("#login-submit")

    def start(self) -> None:
        self.page.click("#start-btn")
        expect(self.page.locator("#screen-exam")).to_be_visible()

    def at_question(self, n: int, total: int = 6) -> None:
        expect(self.page.locator("#q-number")).to_have_text(f"Soal {n} dari {total}")

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def option(self, key: str):
        return self.page.locator(f"#q-options .option[data-key='{key}']")

    def grid(self, position: int):
        return self.page.locator(f"#nav-grid button[data-position='{position}']")

    def expect_saved(self) -> None:
        expect(self.page.locator("#save-status")).to_have_text(SAVED)

    def expect_chosen(self, key: str | None) -> None:
        selected = self.page.locator("#q-options .option.selected")
        if key is None:
            expect(selected).to_have_count(0)
        else:
            expect(selected).to_have_attribute("data-key", key)

    def option_keys(self) -> dict[str, str]:
        """The options of the current question: key -> text."""
        return self.page.eval_on_selector_all(
            "#q-options .option", "els => Object.fromEntries(els.map(e => [e.dataset.key, e.innerText]))")

    def correct_key(self) -> str:
        return next(k for k, text in self.option_keys().items() if re.sub(r"^[A-Z]\s*", "", text).startswith("Benar"))

    def wrong_key(self) -> str:
        return next(k for k, text in self.option_keys().items() if "Benar" not in text)

    def remaining_ms(self) -> int:
        return int(self.page.get_attribute("#clock", "data-remaining-ms"))

    def attempt_key(self) -> str:
        """How the page names this attempt in localStorage: session token and attempt id."""
        login = self.local("login")
        return f"{login['session_token']}.{login['attempt_id']}"

    def local(self, key: str):
        return self.page.evaluate("key => JSON.parse(localStorage.getItem('kiosk.v1.' + key))", key)

    def no_page_errors(self) -> None:
        errors = [e for e in self.browsing.errors if "page error" in e or "Content Security Policy" in e]
        assert errors == []


@pytest.fixture
def kiosk(kiosk_server, browsing):
    return Kiosk(browsing.new_page(), kiosk_server, browsing)


def stored_responses(server, number: str) -> dict[int, tuple[str | None, bool]]:
    """What the database holds for a candidate: position -> (choice, flagged)."""
    services = in_process_services(server.cli)
    try:
        with services.db.reading() as session:
            rows = session.execute(
                select(models.Response.position, models.Response.choice, models.Response.flagged)
                .join(models.Attempt, models.Response.attempt_id == models.Attempt.id)
                .join(models.Candidate, models.Attempt.candidate_id == models.Candidate.id)
                .where(models.Candidate.participant_number == number)
            ).all()
    finally:
        services.close()
    return {row.position: (row.choice, row.flagged) for row in rows}


def test_every_answer_reaches_the_database_even_when_the_server_dies_mid_exam(kiosk):
    page, server = kiosk.page, kiosk.server
    kiosk.open()
    expect(page.locator("#screen-login")).to_be_visible()
    kiosk.shot("login")

    kiosk.login("P-001")
    expect(page.locator("#screen-identity")).to_be_visible()
    expect(page.locator("#id-number")).to_have_text("P-001")
    expect(page.locator("#id-name")).to_have_text("=Ani Formula")
    expect(page.locator("#id-exam")).to_have_text("Ujian uji")
    expect(page.locator("#instructions")).not_to_be_empty()
    expect(page.locator("#screen-identity .keys")).to_contain_text("Backspace")
    expect(page.locator("#screen-identity .keys")).to_contain_text("ragu-ragu")
    kiosk.shot("identity")

    kiosk.start()
    kiosk.at_question(1)
    expect(page.locator("#clock-value")).to_have_text(re.compile(r"00:(29|30):\d\d"))
    expected: dict[int, str | None] = {}

    # With the mouse, then with the keyboard.
    kiosk.option("B").click()
    expected[1] = "B"
    kiosk.expect_chosen("B")
    kiosk.expect_saved()
    kiosk.shot("answered-with-the-mouse")

    kiosk.press("n")
    kiosk.at_question(2)
    kiosk.press("c")
    expected[2] = "C"
    kiosk.expect_chosen("C")
    kiosk.expect_saved()

    kiosk.press("ArrowRight")
    kiosk.at_question(3)
    kiosk.press("a")
    kiosk.expect_chosen("A")
    kiosk.expect_saved()
    kiosk.press("Backspace")  # cleared again: stored as blank
    expected[3] = None
    kiosk.expect_chosen(None)
    kiosk.expect_saved()
    kiosk.press("r")
    expect(page.locator("#flag-btn")).to_have_attribute("aria-pressed", "true")
    expect(kiosk.grid(3)).to_have_class(re.compile(r"\bdoubtful\b"))
    expect(kiosk.grid(1)).to_have_class(re.compile(r"\banswered\b"))
    expect(kiosk.grid(4)).to_have_class(re.compile(r"\bblank\b"))

    kiosk.press("p")
    kiosk.at_question(2)
    kiosk.expect_chosen("C")
    kiosk.press("ArrowLeft")
    kiosk.at_question(1)
    kiosk.option("B").click()  # the selected option clicked again: cleared
    kiosk.expect_chosen(None)
    kiosk.expect_saved()
    kiosk.option("A").click()
    expected[1] = "A"
    kiosk.expect_saved()
    kiosk.grid(4).click()
    kiosk.at_question(4)
    expect(kiosk.grid(4)).to_have_class(re.compile(r"\bcurrent\b"))
    kiosk.shot("answered-with-the-keyboard")

    # The server dies: the candidate keeps answering; nothing claims to be saved.
    server.kill()
    banner = page.locator("#conn-banner")
    expect(banner).to_be_visible(timeout=15_000)
    expect(banner).to_contain_text("Koneksi terputus — jawaban Anda tetap tersimpan di komputer ini dan akan dikirim ulang")
    kiosk.press("b")
    expected[4] = "B"
    kiosk.expect_chosen("B")
    expect(page.locator("#save-status")).to_have_text(SAVING)
    kiosk.press("n")
    kiosk.press("a")
    expected[5] = "A"
    kiosk.press("n")
    kiosk.press("c")
    expected[6] = "C"
    kiosk.grid(2).click()
    kiosk.press("b")  # changes an answer the server already has
    expected[2] = "B"
    expect(page.locator("#save-status")).to_have_text(SAVING)
    expect(page.locator("#nav-grid .nav.pending")).to_have_count(4)
    expect(page.locator("#pending-count")).to_have_text("(4 jawaban menunggu dikirim)")
    assert set(kiosk.local(f"outbox.{kiosk.attempt_key()}")) == {"2", "4", "5", "6"}
    kiosk.shot("offline-answers-queued")

    # It comes back on the same port and data: the page reconnects by itself and sends the queue.
    server.start()
    expect(banner).to_be_hidden(timeout=20_000)
    kiosk.expect_saved()
    expect(page.locator("#nav-grid .nav.pending")).to_have_count(0)
    kiosk.at_question(2)
    kiosk.expect_chosen("B")
    kiosk.shot("reconnected-and-sent")

    stored = stored_responses(server, "P-001")
    assert {position: choice for position, (choice, _) in stored.items()} == expected
    assert {position for position, (_, flagged) in stored.items() if flagged} == {3}
    kiosk.no_page_errors()


def test_a_reload_resumes_with_the_same_answers_flags_and_time(kiosk):
    page = kiosk.page
    kiosk.open()
    kiosk.login("P-002")
    kiosk.start()
    kiosk.option("A").click()
    kiosk.expect_saved()
    kiosk.press("n")
    kiosk.press("b")
    kiosk.press("r")
    kiosk.expect_saved()
    kiosk.press("n")
    kiosk.press("r")
    expect(kiosk.grid(3)).to_have_class(re.compile(r"\bdoubtful\b"))
    page.wait_for_function("key => Object.keys(JSON.parse(localStorage.getItem('kiosk.v1.flags.' + key) || '{}')).length === 0",
                           arg=kiosk.attempt_key())
    kiosk.shot("before-reload")
    before, at = kiosk.remaining_ms(), time.monotonic()

    page.reload()
    expect(page.locator("#screen-exam")).to_be_visible()
    expect(page.locator("#screen-login")).to_be_hidden()
    kiosk.at_question(1)
    kiosk.expect_chosen("A")
    kiosk.expect_saved()
    expect(kiosk.grid(1)).to_have_class(re.compile(r"\banswered\b"))
    expect(kiosk.grid(2)).to_have_class(re.compile(r"\bdoubtful\b"))
    expect(kiosk.grid(3)).to_have_class(re.compile(r"\bdoubtful\b"))
    for position in (4, 5, 6):
        expect(kiosk.grid(position)).to_have_class(re.compile(r"\bblank\b"))
    page.wait_for_function("() => document.querySelector('#clock').dataset.remainingMs !== ''")
    after = kiosk.remaining_ms()
    assert abs((before - (time.monotonic() - at) * 1000) - after) < 2000
    kiosk.press("n")
    kiosk.at_question(2)
    kiosk.expect_chosen("B")
    expect(page.locator("#flag-btn")).to_have_attribute("aria-pressed", "true")
    kiosk.shot("after-reload")
    kiosk.no_page_errors()


def test_submitting_shows_the_blank_and_doubtful_counts_then_the_scores(kiosk):
    page = kiosk.page
    kiosk.open()
    kiosk.login("P-003")
    kiosk.start()
    # Dasar (1-4): right, right (doubtful), right, wrong = 5+5+5-1; Lanjut (5-6): right (doubtful), blank = 2.
    plan = {1: "right", 2: "right", 3: "right", 4: "wrong", 5: "right", 6: None}
    for position, kind in plan.items():
        kiosk.at_question(position)
        if kind:
            kiosk.press(kiosk.correct_key() if kind == "right" else kiosk.wrong_key())
            kiosk.expect_saved()
        if position in (2, 5):
            kiosk.press("r")
        if position < 6:
            kiosk.press("n")
    kiosk.shot("answered")

    page.click("#finish-btn")
    dialog = page.locator("#submit-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#submit-counts")).to_have_text("1 soal belum dijawab dan 2 soal ditandai ragu-ragu.")
    kiosk.shot("confirmation")
    kiosk.press("Escape")
    expect(dialog).to_be_hidden()

    page.click("#finish-btn")
    expect(dialog).to_be_visible()
    kiosk.press("Enter")
    expect(page.locator("#screen-end")).to_be_visible()
    expect(page.locator("#end-title")).to_have_text("Jawaban Anda telah dikirim")
    rows = page.locator("#result-rows tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Dasar")
    expect(rows.nth(0)).to_contain_text("14.00 / 20.00")
    expect(rows.nth(0)).to_contain_text("Memenuhi syarat")
    expect(rows.nth(1)).to_contain_text("Lanjut")
    expect(rows.nth(1)).to_contain_text("2.00 / 4.00")
    expect(page.locator("#result-total")).to_have_text("16.00")
    expect(page.locator("#result-overall")).to_contain_text("LULUS")
    kiosk.shot("result")

    assert kiosk.local("login") is None
    page.reload()
    expect(page.locator("#screen-login")).to_be_visible()
    kiosk.no_page_errors()


def test_the_page_switches_language_and_fits_1024_by_768(kiosk_server, browsing):
    page = browsing.new_page(1024, 768)
    kiosk = Kiosk(page, kiosk_server, browsing)
    response = kiosk.open()
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"

    def fits() -> None:
        assert page.evaluate("document.documentElement.scrollWidth") <= 1024

    expect(page.locator("#login-submit")).to_have_text("Masuk")
    fits()
    page.click("#lang-btn")
    expect(page.locator("#login-submit")).to_have_text("Sign in")
    expect(page.locator("label[for='session-token']")).to_have_text("Session token")
    assert page.evaluate("document.documentElement.lang") == "en"
    kiosk.shot("login-english")

    kiosk.login("P-001", "wrong password")
    expect(page.locator("#login-error")).to_have_text("The session token, participant number or password is wrong.")
    kiosk.login("P-001")
    expect(page.locator("#screen-identity h1")).to_have_text("Confirm your identity")
    fits()
    kiosk.shot("identity-english")
    kiosk.start()
    expect(page.locator("#q-number")).to_have_text("Question 1 of 6")
    expect(page.locator("#flag-btn")).to_have_text("Doubtful")
    fits()
    kiosk.shot("exam-english-1024")

    page.click("#lang-btn")
    kiosk.at_question(1)
    expect(page.locator("#flag-btn")).to_have_text("Ragu-ragu")
    expect(page.locator("#finish-btn")).to_have_text("Selesai ujian")
    fits()
    kiosk.shot("exam-indonesian-1024")
    page.click("#finish-btn")
    fits()
    kiosk.shot("confirmation-1024")
    page.click("#submit-cancel")

    # A large screen: the same page, larger type, still no horizontal scrolling.
    page.set_viewport_size({"width": 1920, "height": 1080})
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('#q-stem')).fontSize)") >= 26
    kiosk.shot("exam-1920")
    kiosk.no_page_errors()


def test_the_page_follows_the_proctor_and_reports_what_the_kiosk_sees(kiosk):
    page, server = kiosk.page, kiosk.server
    kiosk.open()
    kiosk.login("P-002")
    kiosk.start()
    attempt_id = kiosk.local("login")["attempt_id"]
    proctor = logged_in_proctor(server)
    try:
        assert proctor.call("watch", {"session_id": server.session["session_id"]})["ok"]

        # Integrity signals reach the proctor; a paste into the question is also stopped.
        page.evaluate("window.dispatchEvent(new Event('blur'))")
        proctor.recorder.wait_for("alert", where=lambda alert: alert["type"] == "focus_lost")
        prevented = page.evaluate("""() => {
            const event = new ClipboardEvent('paste', {bubbles: true, cancelable: true});
            document.querySelector('#q-stem').dispatchEvent(event);
            return event.defaultPrevented;
        }""")
        assert prevented is True
        proctor.recorder.wait_for("alert", where=lambda alert: alert["type"] == "paste")

        # An announcement is shown as text, never as markup, until dismissed.
        assert proctor.call("announce", {"session_id": server.session["session_id"],
                                         "text": "<b>Sisa waktu</b> 10 menit"})["ok"]
        toast = page.locator("#toasts .toast")
        expect(toast).to_contain_text("<b>Sisa waktu</b> 10 menit")
        expect(page.locator("#toasts .toast b")).to_have_count(0)
        kiosk.shot("announcement")
        toast.get_by_role("button").click()
        expect(toast).to_have_count(0)

        # Paused: an overlay, a frozen clock, no answering.
        assert proctor.call("pause", {"attempt_id": attempt_id})["ok"]
        expect(page.locator("#pause-overlay")).to_be_visible()
        expect(page.locator("#pause-overlay")).to_contain_text("Ujian dijeda oleh pengawas")
        frozen = page.inner_text("#clock-value")
        page.wait_for_timeout(1200)
        assert page.inner_text("#clock-value") == frozen
        kiosk.press("a")
        kiosk.expect_chosen(None)
        kiosk.shot("paused")
        assert proctor.call("resume", {"attempt_id": attempt_id})["ok"]
        expect(page.locator("#pause-overlay")).to_be_hidden()
        kiosk.press("a")
        kiosk.expect_saved()

        # Ten more minutes: the clock follows the server's `time`.
        before = kiosk.remaining_ms()
        assert proctor.call("extend", {"attempt_id": attempt_id, "minutes": 10})["ok"]
        page.wait_for_function("ms => Number(document.querySelector('#clock').dataset.remainingMs) > ms",
                               arg=before + 9 * 60_000)

        # Ended by the proctor: the end screen, with the result this exam shows.
        assert proctor.call("end_attempt", {"attempt_id": attempt_id})["ok"]
        expect(page.locator("#screen-end")).to_be_visible()
        expect(page.locator("#end-title")).to_have_text("Ujian Anda diakhiri oleh pengawas")
        expect(page.locator("#result-rows tr")).to_have_count(2)
        kiosk.shot("ended-by-proctor")
    finally:
        proctor.close()
    kiosk.no_page_errors()


def test_after_a_login_reset_another_workstation_resumes_with_the_stored_answers(kiosk, browsing):
    page, server = kiosk.page, kiosk.server
    kiosk.open()
    kiosk.login("P-003")
    kiosk.start()
    kiosk.press("b")
    kiosk.expect_saved()
    kiosk.press("n")
    kiosk.press("r")
    expect(kiosk.grid(2)).to_have_class(re.compile(r"\bdoubtful\b"))
    page.wait_for_function("key => Object.keys(JSON.parse(localStorage.getItem('kiosk.v1.flags.' + key) || '{}')).length === 0",
                           arg=kiosk.attempt_key())
    attempt_id = kiosk.local("login")["attempt_id"]

    # Still connected here: another workstation is refused...
    other = Kiosk(browsing.new_page(), server, browsing)
    other.open()
    other.login("P-003")
    expect(other.page.locator("#login-error")).to_have_text(
        "Anda sedang tersambung di komputer lain; minta pengawas untuk mereset login Anda.")

    # ...until the proctor resets the login: this page returns to the sign-in form...
    proctor = logged_in_proctor(server)
    try:
        assert proctor.call("reset_login", {"attempt_id": attempt_id})["ok"]
    finally:
        proctor.close()
    expect(page.locator("#screen-login")).to_be_visible(timeout=10_000)
    expect(page.locator("#login-error")).to_have_text("Login Anda tidak berlaku lagi. Silakan masuk kembali.")
    kiosk.shot("login-reset")

    # ...and the other workstation goes straight to the questions, with what was stored.
    other.login("P-003")
    expect(other.page.locator("#screen-exam")).to_be_visible()
    other.at_question(1)
    other.expect_chosen("B")
    other.expect_saved()
    expect(other.grid(2)).to_have_class(re.compile(r"\bdoubtful\b"))
    other.shot("resumed-at-another-workstation")
    kiosk.no_page_errors()


def test_at_zero_the_page_waits_for_the_server_and_asks_again_when_the_end_is_not_heard(server_for_exam, browsing):
    blueprint = BLUEPRINT.replace('code = "UJI-1"', 'code = "UJI-SINGKAT"').replace(
        "duration_minutes = 30", "duration_minutes = 0.06")  # 3.6 seconds
    server = server_for_exam(blueprint)
    page = browsing.new_page()

    def without_ended(websocket):
        # The server's `ended` event is lost on the way; everything else passes.
        upstream = websocket.connect_to_server()
        upstream.on_message(lambda message: None if '"ended"' in str(message) else websocket.send(message))

    page.route_web_socket(re.compile(r"/socket\.io/"), without_ended)
    kiosk = Kiosk(page, server, browsing)
    kiosk.open()
    kiosk.login("P-001")
    kiosk.start()
    kiosk.press(kiosk.correct_key())
    kiosk.expect_saved()

    overlay = page.locator("#timeup-overlay")
    expect(overlay).to_be_visible(timeout=10_000)
    expect(overlay).to_contain_text("Waktu habis, menunggu server…")
    expect(page.locator("#clock-value")).to_have_text("00:00:00")
    kiosk.shot("time-up-waiting")
    # The page does not end the exam itself: it asks the server, which has ended it.
    expect(page.locator("#screen-end")).to_be_visible(timeout=10_000)
    expect(page.locator("#end-title")).to_have_text("Waktu ujian telah habis")
    kiosk.shot("timed-out")
    assert stored_responses(server, "P-001")[1][0] is not None
    kiosk.no_page_errors()


def test_a_safe_exam_browser_start_url_admits_only_the_configured_browser(server_for_exam, browsing):
    config_key = "ab" * 32
    server = server_for_exam(BLUEPRINT.replace('code = "UJI-1"', f'code = "UJI-SEB"\nseb_config_keys = ["{config_key}"]'))
    url = f"{server.url}/?session={server.session['session_token']}"

    plain = browsing.new_page()
    response = plain.goto(url)
    assert response.status == 403
    expect(plain.locator("#refusal")).to_contain_text("Safe Exam Browser")
    expect(plain.locator("#refusal")).to_contain_text(seb.refusal_message(None))
    browsing.shot(plain, "refused-without-seb")

    # Safe Exam Browser sends, with every request, the hash of that request's URL and its Config Key.
    def as_seb(route, request_):
        route.continue_(headers={**request_.headers, seb.HEADER: seb.expected_hash(request_.url, config_key)})

    admitted = browsing.new_page()
    admitted.route("**/*", as_seb)
    response = admitted.goto(url)
    assert response.status == 200
    expect(admitted.locator("#session-token")).to_have_value(server.session["session_token"])
    expect(admitted.locator("#session-token")).to_have_attribute("readonly", "")
    expect(admitted.locator("#participant-number")).to_be_focused()
    kiosk = Kiosk(admitted, server, browsing)
    kiosk.login("P-001")
    expect(admitted.locator("#screen-identity")).to_be_visible()
    kiosk.shot("admitted-with-seb")

    # A browser that got the page but sends no header with the login is refused, with the server's reason.
    page_only = browsing.new_page()
    page_only.route(lambda address: address == url, as_seb)
    page_only.goto(url)
    Kiosk(page_only, server, browsing).login("P-002")
    expect(page_only.locator("#login-error")).to_contain_text("Safe Exam Browser")
    expect(page_only.locator("#login-error")).to_contain_text(seb.refusal_message(None))
    browsing.shot(page_only, "login-refused-without-seb")


def test_the_kiosk_page_carries_no_inline_code():
    from exam_server.web.kiosk import TEMPLATES

    html = (TEMPLATES / "kiosk.html").read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert not re.search(r"\sstyle=", html)
