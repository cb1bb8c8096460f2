"""The proctors' live score is the score the result prints, to the cent, from a real server."""
from __future__ import annotations

import pytest

from tests.integration.conftest import ServerProcess, prepare_data
from tests.integration.sockets import logged_in_candidate, logged_in_proctor

pytestmark = pytest.mark.slow

# Two sections of one item each, worth a third of a point: 0.3333 + 0.3333 shows as 0.33 + 0.33.
THIRDS = """code = "UJI-1"
title = "Ujian sepertiga"
duration_minutes = 30

[[sections]]
name = "Satu"
bank = "umum"
category = "Dasar"
count = 1
scoring = "weighted"
points = 0.3333

[[sections]]
name = "Dua"
bank = "umum"
category = "Lanjut"
count = 1
scoring = "weighted"
points = 0.3333
"""


@pytest.fixture
def thirds(exam_cli, tmp_path):
    opened = prepare_data(exam_cli, tmp_path, THIRDS)
    server = ServerProcess(exam_cli.data_dir, exam_cli.database_url).start()
    server.session = opened
    yield server
    server.stop()


def test_two_sections_of_a_third_show_the_same_total_live_and_in_the_result(thirds):
    proctor = logged_in_proctor(thirds)
    assert proctor.call("watch", {"session_id": thirds.session["session_id"]})["ok"]
    candidate = logged_in_candidate(thirds, "P-001")
    candidate.call("start")
    for seq, item in enumerate(candidate.call("form")["items"], 1):
        right = next(o["key"] for o in item["options"] if o["text"].startswith("Benar"))
        assert candidate.call("answer", {"position": item["position"], "choice": right, "seq": seq})["ok"]
    live = proctor.recorder.wait_for("candidate", where=lambda c: c["participant_number"] == "P-001"
                                     and c["answered"] == 2)
    result = candidate.call("submit")["result"]
    assert [s["points"] for s in result["sections"]] == ["0.33", "0.33"] and result["total"] == "0.66"
    assert live["score"] == {"total": "0.66", "sections": {"Satu": "0.33", "Dua": "0.33"}}
    ended = proctor.recorder.wait_for("candidate", where=lambda c: c["participant_number"] == "P-001"
                                      and c["status"] == "submitted")
    assert ended["score"]["total"] == result["total"]
    candidate.close()
    proctor.close()
