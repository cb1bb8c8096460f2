"""The one-command targets bench runs end to end, shrunk, and fills its table (a smoke run: no timing is judged here)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


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
