"""The site catch-up bench runs end to end on a tiny hall and writes its numbers (a smoke run: no timing is judged here)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_the_site_catch_up_bench_runs_a_tiny_hall_through_a_cut_and_writes_its_figures(tmp_path):
    out = tmp_path / "sites_catchup.json"
    process = subprocess.run(
        [sys.executable, "bench/sites_catchup.py", "--hall", "12", "--every", "1", "--backlog-minutes", "1",
         "--live-seconds", "3", "--no-pin", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert process.returncode == 0, process.stdout[-2000:] + process.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report == json.loads(process.stdout)
    assert report["candidates_holding_forms"] == 12
    # 720 answers held: more than one exchange of a catch-up (500 events), so the hub takes them in several.
    assert report["offline"]["answers_target"] == 12 * 60 == report["offline"]["answers_acked"]
    # Cut off, the site's own /healthz says so and counts what it holds.
    assert report["offline"]["site_healthz"]["link"]["online"] is False
    assert report["offline"]["site_healthz"]["link"]["backlog"] > 0
    catch_up = report["catch_up"]
    assert catch_up["caught_up"] and catch_up["backlog_events"] >= 720
    # The hall answers on during the catch-up (it may be too short here for any answer to fall in it).
    assert catch_up["hall"]["answers_acked"] == catch_up["hall"]["answers_sent"]
    assert catch_up["hall"]["answers_missing"] == 0
    # The hub ends with every event of every attempt, in the site's order (the same chain heads).
    assert catch_up["hub_copy"]["attempts"] == 12 and catch_up["hub_copy"]["differing"] == 0
    assert catch_up["hub_copy"]["events"] >= 720
    assert {"ack_p50_ms", "ack_p99_ms"} <= set(catch_up["hall"]) and {"ack_p99_ms"} <= set(report["link_up"])
