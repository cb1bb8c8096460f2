"""The load harness runs end to end on a tiny hall and writes its numbers (a smoke run: no timing is judged here)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_the_harness_runs_a_small_hall_and_writes_its_figures(tmp_path):
    process = subprocess.run(
        [sys.executable, "-m", "bench", "run", "--quick", "--scenario", "hall", "--modes", "eventlet", "--runs", "1",
         "--candidates", "8", "--duration", "3", "--period", "1", "--processes", "1", "--no-pin",
         "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stdout[-2000:] + process.stderr[-3000:]
    written = {path.name for path in tmp_path.glob("*.json")}
    assert "load_summary.json" in written and any(name.startswith("load_hall") for name in written)
    hall = json.loads(next(tmp_path.glob("load_hall*.json")).read_text())
    assert hall["ours"]["failed_runs"] == 0, hall["ours"]["runs"]
    ours = hall["ours"]["median"]
    assert ours["held"] == 8 and ours["answers_acked"] > 0
    assert {"ack_p50_ms", "ack_p99_ms", "proctor_p99_ms", "rss_per_connection_kb"} <= set(ours)
    assert (tmp_path / "load_summary.md").read_text().count("|") > 10
