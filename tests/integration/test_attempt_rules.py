"""The rules of an attempt, driven through the services with a clock that never sleeps."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from exam_server.errors import ExamError
from exam_server.services import answering, attempt_core, attempts, results
from exam_server.store import models
from tests.integration.conftest import make_services

MINUTE = 60_000


def logged_in(services, exam_session, number="P-002"):
    login = attempts.login(services, exam_session["session_token"], number, exam_session["passwords"][number])
    return login["attempt_id"]


def started(services, exam_session, number="P-002"):
    attempt_id = logged_in(services, exam_session, number)
    attempts.start(services, attempt_id)
    return attempt_id


def code_of(call) -> str:
    with pytest.raises(ExamError) as caught:
        call()
    return caught.value.code


def correct_key(services, attempt_id, position):
    with services.db.reading() as session:
        key = attempt_core.attempt_key(services, session, session.get(models.Attempt, attempt_id))
    return "ABCDE"[key.weights[position - 1].index(Decimal(1))]


def test_the_clock_starts_at_start_and_counts_down_on_the_server(services, exam_session, clock):
    attempt_id = logged_in(services, exam_session)
    assert attempts.state(services, attempt_id)["remaining_ms"] == 30 * MINUTE
    clock.advance(5 * MINUTE)  # reading the instructions costs nothing
    assert attempts.start(services, attempt_id)["remaining_ms"] == 30 * MINUTE
    clock.advance(10 * MINUTE)
    assert attempts.state(services, attempt_id)["remaining_ms"] == 20 * MINUTE
    assert attempts.start(services, attempt_id)["remaining_ms"] == 20 * MINUTE  # a second start changes nothing


def test_answers_are_idempotent_by_seq_and_older_ones_are_stale(services, exam_session):
    attempt_id = started(services, exam_session)
    assert answering.answer(services, attempt_id, 1, "A", 5) == {"position": 1, "seq": 5, "saved": True}
    assert answering.answer(services, attempt_id, 1, "A", 5) == {"position": 1, "seq": 5, "saved": True}
    assert answering.answer(services, attempt_id, 1, "B", 3)["stale"] is True
    assert attempts.state(services, attempt_id)["answers"] == {"1": "A"}
    answering.answer(services, attempt_id, 1, None, 6)
    assert attempts.state(services, attempt_id)["answers"] == {}


def test_bad_positions_and_choices_get_their_own_codes(services, exam_session):
    attempt_id = started(services, exam_session)
    assert code_of(lambda: answering.answer(services, attempt_id, 0, "A", 1)) == "invalid_position"
    assert code_of(lambda: answering.answer(services, attempt_id, 7, "A", 1)) == "invalid_position"
    assert code_of(lambda: answering.answer(services, attempt_id, "1", "A", 1)) == "invalid_position"
    assert code_of(lambda: answering.answer(services, attempt_id, 1, "Z", 1)) == "invalid_choice"
    assert code_of(lambda: answering.answer(services, attempt_id, 1, 0, 1)) == "invalid_choice"
    assert code_of(lambda: answering.answer(services, attempt_id, 1, "A", "x")) == "bad_request"


def test_nothing_is_accepted_before_start_or_after_the_deadline(services, exam_session, clock):
    attempt_id = logged_in(services, exam_session)
    assert code_of(lambda: answering.answer(services, attempt_id, 1, "A", 1)) == "not_started"
    assert code_of(lambda: attempts.form(services, attempt_id)) == "not_started"
    attempts.start(services, attempt_id)
    clock.advance(30 * MINUTE)
    assert code_of(lambda: answering.answer(services, attempt_id, 1, "A", 1)) == "time_up"


def test_the_deadline_ends_an_attempt_exactly_once_even_with_two_nodes(services, exam_session, clock, tmp_path, database_url):
    attempt_id = started(services, exam_session)
    answering.answer(services, attempt_id, 1, correct_key(services, attempt_id, 1), 1)
    other_node = make_services(tmp_path / "data", database_url, clock)
    clock.advance(30 * MINUTE - 1)
    assert attempts.end_due_attempts(services) == []
    clock.advance(1)
    ended = attempts.end_due_attempts(services) + attempts.end_due_attempts(other_node)
    other_node.close()
    assert [e["attempt_id"] for e in ended] == [attempt_id]
    assert ended[0]["result"]["status"] == "timed_out"
    assert attempts.state(services, attempt_id)["status"] == "timed_out"
    with services.db.reading() as session:
        kinds = [e.kind for e in session.query(models.AttemptEvent).filter_by(attempt_id=attempt_id)]
    assert kinds.count("end") == 1


def test_the_running_score_equals_the_result_recomputed_from_the_answers(services, exam_session):
    attempt_id = started(services, exam_session)
    seq = 0
    for position in range(1, 7):
        seq += 1
        answering.answer(services, attempt_id, position, "A", seq)
    for position in (2, 5):
        seq += 1
        answering.answer(services, attempt_id, position, correct_key(services, attempt_id, position), seq)
    seq += 1
    answering.answer(services, attempt_id, 3, None, seq)
    with services.db.reading() as session:
        attempt = session.get(models.Attempt, attempt_id)
        running = [Decimal(p) for p in json.loads(attempt.section_points_json)]
        sheet = results.score_sheet(services, session, attempt)
    assert running == sheet.section_points()


def test_submit_ends_the_attempt_and_shows_the_result_where_the_exam_allows(services, exam_session):
    attempt_id = started(services, exam_session)
    answering.answer(services, attempt_id, 1, correct_key(services, attempt_id, 1), 1)
    submitted = answering.submit(services, attempt_id)
    assert submitted["status"] == "submitted"
    assert submitted["result"]["sections"][0]["points"] == "5.00"
    assert code_of(lambda: answering.answer(services, attempt_id, 2, "A", 2)) == "submitted"
    assert code_of(lambda: answering.submit(services, attempt_id)) == "submitted"


def test_a_second_login_is_refused_while_the_first_is_connected(services, exam_session):
    number = "P-003"
    login = attempts.login(services, exam_session["session_token"], number, exam_session["passwords"][number])
    attempts.connect(services, login["token"], "sid-1", "node-a")
    assert code_of(lambda: attempts.login(services, exam_session["session_token"], number,
                                          exam_session["passwords"][number])) == "already_connected"
    attempts.disconnect(services, login["attempt_id"], "sid-1")
    again = attempts.login(services, exam_session["session_token"], number, exam_session["passwords"][number])
    # The newer login wins: the first workstation's token no longer connects.
    assert code_of(lambda: attempts.connect(services, login["token"], "sid-2", "node-a")) == "unauthorized"
    assert attempts.connect(services, again["token"], "sid-3", "node-a").attempt_id == login["attempt_id"]


def test_wrong_credentials_say_nothing_about_which_part_was_wrong(services, exam_session):
    token = exam_session["session_token"]
    assert code_of(lambda: attempts.login(services, token, "P-002", "salah")) == "bad_credentials"
    assert code_of(lambda: attempts.login(services, token, "P-999", "salah")) == "bad_credentials"
    assert code_of(lambda: attempts.login(services, "ZZZZZZ", "P-002", exam_session["passwords"]["P-002"])) == "bad_credentials"


def test_the_event_log_is_a_hash_chain(services, exam_session):
    from exam_server.services.events import verify_chain

    attempt_id = started(services, exam_session)
    for seq in range(1, 4):
        answering.answer(services, attempt_id, seq, "A", seq)
    answering.flag(services, attempt_id, 2, True)
    with services.db.unit_of_work() as session:
        events = session.query(models.AttemptEvent).filter_by(attempt_id=attempt_id).order_by(models.AttemptEvent.number).all()
        head = session.get(models.Attempt, attempt_id).last_event_hash
        assert verify_chain(events, head) is None
        events[2].data_json = events[2].data_json.replace('"A"', '"B"')
        assert "event 3" in verify_chain(events, head)
        session.rollback()
