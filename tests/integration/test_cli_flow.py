"""From init to results through the exam-server command, on SQLite and on PostgreSQL."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from tests.integration.helpers import GIFT_BANK, ROSTER, in_process_services, write_blueprint

pytestmark = pytest.mark.slow


@pytest.fixture
def prepared(exam_cli, tmp_path):
    exam_cli("init", check=True)
    bank = tmp_path / "pengetahuan.gift"
    bank.write_text(GIFT_BANK, encoding="utf-8")
    imported = exam_cli("import-bank", str(bank), "--bank", "umum", "--json", check=True).json()
    assert imported["bank"] == "umum" and imported["version"] == 1 and imported["imported"] == 8
    blueprint = write_blueprint(tmp_path)
    assert exam_cli("create-exam", str(blueprint), check=True).out.strip() == "UJI-1"
    exam_cli("add-user", "--role", "proctor", "--username", "pengawas1", input="rahasia-sekali\n", check=True)
    roster = tmp_path / "peserta.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    creds = tmp_path / "creds.csv"
    opened = exam_cli("create-session", "--exam", "UJI-1", "--name", "Sesi 1", "--hall", " Cendana ",
                      "--candidates", str(roster), "--proctor", "pengawas1", "--seed", "42",
                      "--credentials-out", str(creds), "--json",
                      check=True).json()
    return opened, creds


def test_init_is_safe_to_run_again(exam_cli):
    first = exam_cli("init", "--json", check=True).json()
    again = exam_cli("init", "--json", check=True).json()
    assert set(first["created_keys"]) >= {"bank.key", "secret.key", "password.key"}
    assert again["created_keys"] == []


def test_a_session_opens_with_credentials_for_every_candidate(exam_cli, prepared):
    opened, creds = prepared
    assert opened["candidates"] == 3 and len(opened["session_token"]) == 6 and opened["hall"] == "Cendana"
    rows = list(csv.DictReader(creds.open()))
    assert [r["participant_number"] for r in rows] == ["P-001", "P-002", "P-003"]
    assert rows[0]["password"] == "sandi-p001"  # given in the roster
    assert len(rows[1]["password"]) == 13  # generated: 64 random bits


def test_banks_lists_versions_and_categories(exam_cli, prepared):
    banks = exam_cli("banks", "--json", check=True).json()
    assert banks == [{"code": "umum", "versions": [{**banks[0]["versions"][0], "version": 1, "format": "gift",
                                                   "items": 8, "categories": {"Dasar": 5, "Lanjut": 3}}]}]


def test_results_reflect_the_answers_given(exam_cli, prepared, tmp_path):
    opened, creds = prepared
    services = in_process_services(exam_cli)
    from exam_server.services import answering, attempts

    login = attempts.login(services, opened["session_token"], "P-001", "sandi-p001")
    attempts.start(services, login["attempt_id"])
    form = attempts.form(services, login["attempt_id"])["items"]
    # Answer every item correctly, knowing the bank: the correct option's text starts with "Benar".
    for item in form:
        key = next(o["key"] for o in item["options"] if o["text"].startswith("Benar"))
        assert answering.answer(services, login["attempt_id"], item["position"], key, item["position"])["saved"]
    answering.submit(services, login["attempt_id"])
    services.close()

    out = tmp_path / "results.json"
    exam_cli("results", str(opened["session_id"]), "--format", "json", "--out", str(out), check=True)
    document = json.loads(out.read_text())
    assert document["session_id"] == opened["session_id"]
    first = document["results"][0]
    assert first["participant_number"] == "P-001" and first["status"] == "submitted"
    assert first["sections"] == [
        {"name": "Dasar", "points": "20.00", "max_points": "20.00", "passed": True},
        {"name": "Lanjut", "points": "4.00", "max_points": "4.00", "passed": True},
    ]
    assert first["total"] == "24.00" and first["passed"] is True
    assert {r["status"] for r in document["results"][1:]} == {"not_started"}
    assert all(Decimal(r["total"]) == 0 for r in document["results"][1:])

    out_csv = tmp_path / "results.csv"
    exam_cli("results", str(opened["session_id"]), "--format", "csv", "--out", str(out_csv), check=True)
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8-sig"))))
    assert rows[0]["participant_number"] == "P-001" and rows[0]["total"] == "24.00" and rows[0]["rank"] == "1"
    assert rows[0]["name"] == "'=Ani Formula"  # a name that starts like a formula stays text


def test_the_same_seed_gives_every_candidate_the_same_form(exam_cli, prepared, tmp_path):
    opened, _ = prepared
    services = in_process_services(exam_cli)
    from exam_server.store import models

    with services.db.reading() as session:
        forms = [a.form_json for a in session.query(models.Attempt).order_by(models.Attempt.id)]
    services.close()
    assert len(set(forms)) == 3  # neighbours differ
    again = exam_cli("create-session", "--exam", "UJI-1", "--name", "Sesi ulang", "--candidates",
                     str(tmp_path / "peserta.csv"), "--seed", "42", "--json", check=True).json()
    services = in_process_services(exam_cli)
    with services.db.reading() as session:
        repeated = [a.form_json for a in session.query(models.Attempt)
                    .filter(models.Attempt.session_id == again["session_id"]).order_by(models.Attempt.id)]
    services.close()
    assert repeated == forms
