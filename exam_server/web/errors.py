"""The one place where errors become HTTP answers: JSON under /api, plain pages elsewhere."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from exam_server.errors import Busy, ExamError
from exam_server.i18n import translate
from exam_server.i18n.http import http_text

log = logging.getLogger("exam_server.web")


def error_response(code: str, message: str, status: int):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def error_page(status: int):
    """A page in Indonesian, with the English below it: whoever reached a wrong address is not signed in,
    so no language was chosen yet."""
    title, text = http_text(status, "id")
    title_en, text_en = http_text(status, "en")
    page = render_template("page_error.html", status=status, title=title, text=text, title_en=title_en,
                           text_en=text_en, home=translate("Ke halaman awal", "id"),
                           home_en=translate("Ke halaman awal", "en"))
    return page, status, {"Content-Security-Policy": "default-src 'none'; style-src 'self'", "X-Content-Type-Options": "nosniff"}


def register(app: Flask) -> None:
    @app.errorhandler(ExamError)
    def exam_error(exc: ExamError):
        response = error_response(exc.code, exc.message, exc.http_status)
        if isinstance(exc, Busy):  # 503: tell the client when asking again is worth it
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            code = (exc.name or "error").lower().replace(" ", "_")
            return error_response(code, exc.description or exc.name, exc.code or 500)
        return error_page(exc.code or 500)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response("internal_error", "the server failed to handle this request; it was logged", 500)
