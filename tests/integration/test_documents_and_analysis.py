"""Printed cards, result lists and the committee's item analysis, from a real sitting."""
from __future__ import annotations

import csv
import io

import pytest

from exam_server.services import answering, attempts
from tests.integration.conftest import ExamCli
from tests.integration.helpers import ROSTER, write_blueprint

pytestmark = pytest.mark.slow


def finish_everyone(services, exam_session, right_for):
    """Each candidate answers; those in ``right_for`` pick the options whose text starts with 'Benar'."""
    for number, password in exam_session["passwords"].items():
        attempt_id = attempts.login(services, exam_session["session_token"], number, password)["attempt_id"]
        attempts.start(services, attempt_id)
        for seq, item in enumerate(attempts.form(services, attempt_id)["items"], start=1):
            correct = next(o["key"] for o in item["options"] if o["text"].startswith("Benar"))
            wrong = next(o["key"] for o in item["options"] if not o["text"].startswith("Benar"))
            answering.answer(services, attempt_id, item["position"], correct if number in right_for else wrong, seq)
        answering.submit(services, attempt_id)


def test_results_export_as_pdf_and_cards_print_for_a_new_session(services, exam_session, tmp_path, database_url):
    finish_everyone(services, exam_session, right_for={"P-001"})
    cli = ExamCli(tmp_path / "data", database_url)
    out = tmp_path / "hasil.pdf"
    cli("results", str(exam_session["session_id"]), "--format", "pdf", "--out", str(out), check=True)
    assert out.read_bytes().startswith(b"%PDF-")
    roster = tmp_path / "peserta.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    cards = tmp_path / "kartu.pdf"
    cli("create-session", "--exam", "UJI-1", "--name", "Sesi 2", "--candidates", str(roster), "--cards-out", str(cards), check=True)
    assert cards.read_bytes().startswith(b"%PDF-") and oct(cards.stat().st_mode)[-3:] == "600"


def test_the_item_analysis_flags_what_the_committee_must_look_at(services, exam_session, tmp_path, database_url):
    finish_everyone(services, exam_session, right_for={"P-001", "P-002"})
    cli = ExamCli(tmp_path / "data", database_url)
    out = tmp_path / "analisis.csv"
    report = cli("analysis", str(exam_session["session_id"]), "--out", str(out), "--json", check=True).json()
    assert report["candidates"] == 3
    assert {s["section"] for s in report["sections"]} == {"Dasar", "Lanjut"}
    for row in report["items"]:
        assert 0 <= row["facility"] <= 1
        assert row["title"] and row["stem"]
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == len(report["items"]) and "choice_counts" in rows[0]
    assert sum(b["count"] for b in report["histogram"]) == 3
