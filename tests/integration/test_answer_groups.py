"""Many candidates' writes in one group commit: each keeps its own outcome, and the group reads its rows as sets."""
from __future__ import annotations

import json
import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import event, select, text

from exam_server.errors import ExamError
from exam_server.services import answering, attempts, results
from exam_server.services.answer_writer import AnswerWriter
from exam_server.services.events import verify_chain
from exam_server.services.group_rows import preload_group
from exam_server.store import models
from tests.integration.test_attempt_rules import correct_key, started


@pytest.fixture
def writer(services):
    """A real writer on the services' database that gathers a group for 600 ms."""
    group_writer = AnswerWriter(services.db, batch_ms=600, sleep=time.sleep, prepare=preload_group)
    group_writer.begin_grouping()
    threading.Thread(target=group_writer.run, daemon=True).start()
    return group_writer


def in_one_group(writer, calls: list) -> list:
    """Hand the calls to the writer in order, 50 ms apart (one group); return each one's ack or refusal code."""
    outcomes: list = [None] * len(calls)

    def send(index, work, touches):
        try:
            outcomes[index] = writer.perform(work, touches=touches)
        except ExamError as refusal:
            outcomes[index] = refusal.code

    threads = [threading.Thread(target=send, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join(10)
    return outcomes


def answer_call(services, attempt_id, position, choice, seq):
    return (lambda session: answering.record_answer(services, session, attempt_id, position, choice, seq),
            (attempt_id, position))


def count_statements(services):
    seen: list[str] = []

    def on_execute(conn, cursor, statement, *args):
        seen.append(statement.split()[0].upper())

    event.listen(services.db.engine, "before_cursor_execute", on_execute)
    return seen


def test_a_group_of_answers_is_read_with_two_queries_and_each_keeps_its_outcome(services, exam_session, writer):
    first = started(services, exam_session, "P-001")
    second = started(services, exam_session, "P-002")
    right = correct_key(services, first, 2)
    correct_key(services, second, 3)  # as the form would: the scoring keys are known before answers come
    statements = count_statements(services)
    outcomes = in_one_group(writer, [
        answer_call(services, first, 1, "A", 1),
        answer_call(services, first, 2, right, 1),
        answer_call(services, first, 1, "B", 2),     # the same new position again in the same group
        answer_call(services, second, 99, "A", 1),   # refused, and spoils nothing else
        answer_call(services, second, 3, "C", 1),
        answer_call(services, second, 3, "B", 1),    # a retry of seq 1 with another choice changes nothing
    ])
    in_the_group = list(statements)
    assert writer.groups == 1, "the writes were meant to share one commit"
    assert outcomes == [
        {"position": 1, "seq": 1, "saved": True},
        {"position": 2, "seq": 1, "saved": True},
        {"position": 1, "seq": 2, "saved": True},
        "invalid_position",
        {"position": 3, "seq": 1, "saved": True},
        {"position": 3, "seq": 1, "saved": True},
    ]
    assert in_the_group.count("SELECT") == 2, in_the_group
    assert attempts.state(services, first)["answers"] == {"1": "B", "2": right}
    assert attempts.state(services, second)["answers"] == {"3": "C"}
    with services.db.reading() as session:
        attempt = session.get(models.Attempt, first)
        log = session.scalars(select(models.AttemptEvent).where(
            models.AttemptEvent.attempt_id == first).order_by(models.AttemptEvent.number)).all()
        assert attempt.answered_count == 2
        assert [e.kind for e in log].count("answer") == 3
        assert verify_chain(log, attempt.last_event_hash) is None


def test_a_submit_in_the_same_group_comes_after_the_answers_before_it(services, exam_session, writer):
    attempt_id = started(services, exam_session)
    right = correct_key(services, attempt_id, 1)
    outcomes = in_one_group(writer, [answer_call(services, attempt_id, 1, right, 1)])
    submit = in_one_group(writer, [
        (lambda session: answering.record_submit(services, session, attempt_id), (attempt_id, None))])
    late = in_one_group(writer, [answer_call(services, attempt_id, 2, "A", 1)])
    assert outcomes[0]["saved"] and submit[0]["status"] == "submitted"
    assert late == ["submitted"]
    assert attempts.state(services, attempt_id)["answers"] == {"1": right}


def flag_call(services, attempt_id, position, flagged):
    return (lambda session: answering.record_flag(services, session, attempt_id, position, flagged),
            (attempt_id, position))


def database_error(session):
    # A real error from the database in the middle of the group; PostgreSQL then refuses the rest of the transaction.
    session.execute(text("INSERT INTO no_such_table VALUES (1)"))


def assert_counted_once(services, attempt_id, answered, flagged, answer_events):
    """Counters, running score and event log agree with what was stored: nothing counted twice."""
    with services.db.reading() as session:
        attempt = session.get(models.Attempt, attempt_id)
        running = [Decimal(p) for p in json.loads(attempt.section_points_json)]
        assert running == results.score_sheet(services, session, attempt).section_points()
        assert (attempt.answered_count, attempt.flagged_count) == (answered, flagged)
        log = session.scalars(select(models.AttemptEvent).where(
            models.AttemptEvent.attempt_id == attempt_id).order_by(models.AttemptEvent.number)).all()
        assert [e.kind for e in log].count("answer") == answer_events
        assert verify_chain(log, attempt.last_event_hash) is None


def test_a_database_error_in_one_write_fails_it_alone_and_the_rest_of_its_group_is_stored(
        services, exam_session, writer):
    first = started(services, exam_session, "P-001")
    second = started(services, exam_session, "P-002")
    right = correct_key(services, first, 1)
    correct_key(services, second, 1)
    outcomes = in_one_group(writer, [
        answer_call(services, first, 1, right, 1),
        flag_call(services, second, 2, True),
        (database_error, None),
        answer_call(services, first, 2, "A", 1),
        answer_call(services, second, 1, "B", 1),
        answer_call(services, second, 99, "A", 2),   # a refusal keeps its own code
        answer_call(services, first, 1, "B", 2),     # the same attempt and position again, after the failure
    ])
    assert outcomes == [
        {"position": 1, "seq": 1, "saved": True},
        {},
        "internal_error",
        {"position": 2, "seq": 1, "saved": True},
        {"position": 1, "seq": 1, "saved": True},
        "invalid_position",
        {"position": 1, "seq": 2, "saved": True},
    ]
    assert (writer.groups, writer.writes, writer.retried) == (1, 7, 7)
    assert attempts.state(services, first)["answers"] == {"1": "B", "2": "A"}
    assert attempts.state(services, second)["answers"] == {"1": "B"}
    assert attempts.state(services, second)["flags"] == [2]
    assert_counted_once(services, first, answered=2, flagged=0, answer_events=3)
    assert_counted_once(services, second, answered=1, flagged=1, answer_events=1)


def test_a_number_the_database_cannot_hold_fails_only_its_own_write(services, exam_session, writer):
    """Below the socket's edge check: the writer alone still keeps one bad write from spoiling the others."""
    first = started(services, exam_session, "P-001")
    second = started(services, exam_session, "P-002")
    correct_key(services, first, 1)
    correct_key(services, second, 1)
    outcomes = in_one_group(writer, [
        answer_call(services, first, 1, "A", 1),
        answer_call(services, second, 1, "A", 2 ** 63),  # fails only when the group is flushed
        answer_call(services, first, 2, "B", 1),
    ])
    assert outcomes == [{"position": 1, "seq": 1, "saved": True}, "internal_error",
                        {"position": 2, "seq": 1, "saved": True}]
    assert attempts.state(services, first)["answers"] == {"1": "A", "2": "B"}
    assert attempts.state(services, second)["answers"] == {}
    assert_counted_once(services, first, answered=2, flagged=0, answer_events=2)
    assert_counted_once(services, second, answered=0, flagged=0, answer_events=0)
