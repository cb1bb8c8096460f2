"""import-bank and export-bank through the command, with the sample banks, the shared real files and hostile ones."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.conftest import HANDMADE, QUESTION_BANKS, ROOT
from tests.integration.conftest import ExamCli, initialised

pytestmark = pytest.mark.slow

HOSTILE = sorted(p for p in (ROOT / "tests/unit/hostile").rglob("*") if p.is_file() and p.suffix != ".md")
SAMPLES = [
    ("ujian-dinas/ud-twk.gift", "gift", 47),
    ("ujian-dinas/ud-tsi.gift", "gift", 41),
    ("ujian-penyesuaian/upkp-tkt.csv", "csv", 50),
    ("ujian-penyesuaian/upkp-twk.aiken.txt", "aiken", 15),
]


@pytest.fixture
def cli(tmp_path, database_url):
    return initialised(ExamCli(tmp_path / "data", database_url))


@pytest.mark.parametrize("relative, fmt, count", SAMPLES)
def test_the_sample_banks_import_with_their_format_guessed(cli, relative, fmt, count):
    report = cli("import-bank", str(QUESTION_BANKS / relative), "--json", check=True).json()
    assert report["format"] == fmt and report["imported"] == count and report["skipped"] == []


def test_a_second_import_makes_a_version_and_an_identical_one_changes_nothing(cli, tmp_path):
    source = QUESTION_BANKS / "ujian-dinas/ud-twk.gift"
    first = cli("import-bank", str(source), "--bank", "twk", "--json", check=True).json()
    same = cli("import-bank", str(source), "--bank", "twk", "--json", check=True).json()
    assert (first["version"], same["version"], same["unchanged"]) == (1, 1, True)
    changed = tmp_path / "twk.gift"
    changed.write_text(source.read_text(encoding="utf-8").replace("::TWK-001::", "::TWK-001-revisi::", 1), encoding="utf-8")
    assert cli("import-bank", str(changed), "--bank", "twk", "--json", check=True).json()["version"] == 2
    versions = cli("banks", "--json", check=True).json()[0]["versions"]
    assert [(v["version"], v["items"], v["categories"]) for v in versions] == [(1, 47, {"TWK": 47}), (2, 47, {"TWK": 47})]


def test_dry_run_reports_and_writes_nothing(cli):
    report = cli("import-bank", str(QUESTION_BANKS / "ujian-dinas/ud-tpu.gift"), "--dry-run", "--json", check=True).json()
    assert report["imported"] == 49
    assert cli("banks", "--json", check=True).json() == []


def test_strict_refuses_a_file_with_items_that_would_be_skipped(cli, fixtures_dir):
    mixed = fixtures_dir / "gift/moodle/questions.gift.txt"
    loose = cli("import-bank", str(mixed), "--bank", "campur", "--format", "gift", "--json", check=True).json()
    assert loose["imported"] == 4 and len(loose["skipped"]) == 5
    assert all({"item", "line", "reason"} <= set(s) for s in loose["skipped"])
    strict = cli("import-bank", str(mixed), "--bank", "ketat", "--format", "gift", "--strict")
    assert strict.code == 2 and "Traceback" not in strict.err
    assert [b["code"] for b in cli("banks", "--json", check=True).json()] == ["campur"]


@pytest.mark.parametrize("fmt", ["gift", "qti", "xlsx"])
def test_an_exported_bank_imports_back_to_the_same_items(cli, tmp_path, fmt):
    cli("import-bank", str(QUESTION_BANKS / "ujian-penyesuaian/upkp-tsi.csv"), "--bank", "asal", check=True)
    out = tmp_path / f"keluar.{'zip' if fmt == 'qti' else fmt}"
    cli("export-bank", "asal", "--format", fmt, "--out", str(out), check=True)
    back = cli("import-bank", str(out), "--bank", "kembali", "--json", check=True).json()
    assert back["imported"] == 41 and back["skipped"] == []
    from exam_server.config import load_settings
    from exam_server.services.banks import bank_items
    from exam_server.composition import build_services

    services = build_services(load_settings({"data_dir": cli.data_dir, "database_url": cli.database_url}, environ={}))
    original, _ = bank_items(services, "asal")
    returned, _ = bank_items(services, "kembali")
    services.close()
    assert [(i.stem, [(o.text, o.weight, o.fixed) for o in i.options], i.category) for i in returned] == \
           [(i.stem, [(o.text, o.weight, o.fixed) for o in i.options], i.category) for i in original]


def test_the_spreadsheet_template_imports_as_a_bank(cli, tmp_path):
    for fmt in ("csv", "xlsx"):
        template = tmp_path / f"template.{fmt}"
        cli("bank-template", "--format", fmt, "--out", str(template), check=True)
        assert cli("import-bank", str(template), "--bank", f"contoh-{fmt}", "--json", check=True).json()["imported"] >= 2


@pytest.fixture
def sqlite_cli(tmp_path):
    # The refusal happens before any database work: one backend is enough here.
    return initialised(ExamCli(tmp_path / "data", f"sqlite:///{tmp_path / 'exam.db'}"))


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda p: p.name)
def test_a_hostile_file_is_refused_cleanly_within_limits(sqlite_cli, hostile):
    cli = sqlite_cli  # a fresh data folder: no bank yet
    # The command reports its own peak memory on the way out, from /proc (getrusage would count the forked
    # test process's memory too: Linux keeps the pre-exec high-water mark in ru_maxrss).
    wrapper = ("import re, runpy, sys\n"
               "sys.argv = ['exam-server', 'import-bank', sys.argv[1], '--bank', 'jahat', '--data', sys.argv[2]]\n"
               "try:\n    runpy.run_module('exam_server', run_name='__main__')\n"
               "finally:\n    peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
               "    sys.stderr.write(f'\\npeak-kib {peak}\\n')\n")
    started = time.perf_counter()
    process = subprocess.run([sys.executable, "-c", wrapper, str(hostile), str(cli.data_dir)],
                             capture_output=True, text=True, env=cli.env(), timeout=60)
    elapsed = time.perf_counter() - started
    peak_kib = int(process.stderr.rsplit("peak-kib", 1)[1])
    assert process.returncode in (0, 2), process.stderr
    assert "Traceback" not in process.stderr
    if process.returncode == 2:
        assert "error:" in process.stderr.rsplit("peak-kib", 1)[0], "a refusal says why"
        assert cli("banks", "--json", check=True).json() == []
    assert peak_kib < 256 * 1024, f"{hostile.name}: {peak_kib // 1024} MiB"
    print(f"{hostile.name}: exit {process.returncode} in {elapsed:.2f} s, peak {peak_kib // 1024} MiB")



def test_a_file_with_nothing_deliverable_says_why_for_every_question(sqlite_cli):
    run = sqlite_cli("import-bank", str(HANDMADE / "nothing_deliverable.xml"), "--json")
    assert run.code == 2 and "Traceback" not in run.err
    report = json.loads(run.out)
    assert (report["bank"], report["version"], report["imported"]) == ("nothing_deliverable", None, 0)
    reasons = {s["item"]: s["reason"] for s in report["skipped"]}
    assert "https://example.com/peta.png is not inside the file" in reasons["Peta dari web"]
    assert reasons["Isian"].startswith("cloze (embedded answers) questions are not delivered")
    assert reasons["Seret kata"].startswith("drag and drop into text questions are not delivered")
    lines = run.err.splitlines()
    assert lines[0] == ("error: nothing_deliverable.xml: no deliverable item found (only single-answer multiple "
                        "choice and true/false are delivered):")
    assert lines[1].startswith("  nothing_deliverable.xml:4 (/quiz/question[1]): Peta dari web: the image")
    assert len(lines) == 4 and sqlite_cli("banks", "--json", check=True).json() == []


def test_a_lone_qti_item_whose_picture_is_not_beside_it_names_the_picture(sqlite_cli, fixtures_dir):
    item = fixtures_dir / "qti21/onyx-sachsen-test/Choicesingle_853928446.xml"
    run = sqlite_cli("import-bank", str(item))
    assert run.code == 2 and run.out == ""
    assert "Choicesingle_853928446.xml:" in run.err and "media/3d92a0b7b7be4480a582f62ce823d908.jpg" in run.err
