"""The admin blueprint itself: its CSRF set-up, security headers and error pages.

The route modules (``auth``, ``banks``, ``exams``, ``sessions``, ``staff``)
register their pages on ``blueprint``; the package imports them.
"""
from __future__ import annotations

import logging

from flask import Blueprint, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from exam_server.errors import ExamError
from exam_server.web.admin.i18n import translate
from exam_server.web.admin.pages import STATIC, TEMPLATES, page_globals, secure
from exam_server.web.api import blueprint as api_blueprint

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
