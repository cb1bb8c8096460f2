"""Files that wait in the data folder for a short while: staged bank uploads and one-time downloads.

A bank waiting for "confirm import" holds every question and its key; a
one-time download holds candidates' passwords. So each file is sealed with
the bank key (AES-256-GCM, as bank content is), bound to its random name and
kind, and deleted once used or once older than ``staged_file_seconds``: by
the next use of the store, and by the server's background sweep, so an upload
nobody confirms does not wait for a visitor to be removed.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path

from exam_server.errors import ExamError, NotFound

FOLDER = "admin-temp"


class StagedFiles:
    """Each file is named by a random key; its description (name, media type, and what the page needs)
    sits next to it. Only keys held in the signed session cookie of the browser that made them are opened."""

    _KEY = re.compile(r"^[0-9a-f]{32}$")

    def __init__(self, folder: Path, cipher, max_age_s: float):
        self.folder = folder
        self._cipher = cipher  # called when first needed: a sweep needs no key
        self.max_age_s = max_age_s

    def _paths(self, key: str) -> tuple[Path, Path]:
        if not isinstance(key, str) or not self._KEY.match(key):
            raise NotFound("no such file")
        return self.folder / f"{key}.bin", self.folder / f"{key}.json"

    def _seal(self, data: bytes, key: str, kind: str) -> bytes:
        # An empty blob (a page's record without content) stays empty: nothing to hide, and plainly so.
        return self._cipher().seal(data, f"staged:{key}:{kind}") if data else b""

    def _open(self, sealed: bytes, key: str, kind: str) -> bytes:
        return self._cipher().open(sealed, f"staged:{key}:{kind}") if sealed else b""

    def put(self, data: bytes, meta: dict) -> str:
        self.sweep()
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = secrets.token_hex(16)
        blob, about = self._paths(key)
        for path, content in ((blob, self._seal(data, key, "bin")),
                              (about, self._seal(json.dumps(meta).encode(), key, "json"))):
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(handle, "wb") as out:
                out.write(content)
        return key

    def meta(self, key: str) -> dict | None:
        try:
            _, about = self._paths(key)
            if time.time() - about.stat().st_mtime > self.max_age_s:
                self.discard(key)
                return None
            return json.loads(self._open(about.read_bytes(), key, "json"))
        except (OSError, ValueError, ExamError):  # gone, expired, or sealed with a key since rotated
            return None

    def data(self, key: str) -> bytes:
        return self._open(self._paths(key)[0].read_bytes(), key, "bin")

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

    def sweep(self) -> int:
        """Delete every file older than the age; returns how many were deleted."""
        if not self.folder.is_dir():
            return 0
        limit, deleted = time.time() - self.max_age_s, 0
        for path in self.folder.iterdir():
            try:
                if path.stat().st_mtime < limit:
                    path.unlink(missing_ok=True)
                    deleted += 1
            except OSError:
                pass
        return deleted


def staged_files(ctx) -> StagedFiles:
    return StagedFiles(Path(ctx.settings.data_dir) / FOLDER, lambda: ctx.cipher, ctx.settings.staged_file_seconds)
