"""Who may use the admin pages: sign-in and sign-out, and the guard every request passes."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for

from exam_server.errors import ExamError
from exam_server.services import users
from exam_server.web.admin.base import blueprint, csrf
from exam_server.web.admin.i18n import LANGUAGES, choose_language, translate
from exam_server.web.admin.pages import services
from exam_server.security.login_keys import checked_field, staff_key
from exam_server.web.api import LOGIN_BODY_BYTES, guarded_login


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
    if request.endpoint == "admin.login":
        request.max_content_length = LOGIN_BODY_BYTES  # before the CSRF check reads the form
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


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("admin/login.html", next=_safe_next(request.args.get("next")))
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    target = _safe_next(request.form.get("next"))
    try:
        for name in ("username", "password"):
            checked_field(request.form, name)
        # The API's guard and key: guesses here and at /api/v1/staff/login count together.
        answer = guarded_login(staff_key(username), lambda: users.authenticate(services(), username, password))
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
