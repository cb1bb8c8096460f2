"""Exported files opened with their readers carry the same numbers as the scores; the minutes hold the day."""
from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from exam_server.services import alerts, answering, attempts, proctoring, users
from tests.integration.conftest import ExamCli

pytestmark = pytest.mark.slow


@pytest.fixture
def sitting(services, exam_session, tmp_path, database_url):
    """P-001 answers everything right, P-002 everything wrong, P-003 never comes; a proctor pauses and resumes P-002."""
    scores = {}
    users.add_user(services, "admin", "kepala", "sandi-kepala-1")
    actor = proctoring.Actor(users.staff_from_token(services, users.authenticate(services, "kepala", "sandi-kepala-1")["token"]),
                             "10.1.2.3")
    for number, right in (("P-001", True), ("P-002", False)):
        attempt_id = attempts.login(services, exam_session["session_token"], number, exam_session["passwords"][number])["attempt_id"]
        attempts.start(services, attempt_id)
        if number == "P-002":
            proctoring.pause(services, actor, {"attempt_id": attempt_id, "reason": "listrik padam"})
            proctoring.resume(services, actor, {"attempt_id": attempt_id})
            event = attempts.report(services, attempt_id, "focus_lost", "alt-tab")
            alerts.raise_alert(services, attempt_id, event["type"], event["detail"], category="candidate")
        for seq, item in enumerate(attempts.form(services, attempt_id)["items"], start=1):
            key = next(o["key"] for o in item["options"] if o["text"].startswith("Benar") == right)
            answering.answer(services, attempt_id, item["position"], key, seq)
        scores[number] = answering.submit(services, attempt_id)["result"]
    return ExamCli(tmp_path / "data", database_url), exam_session, scores


def comma(points: str) -> str:
    return points.replace(".", ",")


def test_csv_xlsx_and_pdf_results_show_the_scores(sitting, tmp_path):
    cli, opened, scores = sitting
    sid = str(opened["session_id"])
    for fmt in ("csv", "xlsx", "pdf"):
        cli("results", sid, "--format", fmt, "--out", str(tmp_path / f"hasil.{fmt}"), check=True)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "hasil.csv").read_text(encoding="utf-8-sig"))))
    sheet = load_workbook(tmp_path / "hasil.xlsx").active
    header = [cell.value for cell in sheet[1]]
    table = [dict(zip(header, [cell.value for cell in row])) for row in sheet.iter_rows(min_row=2)]
    text = "\n".join(page.extract_text() for page in PdfReader(tmp_path / "hasil.pdf").pages)
    for number, result in scores.items():
        in_csv = next(r for r in rows if r["participant_number"] == number)
        in_xlsx = next(r for r in table if r["participant_number"] == number)
        assert in_csv["total"] == in_xlsx["total"] == result["total"]
        for section in result["sections"]:
            assert in_csv[f"{section['name']} points"] == in_xlsx[f"{section['name']} points"] == section["points"]
        line = next(line for line in text.splitlines() if number in line)
        # The PDF is for people: Indonesian decimal comma (24,00), the files keep the points as stored.
        assert comma(result["total"]) in line and all(comma(s["points"]) in line for s in result["sections"])
    assert scores["P-001"]["total"] == "24.00"  # 4 x 5 right/wrong + 2 x 2 weighted


def test_flipping_one_bit_of_a_signature_or_a_score_fails_verification(sitting, tmp_path):
    import base64

    cli, opened, _ = sitting
    cli("publish", str(opened["session_id"]), check=True)
    out = tmp_path / "hasil.json"
    cli("results", str(opened["session_id"]), "--format", "json", "--out", str(out), check=True)
    original = json.loads(out.read_text())
    signature = bytearray(base64.b64decode(original["results"][0]["signature"]))
    signature[10] ^= 0x01
    flipped = json.loads(out.read_text())
    flipped["results"][0]["signature"] = base64.b64encode(bytes(signature)).decode()
    out.write_text(json.dumps(flipped))
    assert cli("verify", str(out)).code == 3
    passed = json.loads(json.dumps(original))
    passed["results"][1]["passed"] = not passed["results"][1]["passed"]
    out.write_text(json.dumps(passed))
    assert cli("verify", str(out)).code == 3
    out.write_text(json.dumps(original))
    assert cli("verify", str(out)).code == 0


def test_the_minutes_hold_attendance_controls_with_reasons_and_alerts(sitting, tmp_path):
    cli, opened, _ = sitting
    sid = str(opened["session_id"])
    cli("minutes", sid, "--format", "json", "--out", str(tmp_path / "ba.json"), check=True)
    cli("minutes", sid, "--format", "csv", "--out", str(tmp_path / "ba.csv"), check=True)
    cli("minutes", sid, "--format", "pdf", "--out", str(tmp_path / "ba.pdf"), check=True)
    minutes = json.loads((tmp_path / "ba.json").read_text())
    assert [(a["participant_number"], a["present"]) for a in minutes["attendance"]] == [
        ("P-001", True), ("P-002", True), ("P-003", False)]
    assert [(c["action"], c["target"], c["reason"], c["by"], c["from"]) for c in minutes["controls"]] == [
        ("pause", "P-002", "listrik padam", "kepala", "10.1.2.3"), ("resume", "P-002", "", "kepala", "10.1.2.3")]
    assert [(a["participant_number"], a["type"], a["category"], a["detail"]) for a in minutes["alerts"]] == [
        ("P-002", "focus_lost", "candidate", "alt-tab")]
    assert minutes["session"]["first_start"] and minutes["session"]["last_end"]
    rows = list(csv.DictReader(io.StringIO((tmp_path / "ba.csv").read_text(encoding="utf-8-sig"))))
    assert {r["part"] for r in rows} >= {"attendance", "control"}
    text = "\n".join(page.extract_text() for page in PdfReader(tmp_path / "ba.pdf").pages)
    assert "BERITA ACARA" in text and "listrik padam" in text and "P-003" in text
