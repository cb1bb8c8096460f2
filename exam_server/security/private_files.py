"""The data folder is the server's alone: keys, the SQLite database, staged uploads, exports.

Every process that works on it creates files readable by its own user only
(umask 077), and ``init`` and ``serve`` also tighten what an older version or
another tool left behind: folders 0700, files 0600.
"""
from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path

log = logging.getLogger("exam_server.security")

PRIVATE_UMASK = 0o077
FOLDER_MODE = 0o700
FILE_MODE = 0o600
_SQLITE_URL = re.compile(r"^sqlite(?:\+\w+)?:///(.*)$")


def private_umask() -> None:
    """Every file and folder this process creates from now on is its user's only."""
    os.umask(PRIVATE_UMASK)


def make_private(settings) -> None:
    """Create the data folder if needed, and make it, everything in it, and an SQLite database
    kept elsewhere (DATABASE_URL) private."""
    private_umask()
    _private_folder(settings.data_dir)
    database = sqlite_file(settings.resolved_database_url)
    if database is not None:
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            if path.exists():
                _tighten(path, FILE_MODE)


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (sqlite:///relative or sqlite:////absolute), None for anything else."""
    found = _SQLITE_URL.match(url)
    name = found.group(1).split("?", 1)[0] if found else ""
    return Path(name) if name and name != ":memory:" else None


def _private_folder(data_dir: Path) -> None:
    data_dir.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _tighten(data_dir, FOLDER_MODE)
    for root, folders, files in os.walk(data_dir):
        for name in folders:
            _tighten(Path(root) / name, FOLDER_MODE)
        for name in files:
            _tighten(Path(root) / name, FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode) or stat.S_IMODE(info.st_mode) == mode:
            return  # a link is not followed
        path.chmod(mode)
    except OSError as exc:  # another user's file: say so, the server still starts
        log.warning("cannot make %s private (%s); do it by hand: chmod %o", path, exc.strerror, mode)
