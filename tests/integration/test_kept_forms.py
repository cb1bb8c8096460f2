"""A form is built once, at start, and kept: what is kept is what the database gives after a restart."""
from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from exam_server.errors import ExamError
from exam_server.services import attempts, banks, exams, sessions
from tests.integration.conftest import make_services
from tests.integration.helpers import ROSTER

PICTURE_BANK = """::G1::[html]<p>Perhatikan gambar <img src\\="data:image/png;base64,{png}" alt\\="peta"></p>{{=Benar ~Salah ~Ragu}}

::G2::[html]<p>Tanpa gambar</p>{{=Benar ~Salah ~Ragu}}
"""

PICTURE_BLUEPRINT = """code = "GAMBAR-1"
title = "Ujian bergambar"
duration_minutes = 30

[[sections]]
name = "Gambar"
bank = "gambar"
count = 2
scoring = "right_wrong"
correct = 5
wrong = 0
blank = 0
"""


def png() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (3, 3), (10, 20, 30)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def started(services, opened, number="P-002") -> int:
    attempt_id = attempts.login(services, opened["session_token"], number, opened["passwords"][number])["attempt_id"]
    attempts.start(services, attempt_id)
    return attempt_id


def restarted(services, tmp_path, database_url, clock):
    """A new process over the same data folder and database: nothing kept in memory."""
    return make_services(tmp_path / "data", database_url, clock)


def test_the_form_kept_at_start_is_the_one_a_restarted_server_builds(services, exam_session, tmp_path,
                                                                       database_url, clock):
    attempt_id = started(services, exam_session)
    assert attempt_id in services.form_cache  # built in the start's write, not at the first form
    kept = attempts.form(services, attempt_id)
    fresh = restarted(services, tmp_path, database_url, clock)
    try:
        assert attempt_id not in fresh.form_cache
        assert attempts.form(fresh, attempt_id) == kept
        assert attempt_id in fresh.form_cache
    finally:
        fresh.close()
    # What the kiosk gets and nothing else: no weights, no item ids.
    assert {tuple(sorted(item)) for item in kept["items"]} == {("options", "position", "section", "stem")}
    assert {tuple(sorted(option)) for item in kept["items"] for option in item["options"]} == {("key", "text")}


def test_nothing_is_kept_for_an_attempt_not_started(services, exam_session):
    attempt_id = attempts.login(services, exam_session["session_token"], "P-003",
                                exam_session["passwords"]["P-003"])["attempt_id"]
    with pytest.raises(ExamError) as refused:
        attempts.form(services, attempt_id)
    assert refused.value.code == "not_started"
    assert attempt_id not in services.form_cache


def test_candidates_sharing_items_each_get_their_own_positions_and_option_orders(services, exam_session, tmp_path,
                                                                                  database_url, clock):
    first, second = started(services, exam_session, "P-002"), started(services, exam_session, "P-003")
    kept = {attempt_id: attempts.form(services, attempt_id) for attempt_id in (first, second)}
    # Built alone, in the other order, by a process that kept nothing: option texts shared between
    # kept forms must still be each candidate's own order.
    fresh = restarted(services, tmp_path, database_url, clock)
    try:
        assert {attempt_id: attempts.form(fresh, attempt_id) for attempt_id in (second, first)} == kept
    finally:
        fresh.close()
    for form in kept.values():
        for item in form["items"]:
            assert [option["key"] for option in item["options"]] == list("ABCD"[:len(item["options"])])


def test_pictures_are_inlined_at_start_and_the_same_after_a_restart(services, tmp_path, database_url, clock):
    banks.import_bank(services, PICTURE_BANK.format(png=png()).encode(), "gambar.gift", bank_code="gambar")
    exams.create_exam(services, PICTURE_BLUEPRINT)
    opened = sessions.create_session(services, "GAMBAR-1", "Sesi gambar", ROSTER.encode(), seed=3)
    opened["passwords"] = {c["participant_number"]: c["password"] for c in opened["credentials"]}
    attempt_id = started(services, opened)
    kept = attempts.form(services, attempt_id)
    stems = [item["stem"] for item in kept["items"]]
    assert any('src="data:image/png;base64,' in stem for stem in stems)
    assert not any("asset:" in stem for stem in stems)
    fresh = restarted(services, tmp_path, database_url, clock)
    try:
        assert attempts.form(fresh, attempt_id) == kept
    finally:
        fresh.close()


def test_the_state_before_the_start_needs_no_scoring_key(services, exam_session):
    attempt_id = attempts.login(services, exam_session["session_token"], "P-002",
                                exam_session["passwords"]["P-002"])["attempt_id"]
    before = attempts.state(services, attempt_id)
    assert attempt_id not in services.key_cache  # the kiosk's first screen builds nothing per candidate
    attempts.start(services, attempt_id)
    assert attempt_id in services.key_cache
    after = attempts.state(services, attempt_id)
    assert before["items"] == after["items"] == len(attempts.form(services, attempt_id)["items"])
    assert before["sections"] == after["sections"]
