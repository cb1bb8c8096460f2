"""The proctors' live score is the score the result prints, to the cent, from a real server."""
from __future__ import annotations

import re
import time

import pytest
import requests

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


def _views_built(server) -> dict[str, float]:
    text = requests.get(server.url + "/metrics", timeout=10).text
    return {m[1]: float(m[2]) for m in re.finditer(r'^exam_feed_views_total\{source="(\w+)"\} (\S+)$', text, re.M)}


def _settled_views(server) -> dict[str, float]:
    """The views built so far, once no view was built for 0.3 s (the start's own may still be on its way)."""
    last = _views_built(server)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = _views_built(server)
        if now == last:
            return now
        last = now
    return last


def test_answers_reach_the_proctor_from_the_committed_columns_and_a_disconnect_is_never_overwritten(thirds):
    proctor = logged_in_proctor(thirds)
    assert proctor.call("watch", {"session_id": thirds.session["session_id"]})["ok"]
    candidate = logged_in_candidate(thirds, "P-001")
    candidate.call("start")
    proctor.recorder.wait_for("candidate", where=lambda c: c["participant_number"] == "P-001"
                              and c["status"] == "in_progress")
    before = _settled_views(thirds)
    items = candidate.call("form")["items"]
    right = next(o["key"] for o in items[0]["options"] if o["text"].startswith("Benar"))
    assert candidate.call("answer", {"position": items[0]["position"], "choice": right, "seq": 1})["ok"]
    assert candidate.call("flag", {"position": items[1]["position"], "flagged": True})["ok"]
    live = proctor.recorder.wait_for("candidate", where=lambda c: c["participant_number"] == "P-001"
                                     and c["answered"] == 1 and c["flagged"] == 1)
    assert live["connected"] is True and live["score"]["total"] == "0.33"
    assert live["remaining_ms"] > 0 and live["status"] == "in_progress"
    after = _views_built(thirds)
    # built from what the writer committed, not read again
    assert after.get("written", 0) > before.get("written", 0)
    assert after.get("read", 0) == before.get("read", 0)

    candidate.close()
    gone = proctor.recorder.wait_for("candidate", where=lambda c: c["participant_number"] == "P-001"
                                     and c["connected"] is False)
    assert gone["answered"] == 1
    time.sleep(1.0)  # an older view sent after the disconnect's would show the candidate connected again
    views = [data for name, data in proctor.recorder.events
             if name == "candidate" and data["participant_number"] == "P-001"]
    assert views[-1]["connected"] is False and views[-1]["answered"] == 1
    proctor.close()
