"""The JavaScript copies of the attempt statuses are the server's: one set, kept in step by this test."""
from __future__ import annotations

import re
from pathlib import Path

from exam_server.domain.attempt_status import ENDED, AttemptStatus

ROOT = Path(__file__).resolve().parents[3]
CONSOLE_STATE = ROOT / "proctor_console" / "static" / "console-state.js"
KIOSK_STATE = ROOT / "exam_server" / "web" / "static" / "kiosk" / "state.js"


def _strings(script: Path, name: str, opening: str) -> list[str]:
    text = script.read_text(encoding="utf-8")
    found = re.search(rf"\b{name}:\s*{re.escape(opening)}(.*?)\]", text, re.S)
    assert found, f"{name} is not in {script.name}"
    return re.findall(r"'([a-z_]+)'", found.group(1))


def test_the_web_console_knows_every_status_in_the_servers_order():
    assert _strings(CONSOLE_STATE, "STATUSES", "[") == [status.value for status in AttemptStatus]


def test_the_web_console_ends_the_same_statuses():
    assert set(_strings(CONSOLE_STATE, "ENDED", "new Set([")) == {status.value for status in ENDED}


def test_the_kiosk_ends_the_same_statuses():
    assert set(_strings(KIOSK_STATE, "ENDED", "new Set([")) == {status.value for status in ENDED}
