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
    ours = hall["ours"]["median"]
    assert ours["held"] == 8 and ours["answers_acked"] > 0
    assert {"ack_p50_ms", "ack_p99_ms", "proctor_p99_ms", "rss_per_connection_kb"} <= set(ours)
    assert (tmp_path / "load_summary.md").read_text().count("|") > 10


def test_the_site_catch_up_bench_runs_a_tiny_hall_through_a_cut_and_writes_its_figures(tmp_path):
    out = tmp_path / "sites_catchup.json"
    process = subprocess.run(
        [sys.executable, "bench/sites_catchup.py", "--hall", "12", "--every", "5", "--backlog-minutes", "1",
         "--live-seconds", "3", "--no-pin", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert process.returncode == 0, process.stdout[-2000:] + process.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report == json.loads(process.stdout)
    assert report["candidates_holding_forms"] == 12
    assert report["offline"]["answers_target"] == 12 * 12 == report["offline"]["answers_acked"]
    # Cut off, the site's own /healthz says so and counts what it holds.
    assert report["offline"]["site_healthz"]["link"]["online"] is False
    assert report["offline"]["site_healthz"]["link"]["backlog"] > 0
    catch_up = report["catch_up"]
    assert catch_up["caught_up"] and catch_up["backlog_events"] >= 144
    # The hall answers on during the catch-up (it may be too short here for any answer to fall in it).
    assert catch_up["hall"]["answers_acked"] == catch_up["hall"]["answers_sent"]
    assert catch_up["hall"]["answers_missing"] == 0
    assert {"ack_p50_ms", "ack_p99_ms"} <= set(catch_up["hall"]) and {"ack_p99_ms"} <= set(report["link_up"])


def test_the_targets_run_fills_every_row_of_the_targets_table_with_a_figure_and_a_verdict(tmp_path):
    from bench import targets, targets_report

    process = subprocess.run(
        [sys.executable, "-m", "bench", "run", "--scenario", "targets", "--quick", "--no-pin", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    summary = json.loads((tmp_path / "targets_summary.json").read_text())
    assert [row["id"] for row in summary["rows"]] == [row[0] for row in targets_report.ROWS]
    for row in summary["rows"]:
        assert isinstance(row["measured"], (int, float)) and not isinstance(row["measured"], bool), row
        assert row["verdict"].split(" (")[0] in ("met", "not met"), row
        assert "no figure" not in row["verdict"] and "not run" not in row["verdict"], row
    # The bare stack ran in the same run, next to every step that is compared with it.
    raw = json.loads((tmp_path / "targets.json").read_text())
    assert set(raw["steps"]) >= {"saturation_sqlite", "saturation_baseline", "ingest",
                                 *(part for part in targets.PARTS if part not in ("saturation", "ingest"))}
    for part in ("hall_2000", "hall_5000", "storm_300", "storm_1000", "storm_3000"):
        for kind in ("ours", "baseline"):
            assert raw["steps"][part][kind]["failed_runs"] == 0, (part, kind, raw["steps"][part][kind]["runs"])
    assert raw["steps"]["saturation_baseline"]["baseline"]["median"]["max_answers_per_s"] > 0
    # The markdown table: a line per row, in the same order, with its verdict.
    table = [line for line in (tmp_path / "targets_summary.md").read_text().splitlines() if line.startswith("| ")]
    assert len(table) == 2 + len(summary["rows"])  # the header, its rule, the rows
    for line, row in zip(table[2:], summary["rows"]):
        assert line.startswith(f"| {row['figure']} |") and f"| {row['verdict']} |" in line
