"""Driving the real thing: the exam-server command and a server process."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


class ExamCli:
    """Runs ``python -m exam_server`` as a newcomer would, against one data folder and database."""

    def __init__(self, data_dir: Path, database_url: str):
        self.data_dir = data_dir
        self.database_url = database_url

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("EXAM_") or k == "EXAM_SHARED_DIR"}
        env.update(DATABASE_URL=self.database_url, PYTHONPATH=str(ROOT), EXAM_ASYNC_MODE="threading")
        return env

    def __call__(self, *args, input: str | None = None, check: bool = False) -> Run:
        process = subprocess.run(
            [sys.executable, "-m", "exam_server", *args, "--data", str(self.data_dir)],
            input=input, capture_output=True, text=True, env=self.env(), cwd=ROOT, timeout=120,
        )
        run = Run(process.returncode, process.stdout, process.stderr)
        if check and run.code != 0:
            raise AssertionError(f"exam-server {' '.join(args)} exited {run.code}:\n{run.err}")
        return run


@pytest.fixture
def exam_cli(tmp_path, database_url) -> ExamCli:
    return ExamCli(tmp_path / "data", database_url)
