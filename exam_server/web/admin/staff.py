"""Staff accounts: creating them, enabling and disabling, new passwords, assigning proctors to sessions."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from exam_server import current
from exam_server.errors import ExamError
from exam_server.security.login_keys import staff_key
from exam_server.services import sessions, users
from exam_server.web.admin.base import blueprint
from exam_server.web.admin.i18n import translate
from exam_server.web.admin.pages import done, form_status, run_action, services


@blueprint.get("/staff")
def staff_list():
    return staff_page()


def staff_page(status: int = 200, **context):
    ctx = services()
    accounts = users.list_users(ctx)
    guard = current.login_guard()
    for account in accounts:
        account["locked_for"] = guard.locked_for(staff_key(account["username"]))
    return render_template("admin/staff.html", accounts=accounts, roles=users.ROLES,
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


@blueprint.post("/staff/<int:user_id>/login-lock")
def staff_unlock(user_id: int):
    """Lift the sign-in lock someone else's wrong passwords put on this account (audited)."""
    def unlock():
        username = users.record_login_unlock(services(), g.staff, user_id, request.remote_addr or "")
        current.login_guard().clear(staff_key(username))

    return run_action(unlock, translate("Kunci masuk akun dibuka."), url_for("admin.staff_list"))


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
