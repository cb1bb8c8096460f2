"""Sampling profiles of the server under load (py-spy), summarised as the functions that hold the CPU.

Optional: ``--profile`` records the server process during each measured window
(py-spy must be installed: ``.venv/bin/pip install py-spy``). The raw collapsed
stacks are kept in bench/.work/profiles/; the summary (top functions by own and
by inclusive samples) goes into the scenario's JSON.
"""
from __future__ import annotations

import collections
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from bench.prepare import WORK

PROFILES = WORK / "profiles"


def py_spy() -> str | None:
    local = Path(sys.executable).with_name("py-spy")
    return str(local) if local.exists() else shutil.which("py-spy")


class Recording:
    def __init__(self, pid: int, name: str, seconds: float):
        self.path = PROFILES / f"{name}.txt"
        self.process = None
        tool = py_spy()
        if tool is None:
            return
        PROFILES.mkdir(parents=True, exist_ok=True)
        command = [tool, "record", "--pid", str(pid), "--rate", "200", "--duration", str(max(1, round(seconds))),
                   "--format", "raw", "--output", str(self.path), "--nonblocking", "--threads", "--idle"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def finish(self, timeout: float = 30.0, *, now: bool = False) -> dict | None:
        if self.process is None:
            return None
        if now and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # py-spy writes what it has and exits
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait(5)
        return summarize(self.path) if self.path.exists() else None


_FRAME = re.compile(r"^(?P<function>.+?) \((?P<file>[^:()]+)(?::(?P<line>\d+))?\)$")


def _label(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"]
    for marker in ("site-packages/", "lib/python3", "/work/main/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{match['function']} ({path})"


_IDLE = ("Hub.do_poll", "Hub.wait (gevent", "Condition.wait", "Queue.get", "Event.wait", "select (", "poll (",
         "epoll", "sleep (", "Waiter.get", "_wait_for_tstate_lock")
_DB_LEAF = ("do_execute", "do_commit", "do_rollback", "fetchall", "fetchone", "fetchmany", "do_executemany",
            "_ConnectionFairy", "_checkout", "pool_pre_ping", "do_ping", "connect (sqlite")


def _caller(frames: list[str], depth: int = 3) -> str:
    ours = [f for f in frames if "exam_server/" in f]
    return " < ".join(reversed(ours[-depth:])) if ours else "(outside exam_server)"


def summarize(path: Path, top: int = 15) -> dict:
    """Wall-clock samples (idle included) of the event loop's thread and of the real threads around it.

    ``loop``: the thread that runs the hub (eventlet/gevent): how much of the
    wall time it was idle, how much it spent blocked inside database calls (every
    socket waits meanwhile), and which of our functions did those calls.
    ``threads``: every other thread together (eventlet's tpool, gevent's
    threadpool: where SQLite answer groups commit; under threading: everything).
    """
    stacks: dict[str, list[tuple[list[str], int]]] = {}
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        raw = [f for f in stack.split(";") if f]
        thread = next((f.strip() for f in raw if f.strip().startswith("thread (")), "thread (?)")
        frames = [_label(f) for f in raw if not f.strip().startswith(("thread (", "process "))]
        if frames:
            stacks.setdefault(thread, []).append((frames, int(count)))
    loop_thread = max(stacks, default=None, key=lambda t: sum(
        n for frames, n in stacks[t] if any(f.startswith(("BaseHub.run", "Hub.run")) for f in frames)))
    if loop_thread is not None and not any(
            any(f.startswith(("BaseHub.run", "Hub.run")) for f in frames) for frames, _ in stacks[loop_thread]):
        loop_thread = None  # threading mode: no loop, every thread counts alike

    def part(samples: list[tuple[list[str], int]], *, of_busy: bool = False) -> dict:
        everything = sum(n for _, n in samples) or 1
        idle = sum(n for frames, n in samples if frames[-1].startswith(_IDLE) or any(
            f.startswith(("Queue.get", "Condition.wait")) for f in frames[-2:]))
        total = max(1, everything - idle) if of_busy else everything
        in_db = collections.Counter()
        own, inclusive = collections.Counter(), collections.Counter()
        for frames, n in samples:
            if frames[-1].startswith(_IDLE):
                continue
            own[frames[-1]] += n
            for frame in set(frames):
                if "exam_server/" in frame:
                    inclusive[frame] += n
            if any(leaf in frames[-1] for leaf in _DB_LEAF):
                in_db[_caller(frames)] += n

        def share(counter, limit=top):
            return [{"function": f, "pct": round(100 * c / total, 1)} for f, c in counter.most_common(limit)]

        return {"samples": everything, "busy_s": round((everything - idle) / 200, 1),
                "idle_pct": round(100 * idle / everything, 1),
                "percentages_of": "busy samples" if of_busy else "wall-clock samples",
                "in_database_pct": round(100 * sum(in_db.values()) / total, 1),
                "database_calls_by_caller": share(in_db, 10), "own": share(own), "ours_inclusive": share(inclusive)}

    summary = {"file": str(path), "rate_hz": 200}
    if loop_thread is not None:
        summary["loop"] = part(stacks[loop_thread])
    others = [item for thread, items in stacks.items() if thread != loop_thread for item in items]
    if others:
        summary["threads"] = part(others, of_busy=loop_thread is not None)
        summary["threads"]["count"] = len(stacks) - (1 if loop_thread else 0)
    return summary
