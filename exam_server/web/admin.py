"""Administration pages at /admin: banks, exams, sessions, results, item analysis, staff.

Every page is rendered on the server and works without JavaScript; every
action calls the same service the ``exam-server`` command calls, so the
pages can do what the command line does and nothing different. This module
only reads forms, calls one service, and shapes the answer:

- sign-in is for administrators (proctors are sent to /proctor), behind
  the API's rate limit and lockout, and the account is checked against the
  database on every request (a disabled account is signed out at once);
  signing out ends every token of the account;
- every form carries a CSRF token (Flask-WTF), checked for /admin only: the
  JSON API and Socket.IO authenticate with bearer tokens, not cookies;
- files that must outlive one request (a bank waiting for "confirm import",
  login cards and credentials offered once) live in the data folder under a
  random name held in the signed session cookie, and are deleted after use
  or after an hour. Nothing the browser sends back is trusted as content;
- every answer carries strict security headers (no inline script or style).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import time
import tomllib
from datetime import datetime
from functools import cache
from pathlib import Path

from flask import (Blueprint, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from exam_server.errors import BadInput, ExamError, NotFound
from exam_server.services import alerts, analysis, banks, exams, exports, publishing, results, sessions, users
from exam_server.web.api import blueprint as api_blueprint
from exam_server.web.api import guarded_login

log = logging.getLogger("exam_server.web.admin")

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static" / "admin"
LANGUAGES = ("id", "en")
ROSTER_LIMIT = 16 * 1024 * 1024  # as the command line's create-session
BLUEPRINT_LIMIT = 1024 * 1024  # as the command line's create-exam
RESULT_FORMATS = {"json": "application/json", "csv": "text/csv; charset=utf-8",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}

# Statuses of sessions and attempts as the pages name them (translated like any other text).
STATUS_LABELS = {"open": "terbuka", "closed": "ditutup", "not_started": "belum mulai", "in_progress": "mengerjakan",
                 "paused": "dijeda", "submitted": "selesai", "timed_out": "waktu habis",
                 "ended_by_proctor": "diakhiri pengawas"}
ROLE_LABELS = {"admin": "administrator", "proctor": "pengawas"}
FLAG_LABELS = {"negative_discrimination": "daya beda negatif", "key_never_chosen": "kunci tidak pernah dipilih",
               "distractor_never_chosen": "pengecoh tidak pernah dipilih", "too_easy": "terlalu mudah",
               "too_hard": "terlalu sulit"}

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

blueprint = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates",
                      static_folder=str(STATIC), static_url_path="/static")
csrf = CSRFProtect()


@blueprint.record_once
def _set_up(state) -> None:
    """CSRF protection for the admin forms only, and a session cookie no other site can send."""
    app = state.app
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked in this blueprint's before_request, not app-wide
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)  # a form left open for a working day still posts
    # The pages send no Referer (Referrer-Policy: no-referrer), so Flask-WTF's HTTPS referrer
    # check would refuse every form; the token and the SameSite=Strict cookie do that job.
    app.config["WTF_CSRF_SSL_STRICT"] = False
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Strict"
    services_ = app.extensions.get("exam_services")
    if services_ is not None and services_.settings.public_url.startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
    csrf.init_app(app)
    csrf.exempt(api_blueprint)  # bearer tokens, never cookies: nothing for a forged form to ride on


def services():
    return current_app.extensions["exam_services"]


# ---------------------------------------------------------------- language


@cache
def _english() -> dict[str, str]:
    with (HERE / "templates" / "admin" / "en.toml").open("rb") as handle:
        return tomllib.load(handle)


def language() -> str:
    return session.get("lang") if session.get("lang") in LANGUAGES else "id"


def translate(text: str, **values) -> str:
    """The page text in the chosen language: Indonesian is the source, English a dictionary."""
    if language() == "en":
        text = _english().get(text, text)
    return text.format(**values) if values else text


def choose_language() -> None:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted


def when(ms: int | None) -> str:
    """A stored time (ms since the epoch) as the server's local date and time."""
    if ms is None:
        return "–"
    return datetime.fromtimestamp(ms / 1000).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def number(value, places: int = 2) -> str:
    if value is None or value == "":
        return "–"
    return f"{float(value):.{places}f}"


def page_globals() -> dict:
    return {"_": translate, "lang": language(), "when": when, "num": number,
            "asset": asset_url, "staff": g.get("staff"), "status_labels": STATUS_LABELS,
            "role_labels": ROLE_LABELS, "flag_labels": FLAG_LABELS}


def asset_url(name: str) -> str:
    """URL of a style sheet or script of these pages, fingerprinted so a browser never keeps a stale one."""
    return url_for("admin.static", filename=name, v=_asset_version())


@cache
def _asset_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(STATIC.glob("*")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


blueprint.context_processor(page_globals)


def secure(response):
    response.headers.update(SECURITY_HEADERS)
    return response


blueprint.after_request(secure)


# ---------------------------------------------------------------- short-lived files


class TempFiles:
    """Files of the admin pages that live for one hour at most, in the data folder.

    Each is named by a random key; its description (name, media type, and
    what the page needs) sits next to it as JSON. Only keys held in the
    signed session cookie of the browser that made them are ever opened.
    """

    MAX_AGE_S = 3600
    _KEY = re.compile(r"^[0-9a-f]{32}$")

    def __init__(self, folder: Path):
        self.folder = folder

    def _paths(self, key: str) -> tuple[Path, Path]:
        if not isinstance(key, str) or not self._KEY.match(key):
            raise NotFound("no such file")
        return self.folder / f"{key}.bin", self.folder / f"{key}.json"

    def put(self, data: bytes, meta: dict) -> str:
        self.sweep()
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = secrets.token_hex(16)
        blob, about = self._paths(key)
        for path, content in ((blob, data), (about, json.dumps(meta).encode())):
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # passwords may be inside
            with os.fdopen(handle, "wb") as out:
                out.write(content)
        return key

    def meta(self, key: str) -> dict | None:
        try:
            _, about = self._paths(key)
            if time.time() - about.stat().st_mtime > self.MAX_AGE_S:
                self.discard(key)
                return None
            return json.loads(about.read_text())
        except (OSError, ValueError, NotFound):
            return None

    def data(self, key: str) -> bytes:
        return self._paths(key)[0].read_bytes()

    def take(self, key: str) -> bytes:
        """The file's bytes, deleting it: a one-time download."""
        data = self.data(key)
        self.discard(key)
        return data

    def discard(self, key: str) -> None:
        try:
            for path in self._paths(key):
                path.unlink(missing_ok=True)
        except NotFound:
            pass

    def sweep(self) -> None:
        if not self.folder.is_dir():
            return
        limit = time.time() - self.MAX_AGE_S
        for path in self.folder.iterdir():
            try:
                if path.stat().st_mtime < limit:
                    path.unlink(missing_ok=True)
            except OSError:
                pass


def temp_files() -> TempFiles:
    return TempFiles(Path(services().settings.data_dir) / "admin-temp")


def remember(kind: str, key: str, keep: int = 12) -> None:
    """Tie a temporary file to this browser's session (the newest few of each kind)."""
    session[kind] = ([k for k in session.get(kind, []) if k != key] + [key])[-keep:]


def owned(kind: str, key: str) -> bool:
    return key in session.get(kind, [])


# ---------------------------------------------------------------- sign-in and errors


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/admin") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@blueprint.before_request
def guard():
    """Language, CSRF on every form, and an administrator re-checked against the database."""
    choose_language()
    if request.endpoint == "admin.static":
        return None
    csrf.protect()  # GET and HEAD pass; POST needs the form's token
    if request.endpoint == "admin.login":
        return None
    g.staff = current_admin()
    if g.staff is None:
        wanted = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("admin.login", next=_safe_next(wanted)), 303)
    return None


def current_admin():
    token = session.get("staff")
    if not token:
        return None
    try:
        user = users.staff_from_token(services(), token)
    except ExamError:
        user = None
    if user is None or user.role != "admin":
        session.pop("staff", None)
        return None
    return user


@blueprint.errorhandler(ExamError)
def exam_error(exc: ExamError):
    return render_template("admin/error.html", message=exc.message,
                           problems=[str(p) for p in getattr(exc, "problems", [])]), exc.http_status


@blueprint.errorhandler(CSRFError)
def csrf_error(exc: CSRFError):
    message = translate("Formulir ini sudah kedaluwarsa atau tidak berasal dari halaman ini. "
                        "Muat ulang halaman lalu kirim lagi.")
    return render_template("admin/error.html", message=message, problems=[]), 400


@blueprint.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    if exc.code == 413:
        message = translate("Berkas terlalu besar.")
    else:
        message = exc.description or exc.name
    return render_template("admin/error.html", message=message, problems=[]), exc.code or 500


@blueprint.errorhandler(Exception)
def unexpected(exc: Exception):
    log.exception("unexpected error on %s %s", request.method, request.path)
    message = translate("Terjadi kesalahan di server; sudah dicatat di log.")
    return render_template("admin/error.html", message=message, problems=[]), 500


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("admin/login.html", next=_safe_next(request.args.get("next")))
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    target = _safe_next(request.form.get("next"))
    try:
        # The API's guard and key: guesses here and at /api/v1/staff/login count together.
        answer = guarded_login(f"staff:{username}", lambda: users.authenticate(services(), username, password))
    except ExamError as exc:
        message = {
            "rate_limited": f'{translate("Terlalu banyak percobaan masuk; tunggu sebentar lalu coba lagi.")} '
                            f"({exc.message})",
            "bad_credentials": translate("Nama pengguna atau kata sandi salah."),
        }.get(exc.code, translate("Isi nama pengguna dan kata sandi."))
        return render_template("admin/login.html", error=message, username=username, next=target), exc.http_status
    if answer["role"] != "admin":
        message = translate("Akun pengawas tidak dapat membuka halaman administrasi. "
                            "Gunakan konsol pengawas di /proctor.")
        return render_template("admin/login.html", error=message, username=username, proctor=True), 403
    fresh_session()  # nothing carried over from before signing in
    session["staff"] = answer["token"]
    return redirect(target or url_for("admin.index"), 303)


@blueprint.post("/logout")
def logout():
    users.logout(services(), g.staff.id)  # ends every token of the account, not only this cookie's copy
    fresh_session()
    flash(translate("Anda sudah keluar."), "ok")
    return redirect(url_for("admin.login"), 303)


def fresh_session() -> None:
    """An empty session, keeping only the language chosen."""
    chosen = session.get("lang")
    session.clear()
    if chosen in LANGUAGES:
        session["lang"] = chosen


def done(message: str, target: str):
    flash(message, "ok")
    return redirect(target, 303)


def form_status(exc: ExamError) -> int:
    """The status of a form shown again with its problem: a name that matches nothing is bad input here."""
    return 400 if isinstance(exc, NotFound) else exc.http_status


def run_action(action, success: str, target: str):
    """Run one service call from a form; its refusal is shown on the page it came from."""
    try:
        action()
    except ExamError as exc:
        flash(exc.message, "error")
        return redirect(target, 303)
    return done(success, target)


def download(data: bytes, filename: str, media_type: str):
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", filename)  # a header value: nothing that could end or split it
    response = current_app.response_class(data, mimetype=media_type.split(";")[0])
    if ";" in media_type:
        response.headers["Content-Type"] = media_type
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------- overview


@blueprint.get("/")
def index():
    ctx = services()
    listed = sessions.list_sessions(ctx, g.staff)
    return render_template("admin/index.html", banks=banks.list_banks(ctx), exams=exams.list_exams(ctx),
                           sessions=listed, open_sessions=[s for s in listed if s["status"] == "open"])


# ---------------------------------------------------------------- banks


@blueprint.get("/banks")
def bank_list():
    from exam_server.banks.export import exporters
    from exam_server.banks.importer import MAX_BANK_BYTES, known_formats

    return render_template("admin/banks.html", banks=banks.list_banks(services()), formats=known_formats(),
                           export_formats=sorted(exporters()), max_mb=MAX_BANK_BYTES // (1024 * 1024))


@blueprint.post("/banks/upload")
def bank_upload():
    """Check an uploaded bank (a dry run) and keep it, unchanged, for "confirm import"."""
    from exam_server.banks.importer import MAX_BANK_BYTES, display_name

    store = temp_files()
    if session.get("upload"):
        store.discard(session.pop("upload"))
    upload = request.files.get("bank_file")
    filename = display_name(upload.filename) if upload and upload.filename else ""
    options = {"filename": filename, "bank_code": (request.form.get("bank_code") or "").strip() or None,
               "fmt": (request.form.get("format") or "").strip() or None, "strict": bool(request.form.get("strict"))}
    data = upload.stream.read(MAX_BANK_BYTES + 1) if filename else b""
    try:
        if not filename:
            raise BadInput(translate("Pilih berkas bank soal yang akan diunggah."))
        if len(data) > MAX_BANK_BYTES:
            raise BadInput(f"{filename}: over the limit of {MAX_BANK_BYTES} bytes")
        report = banks.import_bank(services(), data, filename, bank_code=options["bank_code"], fmt=options["fmt"],
                                   strict=options["strict"], dry_run=True)
        outcome = {"report": report}
    except ExamError as exc:
        outcome = {"refused": exc.message.splitlines()[0],
                   "problems": [str(p) for p in getattr(exc, "problems", [])]}
        data = b""  # nothing to confirm: keep only the report
    session["upload"] = store.put(data, {**options, **outcome})
    return redirect(url_for("admin.bank_review"), 303)


@blueprint.get("/banks/review")
def bank_review():
    staged = temp_files().meta(session.get("upload", ""))
    if staged is None:
        flash(translate("Tidak ada unggahan yang menunggu; unggah berkasnya lagi."), "error")
        return redirect(url_for("admin.bank_list"), 303)
    status = 400 if "refused" in staged else 200
    return render_template("admin/bank_review.html", staged=staged), status


@blueprint.post("/banks/confirm")
def bank_confirm():
    """Import the file checked before: the server's own copy, never one sent again."""
    store = temp_files()
    key = session.get("upload", "")
    staged = store.meta(key)
    if staged is None or "report" not in staged:
        flash(translate("Tidak ada unggahan yang menunggu; unggah berkasnya lagi."), "error")
        return redirect(url_for("admin.bank_list"), 303)
    report = banks.import_bank(services(), store.data(key), staged["filename"], bank_code=staged["bank_code"],
                               fmt=staged["fmt"], strict=staged["strict"])
    store.discard(session.pop("upload"))
    if report.get("unchanged"):
        message = translate("Bank {bank} sama dengan versi {version}; tidak ada yang berubah.", **report)
    else:
        message = translate("Bank {bank} versi {version}: {imported} soal diimpor.", **report)
    return done(message, url_for("admin.bank_list"))


@blueprint.post("/banks/cancel")
def bank_cancel():
    if session.get("upload"):
        temp_files().discard(session.pop("upload"))
    return done(translate("Unggahan dibatalkan; tidak ada yang disimpan."), url_for("admin.bank_list"))


@blueprint.get("/banks/<code>/export")
def bank_export(code: str):
    from exam_server.banks.export import export_bank, exporters

    fmt = request.args.get("format", "gift")
    found = exporters().get(fmt)
    if found is None:
        raise BadInput(f"unknown export format {fmt!r}; known formats: {', '.join(sorted(exporters()))}")
    version = request.args.get("version", type=int)
    items, assets = banks.bank_items(services(), code, version)
    suffix = f"-v{version}" if version else ""
    return download(export_bank(items, assets, fmt), f"{code}{suffix}{found.extension}", found.media_type)


@blueprint.get("/banks/template.<fmt>")
def bank_template(fmt: str):
    from exam_server.banks.template import template_csv, template_xlsx

    if fmt == "csv":
        return download(template_csv(), "templat-bank-soal.csv", "text/csv; charset=utf-8")
    if fmt == "xlsx":
        return download(template_xlsx(), "templat-bank-soal.xlsx", RESULT_FORMATS["xlsx"])
    raise NotFound(f"no template in format {fmt!r}: csv or xlsx")


# ---------------------------------------------------------------- exams


@blueprint.get("/exams")
def exam_list():
    return render_template("admin/exams.html", exams=exams.list_exams(services()), text="", problems=[])


@blueprint.post("/exams")
def exam_create():
    upload = request.files.get("blueprint_file")
    if upload and upload.filename:
        filename = Path(upload.filename.replace("\\", "/")).name
        text = upload.stream.read(BLUEPRINT_LIMIT + 1).decode("utf-8", errors="replace")
    else:
        filename, text = "blueprint.toml", request.form.get("blueprint_text") or ""
    try:
        if len(text) > BLUEPRINT_LIMIT:
            raise BadInput(f"{filename}: over the limit of {BLUEPRINT_LIMIT} bytes")
        if not text.strip():
            raise BadInput(translate("Tempel cetak biru (TOML) atau pilih berkasnya."))
        code = exams.create_exam(services(), text, filename)
    except ExamError as exc:
        problems = [str(p) for p in getattr(exc, "problems", [])]
        return render_template("admin/exams.html", exams=exams.list_exams(services()), text=text,
                               error=exc.message.splitlines()[0], problems=problems), form_status(exc)
    return done(translate("Ujian {code} tersimpan.", code=code), url_for("admin.exam_show", code=code))


@blueprint.get("/exams/<code>")
def exam_show(code: str):
    found = next((e for e in exams.list_exams(services()) if e["code"] == code), None)
    if found is None:
        raise NotFound(f"no exam with code {code!r}")
    return render_template("admin/exam.html", exam=found, blueprint=found["blueprint"])


# ---------------------------------------------------------------- sessions


def find_listed_session(session_id: int) -> dict:
    found = next((s for s in sessions.list_sessions(services(), g.staff) if s["session_id"] == session_id), None)
    if found is None:
        raise NotFound(f"no session with id {session_id}")
    return found


def session_form(status: int = 200, **context):
    ctx = services()
    proctors = [u for u in users.list_users(ctx) if u["role"] == "proctor" and u["active"]]
    page = render_template("admin/sessions.html", sessions=sessions.list_sessions(ctx, g.staff),
                           exams=exams.list_exams(ctx), proctors=proctors, form=request.form, **context)
    return page, status


@blueprint.get("/sessions")
def session_list():
    return session_form()


@blueprint.post("/sessions")
def session_open():
    """Open a sitting; its login cards and credentials are offered once, right now (passwords exist only now)."""
    roster = request.files.get("candidates")
    seed = (request.form.get("seed") or "").strip()
    try:
        if not roster or not roster.filename:
            raise BadInput(translate("Pilih berkas CSV daftar peserta."))
        data = roster.stream.read(ROSTER_LIMIT + 1)
        if len(data) > ROSTER_LIMIT:
            raise BadInput(f"{roster.filename}: over the limit of {ROSTER_LIMIT} bytes")
        if seed and not re.fullmatch(r"-?\d{1,18}", seed):
            raise BadInput(translate("Seed harus berupa bilangan bulat."))
        opened = sessions.create_session(
            services(), request.form.get("exam") or "", request.form.get("name") or "", data,
            Path(roster.filename.replace("\\", "/")).name, proctors=tuple(request.form.getlist("proctors")),
            seed=int(seed) if seed else None)
    except ExamError as exc:
        return session_form(form_status(exc), error=exc.message.splitlines()[0],
                            problems=[str(p) for p in getattr(exc, "problems", [])])
    key = offer_documents(opened)
    return redirect(url_for("admin.session_opened", key=key), 303)


def offer_documents(opened: dict) -> str:
    """Keep the credentials CSV and the cards PDF as one-time downloads; returns the page's key."""
    store, number = temp_files(), opened["session_id"]
    offered = {"credentials": store.put(exports.credentials_csv(opened["credentials"]), {
        "name": f"kredensial-sesi-{number}.csv", "type": "text/csv; charset=utf-8"})}
    try:
        offered["cards"] = store.put(sessions.login_cards(services(), opened), {
            "name": f"kartu-login-sesi-{number}.pdf", "type": "application/pdf"})
    except Exception:  # the session is open either way; the credentials CSV still holds every password
        log.exception("login cards of session %s could not be made", number)
    for key in offered.values():
        remember("downloads", key)
    record = {key: opened[key] for key in ("session_id", "session_token", "exam_code", "candidates")}
    key = store.put(b"", {**record, "offered": offered})
    remember("opened", key)
    return key


@blueprint.get("/sessions/opened/<key>")
def session_opened(key: str):
    record = temp_files().meta(key) if owned("opened", key) else None
    if record is None:
        raise NotFound(translate("Halaman ini sudah kedaluwarsa (berlaku satu jam)."))
    store = temp_files()
    offered = {kind: fid for kind, fid in record["offered"].items() if store.meta(fid) is not None}
    return render_template("admin/session_opened.html", record=record, offered=offered,
                           kiosk_url=sessions.kiosk_url(services().settings, record["session_token"]))


@blueprint.get("/downloads/<key>")
def one_time_download(key: str):
    store = temp_files()
    about = store.meta(key) if owned("downloads", key) else None
    if about is None:
        message = translate("Berkas ini sudah diunduh atau sudah kedaluwarsa; "
                            "berkas sekali unduh tidak dapat dibuat ulang.")
        return render_template("admin/error.html", problems=[], message=message), 410
    session["downloads"] = [k for k in session.get("downloads", []) if k != key]
    return download(store.take(key), about["name"], about["type"])


@blueprint.get("/sessions/<int:session_id>")
def session_show(session_id: int):
    ctx = services()
    listed = find_listed_session(session_id)
    document = results.session_results(ctx, session_id)
    proctors = [u for u in users.list_users(ctx) if session_id in u["sessions"]]
    return render_template("admin/session.html", session_row=listed, results=document["results"],
                           proctors=proctors, formats=list(RESULT_FORMATS))


@blueprint.post("/sessions/<int:session_id>/close")
def session_close(session_id: int):
    return run_action(lambda: sessions.close_session(services(), session_id),
                      translate("Sesi {id} ditutup.", id=session_id),
                      url_for("admin.session_show", session_id=session_id))


@blueprint.get("/sessions/<int:session_id>/publish")
def session_publish_confirm(session_id: int):
    return render_template("admin/publish.html", session_row=find_listed_session(session_id))


@blueprint.post("/sessions/<int:session_id>/publish")
def session_publish(session_id: int):
    target = url_for("admin.session_show", session_id=session_id)
    try:
        signed = publishing.publish(services(), session_id)
    except ExamError as exc:
        flash(exc.message, "error")
        return redirect(target, 303)
    return done(translate("{signed} hasil ditandatangani dengan kunci {key_id} ({results} hasil seluruhnya).",
                          **signed), target)


@blueprint.get("/sessions/<int:session_id>/results.<fmt>")
def session_results_file(session_id: int, fmt: str):
    if fmt not in RESULT_FORMATS:
        raise NotFound(f"results can be downloaded as {', '.join(RESULT_FORMATS)}")
    data = exports.export_results(services(), session_id, fmt)
    return download(data, f"hasil-sesi-{session_id}.{fmt}", RESULT_FORMATS[fmt])


@blueprint.get("/results/<result_id>/slip.pdf")
def result_slip(result_id: str):
    verify_url = request.host_url + "verify/" + result_id
    return download(publishing.result_slip(services(), result_id, verify_url), f"slip-{result_id}.pdf",
                    RESULT_FORMATS["pdf"])


@blueprint.get("/sessions/<int:session_id>/alerts")
def session_alerts(session_id: int):
    ctx = services()
    listed = find_listed_session(session_id)
    people = {r["attempt_id"]: r for r in results.session_results(ctx, session_id)["results"]}
    return render_template("admin/alerts.html", session_row=listed, people=people,
                           alerts=alerts.session_alerts(ctx, session_id))


# ---------------------------------------------------------------- item analysis


def histogram_chart(bins: list[dict], width: int = 640, height: int = 240) -> dict:
    """Bar geometry of the score distribution, for an SVG drawn by the template."""
    left, bottom, top_margin = 36, 40, 12
    plot_w, plot_h = width - left - 8, height - bottom - top_margin
    highest = max((b["count"] for b in bins), default=0) or 1
    step = plot_w / max(len(bins), 1)
    bars = []
    for index, b in enumerate(bins):
        h = plot_h * b["count"] / highest
        bars.append({"x": round(left + index * step + 2, 1), "y": round(top_margin + plot_h - h, 1),
                     "w": round(max(step - 4, 1), 1), "h": round(h, 1), "count": b["count"],
                     "label": f"{b['start']}–{b['end']}", "mid": round(left + (index + 0.5) * step, 1)})
    return {"width": width, "height": height, "bars": bars, "highest": highest, "left": left,
            "base": top_margin + plot_h, "top": top_margin}


def facility_chart(rows: list[dict], width: int = 640) -> dict:
    """One horizontal bar per item, facility 0..1, with guides at the too-hard and too-easy limits."""
    left, row_h, plot_w = 150, 20, width - 150 - 50
    bars = []
    for index, row in enumerate(rows):
        facility = row["facility"] or 0.0
        bars.append({"y": index * row_h + 4, "w": round(plot_w * min(max(facility, 0.0), 1.0), 1),
                     "label": (row["title"] or str(row["item_id"]))[:22], "value": number(facility),
                     "flagged": bool(row["flags"]), "ty": index * row_h + 17})
    height = max(len(rows), 1) * row_h + 24
    ticks = [{"x": round(left + plot_w * f, 1), "label": f"{f:g}"} for f in (0, 0.25, 0.5, 0.75, 1)]
    limits = [round(left + plot_w * f, 1) for f in (0.05, 0.95)]  # too hard below, too easy above
    return {"width": width, "height": height, "left": left, "plot_w": plot_w, "bars": bars, "ticks": ticks,
            "limits": limits, "axis_y": height - 16}


@blueprint.get("/sessions/<int:session_id>/analysis")
def session_analysis(session_id: int):
    listed = find_listed_session(session_id)
    report = analysis.session_analysis(services(), session_id)
    return render_template("admin/analysis.html", session_row=listed, report=report,
                           histogram=histogram_chart(report["histogram"]), facility=facility_chart(report["items"]))


@blueprint.get("/sessions/<int:session_id>/analysis.csv")
def session_analysis_csv(session_id: int):
    """The per-item table as ``exam-server analysis --out`` writes it, formulas neutralised."""
    report = analysis.session_analysis(services(), session_id)
    return download(exports.analysis_csv(report), f"analisis-sesi-{session_id}.csv",
                    "text/csv; charset=utf-8")


# ---------------------------------------------------------------- staff


@blueprint.get("/staff")
def staff_list():
    return staff_page()


def staff_page(status: int = 200, **context):
    ctx = services()
    return render_template("admin/staff.html", accounts=users.list_users(ctx), roles=users.ROLES,
                           sessions=sessions.list_sessions(ctx, g.staff), **context), status


@blueprint.post("/staff")
def staff_create():
    role, username = request.form.get("role") or "", (request.form.get("username") or "").strip()
    try:
        users.add_user(services(), role, username, request.form.get("password") or "")
    except ExamError as exc:
        return staff_page(form_status(exc), error=exc.message, username=username)
    return done(translate("Akun {username} ({role}) dibuat.", username=username, role=role),
                url_for("admin.staff_list"))


@blueprint.post("/staff/<int:user_id>/active")
def staff_active(user_id: int):
    active = request.form.get("active") == "1"
    if not active and user_id == g.staff.id:
        flash(translate("Anda tidak dapat menonaktifkan akun Anda sendiri."), "error")
        return redirect(url_for("admin.staff_list"), 303)
    message = (translate("Akun diaktifkan.") if active
               else translate("Akun dinonaktifkan; tokennya tidak berlaku lagi."))
    return run_action(lambda: users.set_active(services(), user_id, active), message, url_for("admin.staff_list"))


@blueprint.post("/staff/<int:user_id>/password")
def staff_password(user_id: int):
    password = request.form.get("password") or ""
    return run_action(lambda: users.set_password(services(), user_id, password),
                      translate("Kata sandi diganti."), url_for("admin.staff_list"))


@blueprint.post("/staff/assign")
def staff_assign():
    assigned = request.form.get("assigned") == "1"
    user_id = request.form.get("user_id", type=int)
    session_id = request.form.get("session_id", type=int)
    message = translate("Pengawas ditugaskan ke sesi.") if assigned else translate("Tugas pengawas dicabut.")
    if user_id is None or session_id is None:
        flash(translate("Pilih pengawas dan sesi."), "error")
        return redirect(url_for("admin.staff_list"), 303)
    return run_action(lambda: users.assign(services(), user_id, session_id, assigned), message,
                      url_for("admin.staff_list"))

