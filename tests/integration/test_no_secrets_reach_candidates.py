"""Everything a candidate receives during a whole exam holds no key, weight or score but their own final result."""
from __future__ import annotations

import json
import re

import pytest

from tests.integration.conftest import ServerProcess, prepare_data
from tests.integration.helpers import BLUEPRINT
from tests.integration.sockets import logged_in_candidate, logged_in_proctor

pytestmark = pytest.mark.slow

FORBIDDEN_KEYS = {"weight", "weights", "correct", "is_correct", "fraction", "points", "score", "total", "item_id",
                  "option_order", "original", "feedback", "general_feedback", "max_points", "passed", "result",
                  "section_points"}


def keys_in(value, found=None) -> set:
    found = set() if found is None else found
    if isinstance(value, dict):
        for key, inner in value.items():
            found.add(str(key))
            keys_in(inner, found)
    elif isinstance(value, list):
        for inner in value:
            keys_in(inner, found)
    return found


def run_whole_exam(server, number: str) -> tuple[list, dict]:
    candidate = logged_in_candidate(server, number)
    proctor = logged_in_proctor(server)
    received = []
    received.append(candidate.call("start"))
    received.append(candidate.call("state"))
    form = candidate.call("form")
    received.append(form)
    attempt_id = received[1]["attempt_id"]
    for seq, item in enumerate(form["items"], start=1):
        received.append(candidate.call("answer", {"position": item["position"], "choice": item["options"][0]["key"], "seq": seq}))
        received.append(candidate.call("flag", {"position": item["position"], "flagged": seq % 2 == 0}))
    received.append(candidate.call("report", {"type": "focus_lost", "detail": "alt-tab"}))
    proctor.call("extend", {"attempt_id": attempt_id, "minutes": 1})
    proctor.call("pause", {"attempt_id": attempt_id})
    proctor.call("resume", {"attempt_id": attempt_id})
    proctor.call("announce", {"session_id": server.session["session_id"], "text": "Sisa waktu 10 menit"})
    candidate.recorder.wait_for("announcement")
    received.append(candidate.call("state"))
    final = candidate.call("submit")
    received += [data for _, data in candidate.recorder.events]
    candidate.close()
    proctor.close()
    return received, final


def test_a_whole_exam_sends_no_key_weight_or_running_score(live):
    received, final = run_whole_exam(live, "P-002")
    assert keys_in(received) & FORBIDDEN_KEYS == set()
    text = json.dumps(received, ensure_ascii=False)
    assert not re.search(r'"(weight|fraction|correct)"', text)
    # The exam shows scores: the candidate's own final result comes with the submit acknowledgement, and only there.
    assert final["result"]["participant_number"] == "P-002"
    assert {r["participant_number"] for r in [final["result"]]} == {"P-002"}


@pytest.fixture
def hidden_scores(exam_cli, tmp_path):
    opened = prepare_data(exam_cli, tmp_path, BLUEPRINT.replace('title = "Ujian uji"', 'title = "Ujian uji"\nshow_score_to_candidate = false'))
    server = ServerProcess(exam_cli.data_dir, exam_cli.database_url).start()
    server.session = opened
    yield server
    server.stop()


def test_an_exam_that_hides_scores_sends_none_at_all(hidden_scores):
    received, final = run_whole_exam(hidden_scores, "P-003")
    assert "result" not in final and final["status"] == "submitted"
    assert keys_in(received + [final]) & FORBIDDEN_KEYS == set()
