"""Files of the admin pages: the short-lived store (staged uploads, one-time downloads) and sending a download."""
from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path

from flask import current_app, session

from exam_server.errors import NotFound
from exam_server.web.admin.pages import services

RESULT_FORMATS = {"json": "application/json", "csv": "text/csv; charset=utf-8",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


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


def download(data: bytes, filename: str, media_type: str):
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", filename)  # a header value: nothing that could end or split it
    response = current_app.response_class(data, mimetype=media_type.split(";")[0])
    if ";" in media_type:
        response.headers["Content-Type"] = media_type
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
