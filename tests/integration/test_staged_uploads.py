"""A bank upload waiting for "confirm import" is sealed on disk, and swept when nobody confirms it."""
from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest

from tests.integration.conftest import ServerProcess, prepare_data
from tests.integration.test_admin_http import AdminBrowser

pytestmark = pytest.mark.slow

AGE_SECONDS = 3
STEM = "Sungai terpanjang di Pulau Kalimantan adalah"
KEY_TEXT = "Kapuas mengalir ke Selat Karimata"
SECRET_BANK = f"::R1:: {STEM} {{={KEY_TEXT} ~Mahakam ~Barito}}\n\n::R2:: Danau terluas {{=Toba ~Singkarak}}\n"


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _holding(folder: Path, text: str) -> list[Path]:
    needle = text.encode()
    return [p for p in _files(folder) if needle in p.read_bytes()]


def _staged(data_dir: Path) -> list[Path]:
    folder = data_dir / "admin-temp"
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def server(exam_cli, tmp_path):
    prepare_data(exam_cli, tmp_path)
    leftover = exam_cli.data_dir / "admin-temp" / ("0" * 32 + ".bin")  # left by an earlier run, long expired
    leftover.parent.mkdir(mode=0o700, exist_ok=True)
    leftover.write_bytes(SECRET_BANK.encode())
    os.utime(leftover, (time.time() - 2 * AGE_SECONDS, time.time() - 2 * AGE_SECONDS))
    process = ServerProcess(exam_cli.data_dir, exam_cli.database_url,
                            extra_env={"EXAM_STAGED_FILE_SECONDS": str(AGE_SECONDS)}).start()
    yield process
    process.stop()


def test_a_staged_upload_is_sealed_and_swept_when_never_confirmed(server):
    assert not (server.data_dir / "admin-temp" / ("0" * 32 + ".bin")).exists()  # swept at start
    admin = AdminBrowser(server.url)
    assert admin.sign_in("admin", "sandi-admin-1").status_code == 303
    checked = admin.submit("/admin/banks/upload", {"format": "gift", "bank_code": "rahasia"},
                           {"bank_file": ("rahasia.gift", io.BytesIO(SECRET_BANK.encode()))})
    assert checked.status_code == 303
    assert "2 soal akan diimpor" in admin.get("/admin/banks/review").text  # the server reads its sealed copy
    assert len(_staged(server.data_dir)) == 2
    assert _holding(server.data_dir, STEM) == [] and _holding(server.data_dir, KEY_TEXT) == []

    deadline = time.monotonic() + AGE_SECONDS + 5
    while _staged(server.data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _staged(server.data_dir) == []  # by the background sweep: no page was visited meanwhile
    gone = admin.submit("/admin/banks/confirm", follow=True)
    assert "Tidak ada unggahan yang menunggu" in gone.text
    assert "rahasia" not in admin.get("/admin/banks").text.split("Bank tersimpan")[1]
    admin.close()
