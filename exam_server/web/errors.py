"""The one place where errors become HTTP answers: JSON under /api, plain pages elsewhere."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from exam_server.errors import ExamError

log = logging.getLogger("exam_server.web")


def error_response(code: str, message: str, status: int):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def register(app: Flask) -> None:
    @app.errorhandler(ExamError)
    def exam_error(exc: ExamError):
        return error_response(exc.code, exc.message, exc.http_status)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            code = (exc.name or "error").lower().replace(" ", "_")
            return error_response(code, exc.description or exc.name, exc.code or 500)
        return exc

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response("internal_error", "the server failed to handle this request; it was logged", 500)
