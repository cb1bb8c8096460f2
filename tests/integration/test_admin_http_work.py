"""The administrator's work through the admin pages: banks, exams, sessions and staff.

Against a real server process, on SQLite and PostgreSQL; the browser, the fixtures
and the helpers are those of test_admin_http.py.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import requests

from exam_server.i18n.formatting import Formatter
from tests.conftest import QUESTION_BANKS
from tests.integration.sockets import candidate_login, staff_login
from tests.integration.test_admin_http import (  # noqa: F401 - server and admin are fixtures
    AdminBrowser, _accounts, admin, server, temp_files,
)

pytestmark = pytest.mark.slow

MALFORMED_GIFT = b"::Q1:: Ibu kota negara adalah {=Nusantara ~Bandung\n\n::Q2:: Lambang negara {=Garuda ~Banteng}\n"
BAD_BLUEPRINT = """code = "RUSAK-1"
title = 7
duration_minutes = 30

[[sections]]
name = "A"
bank = "tidak-ada"
count = 3
"""
GOOD_BLUEPRINT = """code = "UJI-2"
title = "Ujian uji kedua"
duration_minutes = 20

[[sections]]
name = "Dasar"
bank = "umum"
category = "Dasar"
count = 3
scoring = "right_wrong"
correct = 4
"""


# ---------------------------------------------------------------- banks


def test_a_bank_is_checked_first_and_imported_only_when_confirmed(server, admin):
    sample = QUESTION_BANKS / "ujian-dinas" / "ud-twk.gift"
    with sample.open("rb") as handle:
        checked = admin.submit("/admin/banks/upload", {"format": "", "bank_code": ""},
                               {"bank_file": ("ud-twk.gift", handle)})
    assert checked.status_code == 303 and checked.headers["Location"].endswith("/admin/banks/review")
    report = admin.get("/admin/banks/review")
    assert report.status_code == 200 and "Bank ud-twk, versi 1 (gift)" in report.text
    assert "47 soal akan diimpor" in report.text and "Konfirmasi impor" in report.text
    assert "ud-twk" not in admin.get("/admin/banks").text.split("Bank tersimpan")[1]  # a dry run writes nothing
    assert len(temp_files(server)) == 2  # the uploaded bytes and their report, kept on the server

    confirmed = admin.submit("/admin/banks/confirm")
    assert confirmed.status_code == 303
    listing = admin.get("/admin/banks").text
    assert "Bank ud-twk versi 1: 47 soal diimpor" in listing
    assert "<strong>ud-twk</strong>" in listing and "TWK: 47" in listing
    assert temp_files(server) == []  # deleted once imported
    again = admin.submit("/admin/banks/confirm", follow=True)
    assert "Tidak ada unggahan yang menunggu" in again.text

    gift = admin.get("/admin/banks/ud-twk/export?format=gift&version=1")
    assert gift.status_code == 200 and b"TWK-001" in gift.content
    assert "attachment" in gift.headers["Content-Disposition"]
    assert admin.get("/admin/banks/ud-twk/export?format=xlsx").content.startswith(b"PK")
    qti = admin.get("/admin/banks/ud-twk/export?format=qti")
    assert qti.content.startswith(b"PK") and 'filename="ud-twk.zip"' in qti.headers["Content-Disposition"]
    assert admin.get("/admin/banks/template.csv").content.count(b"\n") >= 1
    assert admin.get("/admin/banks/template.xlsx").content.startswith(b"PK")
    word = admin.get("/admin/banks/template.docx")
    assert word.content.startswith(b"PK") and 'filename="templat-bank-soal.docx"' in word.headers["Content-Disposition"]


def test_a_malformed_bank_shows_its_located_problems_and_writes_nothing(server, admin):
    before = admin.get("/admin/banks").text.split("Bank tersimpan")[1]
    sent = admin.submit("/admin/banks/upload", {"bank_code": "rusak", "format": "gift"},
                      {"bank_file": ("rusak.gift", io.BytesIO(MALFORMED_GIFT))}, follow=True)
    assert sent.status_code == 400
    assert "Berkas ditolak" in sent.text and "rusak.gift:1:" in sent.text
    assert "Konfirmasi impor" not in sent.text
    assert admin.submit("/admin/banks/confirm", follow=True).text.count("Tidak ada unggahan yang menunggu") == 1
    assert admin.get("/admin/banks").text.split("Bank tersimpan")[1] == before


def test_a_bank_with_nothing_deliverable_shows_every_question_with_its_reason(server, admin):
    source = Path(__file__).resolve().parents[1] / "fixtures" / "handmade" / "nothing_deliverable.xml"
    with source.open("rb") as handle:
        sent = admin.submit("/admin/banks/upload", {"bank_code": "", "format": ""},
                            {"bank_file": ("nothing_deliverable.xml", handle)}, follow=True)
    assert sent.status_code == 400 and "Berkas ditolak" in sent.text and "no deliverable item found" in sent.text
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", sent.text)
    assert [(item, line) for item, line, _ in rows] == [
        ("Peta dari web", "4 (/quiz/question[1])"), ("Isian", "11 (/quiz/question[2])"),
        ("Seret kata", "15 (/quiz/question[3])")]
    assert "gambar https://example.com/peta.png tidak ada di dalam berkas" in rows[0][2]
    assert "Konfirmasi impor" not in sent.text


SKIPPING_GIFT = """::S1:: Ibu kota Indonesia adalah {=Jakarta ~Bandung ~Medan}

::S2:: Jelaskan makna Bhinneka Tunggal Ika. {}

::S3:: Bilangan genap adalah {=2 =4 ~3}
"""


def test_a_dry_run_says_its_skip_reasons_and_warnings_in_indonesian(server, admin):
    checked = admin.submit("/admin/banks/upload", {"format": "gift", "bank_code": "lewati"},
                           {"bank_file": ("lewati.gift", io.BytesIO(SKIPPING_GIFT.encode()))}, follow=True)
    assert checked.status_code == 200 and "Konfirmasi impor" in checked.text
    assert "soal esai (jawaban tertulis) tidak disajikan" in checked.text
    assert "opsi A, B semuanya bernilai penuh" in checked.text
    assert "are delivered" not in checked.text and "all earn full credit" not in checked.text
    english = admin.get("/admin/banks/review?lang=en")
    assert "essay (written answer): only single-answer" in english.text
    assert "options A, B all earn full credit" in english.text
    admin.get("/admin/banks/review?lang=id")


# ---------------------------------------------------------------- exams


def test_a_bad_blueprint_shows_every_located_problem_and_a_good_one_is_saved(server, admin):
    refused = admin.submit("/admin/exams", {"blueprint_text": BAD_BLUEPRINT})
    assert refused.status_code == 400
    problems = re.findall(r"<li><code>(.*?)</code></li>", refused.text)
    assert any("title" in p and "line 2" in p for p in problems)
    assert any("sections[1].scoring" in p for p in problems)
    assert "RUSAK-1" not in admin.get("/admin/exams").text

    saved = admin.submit("/admin/exams", files={"blueprint_file": ("uji-2.toml", GOOD_BLUEPRINT.encode())})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/admin/exams/UJI-2")
    shown = admin.get("/admin/exams/UJI-2").text
    assert "Ujian uji kedua" in shown and "Dasar" in shown
    unknown_bank = admin.submit("/admin/exams", {"blueprint_text": GOOD_BLUEPRINT.replace('"umum"', '"belum-ada"')})
    assert unknown_bank.status_code == 400 and "belum-ada" in unknown_bank.text


# ---------------------------------------------------------------- sessions


def test_opening_a_session_offers_the_cards_and_credentials_once(server, admin):
    roster = "participant_number,name\nQ-001,Dewi Anggraini\nQ-002,Eko Prasetyo\n"
    opened = admin.submit("/admin/sessions", {"exam": "UJI-1", "name": "Sesi sore", "hall": "  Melati ", "proctors": ["lain"],
                                               "seed": "11"},
                        {"candidates": ("peserta.csv", roster.encode())})
    assert opened.status_code == 303
    page = admin.get(opened.headers["Location"].replace(server.url, ""))
    assert page.status_code == 200
    token = re.search(r'id="session-token">([A-Z0-9]+)<', page.text).group(1)
    cards_link = re.search(r'id="download-cards" href="([^"]+)"', page.text).group(1)
    credentials_link = re.search(r'id="download-credentials" href="([^"]+)"', page.text).group(1)

    cards = admin.get(cards_link)
    assert cards.status_code == 200 and cards.content.startswith(b"%PDF")
    assert cards.headers["Content-Type"] == "application/pdf"
    assert admin.get(cards_link).status_code == 410  # one time only
    # fpdf2 subsets the card font with fontTools: its per-table notes stay out of the server log
    assert "fontTools" not in server.log_path.read_text(encoding="utf-8")
    credentials = list(csv.DictReader(io.StringIO(admin.get(credentials_link).text)))
    assert [c["participant_number"] for c in credentials] == ["Q-001", "Q-002"]
    assert AdminBrowser(server.url).get(credentials_link).status_code == 303  # not for anyone else
    assert temp_files(server) != [] and not any(p.suffix == ".bin" and p.stat().st_size > 0 for p in temp_files(server))

    login = candidate_login(server.url, token, "Q-001", credentials[0]["password"])
    assert login.status_code == 200
    assert "Sesi sore" in admin.get("/admin/sessions").text
    proctor = staff_login(server.url, "lain", "sandi-lain-1").json()["token"]
    watched = requests.get(f"{server.url}/api/v1/sessions", headers={"Authorization": f"Bearer {proctor}"}, timeout=30)
    assert [s["name"] for s in watched.json()["sessions"]] == ["Sesi sore"]  # the checked proctor was assigned
    assert watched.json()["sessions"][0]["hall"] == "Melati"  # trimmed
    assert "Ruang: Melati" in admin.get("/admin/sessions").text

    refused = admin.submit("/admin/sessions", {"exam": "UJI-1", "name": "Sesi rusak"},
                         {"candidates": ("rusak.csv", b"nomor,nama\n1,Ani\n")})
    assert refused.status_code == 400 and "rusak.csv:1" in refused.text


def test_close_publish_verify_and_every_download(server, admin):
    sid = server.session["session_id"]
    for fmt, starts in (("json", b"{"), ("csv", b"\xef\xbb\xbfrank"), ("xlsx", b"PK"), ("pdf", b"%PDF")):
        answer = admin.get(f"/admin/sessions/{sid}/results.{fmt}")
        assert answer.status_code == 200 and answer.content.startswith(starts), fmt
        assert f"hasil-sesi-{sid}.{fmt}" in answer.headers["Content-Disposition"]
    assert "'=Ani Formula" in admin.get(f"/admin/sessions/{sid}/results.csv").content.decode("utf-8-sig")

    analysis = admin.get(f"/admin/sessions/{sid}/analysis")
    assert analysis.status_code == 200
    assert '<svg id="histogram"' in analysis.text and '<svg id="facility"' in analysis.text
    assert "3 peserta selesai" in analysis.text
    table_csv = admin.get(f"/admin/sessions/{sid}/analysis.csv").content.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(table_csv)))
    assert 6 <= len(table) <= 8 and {"facility", "point_biserial", "choice_counts", "flags"} <= set(table[0])

    assert admin.submit(f"/admin/sessions/{sid}/close").status_code == 303
    assert "status-closed" in admin.get(f"/admin/sessions/{sid}").text
    assert f"Sesi {sid} sudah ditutup." in admin.submit(f"/admin/sessions/{sid}/close", follow=True).text
    assert "Ya, terbitkan" in admin.get(f"/admin/sessions/{sid}/publish").text
    published = admin.submit(f"/admin/sessions/{sid}/publish", follow=True)
    assert "3 hasil ditandatangani" in published.text

    results = json.loads(admin.get(f"/admin/sessions/{sid}/results.json").content)["results"]
    first = next(r for r in results if r["participant_number"] == "P-001")
    verify = requests.get(f"{server.url}/verify/{first['result_id']}", timeout=30)
    assert verify.status_code == 200 and 'class="verdict valid"' in verify.text
    assert "P-001" in verify.text and first["key_id"] in verify.text
    # Points and dates through the papers' Babel helpers: a decimal comma, the day in the office's zone in words.
    office = Formatter("id", "WIB")
    assert re.search(r"^\d+,\d\d$", office.number(first["total"]))
    assert f'id="result-total">{office.number(first["total"])}<' in verify.text
    assert f'id="result-date">{office.date(first["submitted_at"])}<' in verify.text
    assert f'id="result-submitted">{office.datetime(first["submitted_at"])}<' in verify.text
    assert " WIB<" in verify.text
    assert verify.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in verify.headers["Content-Security-Policy"]
    # The exam, the sitting and the day, in words: what the signed result names (exam_code, session_id).
    assert re.search(r'id="result-exam">Ujian uji \(UJI-1\)<', verify.text)
    assert re.search(rf'id="result-session">Sesi 1 · sesi {sid}<', verify.text)
    months_id = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
    assert re.search(rf'id="result-date">\d{{1,2}} ({months_id}) 20\d\d<', verify.text)
    english = requests.get(f"{server.url}/verify/{first['result_id']}?lang=en", timeout=30)
    assert "✔ VALID" in english.text
    assert "Exam session" in english.text and f"Sesi 1 · session {sid}<" in english.text
    assert f'id="result-date">{Formatter("en", "WIB").date(first["submitted_at"])}<' in english.text
    assert f'id="result-total">{Formatter("en", "WIB").number(first["total"])}<' in english.text
    missing = requests.get(f"{server.url}/verify/00000000-0000-0000-0000-000000000000", timeout=30)
    assert missing.status_code == 404 and "TIDAK DITEMUKAN" in missing.text

    slip = admin.get(f"/admin/results/{first['result_id']}/slip.pdf")
    assert slip.status_code == 200 and slip.content.startswith(b"%PDF")
    assert admin.get(f"/admin/sessions/{sid}/alerts").status_code == 200


# ---------------------------------------------------------------- staff


def test_staff_accounts_are_created_disabled_reset_and_assigned(server, admin):
    created = admin.submit("/admin/staff", {"role": "proctor", "username": "pengawas2", "password": "sandi-awal-1"})
    assert created.status_code == 303
    assert staff_login(server.url, "pengawas2", "sandi-awal-1").status_code == 200
    short = admin.submit("/admin/staff", {"role": "proctor", "username": "pendek", "password": "123"})
    assert short.status_code == 400 and "sedikitnya 8 karakter" in short.text
    accounts = _accounts(admin)

    admin.submit("/admin/staff", {"role": "admin", "username": "admin2", "password": "sandi-admin-2"})
    other = AdminBrowser(server.url)
    assert other.sign_in("admin2", "sandi-admin-2").status_code == 303
    assert other.get("/admin/staff").status_code == 200
    accounts = _accounts(admin)
    for name in ("pengawas2", "admin2"):
        admin.submit(f"/admin/staff/{accounts[name]}/active", {"active": "0"})
    assert staff_login(server.url, "pengawas2", "sandi-awal-1").status_code == 401
    assert other.get("/admin/staff").status_code == 303  # signed out on its next request
    admin.submit(f"/admin/staff/{accounts['pengawas2']}/active", {"active": "1"})
    admin.submit(f"/admin/staff/{accounts['pengawas2']}/password", {"password": "sandi-baru-22"})
    assert staff_login(server.url, "pengawas2", "sandi-awal-1").status_code == 401
    assert staff_login(server.url, "pengawas2", "sandi-baru-22").status_code == 200

    own = admin.submit(f"/admin/staff/{accounts['admin']}/active", {"active": "0"}, follow=True)
    assert "tidak dapat menonaktifkan akun Anda sendiri" in own.text

    sid = server.session["session_id"]
    admin.submit("/admin/staff/assign", {"user_id": accounts["pengawas2"], "session_id": sid, "assigned": "1"})
    token = staff_login(server.url, "pengawas2", "sandi-baru-22").json()["token"]
    mine = requests.get(f"{server.url}/api/v1/sessions", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert [s["session_id"] for s in mine.json()["sessions"]] == [sid]
    admin.submit("/admin/staff/assign", {"user_id": accounts["pengawas2"], "session_id": sid, "assigned": "0"})
    mine = requests.get(f"{server.url}/api/v1/sessions", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert mine.json()["sessions"] == []
