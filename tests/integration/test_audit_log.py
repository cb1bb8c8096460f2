"""exam-server audit replays an attempt and finds any edit, deletion or reordering of its log."""
from __future__ import annotations

import pytest
import sqlalchemy

from exam_server.services import answering, attempts
from tests.integration.conftest import ExamCli

pytestmark = pytest.mark.slow


@pytest.fixture
def answered(services, exam_session, tmp_path, database_url):
    login = attempts.login(services, exam_session["session_token"], "P-001", exam_session["passwords"]["P-001"])
    attempt_id = login["attempt_id"]
    attempts.start(services, attempt_id)
    for seq, (position, choice) in enumerate([(1, "A"), (2, "B"), (1, "C"), (3, "A")], start=1):
        answering.answer(services, attempt_id, position, choice, seq)
    answering.flag(services, attempt_id, 2, True)
    return ExamCli(tmp_path / "data", database_url), attempt_id


def tamper(database_url: str, statement: str) -> None:
    engine = sqlalchemy.create_engine(database_url.replace("postgresql://", "postgresql+psycopg2://", 1))
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(statement))
    engine.dispose()


def test_an_untouched_log_replays_to_the_stored_answers(answered):
    cli, attempt_id = answered
    run = cli("audit", str(attempt_id), "--json", check=True)
    report = run.json()
    assert report["intact"] is True
    assert report["answers"] == {"1": {"choice": "C", "seq": 3}, "2": {"choice": "B", "seq": 2}, "3": {"choice": "A", "seq": 4}}
    assert [e["kind"] for e in report["events"]] == ["login", "start", "answer", "answer", "answer", "answer", "flag"]
    assert cli("audit", str(attempt_id), "--verify").code == 0


@pytest.mark.parametrize("statement, where", [
    ("UPDATE attempt_events SET data_json = replace(data_json, '\"B\"', '\"D\"') WHERE number = 4", "event 4"),
    ("DELETE FROM attempt_events WHERE number = 5", "event 5"),
    ("UPDATE attempt_events SET number = number + 100 WHERE number IN (3, 4); "
     "UPDATE attempt_events SET number = 4 WHERE number = 103; UPDATE attempt_events SET number = 3 WHERE number = 104", "event 3"),
    ("DELETE FROM attempt_events WHERE number = 7", "removed"),
    ("UPDATE responses SET choice = 'D' WHERE position = 3", "stored answers"),
])
def test_any_edit_deletion_or_reordering_is_found(answered, database_url, statement, where):
    cli, attempt_id = answered
    for part in statement.split("; "):
        tamper(database_url, part)
    run = cli("audit", str(attempt_id), "--verify")
    assert run.code == 3, run.out + run.err
    assert "BROKEN" in run.out and where in run.out
