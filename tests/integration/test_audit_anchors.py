"""The attempt event chain is anchored with the server's key: a rewrite by someone who can write the database is found.

The attacker here holds the database (SQL over the real SQLite file or
PostgreSQL), not the data folder's keys. They rewrite an answer the way the
chain itself is written, every hash after it, the stored answer and the score,
so that the hash chain alone would call the log intact.
"""
from __future__ import annotations

import json

import pytest
import sqlalchemy
from sqlalchemy import func, select

from exam_server.services import anchoring, answering, attempts, audit, results
from exam_server.services.attempt_core import attempt_key, display_keys
from exam_server.services.events import GENESIS, event_hash
from exam_server.store import models
from tests.integration.conftest import ExamCli

pytestmark = pytest.mark.slow

ANSWERS = [(1, "A"), (2, "B"), (1, "C"), (3, "A"), (5, "B")]


def engine_for(database_url: str):
    return sqlalchemy.create_engine(database_url.replace("postgresql://", "postgresql+psycopg2://", 1))


def sit(services, exam_session, number="P-001", answers=ANSWERS) -> int:
    login = attempts.login(services, exam_session["session_token"], number, exam_session["passwords"][number])
    attempt_id = login["attempt_id"]
    attempts.start(services, attempt_id)
    for seq, (position, choice) in enumerate(answers, start=1):
        answering.answer(services, attempt_id, position, choice, seq)
    return attempt_id


def anchor_count(services, attempt_id: int) -> int:
    with services.db.reading() as session:
        return session.scalar(select(func.count()).select_from(models.AttemptAnchor)
                              .where(models.AttemptAnchor.attempt_id == attempt_id))


def right_then_wrong(services, attempt_id: int, position: int) -> tuple[str, str]:
    """The display key of the best option at ``position``, and of a worse one."""
    with services.db.reading() as session:
        weights = attempt_key(services, session, session.get(models.Attempt, attempt_id)).weights[position - 1]
    keys = display_keys(len(weights))
    best = max(range(len(weights)), key=lambda i: weights[i])
    worse = next(i for i in range(len(weights)) if weights[i] < weights[best])
    return keys[best], keys[worse]


def rewrite_answer(services, database_url: str, attempt_id: int, position: int, choice: str) -> None:
    """What someone with write access to the database can do: change an answer and make everything agree again."""
    engine = engine_for(database_url)
    with engine.begin() as sql:
        rows = sql.execute(sqlalchemy.text("SELECT id, number, at, kind, data_json FROM attempt_events "
                                           "WHERE attempt_id = :a ORDER BY number"), {"a": attempt_id}).all()
        target = max(r.number for r in rows if r.kind == "answer" and json.loads(r.data_json)["position"] == position)
        prev = GENESIS
        for row in rows:
            data_json = row.data_json
            if row.number == target:
                data = {**json.loads(data_json), "choice": choice}
                data_json = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            digest = event_hash(prev, row.number, row.at, row.kind, data_json)
            sql.execute(sqlalchemy.text("UPDATE attempt_events SET data_json = :d, prev_hash = :p, hash = :h WHERE id = :i"),
                        {"d": data_json, "p": prev, "h": digest, "i": row.id})
            prev = digest
        sql.execute(sqlalchemy.text("UPDATE attempts SET last_event_hash = :h WHERE id = :a"), {"h": prev, "a": attempt_id})
        sql.execute(sqlalchemy.text("UPDATE responses SET choice = :c WHERE attempt_id = :a AND position = :p"),
                    {"c": choice, "a": attempt_id, "p": position})
    # The score and the frozen result the rewritten answers add up to, as the server would have written them.
    with services.db.reading() as session:
        attempt = session.get(models.Attempt, attempt_id)
        points = json.dumps([str(p) for p in results.score_sheet(services, session, attempt).section_points()])
        result = session.scalar(select(models.Result).where(models.Result.attempt_id == attempt_id))
        document = json.dumps(results.compute_document(services, session, attempt, result.id), ensure_ascii=False)
        ended = attempt.status != "in_progress"
    with engine.begin() as sql:
        sql.execute(sqlalchemy.text("UPDATE attempts SET section_points_json = :p WHERE id = :a"), {"p": points, "a": attempt_id})
        if ended:
            sql.execute(sqlalchemy.text("UPDATE results SET document_json = :d WHERE attempt_id = :a"),
                        {"d": document, "a": attempt_id})
    engine.dispose()


@pytest.mark.parametrize("anchored_by", ["submit", "checkpoint"])
def test_a_rewritten_answer_with_every_hash_recomputed_is_found(services, exam_session, tmp_path, database_url,
                                                                 anchored_by):
    attempt_id = sit(services, exam_session)
    right, wrong = right_then_wrong(services, attempt_id, 2)
    answering.answer(services, attempt_id, 2, wrong, 10)
    if anchored_by == "submit":
        answering.submit(services, attempt_id)
    else:
        assert anchoring.checkpoint_due(services) == 1

    rewrite_answer(services, database_url, attempt_id, 2, right)

    report = audit.replay(services, attempt_id)
    # The rewrite is a good one: the chain, the stored answers and the score all agree with it ...
    assert not [p for p in report["problems"] if "anchor" not in p], report["problems"]
    # ... and only the signed anchor, which needs the key, gives it away.
    assert report["intact"] is False
    assert any("rewritten after it was signed" in p for p in report["problems"])
    run = ExamCli(tmp_path / "data", database_url)("audit", str(attempt_id), "--verify")
    assert run.code == 3, run.out + run.err
    assert f"attempt {attempt_id} (P-001)" in run.out and "BROKEN" in run.out and "rewritten" in run.out


@pytest.mark.parametrize("anchors_deleted", [False, True])
def test_the_server_never_signs_a_chain_rewritten_under_it(services, exam_session, clock, database_url, anchors_deleted):
    attempt_id = sit(services, exam_session)
    right, wrong = right_then_wrong(services, attempt_id, 2)
    answering.answer(services, attempt_id, 2, wrong, 10)
    assert anchoring.checkpoint_due(services) == 1
    rewrite_answer(services, database_url, attempt_id, 2, right)
    if anchors_deleted:  # the anchor that would give the rewrite away goes too
        engine = engine_for(database_url)
        with engine.begin() as sql:
            sql.execute(sqlalchemy.text("DELETE FROM attempt_anchors WHERE attempt_id = :a"), {"a": attempt_id})
        engine.dispose()
    clock.advance(61_000)
    answering.answer(services, attempt_id, 6, "A", 11)
    raised = []
    assert anchoring.checkpoint_due(services, on_alert=raised.append) == 0
    assert [a["type"] for a in raised] == ["audit_chain_rewritten"] and raised[0]["attempt_id"] == attempt_id
    answering.submit(services, attempt_id)  # the candidate's submit goes through; its end is not signed
    report = audit.replay(services, attempt_id)
    assert "the attempt has ended but no valid anchor was signed at its end" in report["problems"]
    with services.db.reading() as session:
        kinds = session.scalars(select(models.Alert.type).where(models.Alert.attempt_id == attempt_id)).all()
    assert kinds.count("audit_chain_rewritten") == 1


def test_a_changed_live_score_is_found(services, exam_session, tmp_path, database_url):
    attempt_id = sit(services, exam_session)
    engine = engine_for(database_url)
    with engine.begin() as sql:
        sql.execute(sqlalchemy.text("UPDATE attempts SET section_points_json = :p WHERE id = :a"),
                    {"p": json.dumps(["20", "4"]), "a": attempt_id})
    engine.dispose()
    cli = ExamCli(tmp_path / "data", database_url)
    run = cli("audit", str(attempt_id), "--verify")
    assert run.code == 3, run.out + run.err
    assert f"attempt {attempt_id}" in run.out and "live score" in run.out
    # The whole session is checked attempt by attempt: the changed one is named, the others are clean.
    run = cli("audit", "--session", str(exam_session["session_id"]), "--verify")
    assert run.code == 3
    broken = [line for line in run.out.splitlines() if "BROKEN" in line]
    assert len(broken) == 1 and broken[0].startswith(f"attempt {attempt_id} ")


def test_a_signed_score_that_the_events_do_not_replay_to_is_found(services, exam_session, database_url):
    attempt_id = sit(services, exam_session)
    answering.submit(services, attempt_id)
    engine = engine_for(database_url)
    with engine.begin() as sql:  # an anchor with its signed fields changed no longer verifies
        sql.execute(sqlalchemy.text("UPDATE attempt_anchors SET points_json = :p WHERE attempt_id = :a"),
                    {"p": json.dumps(["20", "4"]), "a": attempt_id})
    engine.dispose()
    report = audit.replay(services, attempt_id)
    assert any("signature does not match" in p for p in report["problems"])
    assert any("no valid anchor was signed at its end" in p for p in report["problems"])


def test_a_removed_final_anchor_is_found(services, exam_session, database_url):
    attempt_id = sit(services, exam_session)
    answering.submit(services, attempt_id)
    engine = engine_for(database_url)
    with engine.begin() as sql:
        sql.execute(sqlalchemy.text("DELETE FROM attempt_anchors WHERE attempt_id = :a"), {"a": attempt_id})
    engine.dispose()
    assert audit.replay(services, attempt_id)["problems"] == ["the attempt has ended but no valid anchor was signed at its end"]


@pytest.mark.parametrize("ending", ["submit", "deadline", "proctor"])
def test_an_honest_sitting_verifies_clean(services, exam_session, clock, tmp_path, database_url, ending):
    attempt_id = sit(services, exam_session)
    assert anchoring.checkpoint_due(services) == 1
    clock.advance(61_000)
    answering.answer(services, attempt_id, 4, "A", 20)
    answering.flag(services, attempt_id, 4, True)
    if ending == "submit":
        answering.submit(services, attempt_id)
    elif ending == "deadline":
        clock.advance(30 * 60_000)
        assert [e["attempt_id"] for e in attempts.end_due_attempts(services)] == [attempt_id]
    else:
        from exam_server.services import proctoring, users

        users.add_user(services, "admin", "kepala", "sandi-kepala-1")
        token = users.authenticate(services, "kepala", "sandi-kepala-1")["token"]
        actor = proctoring.Actor(users.staff_from_token(services, token))
        proctoring.end_attempt(services, actor, attempt_id)
    run = ExamCli(tmp_path / "data", database_url)("audit", str(attempt_id), "--verify", "--json")
    assert run.code == 0, run.out + run.err
    report = run.json()
    assert report["intact"] is True and report["problems"] == []
    assert report["unanchored_events"] == 0 and report["anchored_events"] == len(report["events"])
    assert anchor_count(services, attempt_id) == 2  # one checkpoint, one at the end


def test_a_running_attempt_verifies_clean_and_says_what_is_not_anchored_yet(services, exam_session, tmp_path,
                                                                            database_url):
    attempt_id = sit(services, exam_session)
    run = ExamCli(tmp_path / "data", database_url)("audit", str(attempt_id), "--verify")
    assert run.code == 0, run.out + run.err
    assert f"{2 + len(ANSWERS)} after the last anchor, log intact" in run.out


def test_checkpoints_sign_once_a_minute_not_once_an_answer(services, exam_session, clock):
    login = attempts.login(services, exam_session["session_token"], "P-002", exam_session["passwords"]["P-002"])
    attempt_id = login["attempt_id"]
    attempts.start(services, attempt_id)
    answers = 50
    for seq in range(1, answers + 1):  # 50 answers within 50 s, the loop looking every second
        answering.answer(services, attempt_id, seq % 6 + 1, "ABC"[seq % 3], seq)
        anchoring.checkpoint_due(services)
        clock.advance(1_000)
    assert anchor_count(services, attempt_id) == 1
    anchoring.checkpoint_due(services)
    clock.advance(10_000)  # a minute after the first checkpoint: one more, and only while the chain grows
    assert anchoring.checkpoint_due(services) == 1
    clock.advance(60_000)
    assert anchoring.checkpoint_due(services) == 0
    assert anchor_count(services, attempt_id) == 2
    assert audit.replay(services, attempt_id)["intact"] is True


def test_a_served_sitting_is_anchored_once_by_the_loop_and_once_at_the_end(live, exam_cli):
    import time

    from tests.integration.sockets import logged_in_candidate

    candidate = logged_in_candidate(live, "P-003")
    try:
        assert candidate.call("start")["ok"]
        attempt_id = candidate.call("state")["attempt_id"]
        for seq in range(1, 31):  # 30 answers within a few seconds
            assert candidate.call("answer", {"position": seq % 6 + 1, "choice": "ABC"[seq % 3], "seq": seq})["saved"]
        engine = engine_for(live.database_url)

        def anchors() -> list[str]:
            with engine.connect() as sql:
                return list(sql.execute(sqlalchemy.text("SELECT reason FROM attempt_anchors WHERE attempt_id = :a "
                                                        "ORDER BY id"), {"a": attempt_id}).scalars())

        deadline = time.monotonic() + 15
        while not anchors() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        assert anchors() == ["checkpoint"]
        assert candidate.call("submit")["ok"]
        assert anchors() == ["checkpoint", "end"]
        engine.dispose()
    finally:
        candidate.close()
    run = exam_cli("audit", str(attempt_id), "--verify")
    assert run.code == 0 and "log intact" in run.out, run.out + run.err


def test_anchors_stay_verifiable_after_the_anchor_key_is_rotated(services, exam_session, tmp_path, database_url):
    attempt_id = sit(services, exam_session)
    answering.submit(services, attempt_id)
    cli = ExamCli(tmp_path / "data", database_url)
    assert cli("rotate-key", "--anchor", check=True).out.startswith("new anchor key ")
    assert len(list((tmp_path / "data" / "anchor-keys").glob("*.pem"))) == 2
    assert len(list((tmp_path / "data" / "signing-keys").glob("*.pem"))) == 1
    run = cli("audit", str(attempt_id), "--verify")
    assert run.code == 0 and "log intact" in run.out, run.out + run.err


def test_a_missing_anchor_key_never_refuses_a_submit_and_the_audit_says_so(services, exam_session, tmp_path):
    import shutil

    attempt_id = sit(services, exam_session)
    shutil.rmtree(tmp_path / "data" / "anchor-keys")
    services.anchor_keys = False  # as a server started on a data folder without the key
    assert anchoring.checkpoint_due(services) == 0
    assert answering.submit(services, attempt_id)["status"] == "submitted"
    assert audit.replay(services, attempt_id)["problems"] == [
        "the attempt has ended but no valid anchor was signed at its end"]


def test_a_checkpoint_skips_an_attempt_a_writer_holds_instead_of_waiting(services, exam_session, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no row locks: one writer at a time")
    attempt_id = sit(services, exam_session)
    engine = engine_for(database_url)
    with engine.begin() as writer:  # a writer's group holding the attempt's row
        writer.execute(sqlalchemy.text("SELECT id FROM attempts WHERE id = :a FOR UPDATE"), {"a": attempt_id})
        assert anchoring.checkpoint_due(services) == 0
    engine.dispose()
    assert anchoring.checkpoint_due(services) == 1
