"""Hub ingest from simulated sites, and a site's catch-up after an hour cut off.

    .venv/bin/python bench/sites_ingest.py [--sites 10] [--hall 500] [--every 10] [--seconds 30] [--backlog-minutes 60]
                                           [--phases ingest,live,catch_up] [--ingest-repeats 1]

A real hub (``serve``, SQLite, eventlet) pinned to one core with ``taskset``
when available; each simulated site is an enrolled key that sends signed
exchanges exactly as a site's link does, with answer events of its hall (each
candidate answering once every ``--every`` seconds). Measured:

- ingest: the highest rate of answer events the hub applies (sites sending as
  fast as it acknowledges);
- live: at the hall rate, how long from an answer at a site to the
  ``candidate`` update at a proctor watching at the hub (p50/p99);
- catch-up: one site sends an hour's backlog in bounded batches while the
  others keep their live rate: how long until the hub holds everything.

Prints one JSON document. Not a timed test: the figures depend on the machine.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
HUB_CORE = 0  # the hub's core when taskset is there
sys.path.insert(0, str(ROOT))

from exam_server.services.events import GENESIS, event_hash  # noqa: E402
from exam_server.sites import envelope  # noqa: E402


def run_cli(data: Path, *args: str, stdin: str | None = None) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "EXAM_ASYNC_MODE": "threading"}
    return subprocess.run([sys.executable, "-m", "exam_server", *args, "--data", str(data)], env=env, cwd=ROOT,
                          check=True, capture_output=True, text=True, input=stdin).stdout


class SimulatedSite:
    def __init__(self, hub_url: str, code: str, enrollment: str, attempts: list[int], items: int):
        self.hub_url, self.code, self.attempts, self.items = hub_url, code, attempts, items
        self.key = envelope.new_private_key()
        requests.post(f"{hub_url}/api/v1/link/enroll", json={"enrollment_code": enrollment,
                                                             "public_key": envelope.public_hex(self.key)}, timeout=30).raise_for_status()
        self.position = 0
        self.numbers = {a: 0 for a in attempts}
        self.heads = {a: GENESIS for a in attempts}  # each attempt's chain, as a site's would be
        self.http = requests.Session()
        self.nonce = 0
        self.unacked: list[dict] = []  # sent or not, not yet acknowledged by the hub
        self.failures = 0  # exchanges refused or failed
        self.applied = 0  # events the hub acknowledged
        self.exchange([self._event(a, "start", {}) for a in attempts])

    def _event(self, attempt_id: int, kind: str, data: dict) -> dict:
        self.position += 1
        self.numbers[attempt_id] += 1
        now = int(time.time() * 1000)
        state = {"status": "in_progress", "duration_ms": 7_200_000, "started_at": now, "extension_ms": 0,
                 "paused_ms": 0, "paused_since": None, "deadline_at": now + 7_200_000, "ended_at": None,
                 "violations": 0, "login_generation": 0}
        data_json = json.dumps(data, sort_keys=True, separators=(",", ":"))
        prev = self.heads[attempt_id]
        digest = event_hash(prev, self.numbers[attempt_id], now, kind, data_json)
        self.heads[attempt_id] = digest
        return {"position": self.position, "attempt_id": attempt_id, "number": self.numbers[attempt_id], "at": now,
                "kind": kind, "data_json": data_json, "prev_hash": prev, "hash": digest,
                "state_json": json.dumps(state)}

    def answers(self, count: int) -> list[dict]:
        return [self._event(a, "answer", {"position": random.randint(1, self.items), "choice": "A",
                                          "seq": self.position}) for a in random.choices(self.attempts, k=count)]

    def exchange(self, events: list[dict], backlog: int = 0, limit: int = 1000) -> dict:
        """Queue ``events`` and send what the hub has not acknowledged, from its position, as a site does.

        A refused or failed exchange is counted and its events stay queued for the next one.
        """
        self.unacked.extend(events)
        self.nonce = envelope.next_nonce(self.nonce, int(time.time() * 1000))
        raw, signature = envelope.seal(self.key, self.code, self.nonce, int(time.time() * 1000),
                                       {"events": self.unacked[:limit], "backlog": backlog,
                                        "have_sessions": list(range(1, 100)),
                                        "opened": [{"session_id": i} for i in range(1, 100)]})
        try:
            answer = self.http.post(f"{self.hub_url}/api/v1/link/exchange", data=raw, timeout=60,
                                    headers={"Content-Type": "application/json", "X-Site-Signature": signature})
            answer.raise_for_status()
        except requests.RequestException:
            self.failures += 1
            return {}
        done = answer.json()
        acked = done["acked"]
        self.applied += sum(1 for e in self.unacked[:limit] if e["position"] <= acked)
        self.unacked = [e for e in self.unacked if e["position"] > acked]
        return done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--hall", type=int, default=500)
    parser.add_argument("--every", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--ingest-seconds", type=float, default=10.0)
    parser.add_argument("--backlog-minutes", type=float, default=60.0)
    parser.add_argument("--ingest-repeats", type=int, default=1,
                        help="measure the ingest this many times on the same hub (the report gives the median)")
    parser.add_argument("--phases", default="ingest,live,catch_up",
                        help="comma list of the phases to run: ingest, live, catch_up")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    phases = {p.strip() for p in args.phases.split(",") if p.strip()}
    work = Path(tempfile.mkdtemp(prefix="sites-bench-"))
    hub = work / "hub"
    run_cli(hub, "init", "--role", "hub")
    run_cli(hub, "import-bank", _bank(work), "--bank", "umum")
    blueprint = work / "exam.toml"
    blueprint.write_text(_BLUEPRINT)
    run_cli(hub, "create-exam", str(blueprint))
    run_cli(hub, "add-user", "--role", "admin", "--username", "admin", stdin="sandi-admin-bench\n")
    sites = []
    sessions = []
    for index in range(args.sites):
        code = f"S{index:02d}"
        enrollment = json.loads(run_cli(hub, "site", "add", code, "--name", f"Aula {index}", "--json"))["enrollment_code"]
        roster = work / f"roster-{code}.csv"
        roster.write_text("participant_number,name,password\n" + "".join(
            f"{code}-{i:04d},Peserta {i},sandi-{i:04d}-x\n" for i in range(args.hall)))
        opened = json.loads(run_cli(hub, "create-session", "--exam", "BENCH", "--name", code, "--candidates",
                                    str(roster), "--site", code, "--json"))
        sessions.append((code, enrollment, opened["session_id"]))
    port = 18000 + random.randint(0, 999)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "EXAM_ASYNC_MODE": "eventlet"}
    command = [sys.executable, "-m", "exam_server", "serve", "--port", str(port), "--data", str(hub)]
    if shutil.which("taskset"):
        command = ["taskset", "-c", str(HUB_CORE), *command]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=open(work / "hub.log", "ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url)
        from sqlalchemy import create_engine, text

        engine = create_engine(f"sqlite:///{hub / 'exam.db'}")
        with engine.connect() as connection:
            for code, enrollment, session_id in sessions:
                attempts = [r[0] for r in connection.execute(text("select id from attempts where session_id = :s"),
                                                             {"s": session_id})]
                sites.append(SimulatedSite(url, code, enrollment, attempts, 6))
        report = {"sites": args.sites, "hall": args.hall, "every_s": args.every,
                  "load_average": os.getloadavg()}
        if "ingest" in phases:
            hub_pid = _serving_pid(server.pid)
            runs = [_ingest(sites, args.ingest_seconds, hub_pid) for _ in range(max(1, args.ingest_repeats))]
            report["ingest"] = _median_run(runs)
            if len(runs) > 1:
                report["ingest_runs"] = runs
        if "live" in phases:
            report["live"] = _live(url, sites, args, sessions)
        if "catch_up" in phases:
            report["catch_up"] = _catch_up(sites, args)
        print(json.dumps(report, indent=2))
    finally:
        server.terminate()
        server.wait(10)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _serving_pid(pid: int) -> int:
    """The hub's own process (``taskset`` execs into it, so this is the pid itself unless it forked a worker)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            workers = [int(p) for p in f.read().split()]
    except OSError:
        workers = []
    return workers[0] if len(workers) == 1 and "serve" in _cmdline(workers[0]) else pid


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _core_jiffies(core: int) -> tuple[int, int] | None:
    """(busy, total) jiffies of one core since boot."""
    try:
        with open("/proc/stat") as f:
            for line in f:
                if line.startswith(f"cpu{core} "):
                    numbers = [int(v) for v in line.split()[1:9]]
                    idle = numbers[3] + numbers[4]
                    return sum(numbers) - idle, sum(numbers)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _median_run(runs: list[dict]) -> dict:
    """The run with the median rate (its own figures, so they belong together)."""
    ordered = sorted(runs, key=lambda r: r["events_per_s"])
    return ordered[(len(ordered) - 1) // 2]  # of an even count, the lower of the two middle ones


def _ingest(sites, seconds: float, hub_pid: int | None = None) -> dict:
    """Every site sends batches of 200 as fast as the hub acknowledges them, for a while."""
    before = [(site.applied, site.failures) for site in sites]
    cpu_before = _cpu_seconds(hub_pid) if hub_pid else 0.0
    core_before = _core_jiffies(HUB_CORE)
    print(f"ingest: {seconds} s from now", file=sys.stderr, flush=True)
    stop = time.monotonic() + seconds

    def pump(i):
        while time.monotonic() < stop:
            site = sites[i]
            site.exchange(site.answers(200) if len(site.unacked) < 200 else [], limit=200)

    threads = [threading.Thread(target=pump, args=(i,)) for i in range(len(sites))]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    applied = sum(site.applied - b[0] for site, b in zip(sites, before))
    figures = {"events": applied, "seconds": round(elapsed, 2), "events_per_s": round(applied / elapsed),
               "failed_exchanges": sum(site.failures - b[1] for site, b in zip(sites, before))}
    if hub_pid:  # "on one core": the hub is pinned to core 0, so this stays at or under 100
        figures["hub_cpu_pct"] = round(100 * (_cpu_seconds(hub_pid) - cpu_before) / elapsed, 1)
        core_after = _core_jiffies(HUB_CORE)
        if core_before and core_after and core_after[1] > core_before[1]:
            busy = 100 * (core_after[0] - core_before[0]) / (core_after[1] - core_before[1])
            figures["others_on_hub_core_pct"] = round(busy - figures["hub_cpu_pct"], 1)  # other jobs, shared machine
    return figures


def _live(url, sites, args, sessions) -> dict:
    """At the hall rate: answer at a site -> candidate update at a proctor watching at the hub."""
    import socketio

    delays: list[float] = []
    sent_at: dict[int, float] = {}
    client = socketio.Client()
    token = _staff_token(url)

    def on_candidate(data):
        at = sent_at.pop(data["attempt_id"], None)
        if at is not None:
            delays.append(time.monotonic() - at)

    client.on("candidate", on_candidate, namespace="/proctor")
    client.connect(url, namespaces=["/proctor"], transports=["websocket"], auth={"token": token})
    client.call("watch", {"session_id": sessions[0][2]}, namespace="/proctor")
    rate = len(sites) * args.hall / args.every  # events per second over all sites
    per_tick = max(1, round(rate / len(sites) * 0.2))  # each site exchanges every 0.2 s
    stop = time.monotonic() + args.seconds

    def pump(i):
        while time.monotonic() < stop:
            tick = time.monotonic()
            events = sites[i].answers(per_tick)
            if i == 0:
                for event in events:
                    sent_at.setdefault(event["attempt_id"], time.monotonic())
            sites[i].exchange(events)
            time.sleep(max(0.0, 0.2 - (time.monotonic() - tick)))

    threads = [threading.Thread(target=pump, args=(i,)) for i in range(len(sites))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    time.sleep(1)
    client.disconnect()
    delays.sort()
    return {"events_per_s": round(rate), "updates": len(delays),
            "p50_ms": round(statistics.median(delays) * 1000) if delays else None,
            "p99_ms": round(delays[int(len(delays) * 0.99) - 1] * 1000) if delays else None}


def _catch_up(sites, args) -> dict:
    """One site back after ``--backlog-minutes``: its backlog in batches of 500 while the others stay live."""
    backlog = int(args.hall / args.every * 60 * args.backlog_minutes)
    late = sites[0]
    events = late.answers(backlog)
    stop = threading.Event()

    def live(i):
        while not stop.is_set():
            sites[i].exchange(sites[i].answers(max(1, round(args.hall / args.every * 0.2))))
            time.sleep(0.2)

    threads = [threading.Thread(target=live, args=(i,)) for i in range(1, len(sites))]
    for t in threads:
        t.start()
    started = time.monotonic()
    slowest = 0.0
    late.unacked.extend(events)
    failures = late.failures
    while late.unacked:
        t0 = time.monotonic()
        late.exchange([], backlog=len(late.unacked), limit=500)
        slowest = max(slowest, time.monotonic() - t0)
    elapsed = time.monotonic() - started
    stop.set()
    for t in threads:
        t.join()
    return {"backlog_events": backlog, "seconds": round(elapsed, 1), "events_per_s": round(backlog / elapsed),
            "slowest_exchange_s": round(slowest, 2), "failed_exchanges": late.failures - failures}


def _staff_token(url) -> str:
    answer = requests.post(f"{url}/api/v1/staff/login", json={"username": "admin", "password": "sandi-admin-bench"},
                           timeout=30)
    answer.raise_for_status()
    return answer.json()["token"]


def _wait(url: str) -> None:
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            requests.get(url + "/api/v1/health", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit("the hub did not start")


def _bank(work: Path) -> str:
    path = work / "umum.gift"
    path.write_text("".join(f"::Q{i}:: Soal {i} {{=Benar ~Salah satu ~Salah dua}}\n\n" for i in range(20)))
    return str(path)


_BLUEPRINT = """code = "BENCH"
title = "Bench"
duration_minutes = 120

[[sections]]
name = "Umum"
bank = "umum"
count = 6
scoring = "right_wrong"
correct = 5
wrong = 0
blank = 0
"""


if __name__ == "__main__":
    main()
