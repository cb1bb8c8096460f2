"""The admin pages over HTTP, against a real server process, on SQLite and PostgreSQL.

A ``requests.Session`` plays the administrator's browser: it keeps the
session cookie and sends back the CSRF token the pages carry, as a browser
submitting the forms would.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader

from exam_server.i18n.formatting import Formatter
from exam_server.services import answering, attempts
from tests.conftest import QUESTION_BANKS
from tests.integration.conftest import ServerProcess, make_services, prepare_data
from tests.integration.sockets import candidate_login, staff_login

pytestmark = pytest.mark.slow

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
ADMIN_PAGES = ["/admin/", "/admin/banks", "/admin/exams", "/admin/exams/UJI-1", "/admin/sessions",
               "/admin/sessions/{sid}", "/admin/sessions/{sid}/publish", "/admin/sessions/{sid}/alerts",
               "/admin/sessions/{sid}/analysis", "/admin/staff"]
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


class AdminBrowser(requests.Session):
    """A browser of the admin pages: cookies kept, forms sent with the page's CSRF token."""

    def __init__(self, base_url: str):
        super().__init__()
        self.base_url = base_url

    def get(self, path, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        return super().get(self.base_url + path, **kwargs)

    def token(self, path: str = "/admin/login") -> str:
        page = self.get(path)
        found = TOKEN.search(page.text)
        assert found, f"no CSRF token on {path} ({page.status_code})"
        return found.group(1)

    def submit(self, path: str, data=None, files=None, *, token: bool = True, follow: bool = False):
        data = dict(data or {})
        if token:
            data["csrf_token"] = self.token("/admin/")
        return self.post(self.base_url + path, data=data, files=files, allow_redirects=follow, timeout=60)

    def sign_in(self, username: str, password: str) -> requests.Response:
        token = self.token("/admin/login")
        return self.post(self.base_url + "/admin/login", allow_redirects=False, timeout=30,
                         data={"username": username, "password": password, "csrf_token": token})


def finish_everyone(services, opened: dict) -> None:
    """Every candidate of the session answers (P-001 rightly, the rest wrongly) and submits."""
    for number, password in opened["passwords"].items():
        attempt_id = attempts.login(services, opened["session_token"], number, password)["attempt_id"]
        attempts.start(services, attempt_id)
        for seq, item in enumerate(attempts.form(services, attempt_id)["items"], start=1):
            right = next(o["key"] for o in item["options"] if o["text"].startswith("Benar"))
            wrong = next(o["key"] for o in item["options"] if not o["text"].startswith("Benar"))
            answering.answer(services, attempt_id, item["position"], right if number == "P-001" else wrong, seq)
        answering.submit(services, attempt_id)


@pytest.fixture
def server(exam_cli, tmp_path):
    """The small bank, exam UJI-1 and a session whose three candidates have finished; served."""
    from exam_server.clock import SystemClock

    opened = prepare_data(exam_cli, tmp_path)
    services = make_services(exam_cli.data_dir, exam_cli.database_url, SystemClock())
    try:
        finish_everyone(services, opened)
    finally:
        services.close()
    process = ServerProcess(exam_cli.data_dir, exam_cli.database_url).start()
    process.session = opened
    yield process
    process.stop()


@pytest.fixture
def admin(server) -> AdminBrowser:
    browser = AdminBrowser(server.url)
    assert browser.sign_in("admin", "sandi-admin-1").status_code == 303
    yield browser
    browser.close()


def pages(session_id: int) -> list[str]:
    return [path.format(sid=session_id) for path in ADMIN_PAGES]


def temp_files(server) -> list[Path]:
    folder = server.data_dir / "admin-temp"
    return sorted(folder.iterdir()) if folder.is_dir() else []


# ---------------------------------------------------------------- signing in


def test_sign_in_admits_administrators_only_and_slows_down_guessing(server):
    browser = AdminBrowser(server.url)
    wrong = browser.sign_in("admin", "bukan-sandinya")
    assert wrong.status_code == 401 and "Nama pengguna atau kata sandi salah" in wrong.text

    proctor = browser.sign_in("pengawas", "sandi-pengawas")
    assert proctor.status_code == 403 and "/proctor" in proctor.text
    assert browser.get("/admin/").status_code == 303  # the proctor was not signed in

    guesser = AdminBrowser(server.url)
    answers = [guesser.sign_in("lain", f"tebakan-{n}").status_code for n in range(12)]
    assert answers[0] == 401 and answers[-1] == 429
    limited = guesser.sign_in("lain", "sandi-lain-1")
    assert limited.status_code == 429 and "Terlalu banyak percobaan" in limited.text

    admitted = browser.sign_in("admin", "sandi-admin-1")
    assert admitted.status_code == 303 and admitted.headers["Location"].endswith("/admin/")
    cookie = admitted.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert browser.get("/admin/").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in_and_an_admin_sees_every_page(server, admin):
    anonymous = AdminBrowser(server.url)
    for path in pages(server.session["session_id"]):
        answer = anonymous.get(path)
        assert answer.status_code == 303 and "/admin/login" in answer.headers["Location"], path
        shown = admin.get(path)
        assert shown.status_code == 200, (path, shown.text[:500])
        assert "default-src 'self'" in shown.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in shown.headers["Content-Security-Policy"]
        assert shown.headers["X-Frame-Options"] == "DENY" and shown.headers["Cache-Control"] == "no-store"
        assert shown.headers["Referrer-Policy"] == "no-referrer"
        assert "<script>" not in shown.text and " style=" not in shown.text
    assert "Question banks" in admin.get("/admin/banks?lang=en").text
    assert "Question banks" in admin.get("/admin/").text  # the choice is kept
    admin.get("/admin/?lang=id")

    script = staff_login(server.url, "admin", "sandi-admin-1").json()["token"]
    assert admin.submit("/admin/logout").status_code == 303
    assert admin.get("/admin/").status_code == 303
    ended = requests.get(f"{server.url}/api/v1/sessions", headers={"Authorization": f"Bearer {script}"}, timeout=30)
    assert ended.status_code == 401  # signing out ends every token of the account


# ---------------------------------------------------------------- CSRF and the JSON API


def test_a_form_without_its_csrf_token_is_refused_while_the_json_api_needs_none(server, admin):
    refused = admin.submit("/admin/staff", {"role": "proctor", "username": "penyusup", "password": "sandi-penyusup"},
                         token=False)
    assert refused.status_code == 400
    forged = admin.submit("/admin/staff", {"role": "proctor", "username": "penyusup", "password": "sandi-penyusup",
                                         "csrf_token": "palsu"}, token=False)
    assert forged.status_code == 400
    assert "penyusup" not in admin.get("/admin/staff").text
    stranger = AdminBrowser(server.url)
    stranger.get("/admin/login")
    untokened = stranger.post(server.url + "/admin/login", data={"username": "admin", "password": "sandi-admin-1"},
                              allow_redirects=False, timeout=30)
    assert untokened.status_code == 400 and stranger.get("/admin/").status_code == 303
    closed = admin.submit(f"/admin/sessions/{server.session['session_id']}/close", token=False)
    assert closed.status_code == 400
    assert "status-open" in admin.get(f"/admin/sessions/{server.session['session_id']}").text

    # The JSON API authenticates with bearer tokens and takes its POSTs without a CSRF token.
    api = staff_login(server.url, "admin", "sandi-admin-1")
    assert api.status_code == 200 and api.json()["role"] == "admin"
    published = requests.post(f"{server.url}/api/v1/sessions/{server.session['session_id']}/publish", timeout=30,
                              headers={"Authorization": f"Bearer {api.json()['token']}"})
    assert published.status_code == 200 and published.json()["signed"] == 3


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


def _accounts(admin: AdminBrowser) -> dict[str, int]:
    page = admin.get("/admin/staff").text
    return {name: int(uid) for uid, name in re.findall(
        r'/admin/staff/(\d+)/password" class="inline">.*?aria-label="Kata sandi baru untuk ([^"]+)"', page, re.S)}


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


# ---------------------------------------------------------------- language


def test_a_refused_import_and_an_unknown_format_read_in_indonesian(server, admin):
    sent = admin.submit("/admin/banks/upload", {"bank_code": "rusak", "format": ""},
                        {"bank_file": ("broken.gift", io.BytesIO(b"\x00\x01 bukan teks"))}, follow=True)
    assert sent.status_code == 400
    assert "broken.gift ditolak; tidak ada yang diimpor" in sent.text
    assert "was refused" not in sent.text and "nothing was imported" not in sent.text
    unknown = admin.submit("/admin/banks/upload", {"bank_code": "x", "format": ""},
                           {"bank_file": ("catatan.bin", io.BytesIO(b"sekadar catatan\n"))}, follow=True)
    assert "--format" not in unknown.text and "tidak dikenali" in unknown.text


def test_the_minutes_download_from_the_session_page(server, admin):
    sid = server.session["session_id"]
    page = admin.get(f"/admin/sessions/{sid}").text
    links = re.findall(r'id="minutes-links">.*?href="([^"]+)".*?href="([^"]+)"', page, re.S)[0]
    pdf, table = admin.get(links[0]), admin.get(links[1])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "berita-acara-sesi" in pdf.headers["Content-Disposition"]
    assert table.status_code == 200 and table.content.decode("utf-8-sig").startswith("part,at (WIB),")
    admin.get("/admin/?lang=en")
    english = PdfReader(io.BytesIO(admin.get(links[0]).content)).pages[0].extract_text()
    assert "MINUTES OF THE EXAMINATION" in english


def test_an_unknown_address_answers_with_an_indonesian_page(server):
    missing = requests.get(f"{server.url}/tidak-ada", timeout=30)
    assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("text/html")
    assert "Halaman tidak ditemukan" in missing.text and "Page not found" in missing.text
    assert "Not Found" not in missing.text  # Werkzeug's own English page
    api = requests.get(f"{server.url}/api/v1/tidak-ada", timeout=30)
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


def test_the_catalogs_are_served_as_json_for_the_browser_pages(server):
    for locale, absent, sign_in in (("id", "Tidak hadir", "Masuk ujian"), ("en", "Absent", "Sign in to the exam")):
        answer = requests.get(f"{server.url}/i18n/{locale}.json", timeout=30)
        assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
        assert answer.json()["texts"]["Tidak hadir"] == absent and answer.json()["kiosk"]["login_title"] == sign_in
    assert requests.get(f"{server.url}/i18n/fr.json", timeout=30).status_code == 404
    kiosk = requests.get(server.url + "/", timeout=30).text
    script = re.search(r'src="(/i18n/kiosk\.js\?v=\w+)"', kiosk).group(1)
    tables = requests.get(server.url + script, timeout=30)
    assert tables.headers["Content-Type"].startswith("text/javascript") and "immutable" in tables.headers["Cache-Control"]
    assert tables.text.startswith("'use strict';\nwindow.KIOSK_I18N = {") and '"Sign in to the exam"' in tables.text


def test_the_incident_log_says_in_words_what_happened(server, admin, exam_cli):
    from exam_server.clock import SystemClock
    from exam_server.services import alerts

    sid = server.session["session_id"]
    services = make_services(exam_cli.data_dir, exam_cli.database_url, SystemClock())
    try:
        attempt_id = min(r["attempt_id"] for r in services_results(services, sid))
        alerts.raise_alert(services, attempt_id, "focus_lost", "alt-tab", category="candidate")
        alerts.raise_alert(services, attempt_id, "answer_burst", "31 answers within 10 s", category="candidate")
    finally:
        services.close()
    page = admin.get(f"/admin/sessions/{sid}/alerts").text
    assert "jendela ujian ditinggalkan" in page and "31 jawaban dalam 10 detik" in page and "jawaban beruntun" in page
    shown = re.sub(r"<[^>]+>", " ", page)  # what a person reads, without the markup
    assert [code for code in ("focus_lost", "answer_burst", "candidate", "answers within") if code in shown] == []
    assert re.search(r"\d{1,2} \w+ \d{4} \d{2}\.\d{2}\.\d{2} WIB", page)


def services_results(services, session_id):
    from exam_server.services import results

    return results.session_results(services, session_id)["results"]
