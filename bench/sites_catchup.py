"""A real site back on line after an hour cut off from its hub: how fast the hub catches up, and what the hall feels.

    .venv/bin/python bench/sites_catchup.py [--hall 500] [--backlog-minutes 60] [--every 10] [--keep]

Everything is real: a hub (``init --role hub``, ``serve``) and a site (``init
--role site``, ``enroll`` with the code of ``site add``, ``sync``, ``serve``),
both eventlet on SQLite, each pinned with ``taskset`` to its own core when the
machine has two (hub on core 0, site on core 1; the load generator and this
process are not pinned). The site reaches the hub only through a TCP relay in
this process (``bench/relay.py``) that is cut and restored like a hall's uplink.
The session is created at the hub with ``--site``, pulled sealed by the site
and opened at the hub with ``open-session``, as in a real sitting. The sample
exam *Ujian Dinas Tingkat I* (60 items per candidate) is used.

The hall is ``--hall`` candidates at the site, driven by the load generator
(``bench/loadgen.py`` over ``bench/sio.py``, 2 processes): they log in over
HTTP, connect, ``start`` and fetch their forms. An answer's latency is from
its frame leaving the client to its acknowledgement, which the server sends
only once the answer is committed (the durable ack). The phases:

1. ``link_up``: the hall answers at its normal rate (each candidate once every
   ``--every`` s on average, uniform 0.5-1.5x) for ``--live-seconds`` with the
   link up and nothing held back: the reference ack p50/p99.
2. ``offline``: the relay is cut; the hall answers flat out (every candidate
   answers again as soon as its previous answer is acknowledged) until it has
   given an hour's worth: ``hall x 3600 / every`` answers (180,000 for 500
   candidates every 10 s) times ``--backlog-minutes / 60``. Recorded: how long
   it took and at what rate the site took them. The backlog is then read from
   the site's database: its outbox events past the position the hub has
   acknowledged.
3. ``catch_up``: the hall goes back to its normal rate and the relay is
   restored at the same moment. Until the hub has acknowledged every event the
   site held at the restore (the hub's ``sites.acked_position``, read from its
   database file every 0.2 s, which costs neither server's core), measured:
   the seconds from the restore, the backlog events/s and all events/s the hub
   took (backlog and the hall's live answers), the hall's ack p50/p99 over
   the same window (and per second of it, the slowest ack: ``ack_timeline``;
   the hub's position per second: ``hub_acked_timeline``), and the CPU of
   both servers. The site's link retries
   every second while the hub is unreachable, so up to 1 s of the time is the
   link noticing the restore. ``--catchup-timeout`` bounds the wait; a run
   that hits it reports ``caught_up: false`` and how much arrived.

The site runs with ``EXAM_BURST_ANSWERS=1000000``: answering flat out would
raise a burst alert per candidate per minute, which is not what is measured.

Prints one JSON document and writes it to ``--out`` (default
bench/results/sites_catchup.json). Not a timed test: the figures depend on the
machine; run it on a quiet one (``uptime``) and read ``load_average`` and the
``others_on_*`` figures before trusting a number.
"""
from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import prepare  # noqa: E402
from bench.relay import Relay  # noqa: E402
from bench.scenarios import spread  # noqa: E402
from bench.servers import can_pin, core_jiffies, cpu_seconds, free_port, load_average  # noqa: E402

SITE = "AULA1"
HUB_CORE, SITE_CORE = 0, 1
PROCESSES = 2


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _environment(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXAM_") and k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(PYTHONPATH=str(ROOT), EVENTLET_NO_GREENDNS="yes", **(extra or {}))
    return env


def cli(data: Path, *args: str, stdin: str | None = None) -> str:
    """One ``exam-server`` command on a data folder; its stdout, or a clear error."""
    done = subprocess.run([sys.executable, "-m", "exam_server", *args, "--data", str(data)], cwd=ROOT,
                          env=_environment({"EXAM_ASYNC_MODE": "threading"}), capture_output=True, text=True,
                          input=stdin, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"exam-server {' '.join(args[:2])} failed ({done.returncode}): "
                           f"{(done.stderr or done.stdout).strip()[-2000:]}")
    return done.stdout


class Served:
    """``exam-server serve`` on a data folder, pinned to a core when there are two."""

    def __init__(self, name: str, data: Path, core: int | None, extra_env: dict | None = None):
        self.name, self.data, self.core = name, data, core
        self.extra_env = extra_env or {}
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = data.parent / f"{name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid if self.process else 0

    def start(self, timeout: float = 90.0) -> "Served":
        command = [sys.executable, "-m", "exam_server", "serve", "--port", str(self.port), "--data", str(self.data)]
        if self.core is not None:
            command = ["taskset", "-c", str(self.core), *command]  # taskset execs: the pid is the server's
        env = _environment({"EXAM_ASYNC_MODE": "eventlet", "EXAM_NODE_NAME": f"bench-{self.name}", **self.extra_env})
        with self.log_path.open("ab") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the {self.name} server exited with {self.process.returncode} at start:\n"
                                   f"{self._tail()}")
            try:
                urllib.request.urlopen(self.url + "/api/v1/health", timeout=2).read()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the {self.name} server did not answer within {timeout:.0f} s:\n{self._tail()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def health(self) -> dict:
        with urllib.request.urlopen(self.url + "/healthz", timeout=5) as answer:
            return json.loads(answer.read())

    def stop(self) -> None:
        if not self.alive():
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def _tail(self) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])
        except OSError:
            return "(no log)"


class Generators:
    """The load-generator processes (bench/loadgen.py), driven through pipes."""

    def __init__(self, count: int):
        from bench import loadgen

        context = multiprocessing.get_context("spawn")
        self.workers = []
        for index in range(count):
            parent, child = context.Pipe()
            process = context.Process(target=loadgen.main, args=(child, index, 4000 + index), daemon=True)
            process.start()
            self.workers.append((process, parent))

    def send(self, command: str, per_worker: dict | None = None, **arguments) -> None:
        for index, (_, conn) in enumerate(self.workers):
            conn.send({"cmd": command, **arguments, **((per_worker or {}).get(index, {}))})

    def gather(self, timeout: float) -> list[dict]:
        deadline = time.monotonic() + timeout
        results = []
        for index, (_, conn) in enumerate(self.workers):
            if not conn.poll(max(0.0, deadline - time.monotonic())):
                raise RuntimeError(f"load generator {index} did not answer within {timeout:.0f} s")
            result = conn.recv()
            if "error" in result:
                raise RuntimeError(f"load generator {index}: {result['error']}\n{result.get('trace', '')}")
            results.append(result)
        return results

    def call(self, command: str, wait: float, per_worker: dict | None = None, **arguments) -> list[dict]:
        self.send(command, per_worker, **arguments)
        return self.gather(wait)

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p, _ in self.workers)

    def close(self) -> None:
        try:
            self.send("close")
            self.gather(30)
        except Exception:
            pass
        for process, conn in self.workers:
            process.join(5)
            if process.is_alive():
                process.terminate()
                process.join(5)
            if process.is_alive():
                process.kill()
            conn.close()


# --- reading positions from the databases (read-only; neither server's core pays for it) ---

def _rows(database: Path, sql: str, *params) -> list[tuple]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def _query(database: Path, sql: str, *params):
    return _rows(database, sql, *params)[0]


def site_last_position(site_data: Path) -> int:
    return _query(site_data / "exam.db", "select coalesce(max(position), 0) from site_outbox")[0]


def hub_acked(hub_data: Path) -> int:
    return _query(hub_data / "exam.db", "select acked_position from sites where code = ?", SITE)[0]


def hub_holds_all(hub_data: Path, site_data: Path) -> bool:
    return hub_acked(hub_data) >= site_last_position(site_data)


def hub_copy(site_data: Path, hub_data: Path) -> dict:
    """Each of the site's attempts as the hub holds it: the same number of events and the same chain head."""
    def heads(database: Path) -> dict:
        return {row[0]: row[1:] for row in _rows(
            database, "select id, event_count, last_event_hash from attempts where status != 'not_started'")}

    site, hub = heads(site_data / "exam.db"), heads(hub_data / "exam.db")
    differing = sum(1 for attempt_id, head in site.items() if hub.get(attempt_id) != head)
    return {"attempts": len(site), "events": sum(head[0] for head in site.values()), "differing": differing}


def wait_for(check, timeout: float, what: str, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


# --- figures ---

class Window:
    """CPU of both servers and the generator, and what else ran on each server's core, over a span of time."""

    def __init__(self, hub: Served, site: Served, generators: Generators, pinned: bool):
        self.hub, self.site, self.generators, self.pinned = hub, site, generators, pinned
        self.start = self._read()

    def _read(self) -> tuple:
        return (time.monotonic(), cpu_seconds(self.hub.pid), cpu_seconds(self.site.pid), self.generators.cpu(),
                core_jiffies())

    def figures(self) -> dict:
        end = self._read()
        seconds = max(end[0] - self.start[0], 1e-6)
        pct = [round(100 * (end[i] - self.start[i]) / seconds, 1) for i in (1, 2, 3)]
        figures = {"hub_cpu_pct": pct[0], "site_cpu_pct": pct[1], "generator_cpu_pct": pct[2]}
        if self.pinned:
            for label, core, own in (("hub", HUB_CORE, pct[0]), ("site", SITE_CORE, pct[1])):
                name = f"cpu{core}"
                busy = end[4][name][0] - self.start[4][name][0]
                total = end[4][name][1] - self.start[4][name][1]
                if total:
                    figures[f"others_on_{label}_core_pct"] = round(100 * busy / total - own, 1)
        return figures


def acks(results: list[dict], seconds: float) -> dict:
    latencies = [m for r in results for m in r["ack_ms"]]
    missing = sum(r["lost"] + r["outstanding"] for r in results)
    refusals: dict[str, int] = {}
    for r in results:
        for code, count in r["refusals"].items():
            refusals[code] = refusals.get(code, 0) + count
    return {"answers_sent": sum(r["sent"] for r in results), "answers_acked": len(latencies),
            "answers_missing": missing, "refusals": refusals,
            "answers_per_s": round(len(latencies) / max(seconds, 1e-6), 1), **spread(latencies, "ack", missing)}


def slowest_per_second(results: list[dict], t0: float) -> list[list]:
    """Per second from wall time t0 (by when answers were sent): [second, answers, slowest ack ms]."""
    merged: dict[int, list] = {}
    for result in results:
        for second, (count, slowest) in result.get("timeline", {}).items():
            slot = merged.setdefault(int(second) - int(t0), [0, 0.0])
            slot[0] += count
            slot[1] = max(slot[1], slowest)
    return [[second, count, round(slowest)] for second, (count, slowest) in sorted(merged.items())]


# --- the run ---

def setup_hub(hub_data: Path, roster: Path) -> dict:
    cli(hub_data, "init", "--role", "hub")
    for filename, code in prepare.BANK_FILES:
        cli(hub_data, "import-bank", str(prepare.BANKS / filename), "--bank", code)
    cli(hub_data, "create-exam", str(prepare.BLUEPRINT))
    enrollment = json.loads(cli(hub_data, "site", "add", SITE, "--name", "Aula Uji Beban", "--json"))["enrollment_code"]
    exam_code = tomllib.loads(prepare.BLUEPRINT.read_text(encoding="utf-8"))["code"]
    session = json.loads(cli(hub_data, "create-session", "--exam", exam_code, "--name", "Sesi uji kejar",
                             "--candidates", str(roster), "--site", SITE, "--seed", "2026", "--json"))
    cli(hub_data, "open-session", str(session["session_id"]))  # the key goes to the site at its next exchange
    return {"enrollment_code": enrollment, **session}


def _password(i: int) -> str:
    return f"sandi-{i + 1:05d}"


def _roster_csv(count: int) -> bytes:
    """The hall's roster with passwords of its own: a session sat at a site keeps Argon2 hashes anyway."""
    lines = ["participant_number,name,seat,password"]
    lines += [f"{prepare.participant(i)},Peserta Uji {i + 1},R{i // 40 + 1:02d}-{i % 40 + 1:02d},{_password(i)}"
              for i in range(count)]
    return ("\n".join(lines) + "\n").encode()


def candidates_of(hub_data: Path, session_id: int, count: int) -> list[dict]:
    rows = dict(_rows(hub_data / "exam.db",
                      "select c.participant_number, a.id from attempts a join candidates c on a.candidate_id = c.id "
                      "where a.session_id = ?", session_id))
    return [{"participant_number": prepare.participant(i), "password": _password(i),
             "attempt_id": rows[prepare.participant(i)]} for i in range(count)]


def run(args, work: Path) -> dict:
    pinned = can_pin() and shutil.which("taskset") is not None and not args.no_pin
    hub_data, site_data = work / "hub", work / "site"
    roster = work / "roster.csv"
    roster.write_bytes(_roster_csv(args.hall))
    stamp = time.monotonic()
    log(f"hub: init, banks, exam, site {SITE}, a session of {args.hall} candidates (Argon2 for each) ...")
    session = setup_hub(hub_data, roster)
    servers: list[Served] = []
    relay = None
    generators = None
    try:
        hub = Served("hub", hub_data, HUB_CORE if pinned else None)
        servers.append(hub)
        hub.start()
        relay = Relay(hub.port)
        log("site: init, enroll through the relay, sync ...")
        cli(site_data, "init", "--role", "site")
        cli(site_data, "enroll", "--hub", relay.url, "--code", session["enrollment_code"], "--json")
        synced = json.loads(cli(site_data, "sync", "--json"))
        if synced.get("pulled_sessions", 0) < 1:
            raise RuntimeError(f"the site pulled no session from the hub: {synced}")
        site = Served("site", site_data, SITE_CORE if pinned else None, {"EXAM_BURST_ANSWERS": "1000000"})
        servers.append(site)
        site.start()
        setup_seconds = time.monotonic() - stamp

        generators = Generators(PROCESSES)
        people = candidates_of(hub_data, session["session_id"], args.hall)
        shares = {i: {"candidates": people[i::PROCESSES]} for i in range(PROCESSES)}
        generators.call("setup", 60, per_worker=shares, url=site.url, kind="ours", session_id=session["session_id"],
                        session_token=session["session_token"], staff_token=None, items=60)
        log(f"hall: {args.hall} candidates log in at the site, connect, start, fetch their forms ...")
        spread_s = max(2.0, args.hall / 40)  # the site verifies one Argon2 hash per login
        t0 = time.time() + 1
        arrivals = [t0 + spread_s * k / max(1, args.hall - 1) for k in range(args.hall)]
        stormed = [c for r in generators.call("storm", spread_s + 300, per_worker={
            i: {"arrivals": arrivals[i::PROCESSES]} for i in range(PROCESSES)}, timeout=120.0) for c in r["candidates"]]
        held = sum(1 for c in stormed if c["ok"])
        if held < 0.95 * args.hall:
            failures = [f"{c['stage']}: {c['error']}" for c in stormed if not c["ok"]][:5]
            raise RuntimeError(f"only {held} of {args.hall} candidates hold their forms at the site: {failures}")
        wait_for(lambda: hub_holds_all(hub_data, site_data), 60, "the hub to hold the starts")

        report: dict = {"hall": args.hall, "every_s": args.every, "backlog_minutes": args.backlog_minutes,
                        "pinned": pinned, "hub_core": HUB_CORE if pinned else None,
                        "site_core": SITE_CORE if pinned else None, "generator_processes": PROCESSES,
                        "setup_s": round(setup_seconds, 1), "candidates_holding_forms": held,
                        "load_average_before": load_average(), "code": prepare.code_fingerprint()}

        # 1. The reference: the hall at its rate, the link up, nothing held back.
        log(f"link up: the hall answers every {args.every:g} s for {args.live_seconds:g} s ...")
        t0 = time.time() + 1
        generators.send("hall", t0=t0, duration=args.live_seconds, period=args.every, reconnect_fraction=0.0,
                        settle=0.3)
        _sleep_until(t0)
        window = Window(hub, site, generators, pinned)
        _sleep_until(t0 + args.live_seconds)
        cpu = window.figures()
        results = generators.gather(args.live_seconds + 120)
        lag_from = time.monotonic()
        wait_for(lambda: hub_holds_all(hub_data, site_data), 60, "the hub to hold the live answers",
                 step=0.05)
        report["link_up"] = {"seconds": args.live_seconds, **acks(results, args.live_seconds), **cpu,
                             "hub_behind_after_s": round(time.monotonic() - lag_from, 2),
                             "ack_timeline": slowest_per_second(results, t0)}

        # 2. Cut off: the hall answers flat out until it has given the backlog.
        target = round(args.hall * 3600 / args.every * args.backlog_minutes / 60)
        relay.cut()
        before_cut = site_last_position(site_data)
        log(f"link cut: the hall gives {target} answers flat out ...")
        window = Window(hub, site, generators, pinned)
        started = time.monotonic()
        results = generators.call("flat_out", 3 * 3600, per_worker={
            i: {"total": target // PROCESSES + (1 if i < target % PROCESSES else 0)} for i in range(PROCESSES)})
        seconds = time.monotonic() - started
        cpu = window.figures()
        # Cut off, the site counts what it holds after each failed exchange, once a second. An exchange under
        # way at the cut may first wait out its read timeout (8 s), as on a real uplink that dies silently.
        wait_for(lambda: _site_offline(site), 20, "the site to notice that its link is cut", step=0.25)
        time.sleep(1.5)
        restore_from = hub_acked(hub_data)
        held_back = site_last_position(site_data)
        report["offline"] = {"answers_target": target, "seconds": round(seconds, 1), **acks(results, seconds), **cpu,
                             "site_events_while_cut": held_back - before_cut,
                             "site_healthz": _quietly(site.health)}
        backlog = held_back - restore_from
        log(f"  {backlog} events held at the site after {seconds:.0f} s")

        # 3. Back on line: the hall at its rate again, the link restored at the same moment.
        stop_file = work / "stop-hall"
        t0 = time.time() + 1
        generators.send("hall", t0=t0, duration=args.catchup_timeout, period=args.every, reconnect_fraction=0.0,
                        settle=0.3, stop_file=str(stop_file))
        _sleep_until(t0)
        relay.restore()
        window = Window(hub, site, generators, pinned)
        started = time.monotonic()
        log(f"link restored: waiting for the hub to hold {backlog} events (at most {args.catchup_timeout:g} s) ...")
        timeline = []
        caught_up = False
        next_mark = started + 1
        while time.monotonic() - started < args.catchup_timeout:
            acked = hub_acked(hub_data)
            if acked >= held_back:
                caught_up = True
                break
            if time.monotonic() >= next_mark:
                timeline.append([round(time.monotonic() - started), acked - restore_from])
                next_mark += 1
            if not (hub.alive() and site.alive()):
                raise RuntimeError("a server died during the catch-up; see its log in " + str(work))
            time.sleep(0.2)
        seconds = time.monotonic() - started
        acked = hub_acked(hub_data)
        cpu = window.figures()
        stop_file.touch()
        results = generators.gather(args.every * 2 + 120)
        wait_for(lambda: hub_holds_all(hub_data, site_data), 60,
                 "the hub to hold the hall's last answers", step=0.1)
        report["catch_up"] = {
            "caught_up": caught_up, "backlog_events": backlog, "seconds": round(seconds, 2),
            "within_60_s": caught_up and seconds <= 60,
            "backlog_events_per_s": round(min(acked - restore_from, backlog) / seconds, 1),
            "events_acked": acked - restore_from,
            "events_per_s": round((acked - restore_from) / seconds, 1),
            "hall": {**acks(results, seconds), "ack_timeline": slowest_per_second(results, t0)}, **cpu, "hub_acked_timeline": timeline,
            "hub_healthz": _quietly(hub.health), "site_healthz": _quietly(site.health),
            "hub_copy": hub_copy(site_data, hub_data)}
        report["targets"] = {"catch_up_s": 60, "ack_p99_ms": 150,
                             "catch_up_met": report["catch_up"]["within_60_s"],
                             "ack_p99_met": _below(report["catch_up"]["hall"]["ack_p99_ms"], 150)}
        report["load_average_after"] = load_average()
        return report
    finally:
        if generators is not None:
            generators.close()
        if relay is not None:
            relay.close()
        for server in reversed(servers):
            server.stop()


def _below(value, limit: float) -> bool:
    return isinstance(value, (int, float)) and not math.isinf(value) and value <= limit


def _site_offline(site) -> bool:
    link = _quietly(site.health).get("link")
    return isinstance(link, dict) and link.get("online") is False


def _quietly(read):
    try:
        return read()
    except Exception as exc:  # a figure, not a reason to lose the run
        return {"error": f"{type(exc).__name__}: {exc}"}


def _sleep_until(wall: float) -> None:
    delay = wall - time.time()
    if delay > 0:
        time.sleep(delay)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hall", type=int, default=500, help="candidates in the site's hall (default 500)")
    parser.add_argument("--every", type=float, default=10.0, help="mean seconds between a candidate's answers "
                        "(default 10)")
    parser.add_argument("--backlog-minutes", type=float, default=60.0, help="minutes of the hall held back while "
                        "cut off (default 60: hall x 360 answers)")
    parser.add_argument("--live-seconds", type=float, default=60.0, help="seconds of the link-up reference "
                        "(default 60)")
    parser.add_argument("--catchup-timeout", type=float, default=900.0, help="give up the catch-up after this "
                        "many seconds (default 900)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the servers to cores")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "sites_catchup.json"),
                        help="where the JSON goes ('-' for nowhere; it is printed anyway)")
    parser.add_argument("--keep", action="store_true", help="keep the data folders and logs (printed at the end)")
    args = parser.parse_args(argv)
    if args.hall < 2 or args.every <= 0 or args.backlog_minutes <= 0:
        parser.error("--hall must be at least 2, --every and --backlog-minutes above 0")
    prepare.WORK.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="sites-catchup-", dir=prepare.WORK))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the finally blocks stop every process
    try:
        report = run(args, work)
    except RuntimeError as exc:
        log(f"error: {exc}")
        log(f"data and logs kept in {work}")
        return 1
    report["written_at"] = time.strftime("%Y-%m-%d %H:%M:%S")
    text = json.dumps(report, indent=2, default=str)
    print(text)
    if args.out != "-":
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n")
    if args.keep:
        log(f"data and logs kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
