"""Word banks through the command: the template, the sample, and a refused document that stores nothing."""
from __future__ import annotations

import io

import docx
import pytest

from tests.conftest import QUESTION_BANKS
from tests.integration.conftest import ExamCli, initialised

pytestmark = pytest.mark.slow


@pytest.fixture
def cli(tmp_path, database_url):
    return initialised(ExamCli(tmp_path / "data", database_url))


def test_the_word_template_and_the_sample_import_with_their_format_guessed(cli, tmp_path):
    template = tmp_path / "templat.docx"
    cli("bank-template", "--format", "docx", "--out", str(template), check=True)
    report = cli("import-bank", str(template), "--bank", "contoh-word", "--json", check=True).json()
    assert (report["format"], report["imported"], report["skipped"]) == ("docx", 3, [])
    sample = QUESTION_BANKS / "contoh-word" / "contoh-bank-soal.docx"
    report = cli("import-bank", str(sample), "--json", check=True).json()
    assert (report["bank"], report["imported"], report["categories"]) == ("contoh-bank-soal", 15, {"TKP": 5, "TWK": 10})


def test_a_malformed_document_is_refused_whole_naming_the_question_and_its_line(cli, tmp_path):
    document = docx.Document()
    for text in ("1. Ibu kota Indonesia?", "A. Jakarta", "B. Bandung", "Kunci: A",
                 "2. Lambang sila pertama?", "A. Bintang", "B. Rantai", "Kunci: F"):
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    bad = tmp_path / "soal.docx"
    bad.write_bytes(buffer.getvalue())
    run = cli("import-bank", str(bad), "--format", "docx")
    assert run.code == 2
    assert "soal.docx:8: soal 2: opsi F tidak ada / option F missing (options are A-B): 'Kunci: F'" in run.err
    assert cli("banks", "--json", check=True).json() == []
