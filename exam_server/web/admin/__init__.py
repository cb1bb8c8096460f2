"""Administration pages at /admin: banks, exams, sessions, results, item analysis, staff.

Every page is rendered on the server and works without JavaScript; every
action calls the same service the ``exam-server`` command calls, so the
pages can do what the command line does and nothing different. These modules
only read forms, call one service, and shape the answer:

- sign-in is for administrators (proctors are sent to /proctor), behind
  the API's rate limit and lockout, and the account is checked against the
  database on every request (a disabled account is signed out at once);
  signing out ends every token of the account;
- every form carries a CSRF token (Flask-WTF), checked for /admin only: the
  JSON API and Socket.IO authenticate with bearer tokens, not cookies;
- files that must outlive one request (a bank waiting for "confirm import",
  login cards and credentials offered once) live in the data folder under a
  random name held in the signed session cookie, sealed with the bank key,
  and are deleted after use or after an hour (``staged_file_seconds``, swept
  by the server in the background). Nothing the browser sends back is
  trusted as content;
- every answer carries strict security headers (no inline script or style).

This module holds the blueprint, its CSRF set-up, its error pages, and
registers the route modules: ``auth`` (sign-in and the guard), ``banks``,
``exams`` (and the overview), ``sessions`` and ``staff``. The helpers they
share are in ``pages``, ``i18n``, ``files`` and ``charts``; the templates and
static files stay in ``exam_server/web``.
"""
from __future__ import annotations

import logging

from flask import Blueprint, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from exam_server.errors import ExamError
from exam_server.web.admin.i18n import FLAG_LABELS, ROLE_LABELS, STATUS_LABELS, choose_language, language, translate
from exam_server.web.admin.pages import STATIC, TEMPLATES, asset_url, page_globals, secure
from exam_server.web.api import blueprint as api_blueprint

__all__ = ["blueprint", "csrf", "STATUS_LABELS", "ROLE_LABELS", "FLAG_LABELS", "asset_url", "choose_language",
           "language", "secure", "translate"]

log = logging.getLogger("exam_server.web.admin")

# Folders given as absolute paths: this package sits one level below the templates and static files.
blueprint = Blueprint("admin", __name__, url_prefix="/admin", template_folder=str(TEMPLATES),
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


blueprint.context_processor(page_globals)
blueprint.after_request(secure)


# ---------------------------------------------------------------- errors


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


# ---------------------------------------------------------------- pages

# Importing a route module registers its pages on ``blueprint``, so this comes after it is made.
from exam_server.web.admin import auth, banks, exams, review, sessions, staff  # noqa: E402,F401
