"""Bad input is refused with exit 2, a message that says where, and nothing written."""
from __future__ import annotations

import pytest

from tests.integration.conftest import initialised
from tests.integration.helpers import BLUEPRINT, GIFT_BANK, write_blueprint

pytestmark = pytest.mark.slow


@pytest.fixture
def ready(exam_cli, tmp_path):
    initialised(exam_cli)
    bank = tmp_path / "umum.gift"
    bank.write_text(GIFT_BANK, encoding="utf-8")
    exam_cli("import-bank", str(bank), "--bank", "umum", check=True)
    return exam_cli


def test_a_malformed_gift_file_is_refused_whole_with_every_problem_located(ready, tmp_path):
    bad = tmp_path / "rusak.gift"
    bad.write_text(
        "::ok:: Pertanyaan yang baik {=benar ~salah}\n\n"
        "::tanpa-kunci:: Tidak ada jawaban benar {~a ~b}\n\n"
        "::bobot:: Bobot aneh {=a ~%abc%b}\n\n"
        "::terbuka:: Kurung tidak ditutup {=a ~b\n",
        encoding="utf-8")
    before = ready("banks", "--json", check=True).out
    run = ready("import-bank", str(bad), "--bank", "baru")
    assert run.code == 2, run.err
    assert "Traceback" not in run.err
    assert "rusak.gift:3" in run.err and "rusak.gift:5" in run.err and "rusak.gift:7" in run.err
    assert ready("banks", "--json", check=True).out == before


def test_a_blueprint_with_several_mistakes_reports_them_all(ready, tmp_path):
    text = BLUEPRINT.replace('duration_minutes = 30', 'duration_minutes = -5\ncolour = "red"') \
                    .replace('count = 4', 'count = 40').replace('bank = "umum"\ncategory = "Lanjut"', 'bank = "hilang"')
    run = ready("create-exam", str(write_blueprint(tmp_path, text)))
    assert run.code == 2, run.err
    assert "Traceback" not in run.err
    assert "blueprint.toml" in run.err
    assert "duration_minutes" in run.err and "colour" in run.err
    assert ready("create-exam", str(write_blueprint(tmp_path, BLUEPRINT.replace("count = 4", "count = 40")))).code == 2


def test_a_section_asking_for_more_items_than_its_category_holds_is_refused(ready, tmp_path):
    run = ready("create-exam", str(write_blueprint(tmp_path, BLUEPRINT.replace("count = 4", "count = 6"))))
    assert run.code == 2
    assert "sections[1]" in run.err or "Dasar" in run.err
    assert "5" in run.err  # how many the category holds


def test_a_roster_with_problems_opens_no_session(ready, tmp_path):
    ready("create-exam", str(write_blueprint(tmp_path)), check=True)
    roster = tmp_path / "peserta.csv"
    roster.write_text("participant_number,name\nP-1,Ani\nP-1,Budi\n,Citra\n", encoding="utf-8")
    run = ready("create-session", "--exam", "UJI-1", "--name", "Sesi", "--candidates", str(roster))
    assert run.code == 2
    assert "peserta.csv:3" in run.err and "peserta.csv:4" in run.err


def test_an_unknown_setting_stops_the_command_with_its_name(exam_cli, monkeypatch):
    exam_cli.database_url = exam_cli.database_url
    env_run = exam_cli.env()
    env_run["EXAM_DATABSE_URL"] = "x"
    import subprocess
    import sys

    process = subprocess.run([sys.executable, "-m", "exam_server", "init", "--data", str(exam_cli.data_dir)],
                             env=env_run, capture_output=True, text=True)
    assert process.returncode == 2
    assert "EXAM_DATABSE_URL" in process.stderr
