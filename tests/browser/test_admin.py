"""An administrator's day in Chromium: bank, exam, session, cards, publishing, analysis, verification.

The candidates of the session sit the exam through real Socket.IO clients
while the administrator waits; everything else happens in the browser.
"""
from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import QUESTION_BANKS
from tests.integration.sockets import Candidate, candidate_login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BLUEPRINT = """code = "TWK-UJI"
title = "Uji Wawasan Kebangsaan"
duration_minutes = 15

[[sections]]
name = "TWK"
bank = "ud-twk"
category = "TWK"
count = 6
scoring = "right_wrong"
correct = 5
wrong = 0
blank = 0
pass_score = 15
"""
ROSTER = """participant_number,name,seat
TWK-01,Ahmad Fauzi,A-01
TWK-02,Ni Luh Putu Ayu,A-02
TWK-03,Yohanes Bere,A-03
TWK-04,Siti Rahmawati,A-04
TWK-05,Dimas Saputra,A-05
"""


def sit_the_exam(base_url: str, session_token: str, credentials: list[dict]) -> None:
    """Each candidate signs in, starts, answers (each in their own pattern, leaving the last n blank) and submits."""
    for index, row in enumerate(credentials):
        login = candidate_login(base_url, session_token, row["participant_number"], row["password"])
        login.raise_for_status()
        candidate = Candidate(base_url, login.json()["token"]).connect()
        try:
            assert candidate.call("start")["ok"]
            items = candidate.call("form")["items"]
            for seq, item in enumerate(items[: len(items) - index], start=1):
                choice = item["options"][(seq * (index + 1)) % len(item["options"])]["key"]
                assert candidate.call("answer", {"position": item["position"], "choice": choice, "seq": seq})["ok"]
            assert candidate.call("submit")["status"] == "submitted"
        finally:
            candidate.close()


def test_an_administrator_runs_a_sitting_from_bank_to_verified_result(kiosk_server, browsing, tmp_path):
    base = kiosk_server.url
    page = browsing.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{base}/admin/")
    page.wait_for_selector("input[name=username]")
    browsing.shot(page, "sign-in")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "sandi-admin-1")
    page.click("button[type=submit].primary")
    page.wait_for_selector(".tiles")
    browsing.shot(page, "overview")

    # A bank: uploaded (with the progress bar), checked in a dry run, then confirmed.
    page.click("nav >> text=Bank soal")
    page.set_input_files("input[name=bank_file]", str(QUESTION_BANKS / "ujian-dinas" / "ud-twk.gift"))
    browsing.shot(page, "bank-chosen")
    page.click("text=Periksa berkas")
    page.wait_for_selector("#dry-run-report")
    assert "Bank ud-twk, versi 1 (gift)" in page.inner_text("#dry-run-report h2")
    assert "47 soal akan diimpor" in page.inner_text("#dry-run-report")
    browsing.shot(page, "bank-dry-run-report")
    page.click("#confirm-import")
    page.wait_for_selector("#bank-table")
    assert "ud-twk" in page.inner_text("#bank-table") and "TWK: 47" in page.inner_text("#bank-table")
    browsing.shot(page, "bank-imported")

    # An exam from a blueprint typed into the page.
    page.click("nav >> text=Ujian")
    page.fill("textarea[name=blueprint_text]", BLUEPRINT)
    browsing.shot(page, "exam-blueprint")
    page.click("text=Simpan ujian")
    page.wait_for_selector("#sections")
    assert "Uji Wawasan Kebangsaan" in page.inner_text("h1")
    browsing.shot(page, "exam-saved")

    # A session: candidates and a proctor; the login cards and credentials downloaded once.
    roster = tmp_path / "peserta-twk.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    page.click("nav >> text=Sesi")
    page.select_option("select[name=exam]", "TWK-UJI")
    page.fill("input[name=name]", "Sesi pagi TWK")
    page.set_input_files("input[name=candidates]", str(roster))
    page.check("input[name=proctors][value=pengawas]")
    browsing.shot(page, "session-form")
    page.click("#open-session button[type=submit]")
    page.wait_for_selector("#session-token")
    session_token = page.inner_text("#session-token").strip()
    browsing.shot(page, "session-opened")
    with page.expect_download() as cards:
        page.click("#download-cards")
    assert open(cards.value.path(), "rb").read(5) == b"%PDF-"
    with page.expect_download() as credentials_file:
        page.click("#download-credentials")
    credentials = list(csv.DictReader(io.StringIO(open(credentials_file.value.path(), encoding="utf-8").read())))
    assert [c["participant_number"] for c in credentials] == ["TWK-01", "TWK-02", "TWK-03", "TWK-04", "TWK-05"]
    page.reload()
    assert "Semua berkas sudah diunduh" in page.inner_text("main")
    browsing.shot(page, "session-documents-taken")

    sit_the_exam(base, session_token, credentials)

    # Close, then publish with a confirmation.
    page.click("text=Ke halaman sesi")
    page.wait_for_selector("#results")
    browsing.shot(page, "session-after-the-exam")
    page.click("#close-session")
    page.wait_for_selector("#session-status .status-closed")
    page.click("#publish-link")
    page.wait_for_selector("#confirm-publish")
    browsing.shot(page, "publish-confirmation")
    page.click("#confirm-publish")
    page.wait_for_selector(".flash.ok")
    assert "5 hasil ditandatangani" in page.inner_text(".flash.ok")
    browsing.shot(page, "published")

    # The committee's item analysis, with both charts drawn.
    page.click("text=Analisis butir")
    page.wait_for_selector("#item-table")
    assert "5 peserta selesai" in page.inner_text("main")
    assert page.locator("#histogram rect.bar").count() >= 1
    assert page.locator("#facility rect.bar").count() >= 6
    assert page.locator("#histogram").bounding_box()["height"] > 100
    assert page.locator("#facility").is_visible()
    browsing.shot(page, "analysis")

    # A result's public verification page, as a phone opening the slip's QR code would see it.
    page.click(".crumbs a")
    page.wait_for_selector("#results")
    link = page.locator("#results a[href^='/verify/']").first
    verify_url = base + link.get_attribute("href")
    phone = browsing.new_page(width=390, height=844)
    phone.goto(verify_url)
    assert "SAH" in phone.inner_text("#verdict") and "TIDAK" not in phone.inner_text("#verdict")
    assert phone.locator(".verdict.valid").is_visible()
    browsing.shot(phone, "verify-on-a-phone")

    # The same pages in English.
    page.goto(f"{base}/admin/banks?lang=en")
    assert "Question banks" in page.inner_text("h1")
    browsing.shot(page, "english")

    assert browsing.errors == []  # no script error and no Content-Security-Policy violation anywhere

