"""The admin pages over HTTP, against a real server process, on SQLite and PostgreSQL.

A ``requests.Session`` plays the administrator's browser: it keeps the
session cookie and sends back the CSRF token the pages carry, as a browser
submitting the forms would.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader

from exam_server.services import answering, attempts
from tests.integration.conftest import ServerProcess, make_services, prepare_data
from tests.integration.sockets import staff_login

pytestmark = pytest.mark.slow

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
ADMIN_PAGES = ["/admin/", "/admin/banks", "/admin/exams", "/admin/exams/UJI-1", "/admin/sessions",
               "/admin/sessions/{sid}", "/admin/sessions/{sid}/publish", "/admin/sessions/{sid}/alerts",
               "/admin/sessions/{sid}/analysis", "/admin/staff"]
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


def _accounts(admin: AdminBrowser) -> dict[str, int]:
    page = admin.get("/admin/staff").text
    return {name: int(uid) for uid, name in re.findall(
        r'/admin/staff/(\d+)/password" class="inline">.*?aria-label="Kata sandi baru untuk ([^"]+)"', page, re.S)}


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
