"""The data folder is private: folders 0700, files 0600 (keys, SQLite database and its journal, staged files)."""
from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from tests.conftest import QUESTION_BANKS
from exam_server.security.private_files import sqlite_file
from tests.integration.conftest import ExamCli, ServerProcess, build_data
from tests.integration.helpers import BLUEPRINT
from tests.integration.sockets import logged_in_candidate
from tests.integration.test_admin_http import AdminBrowser

pytestmark = pytest.mark.slow


def _modes(data_dir: Path) -> dict[str, int]:
    modes = {".": stat.S_IMODE(data_dir.stat().st_mode)}
    for root, folders, files in os.walk(data_dir):
        for name in folders + files:
            path = Path(root) / name
            modes[str(path.relative_to(data_dir))] = stat.S_IMODE(path.lstat().st_mode)
    return modes


def _assert_private(data_dir: Path, *, expected: set[str]) -> None:
    modes = _modes(data_dir)
    assert expected <= set(modes), sorted(modes)
    loose = {name: oct(mode) for name, mode in modes.items()
             if mode != (0o700 if (data_dir / name).is_dir() else 0o600)}
    assert loose == {}


def test_init_creates_a_private_data_folder_with_its_embedded_database(tmp_path):
    ExamCli(tmp_path / "data", "")("init", check=True)  # no DATABASE_URL: SQLite inside the data folder
    _assert_private(tmp_path / "data", expected={".", "bank.key", "secret.key", "password.key", "signing-keys",
                                                 "signing-keys/current", "exam.db"})


def test_a_server_tightens_an_old_folder_and_keeps_what_it_writes_private(exam_cli, tmp_path, database_url):
    # Written by this test process, with its own umask (not a copy of data prepared earlier).
    opened = build_data(exam_cli.data_dir, exam_cli.database_url, BLUEPRINT)
    os.chmod(exam_cli.data_dir, 0o755)
    os.chmod(exam_cli.data_dir / "signing-keys", 0o755)
    server = ServerProcess(exam_cli.data_dir, exam_cli.database_url).start()
    server.session = opened
    try:
        admin = AdminBrowser(server.url)
        assert admin.sign_in("admin", "sandi-admin-1").status_code == 303
        with (QUESTION_BANKS / "ujian-dinas" / "ud-twk.gift").open("rb") as handle:
            assert admin.submit("/admin/banks/upload", {"format": "", "bank_code": ""},
                                {"bank_file": ("ud-twk.gift", handle)}).status_code == 303
        new_session = admin.submit("/admin/sessions", {"exam": "UJI-1", "name": "Sesi baru"},
                                   {"candidates": ("peserta.csv", io.BytesIO(b"participant_number,name\nQ-1,Ani\n"))})
        assert new_session.status_code == 303
        candidate = logged_in_candidate(server, "P-001")
        candidate.call("start")
        assert candidate.call("answer", {"position": 1, "choice": "A", "seq": 1})["saved"]
        exam_cli("results", str(opened["session_id"]), "--format", "csv", "--out",
                 str(exam_cli.data_dir / "hasil.csv"), check=True)  # an export written into the data folder
        _assert_private(exam_cli.data_dir, expected={".", "admin-temp", "signing-keys", "hasil.csv"})
        database = sqlite_file(database_url)
        if database is not None:  # the test's database sits beside the data folder: tightened all the same
            journal = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
            assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in journal} == {"0o600"}  # still open: WAL in use
        candidate.close()
    finally:
        server.stop()
