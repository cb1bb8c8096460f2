"""A key found wrong after the sitting: correct it, rescore exactly who drew the item, keep the old signatures."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from exam_server.domain.scoring import format_points
from exam_server.services import answering, attempts, publishing, results
from exam_server.services.corrections import Change, correct
from exam_server.store import models
from tests.integration.conftest import ExamCli

pytestmark = pytest.mark.slow

CORRECT, WRONG = 0, 1  # original option indexes: every test item's first option is "Benar"


def forms(services, session_id):
    """participant -> (attempt_id, [(position, item_id, option_order)]) for the Dasar section (positions 1-4)."""
    from sqlalchemy import select
    from sqlalchemy.orm import undefer

    with services.db.reading() as session:
        rows = session.scalars(select(models.Attempt).options(undefer(models.Attempt.form_json))
                               .where(models.Attempt.session_id == session_id)).all()
        return {a.candidate.participant_number: (a.id, [(e["position"], e["item_id"], e["option_order"])
                                                        for e in json.loads(a.form_json) if e["section"] == 0])
                for a in rows}


def target_item(drawn):
    """An item that two candidates drew and one did not (there is one with seed 7)."""
    counts = {}
    for _, entries in drawn.values():
        for _, item_id, _ in entries:
            counts[item_id] = counts.get(item_id, 0) + 1
    return next(item for item, n in sorted(counts.items()) if n == 2)


def sit(services, opened, drawn, target, plan):
    """Each candidate answers the Dasar section: ``plan[p]`` = (original choice at the target, the others' choices)."""
    for number, (attempt_id, entries) in drawn.items():
        attempts.login(services, opened["session_token"], number, opened["passwords"][number])
        attempts.start(services, attempt_id)
        at_target, others = plan[number]
        rest = iter(others)
        for seq, (position, item_id, order) in enumerate(entries, 1):
            original = at_target if item_id == target else next(rest)
            if original is not None:
                answering.answer(services, attempt_id, position, "ABCD"[order.index(original)], seq)
        answering.submit(services, attempt_id)


@pytest.fixture
def sat(services, exam_session):
    drawn = forms(services, exam_session["session_id"])
    target = target_item(drawn)
    drew = sorted(n for n, (_, entries) in drawn.items() if any(i == target for _, i, _ in entries))
    absent = next(n for n in drawn if n not in drew)
    # The first drawer chose B at the item, the second A (the key as imported); the other passes on 15.
    plan = {drew[0]: (WRONG, [CORRECT, CORRECT, WRONG]), drew[1]: (CORRECT, [CORRECT, CORRECT, WRONG]),
            absent: (None, [CORRECT, CORRECT, CORRECT, None])}
    sit(services, exam_session, drawn, target, plan)
    publishing.publish(services, exam_session["session_id"])
    return {"session_id": exam_session["session_id"], "item": target, "drew": drew, "absent": absent}


def by_number(services, session_id):
    return {r["participant_number"]: r for r in results.session_results(services, session_id)["results"]}


def test_a_wrong_key_corrected_rescores_exactly_who_drew_it(services, sat):
    sid, item, (b_chooser, a_chooser) = sat["session_id"], sat["item"], sat["drew"]
    before = by_number(services, sid)
    assert (before[b_chooser]["total"], before[a_chooser]["total"]) == ("8.00", "14.00")

    preview = correct(services, sid, item, Change(key="B"), "Kunci salah: jawaban benar B", dry_run=True)
    assert by_number(services, sid) == before  # a preview saves nothing
    done = correct(services, sid, item, Change(key="B"), "Kunci salah: jawaban benar B")
    assert {k: done[k] for k in ("changed", "pass_changes", "examined")} == \
        {k: preview[k] for k in ("changed", "pass_changes", "examined")}
    assert done["examined"] == 2 and preview["revisions"] == [] and len(done["revisions"]) == 2
    changed = {c["participant_number"]: c for c in done["changed"]}
    assert set(changed) == {b_chooser, a_chooser}
    assert (changed[b_chooser]["total_after"], changed[b_chooser]["delta"]) == ("14.00", "+6.00")
    assert (changed[a_chooser]["total_after"], changed[a_chooser]["delta"]) == ("8.00", "-6.00")
    assert {c["participant_number"] for c in done["pass_changes"]} == {b_chooser, a_chooser}

    after = by_number(services, sid)
    assert after[sat["absent"]] == before[sat["absent"]]  # did not draw the item: untouched, same signature
    for number in (b_chooser, a_chooser):
        new, old = after[number], before[number]
        assert new["result_id"] != old["result_id"] and new["revision"] == 2 and new["supersedes"] == old["result_id"]
        assert new["passed"] != old["passed"]
        assert publishing.verify_result(services, new["result_id"]) == {"valid": True, "result": new}
        stale = publishing.verify_result(services, old["result_id"])
        assert stale["valid"] and stale["superseded"] and stale["result"] == old
        assert stale["superseded_by"] == {"result_id": new["result_id"], "revision": 2}
    with services.db.reading() as session:  # the record of the sitting stays as it happened
        running = json.loads(session.get(models.Attempt, changed[b_chooser]["attempt_id"]).section_points_json)
    assert [format_points(Decimal(p)) for p in running][0] == before[b_chooser]["sections"][0]["points"] == "8.00"


def test_a_second_correction_stacks_and_annulments_give_full_or_no_points(services, sat):
    sid, item, (b_chooser, a_chooser), absent = sat["session_id"], sat["item"], sat["drew"], sat["absent"]
    first = by_number(services, sid)
    correct(services, sid, item, Change(key="B"), "kunci B")
    second = correct(services, sid, item, Change(key="C"), "ternyata kunci C")
    # Under C both chose wrong: only the one who had been right under B changes.
    assert [(c["participant_number"], c["total_after"]) for c in second["changed"]] == [(b_chooser, "8.00")]
    now = by_number(services, sid)
    assert now[b_chooser]["revision"] == 3 and now[a_chooser]["revision"] == 2
    original = publishing.verify_result(services, first[b_chooser]["result_id"])
    assert original["valid"] and original["superseded_by"]["revision"] == 3

    full = correct(services, sid, item, Change(annul="full"), "soal dianulir: semua mendapat nilai penuh")
    totals = {c["participant_number"]: c["total_after"] for c in full["changed"]}
    assert totals == {b_chooser: "14.00", a_chooser: "14.00"}
    none = correct(services, sid, item, Change(annul="none"), "soal tidak dihitung")
    totals = {c["participant_number"]: c["total_after"] for c in none["changed"]}
    assert totals == {b_chooser: "9.00", a_chooser: "9.00"}
    dasar = [s for s in by_number(services, sid)[a_chooser]["sections"] if s["name"] == "Dasar"][0]
    assert (dasar["points"], dasar["max_points"]) == ("9.00", "15.00")
    assert by_number(services, sid)[absent]["sections"][0]["max_points"] == "20.00"


def test_the_command_previews_corrects_and_verify_names_the_superseded(services, sat, tmp_path, database_url):
    cli = ExamCli(tmp_path / "data", database_url)
    sid, item = str(sat["session_id"]), str(sat["item"])
    old_file = tmp_path / "hasil-lama.json"
    cli("results", sid, "--format", "json", "--out", str(old_file), check=True)
    refused = cli("correct", sid, "--item", item, "--key", "B", "--annul", "full", "--reason", "x")
    assert refused.code == 2 and "exactly one" in refused.err
    assert cli("correct", sid, "--item", item, "--key", "Z", "--reason", "x").code == 2
    dry = cli("correct", sid, "--item", item, "--key", "B", "--reason", "kunci B", "--dry-run", "--json",
              check=True).json()
    assert dry["dry_run"] and len(dry["pass_changes"]) == 2
    run = cli("correct", sid, "--item", item, "--key", "B", "--reason", "kunci B", check=True)
    assert "2 results change" in run.out and "TIDAK LULUS" in run.out
    checked = cli("verify", str(old_file), "--json")
    assert checked.code == 0
    superseded = [r for r in checked.json()["results"] if r.get("superseded")]
    assert len(superseded) == 2 and all(r["superseded_by"]["revision"] == 2 for r in superseded)
    new_file = tmp_path / "hasil-baru.json"
    cli("results", sid, "--format", "json", "--out", str(new_file), check=True)
    assert cli("verify", str(new_file), "--json").json()["valid"]


def test_corrections_reach_the_audit_log_and_the_minutes(services, sat):
    from exam_server.services.minutes import session_minutes

    correct(services, sat["session_id"], sat["item"], Change(key="B"), "Kunci salah menurut keberatan peserta")
    minutes = session_minutes(services, sat["session_id"])
    controls = [c for c in minutes["controls"] if c["action"] == "correct_item"]
    assert len(controls) == 1 and controls[0]["reason"] == "Kunci salah menurut keberatan peserta"
    [fixed] = minutes["corrections"]
    assert fixed["item_id"] == sat["item"] and fixed["state"].startswith("A=0 B=1")
    assert fixed["changed"].count("->") == 2 and "(lulus)" in fixed["changed"] and "(tidak lulus)" in fixed["changed"]
    from exam_server.services.minutes import minutes_csv, minutes_pdf

    assert b"correction" in minutes_csv(minutes) and minutes_pdf(minutes).startswith(b"%PDF")
    from sqlalchemy import select

    with services.db.reading() as session:
        audited = session.scalar(select(models.AuditEntry.detail_json).where(models.AuditEntry.action == "correct_item"))
        detail = json.loads(audited)
        sealed = session.scalar(select(models.ItemCorrection.state))
    assert detail["item_id"] == sat["item"] and len(detail["changed"]) == 2 and len(detail["revisions"]) == 2
    # The corrected key is bank content: neither the audit log nor the correction row holds it readable.
    assert "weights" not in audited and "B=1" not in audited
    assert b"weights" not in sealed and b'"1"' not in sealed


def test_a_running_attempt_or_an_item_nobody_drew_is_refused(services, exam_session):
    from exam_server.errors import ExamError

    drawn = forms(services, exam_session["session_id"])
    number, (attempt_id, entries) = next(iter(drawn.items()))
    attempts.login(services, exam_session["session_token"], number, exam_session["passwords"][number])
    attempts.start(services, attempt_id)
    with pytest.raises(ExamError) as running:
        correct(services, exam_session["session_id"], entries[0][1], Change(key="B"), "x")
    assert running.value.http_status == 409
    answering.submit(services, attempt_id)
    with pytest.raises(ExamError) as nobody:
        correct(services, exam_session["session_id"], 999_999, Change(key="B"), "x")
    assert nobody.value.http_status == 404


def test_a_correction_before_publishing_is_what_gets_signed(services, exam_session):
    drawn = forms(services, exam_session["session_id"])
    target = target_item(drawn)
    drew = sorted(n for n, (_, entries) in drawn.items() if any(i == target for _, i, _ in entries))
    absent = next(n for n in drawn if n not in drew)
    plan = {drew[0]: (WRONG, [CORRECT, CORRECT, WRONG]), drew[1]: (CORRECT, [CORRECT, CORRECT, WRONG]),
            absent: (None, [CORRECT, CORRECT, CORRECT, None])}
    sit(services, exam_session, drawn, target, plan)
    sid = exam_session["session_id"]
    done = correct(services, sid, target, Change(annul="full"), "soal dianulir sebelum terbit")
    # The one who had chosen the key keeps 14; the one who had not gets the item's points too.
    assert {c["participant_number"]: c["total_after"] for c in done["changed"]} == {drew[0]: "14.00"}
    publishing.publish(services, sid)
    published = by_number(services, sid)
    assert published[drew[0]]["total"] == "14.00" and "revision" not in published[drew[0]]
    checked = publishing.verify_result(services, published[drew[0]]["result_id"])
    assert checked["valid"] and "superseded" not in checked


def test_a_bank_key_rotation_re_encrypts_the_corrections_too(services, sat, tmp_path, database_url, clock):
    from exam_server.services.key_rotation import rotate_bank_key
    from exam_server.services.minutes import session_minutes
    from tests.integration.conftest import make_services

    correct(services, sat["session_id"], sat["item"], Change(key="B"), "kunci B")
    corrected = by_number(services, sat["session_id"])
    rotate_bank_key(services, force=True)
    fresh = make_services(tmp_path / "data", database_url, clock)  # holds only the new bank key
    try:
        assert by_number(fresh, sat["session_id"]) == corrected
        assert fresh.cipher is not services.cipher
        [fixed] = session_minutes(fresh, sat["session_id"])["corrections"]
        assert fixed["state"].startswith("A=0 B=1")
        again = correct(fresh, sat["session_id"], sat["item"], Change(key="B"), "sama lagi", dry_run=True)
        assert again["before"] == again["after"] and again["changed"] == []
    finally:
        fresh.close()


def test_a_tkp_weight_is_corrected_in_points_and_stacks(services, exam_session):
    """Lanjut is weighted (points 2): everyone chose B on every item; B's weight is raised, then raised again."""
    from sqlalchemy import select

    sid = exam_session["session_id"]
    with services.db.reading() as session:
        rows = session.scalars(select(models.Attempt).where(models.Attempt.session_id == sid)).all()
        lanjut = {a.candidate.participant_number: (a.id, [e for e in json.loads(a.form_json) if e["section"] == 1])
                  for a in rows}
    for number, (attempt_id, entries) in lanjut.items():
        attempts.login(services, exam_session["session_token"], number, exam_session["passwords"][number])
        attempts.start(services, attempt_id)
        for seq, entry in enumerate(entries, 1):
            answering.answer(services, attempt_id, entry["position"], "ABC"[entry["option_order"].index(1)], seq)
        answering.submit(services, attempt_id)
    publishing.publish(services, sid)
    counts = {}
    for _, entries in lanjut.values():
        for entry in entries:
            counts[entry["item_id"]] = counts.get(entry["item_id"], 0) + 1
    item = max(counts, key=counts.get)
    before = by_number(services, sid)

    half = correct(services, sid, item, Change(weights="B=1"), "opsi B setengah benar")
    assert half["after"].startswith("A=1 B=0.5") and len(half["changed"]) == counts[item]
    assert all(c["delta"] == "+1.00" for c in half["changed"])
    full = correct(services, sid, item, Change(weights="B=100%"), "opsi B juga benar penuh")
    assert full["after"].startswith("A=1 B=1") and all(c["delta"] == "+1.00" for c in full["changed"])
    after = by_number(services, sid)
    for number in (c["participant_number"] for c in full["changed"]):
        assert Decimal(after[number]["total"]) - Decimal(before[number]["total"]) == 2
        assert after[number]["revision"] == 3
