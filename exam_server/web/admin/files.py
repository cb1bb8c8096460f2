"""Files of the admin pages: the short-lived store (staged uploads, one-time downloads) and sending a download."""
from __future__ import annotations

import re

from flask import current_app, session

from exam_server.services.staged_files import StagedFiles, staged_files
from exam_server.web.admin.pages import services

RESULT_FORMATS = {"json": "application/json", "csv": "text/csv; charset=utf-8",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


def temp_files() -> StagedFiles:
    return staged_files(services())


def remember(kind: str, key: str, keep: int = 12) -> None:
    """Tie a temporary file to this browser's session (the newest few of each kind)."""
    session[kind] = ([k for k in session.get(kind, []) if k != key] + [key])[-keep:]


def owned(kind: str, key: str) -> bool:
    return key in session.get(kind, [])


def download(data: bytes, filename: str, media_type: str):
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", filename)  # a header value: nothing that could end or split it
    response = current_app.response_class(data, mimetype=media_type.split(";")[0])
    if ";" in media_type:
        response.headers["Content-Type"] = media_type
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
