"""The group-commit writer over a real SQLite file: stored means committed, refusals and failures stay alone."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from exam_server.config import load_settings
from exam_server.errors import Conflict
from exam_server.services.answer_writer import AnswerWriter, WriteFailed, WriterBusy
from exam_server.store.db import Database


@pytest.fixture
def database(tmp_path):
    database = Database(load_settings({"data_dir": tmp_path}, environ={}))
    with database.unit_of_work() as session:
        session.execute(text("create table notes (id integer primary key, body text unique)"))
    yield database
    database.dispose()


def _note(body: str):
    def work(session):
        session.execute(text("insert into notes (body) values (:body)"), {"body": body})
        return {"stored": body}

    return work


def _refused(session):
    raise Conflict("not now", code="paused")


def _bodies(database: Database) -> list[str]:
    with database.reading() as session:
        return sorted(session.scalars(text("select body from notes")))


def test_before_its_loop_runs_the_writer_stores_each_write_at_once(database):
    writer = AnswerWriter(database, batch_ms=0, sleep=time.sleep)
    assert writer.perform(_note("a")) == {"stored": "a"}
    assert _bodies(database) == ["a"]
    assert (writer.groups, writer.writes) == (1, 1)


def test_a_refusal_reaches_its_caller_and_nothing_of_it_is_stored(database):
    writer = AnswerWriter(database, batch_ms=0, sleep=time.sleep)
    with pytest.raises(Conflict):
        writer.perform(_refused)
    assert _bodies(database) == []


def test_the_observer_hears_every_write_with_its_label_rows_and_outcome(database):
    heard = []
    writer = AnswerWriter(database, batch_ms=0, sleep=time.sleep,
                          observe=lambda label, touches, seconds, outcome: heard.append((label, touches, outcome)))
    writer.perform(_note("a"), touches=(7, 1), label="answer")
    with pytest.raises(Conflict):
        writer.perform(_refused, touches=(7, 2), label="answer")
    assert heard[0] == ("answer", (7, 1), {"stored": "a"})
    assert heard[1][:2] == ("answer", (7, 2)) and isinstance(heard[1][2], Conflict)


def test_prepare_reads_the_rows_a_group_touches_before_any_work_runs(database):
    prepared = []
    writer = AnswerWriter(database, batch_ms=0, sleep=time.sleep,
                          prepare=lambda session, touches: prepared.append(list(touches)))
    writer.perform(_note("a"), touches=(3, 4))
    assert prepared == [[(3, 4)]]


def test_a_running_writer_groups_concurrent_writes_into_few_commits(database):
    writer = AnswerWriter(database, batch_ms=20, sleep=time.sleep)
    writer.begin_grouping()
    threading.Thread(target=writer.run, daemon=True).start()
    outcomes = []
    senders = [threading.Thread(target=lambda b=body: outcomes.append(writer.perform(_note(b))))
               for body in "abcdefgh"]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(10)
    assert _bodies(database) == list("abcdefgh")
    assert len(outcomes) == 8 and writer.writes == 8 and writer.groups < 8


def test_a_write_that_fails_its_group_fails_alone_and_the_others_are_stored(database):
    writer = AnswerWriter(database, batch_ms=0, sleep=time.sleep)
    writer.perform(_note("taken"))
    group = writer._queue  # a group of three handed over together, as the loop would take it
    outcomes = {}

    def send(name, work):
        try:
            outcomes[name] = writer.perform(work)
        except WriteFailed as failed:
            outcomes[name] = failed

    writer.begin_grouping()
    senders = [threading.Thread(target=send, args=(n, _note(b))) for n, b in (("x", "x"), ("dup", "taken"), ("y", "y"))]
    for sender in senders:
        sender.start()
    while len(group) < 3:
        time.sleep(0.001)
    threading.Thread(target=writer.run, daemon=True).start()
    for sender in senders:
        sender.join(10)
    assert isinstance(outcomes["dup"], WriteFailed)
    assert outcomes["x"] == {"stored": "x"} and outcomes["y"] == {"stored": "y"}
    assert _bodies(database) == ["taken", "x", "y"] and writer.retried == 3


def test_a_write_still_waiting_after_the_timeout_is_refused_as_busy_and_never_run(database):
    writer = AnswerWriter(database, batch_ms=0, sleep=time.sleep, timeout_seconds=0.05)
    writer.begin_grouping()  # the loop is not running yet: the write waits in the queue past its timeout
    with pytest.raises(WriterBusy) as refused:
        writer.perform(_note("late"))
    assert refused.value.code == "busy" and refused.value.http_status == 503 and refused.value.retry_after > 0
    threading.Thread(target=writer.run, daemon=True).start()
    assert writer.perform(_note("next"), timeout=10) == {"stored": "next"}
    assert _bodies(database) == ["next"]
