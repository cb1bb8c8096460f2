"""Many candidates' writes in one group commit: each keeps its own outcome, and the group reads its rows as sets."""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import event, select, text

from exam_server.domain.scoring import format_points
from exam_server.errors import ExamError
from exam_server.services import answering, attempts, results
from exam_server.services.answer_writer import AnswerWriter
from exam_server.services.events import verify_chain
from exam_server.services import group_rows
from exam_server.services.group_rows import preload_group, written_attempts
from exam_server.store import models
from tests.integration.test_attempt_rules import correct_key, started


@pytest.fixture
def writer(services):
    """A real writer on the services' database that gathers a group for 600 ms."""
    group_writer = AnswerWriter(services.db, batch_ms=600, sleep=time.sleep, prepare=preload_group)
    group_writer.begin_grouping()
    threading.Thread(target=group_writer.run, daemon=True).start()
    return group_writer


def together(calls: list) -> list:
    """Make the calls in order, 50 ms apart (one group of the writer); return each one's outcome or refusal code."""
    outcomes: list = [None] * len(calls)

    def send(index, call):
        try:
            outcomes[index] = call()
        except ExamError as refusal:
            outcomes[index] = refusal.code

    threads = [threading.Thread(target=send, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join(10)
    return outcomes


def in_one_group(writer, calls: list) -> list:
    """Hand the (work, touches) calls to the writer in order, in one group; each one's ack or refusal code."""
    return together([lambda work=work, touches=touches: writer.perform(work, touches=touches)
                     for work, touches in calls])


def answer_call(services, attempt_id, position, choice, seq):
    return (lambda session: answering.record_answer(services, session, attempt_id, position, choice, seq),
            (attempt_id, position))


def count_statements(services):
    """Every statement sent to the database from now on, as (verb, table); an executemany counts once."""
    seen: list[tuple[str, str]] = []

    def on_execute(conn, cursor, statement, *args):
        seen.append(verb_and_table(statement))

    event.listen(services.db.engine, "before_cursor_execute", on_execute)
    return seen


def verb_and_table(statement: str) -> tuple[str, str]:
    words = statement.split()
    verb = words[0].upper()
    if verb == "INSERT":
        return verb, words[2]
    if verb == "UPDATE":
        return verb, words[1]
    if verb == "SELECT":
        return verb, words[[w.upper() for w in words].index("FROM") + 1]
    return verb, ""


def test_a_group_of_answers_is_read_with_two_queries_written_with_one_per_table_and_each_keeps_its_outcome(services, exam_session, writer):
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
    # Two reads for the whole group, and one write per table: the responses are all new.
    assert Counter(in_the_group) == {("SELECT", "attempts"): 1, ("SELECT", "responses"): 1,
                                     ("UPDATE", "attempts"): 1, ("INSERT", "responses"): 1,
                                     ("INSERT", "attempt_events"): 1}, in_the_group
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


# --- answers, flags and other writes through the public calls, sharing the writer's groups ---------------


@pytest.fixture
def grouped(services, writer):
    """Every write of ``services`` goes through the grouping writer, as in a serving process."""
    services.writer = writer
    return writer


def answering_call(services, attempt_id, position, choice, seq):
    return lambda: answering.answer(services, attempt_id, position, choice, seq)


def flagging_call(services, attempt_id, position, flagged):
    return lambda: answering.flag(services, attempt_id, position, flagged)


def event_kinds(services, attempt_id) -> list[str]:
    with services.db.reading() as session:
        return list(session.scalars(select(models.AttemptEvent.kind).where(
            models.AttemptEvent.attempt_id == attempt_id).order_by(models.AttemptEvent.number)))


def saved(position, seq, **extra):
    return {"position": position, "seq": seq, "saved": True, **extra}


def test_new_and_stored_responses_of_a_group_are_written_with_one_statement_per_table(
        services, exam_session, grouped):
    first = started(services, exam_session, "P-001")
    second = started(services, exam_session, "P-002")
    correct_key(services, first, 1)
    correct_key(services, second, 1)
    assert together([answering_call(services, first, 1, "A", 1)]) == [saved(1, 1)]
    statements = count_statements(services)
    groups_before = grouped.groups
    outcomes = together([
        answering_call(services, first, 1, "B", 2),     # a stored response changes
        answering_call(services, first, 2, "A", 1),     # a new one
        flagging_call(services, first, 2, True),        # the same new one, flagged too
        flagging_call(services, second, 1, True),
        answering_call(services, second, 2, "C", 1),
    ])
    in_the_group = list(statements)
    assert (grouped.groups, grouped.retried) == (groups_before + 1, 0), "the writes were meant to share one commit"
    assert outcomes == [saved(1, 2), saved(2, 1), {}, {}, saved(2, 1)]
    assert Counter(in_the_group) == {("SELECT", "attempts"): 1, ("SELECT", "responses"): 1,
                                     ("UPDATE", "attempts"): 1, ("UPDATE", "responses"): 1,
                                     ("INSERT", "responses"): 1, ("INSERT", "attempt_events"): 1}, in_the_group
    assert attempts.state(services, first)["answers"] == {"1": "B", "2": "A"}
    assert attempts.state(services, first)["flags"] == [2]
    assert attempts.state(services, second)["answers"] == {"2": "C"}
    assert attempts.state(services, second)["flags"] == [1]
    assert_counted_once(services, first, answered=2, flagged=1, answer_events=3)
    assert_counted_once(services, second, answered=1, flagged=1, answer_events=1)


def test_a_submit_after_answers_in_the_same_group_ends_the_attempt_with_their_score(services, exam_session, grouped):
    attempt_id = started(services, exam_session)
    right = correct_key(services, attempt_id, 1)
    groups_before = grouped.groups
    outcomes = together([
        answering_call(services, attempt_id, 1, right, 1),
        answering_call(services, attempt_id, 2, "A", 1),
        flagging_call(services, attempt_id, 3, True),
        lambda: answering.submit(services, attempt_id),
        answering_call(services, attempt_id, 4, "A", 1),   # after the submit: refused, in the same group
        flagging_call(services, attempt_id, 5, True),
    ])
    assert (grouped.groups, grouped.retried) == (groups_before + 1, 0), "the writes were meant to share one commit"
    assert outcomes[:3] == [saved(1, 1), saved(2, 1), {}]
    assert outcomes[3]["status"] == "submitted"
    assert outcomes[4:] == ["submitted", "submitted"]
    assert event_kinds(services, attempt_id)[-4:] == ["answer", "answer", "flag", "end"]
    assert_counted_once(services, attempt_id, answered=2, flagged=1, answer_events=2)
    with services.db.reading() as session:
        attempt = session.get(models.Attempt, attempt_id)
        sheet = results.score_sheet(services, session, attempt)
        frozen = json.loads(session.scalar(select(models.Result.document_json).where(
            models.Result.attempt_id == attempt_id)))
    assert sheet.total() > 0, "the right answer scores"
    assert frozen["total"] == format_points(sheet.total())


def test_an_orm_write_between_answers_reads_them_and_the_answers_after_it_read_its_change(
        services, exam_session, grouped):
    first = started(services, exam_session, "P-001")
    second = started(services, exam_session, "P-002")
    correct_key(services, first, 1)
    correct_key(services, second, 1)
    groups_before = grouped.groups
    outcomes = together([
        answering_call(services, second, 1, "A", 1),
        answering_call(services, first, 1, "A", 1),
        lambda: attempts.report(services, first, "focus_lost", None),
        answering_call(services, second, 2, "B", 1),    # its rows read again after the report
        answering_call(services, first, 2, "B", 1),
        flagging_call(services, first, 1, True),
        lambda: attempts.report(services, first, "copy", None),
        answering_call(services, first, 1, "C", 2),
    ])
    assert (grouped.groups, grouped.retried) == (groups_before + 1, 0), "the writes were meant to share one commit"
    assert outcomes[:2] == [saved(1, 1), saved(1, 1)]
    assert outcomes[2]["type"] == "focus_lost" and outcomes[6]["type"] == "copy"
    assert [outcomes[i] for i in (3, 4, 5, 7)] == [saved(2, 1), saved(2, 1), {}, saved(1, 2)]
    assert event_kinds(services, first)[-6:] == ["answer", "report", "answer", "flag", "report", "answer"]
    assert attempts.state(services, first)["answers"] == {"1": "C", "2": "B"}
    with services.db.reading() as session:
        assert session.get(models.Attempt, first).violations == 2
    assert_counted_once(services, first, answered=2, flagged=1, answer_events=3)
    assert_counted_once(services, second, answered=2, flagged=0, answer_events=2)


def test_an_answer_and_flags_of_one_new_position_in_one_group_make_one_response(services, exam_session, grouped):
    attempt_id = started(services, exam_session)
    correct_key(services, attempt_id, 1)
    groups_before = grouped.groups
    outcomes = together([
        flagging_call(services, attempt_id, 1, True),
        answering_call(services, attempt_id, 1, "B", 1),
        answering_call(services, attempt_id, 2, "C", 1),
        flagging_call(services, attempt_id, 2, True),
        flagging_call(services, attempt_id, 2, False),
        flagging_call(services, attempt_id, 3, False),    # clearing a flag never set changes nothing
    ])
    assert (grouped.groups, grouped.retried) == (groups_before + 1, 0), "the writes were meant to share one commit"
    assert outcomes == [{}, saved(1, 1), saved(2, 1), {}, {}, {}]
    assert attempts.state(services, attempt_id)["answers"] == {"1": "B", "2": "C"}
    assert attempts.state(services, attempt_id)["flags"] == [1]
    assert event_kinds(services, attempt_id)[-5:] == ["flag", "answer", "answer", "flag", "flag"]
    assert_counted_once(services, attempt_id, answered=2, flagged=1, answer_events=2)


def test_retries_and_stale_answers_in_a_group_change_nothing(services, exam_session, grouped):
    attempt_id = started(services, exam_session)
    correct_key(services, attempt_id, 1)
    assert together([answering_call(services, attempt_id, 1, "A", 5)]) == [saved(1, 5)]
    groups_before = grouped.groups
    outcomes = together([
        answering_call(services, attempt_id, 1, "B", 5),   # a retry of a stored answer
        answering_call(services, attempt_id, 1, "C", 3),   # older than the stored one
        answering_call(services, attempt_id, 1, "B", 6),
        answering_call(services, attempt_id, 1, "C", 6),   # a retry of one stored in this group
        answering_call(services, attempt_id, 2, "A", 2),
        answering_call(services, attempt_id, 2, "B", 1),   # older than one stored in this group
        answering_call(services, attempt_id, 3, None, 1),  # a blank answer: stored, not counted as answered
    ])
    assert (grouped.groups, grouped.retried) == (groups_before + 1, 0), "the writes were meant to share one commit"
    assert outcomes == [saved(1, 5), saved(1, 3, stale=True), saved(1, 6), saved(1, 6), saved(2, 2),
                        saved(2, 1, stale=True), saved(3, 1)]
    assert attempts.state(services, attempt_id)["answers"] == {"1": "B", "2": "A"}
    assert_counted_once(services, attempt_id, answered=2, flagged=0, answer_events=4)


def test_a_refusal_in_the_middle_of_a_group_leaves_the_others_stored(services, exam_session, grouped):
    running = started(services, exam_session, "P-001")
    ended = started(services, exam_session, "P-002")
    correct_key(services, running, 1)
    correct_key(services, ended, 1)
    together([lambda: answering.submit(services, ended)])
    groups_before = grouped.groups
    outcomes = together([
        answering_call(services, running, 1, "A", 1),
        answering_call(services, ended, 1, "A", 1),
        flagging_call(services, ended, 2, True),
        answering_call(services, running, 2, "Z", 1),
        answering_call(services, running, 2, "B", 1),
        flagging_call(services, running, 2, True),
    ])
    assert (grouped.groups, grouped.retried) == (groups_before + 1, 0), "the writes were meant to share one commit"
    assert outcomes == [saved(1, 1), "submitted", "submitted", "invalid_choice", saved(2, 1), {}]
    assert attempts.state(services, running)["answers"] == {"1": "A", "2": "B"}
    assert attempts.state(services, ended)["answers"] == {}
    assert_counted_once(services, running, answered=2, flagged=1, answer_events=2)
    assert_counted_once(services, ended, answered=0, flagged=0, answer_events=0)


def test_a_failed_group_with_a_submit_is_stored_one_by_one_counting_nothing_twice(services, exam_session, writer):
    first = started(services, exam_session, "P-001")
    second = started(services, exam_session, "P-002")
    correct_key(services, first, 1)
    correct_key(services, second, 1)
    outcomes = in_one_group(writer, [
        answer_call(services, first, 1, "A", 1),
        flag_call(services, second, 1, True),
        answer_call(services, first, 2, "B", 1),
        (lambda session: answering.record_submit(services, session, first), (first, None)),
        (database_error, None),
        answer_call(services, second, 2, "C", 1),
        answer_call(services, first, 3, "C", 1),
    ])
    assert outcomes[:3] == [saved(1, 1), {}, saved(2, 1)]
    assert outcomes[3]["status"] == "submitted"
    assert outcomes[4:] == ["internal_error", saved(2, 1), "submitted"]
    assert (writer.groups, writer.retried) == (1, 7)
    assert event_kinds(services, first)[-3:] == ["answer", "answer", "end"]
    assert_counted_once(services, first, answered=2, flagged=0, answer_events=2)
    assert_counted_once(services, second, answered=1, flagged=1, answer_events=1)


def test_an_attempt_object_held_across_answers_of_its_group_reads_them(services, exam_session, writer):
    attempt_id = started(services, exam_session)
    correct_key(services, attempt_id, 1)

    def held_count(session):
        # Kept alive for the whole unit of work, so a later read finds this very object in the session.
        attempt = session.info.setdefault("held attempt", session.get(models.Attempt, attempt_id))
        return {"answered": attempt.answered_count, "events": attempt.event_count}

    outcomes = in_one_group(writer, [
        (held_count, None),
        answer_call(services, attempt_id, 1, "A", 1),
        (held_count, None),
        answer_call(services, attempt_id, 2, "B", 1),
    ])
    assert writer.retried == 0
    events_before = outcomes[0]["events"]
    assert outcomes == [{"answered": 0, "events": events_before}, saved(1, 1),
                        {"answered": 1, "events": events_before + 1}, saved(2, 1)]
    assert_counted_once(services, attempt_id, answered=2, flagged=0, answer_events=2)


def test_answers_around_a_bulk_update_of_their_attempt_in_one_group_are_all_stored(services, exam_session, grouped):
    login = attempts.login(services, exam_session["session_token"], "P-001", exam_session["passwords"]["P-001"])
    attempt_id = login["attempt_id"]
    attempts.start(services, attempt_id)
    attempts.connect(services, login["token"], "sid-1", "node-1")
    correct_key(services, attempt_id, 1)
    groups_before = grouped.groups
    outcomes = together([
        answering_call(services, attempt_id, 1, "A", 1),
        lambda: attempts.disconnect(services, attempt_id, "sid-1"),   # an UPDATE of attempts by the ORM, no object
        answering_call(services, attempt_id, 2, "B", 1),
        flagging_call(services, attempt_id, 1, True),
    ])
    assert (grouped.groups, grouped.retried) == (groups_before + 1, 0), "the writes were meant to share one commit"
    assert outcomes == [saved(1, 1), True, saved(2, 1), {}]
    with services.db.reading() as session:
        assert session.get(models.Attempt, attempt_id).connected_sid is None
    assert_counted_once(services, attempt_id, answered=2, flagged=1, answer_events=2)


def test_the_writer_keeps_the_committed_columns_of_attempts_only_answers_and_flags_touched(services, exam_session):
    writer = AnswerWriter(services.db, batch_ms=600, sleep=time.sleep, prepare=preload_group,
                          committed_rows=written_attempts)
    writer.begin_grouping()
    threading.Thread(target=writer.run, daemon=True).start()
    ani, budi = started(services, exam_session, "P-001"), started(services, exam_session, "P-002")
    right = correct_key(services, ani, 1)

    def labelled(calls):  # (label, (work, touches)), as the use cases hand them to the writer
        return together([lambda work=work, touches=touches, label=label: writer.perform(work, touches=touches, label=label)
                         for label, (work, touches) in calls])

    labelled([("answer", answer_call(services, ani, 1, right, 1)), ("flag", flag_call(services, ani, 2, True)),
              ("answer", answer_call(services, budi, 1, "A", 1))])
    with services.db.reading() as session:
        stored = session.get(models.Attempt, ani)
        assert writer.written[ani].columns["section_points_json"] == stored.section_points_json
        assert (writer.written[ani].columns["answered_count"], writer.written[ani].columns["flagged_count"]) == (1, 1)
        assert writer.written[ani].version == (stored.event_count, stored.last_seen_at or 0)
    assert budi in writer.written

    # A submit in the group: the ORM holds Budi's row, so what the writer kept of him goes.
    labelled([("answer", answer_call(services, budi, 2, "A", 1)),
              ("submit", (lambda session: answering.record_submit(services, session, budi), (budi, None)))])
    assert budi not in writer.written and ani in writer.written


def test_a_group_reads_the_stored_responses_it_touches_and_no_other_position_of_its_attempts(services, exam_session):
    first = started(services, exam_session, "P-001")
    second = started(services, exam_session, "P-002")
    for attempt_id in (first, second):
        for position in (1, 2, 3):
            answering.answer(services, attempt_id, position, "A", position)
    with services.db.unit_of_work() as session:
        preload_group(session, [(first, 1), (second, 2), (second, 4)])  # 4: not answered yet
        held = group_rows._rows(session).responses
        # (first, 2), (second, 1)... are stored and share an attempt and a position with the group: not read.
        assert set(held) == {(first, 1), (second, 2), (second, 4)}
        assert (held[(first, 1)].choice, held[(second, 2)].seq, held[(second, 4)]) == ("A", 2, None)


def test_two_logins_of_one_candidate_in_one_group_see_each_other_and_the_later_token_wins(services, exam_session, writer):
    attempt_id = started(services, exam_session, "P-001")
    with services.db.reading() as session:
        candidate_id = session.get(models.Attempt, attempt_id).candidate_id

    def login_from(remote):
        return lambda session: attempts._record_login(services, session, candidate_id, remote)

    first, second = in_one_group(writer, [(login_from("10.0.0.1"), None), (login_from("10.0.0.2"), None)])
    assert writer.groups == 1, "the logins were meant to share one commit"
    # The second login reads the first, written with it in the same commit, as the workstation it moved from.
    assert second["moved_from"] == "10.0.0.1"
    with services.db.reading() as session:
        attempt = session.get(models.Attempt, attempt_id)
        logins = session.scalars(select(models.AttemptEvent.data_json).where(
            models.AttemptEvent.attempt_id == attempt_id, models.AttemptEvent.kind == "login")
            .order_by(models.AttemptEvent.number)).all()
        assert logins[-2:] == ['{"remote":"10.0.0.1"}', '{"remote":"10.0.0.2"}']
        assert services.tokens.candidate_token(attempt_id, attempt.login_generation) == second["token"] != first["token"]
