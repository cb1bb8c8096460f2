"""The load scenarios: each run starts a fresh server on a fresh copy of the data, drives it, and measures.

A ``Rig`` is one run: a copy of the prepared data, a server pinned to core 0,
generator processes on core 1 and the /proc readings around each phase.
"""
from __future__ import annotations

import json
import math
import multiprocessing
import os
import platform
import random
import statistics
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench import prepare, profiles
from bench.servers import Server, ServerSpec, Snapshot, core_jiffies, cpu_seconds, load_average, rss_kb, window

ROOT = Path(__file__).resolve().parents[1]
LOGS = prepare.WORK / "logs"
GC_LOGS = prepare.WORK / "gc"


@dataclass
class Config:
    runs: int = 3
    processes: int = 4
    # start storm
    storm_candidates: int = 1000
    storm_spread_s: float = 2.0
    storm_target_s: float = 30.0  # first arrival to the last form held
    # exam hall
    hall_candidates: int = 2000
    hall_duration_s: float = 40.0
    hall_period_s: float = 10.0
    reconnect_fraction: float = 0.02
    connect_rate: float = 400.0  # connections (and start+form) per second while the hall fills
    # saturation
    sat_candidates: int = 200
    sat_step_s: float = 3.0
    sat_start_rate: float = 200.0
    sat_factor: float = 1.4
    sat_refine: int = 2
    sat_max_rate: float = 12000.0
    sat_p99_limit_ms: float = 500.0
    # what to run
    modes: tuple = ("eventlet", "gevent", "threading")
    databases: tuple = ("sqlite", "postgres")
    baseline: bool = True
    baseline_modes: tuple = ("eventlet", "gevent", "threading")  # hall modes that also run the bare stack
    settle_s: float = 1.0  # pauses between phases (server idle reading, after connecting, before a window)
    pin: bool = True
    profile: bool = False  # py-spy record of the server in every measured window
    gc_log: bool = False  # the server's garbage-collection pauses (bench/gcprobe)
    quick: bool = False
    out_dir: Path = ROOT / "bench" / "results"
    template_candidates: int = 0  # the prepared session's size, when it must be larger than this run's own counts
    targets: dict = field(default_factory=lambda: {"hall_candidates": 2000, "ack_p99_ms": 150.0,
                                                   "proctor_p99_ms": 250.0, "storm_candidates": 1000})

    @property
    def template_size(self) -> int:
        return self.template_candidates or max(self.storm_candidates, self.hall_candidates, self.sat_candidates)


def quick_config(**overrides) -> Config:
    values = dict(runs=1, processes=2, storm_candidates=40, storm_spread_s=0.5, hall_candidates=100,
                  hall_duration_s=2.5, hall_period_s=1.0, reconnect_fraction=0.05, connect_rate=300.0,
                  sat_candidates=40, sat_step_s=0.8, sat_start_rate=150.0, sat_factor=3.0, sat_refine=0,
                  sat_max_rate=1000.0, modes=("eventlet", "gevent", "threading"), baseline_modes=("eventlet",),
                  settle_s=0.3, quick=True, out_dir=ROOT / "bench" / "results" / "quick")
    values.update(overrides)
    return Config(**values)


# --- figures ---

def plain(value):
    """``value`` with paths as strings and tuples as lists, for JSON."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def percentile(values: list[float], q: float, missing: int = 0) -> float | None:
    """The q-th percentile (nearest rank); ``missing`` values count as infinitely late."""
    count = len(values) + missing
    if count == 0:
        return None
    rank = max(1, math.ceil(q / 100 * count))
    if rank > len(values):
        return math.inf
    return sorted(values)[rank - 1]


def spread(values: list[float], prefix: str, missing: int = 0) -> dict:
    if not values and not missing:
        return {f"{prefix}_p50_ms": None, f"{prefix}_p99_ms": None, f"{prefix}_max_ms": None, f"{prefix}_count": 0}
    return {f"{prefix}_p50_ms": _round(percentile(values, 50, missing)),
            f"{prefix}_p99_ms": _round(percentile(values, 99, missing)),
            f"{prefix}_max_ms": _round(max(values) if not missing else math.inf) if values else None,
            f"{prefix}_count": len(values)}


def _round(value):
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return None if value is None else "inf"
    return round(value, 2)


def median_of(runs: list[dict]) -> dict:
    """Per figure, the median over runs (numbers only; "inf" sorts last)."""
    keys = [k for k in runs[0] if all(k in r for r in runs)]
    result = {}
    for key in keys:
        values = [r[key] for r in runs]
        numeric = [math.inf if v == "inf" else v for v in values]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numeric):
            m = statistics.median(numeric)
            result[key] = "inf" if math.isinf(m) else round(m, 2)
        elif all(isinstance(v, bool) for v in values):
            result[key] = sum(values) > len(values) / 2
    return result


# --- one run ---

class Rig:
    """One run: fresh data, one server, the generator processes, and /proc readings."""

    def __init__(self, config: Config, kind: str, mode: str, database: str, count: int, name: str,
                 meta: dict | None, extra_env: dict | None = None):
        # the process id in the name: two benches running at once keep their data, logs and profiles apart
        self.config, self.kind, self.mode, self.database, self.count = config, kind, mode, database, count
        self.name = f"{name}-{os.getpid()}"
        self.meta = meta
        self.extra_env = extra_env or {}
        self.data_dir = None
        self.database_url = ""
        self.server: Server | None = None
        self.workers: list = []
        self.session: dict = {}
        self.gc_log: Path | None = None

    def __enter__(self) -> "Rig":
        if self.kind == "ours":
            self.data_dir, self.database_url, self.session = prepare.run_copy(
                self.config.template_size, self.meta, self.database, self.name)
        else:
            self.session = {"session_id": 1, "session_token": "BASE", "items": 60,
                            "candidates": [{**c, "token": None} for c in self.meta["sqlite"]["candidates"]]}
        if self.config.gc_log:
            self.gc_log = GC_LOGS / f"{self.name}.log"
            self.gc_log.parent.mkdir(parents=True, exist_ok=True)
            self.gc_log.unlink(missing_ok=True)
            self.extra_env = {**self.extra_env, "BENCH_GC_LOG": str(self.gc_log)}
        spec = ServerSpec(self.kind, self.mode, self.data_dir, self.database_url, self.extra_env)
        self.server = Server(spec, LOGS / f"{self.name}.log", self.config.pin)
        try:
            context = multiprocessing.get_context("spawn")
            from bench import loadgen

            for index in range(self.config.processes):  # they start while the server starts
                parent, child = context.Pipe()
                process = context.Process(target=loadgen.main, args=(child, index, 1000 + index), daemon=True)
                process.start()
                self.workers.append((process, parent))
            self.server.start()
            time.sleep(self.config.settle_s)  # let the server settle before its idle reading
        except BaseException:
            self.__exit__(None, None, None)
            raise
        self.idle = self.snapshot()
        self.load_before = load_average()
        self.code = prepare.code_fingerprint()
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.workers:
                try:
                    self.call("close", timeout=60)
                except Exception:
                    pass
                for process, conn in self.workers:
                    process.join(10)
                    if process.is_alive():
                        process.terminate()
                        process.join(5)
                    conn.close()
        finally:
            if self.server is not None:
                self.server.stop()
            if self.data_dir is not None:
                prepare.drop_run_copy(self.data_dir, self.database_url)

    def snapshot(self) -> Snapshot:
        return Snapshot(time.time(), cpu_seconds(self.server.pid),
                        sum(cpu_seconds(p.pid) for p, _ in self.workers), rss_kb(self.server.pid), core_jiffies())

    def send(self, command: str, targets=None, per_worker=None, **arguments) -> list[int]:
        targets = list(range(len(self.workers))) if targets is None else targets
        for index in targets:
            payload = {"cmd": command, **arguments, **((per_worker or {}).get(index, {}))}
            self.workers[index][1].send(payload)
        return targets

    def gather(self, targets: list[int], timeout: float = 300.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        results = []
        for index in targets:
            conn = self.workers[index][1]
            if not conn.poll(max(0.0, deadline - time.monotonic())):
                raise RuntimeError(f"generator process {index} did not answer within {timeout:.0f} s")
            result = conn.recv()
            if "error" in result:
                raise RuntimeError(f"generator process {index}: {result['error']}\n{result.get('trace', '')}")
            results.append(result)
        return results

    def call(self, command: str, targets=None, per_worker=None, timeout: float = 300.0, **arguments) -> list[dict]:
        return self.gather(self.send(command, targets, per_worker, **arguments), timeout)

    def setup(self, candidates: list[dict]) -> None:
        shares = {i: {"candidates": candidates[i::len(self.workers)]} for i in range(len(self.workers))}
        self.call("setup", per_worker=shares, url=self.server.url, kind=self.kind,
                  session_id=self.session["session_id"], session_token=self.session["session_token"],
                  staff_token=self.staff_token(), items=self.session.get("items", 60))

    def staff_token(self) -> str | None:
        if self.kind != "ours":
            return None
        request = urllib.request.Request(self.server.url + "/api/v1/staff/login", method="POST",
                                         data=json.dumps({"username": prepare.ADMIN[0], "password": prepare.ADMIN[1]}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())["token"]

    def gc_pauses(self, start: float, end: float) -> dict | None:
        """Collections of generation 1 and 2 between two wall times, and the young ones' total."""
        if self.gc_log is None or not self.gc_log.exists():
            return None
        pauses, young, young_ms = [], 0, 0.0
        for line in self.gc_log.read_text().splitlines():
            parts = line.split()
            if len(parts) < 4 or parts[1] not in ("young", "gen1", "gen2") or not start <= float(parts[0]) <= end:
                continue  # a census line (BENCH_GC_CENSUS) or outside the window
            if parts[1] == "young":
                young += int(parts[2])
                young_ms += float(parts[3])
            else:
                pauses.append((round(float(parts[0]) - start, 2), parts[1], float(parts[3])))
        full = [p for p in pauses if p[1] == "gen2"]
        return {"gen2_count": len(full), "gen2_max_ms": max((p[2] for p in full), default=0),
                "gen2_total_ms": round(sum(p[2] for p in full), 1),
                "gen1_count": sum(1 for p in pauses if p[1] == "gen1"),
                "gen1_max_ms": max((p[2] for p in pauses if p[1] == "gen1"), default=0),
                "gen0_count": young, "gen0_total_ms": round(young_ms, 1),
                "pauses_over_20ms": [list(p) for p in pauses if p[2] > 20],
                "census": [line.split(" ", 2)[2] for line in self.gc_log.read_text().splitlines()
                           if " census " in line and start <= float(line.split()[0]) <= end][-3:]}

    def profile(self, label: str, seconds: float):
        if not self.config.profile:
            return None
        return profiles.Recording(self.server.pid, f"{self.name}-{label}", seconds)

    def describe(self) -> dict:
        return {"kind": self.kind, "mode": self.mode, "database": self.database if self.kind == "ours" else None,
                "command": " ".join(self.server.command), "code": self.code, "load_average_before": self.load_before,
                "load_average_after": load_average()}


def sleep_until(wall: float) -> None:
    delay = wall - time.time()
    if delay > 0:
        time.sleep(delay)


def _connect_hall(rig: Rig, count: int) -> dict:
    """Connect ``count`` candidates, read memory, then start and fetch every form."""
    config = rig.config
    rate = config.connect_rate / len(rig.workers)
    connected = rig.call("connect", rate=rate, timeout=count / config.connect_rate * 4 + 180)
    time.sleep(config.settle_s)
    after_connect = rig.snapshot()
    started = rig.call("start_form", rate=rate, timeout=count / config.connect_rate * 4 + 180)
    ok = sum(r["ok"] for r in connected)
    failures = [f for r in connected for f in r["failures"]] + [f for r in started for f in r["failures"]]
    return {"connected": ok, "started": sum(r["ok"] for r in started), "connect_failures": len(failures),
            "connect_failure_examples": failures[:5],
            **spread([m for r in connected for m in r["ms"]], "connect"),
            **spread([m for r in started for m in r["ms"]], "start_form"),
            "rss_connected_kb": after_connect.rss_kb, "_after_connect": after_connect}


# --- scenarios: one run each ---

def run_storm(config: Config, kind: str, meta: dict, index: int) -> dict:
    count = config.storm_candidates
    with Rig(config, kind, "eventlet", "sqlite", count, f"storm-{kind}-{index}", meta) as rig:
        rig.setup(rig.session["candidates"][:count])
        rig.call("proctor", targets=[0])
        rng = random.Random(index)
        t0 = time.time() + 0.5 + config.settle_s
        offsets = [t0 + config.storm_spread_s * k / max(1, count - 1) for k in range(count)]
        rng.shuffle(offsets)
        workers = len(rig.workers)
        per_worker = {i: {"arrivals": offsets[i::workers]} for i in range(workers)}
        targets = rig.send("storm", per_worker=per_worker, timeout=120.0)
        sleep_until(t0)
        before = rig.snapshot()
        recording = rig.profile("storm", 120)
        results = [c for r in rig.gather(targets, timeout=300) for c in r["candidates"]]
        after = rig.snapshot()
        profile = recording.finish(now=True) if recording else None
        done = [c for c in results if c["ok"]]
        failed = [c for c in results if not c["ok"]]
        last = max((c["done_wall"] for c in done), default=t0)
        figures = {
            "candidates": count, "held_forms": len(done), "failures": len(failed),
            "failure_examples": [f"{c['stage']}: {c['error']} (after {c['after_s']} s)" for c in failed[:5]],
            "all_forms_s": round(last - t0, 2) if done else None,
            "after_last_arrival_s": round(last - (t0 + config.storm_spread_s), 2) if done else None,
            **spread([c["login_ms"] for c in done], "login"),
            **spread([c["connect_ms"] for c in done], "connect"),
            **spread([c["start_ms"] + c["form_ms"] for c in done], "start_form"),
            **spread([c["total_ms"] for c in done], "total"),
            "server_peak_rss_kb": rig.server.peak_rss_kb,
            **_prefixed(window(before, after), "storm"),
        }
        if profile:
            figures["profile"] = profile
        figures["setup"] = rig.describe()
        return figures


def run_hall(config: Config, kind: str, mode: str, meta: dict, index: int) -> dict:
    count = config.hall_candidates
    with Rig(config, kind, mode, "sqlite", count, f"hall-{kind}-{mode}-{index}", meta) as rig:
        rig.setup(rig.session["candidates"][:count])
        idle = rig.snapshot()
        watch = rig.call("proctor")
        fill = _connect_hall(rig, count)
        after_connect = fill.pop("_after_connect")
        ready = rig.snapshot()
        if fill["started"] < 0.95 * count:
            # The server did not cope with filling the hall: no window to measure, say so and stop here.
            figures = {"candidates": count, **fill, "copes": False, "held": fill["started"],
                       "rss_idle_kb": idle.rss_kb, "rss_connected_kb": after_connect.rss_kb,
                       "rss_per_connection_kb": round((after_connect.rss_kb - idle.rss_kb) / max(1, fill["connected"]), 1),
                       "server_peak_rss_kb": rig.server.peak_rss_kb,
                       "fill_server_cpu_s": round(ready.server_cpu - idle.server_cpu, 2), "setup": rig.describe()}
            return figures
        t0 = time.time() + config.settle_s
        targets = rig.send("hall", t0=t0, duration=config.hall_duration_s, period=config.hall_period_s,
                           reconnect_fraction=config.reconnect_fraction, settle=config.settle_s)
        sleep_until(t0)
        before = rig.snapshot()
        recording = rig.profile("hall", config.hall_duration_s)
        sleep_until(t0 + config.hall_duration_s)
        after = rig.snapshot()
        results = rig.gather(targets, timeout=config.hall_duration_s + 120)
        profile = recording.finish() if recording else None
        end = rig.snapshot()
        gc_pauses = rig.gc_pauses(t0, t0 + config.hall_duration_s)
        acks = [m for r in results for m in r["ack_ms"]]
        missing = sum(r["lost"] + r["outstanding"] for r in results)
        connected = fill["connected"]
        figures = {
            "candidates": count, **fill, "copes": True,
            # in the hall (connected, started, form held) and still there at its end
            "held": sum(r["active"] for r in results) - sum(len(r["reconnect_failures"]) for r in results),
            "answers_sent": sum(r["sent"] for r in results), "answers_acked": len(acks),
            "answers_per_s": round(len(acks) / config.hall_duration_s, 1),
            "answers_missing": missing,
            "refusals": _merge_counts(r["refusals"] for r in results),
            **spread(acks, "ack", missing),
            **spread([d for r in results for d in r["delays_ms"]], "proctor"),
            **spread([d for r in results for d in r["delays_from_send_ms"]], "proctor_from_send"),
            "proctor_early": sum(r["early"] for r in results),
            "proctor_unmatched": sum(r["unmatched"] for r in results),
            "proctor_watch_ms": round(max(w["watch_ms"] for w in watch), 1),
            "reconnects": sum(len(r["reconnects_ms"]) for r in results),
            "reconnect_failures": sum(len(r["reconnect_failures"]) for r in results),
            "reconnect_failure_examples": [f for r in results for f in r["reconnect_failures"]][:5],
            **spread([m for r in results for m in r["reconnects_ms"]], "reconnect"),
            "unexpected_closes": sum(r["unexpected_closes"] for r in results),
            "rss_idle_kb": idle.rss_kb,
            "rss_connected_kb": after_connect.rss_kb,
            "rss_ready_kb": ready.rss_kb,
            "rss_end_kb": end.rss_kb,
            "rss_per_connection_kb": round((after_connect.rss_kb - idle.rss_kb) / max(1, connected), 1),
            "rss_per_candidate_kb": round((end.rss_kb - idle.rss_kb) / max(1, connected), 1),
            "server_peak_rss_kb": rig.server.peak_rss_kb,
            **_prefixed(window(before, after), "hall"),
            "fill_server_cpu_s": round(ready.server_cpu - idle.server_cpu, 2),
            "ack_timeline": _timeline(results, t0),
        }
        if profile:
            figures["profile"] = profile
        if gc_pauses:
            figures["gc"] = gc_pauses
        figures["setup"] = rig.describe()
        return figures


def run_saturation(config: Config, kind: str, database: str, meta: dict, index: int) -> dict:
    count = config.sat_candidates
    # A script answering many times a second would be raised as a burst each minute: not what is measured here.
    extra = {"EXAM_BURST_ANSWERS": "1000000"} if kind == "ours" else {}
    with Rig(config, kind, "eventlet", database, count, f"saturation-{kind}-{database}-{index}", meta, extra) as rig:
        rig.setup(rig.session["candidates"][:count])
        rig.call("proctor", targets=[0])
        fill = _connect_hall(rig, count)
        fill.pop("_after_connect")
        steps = []

        def step(rate: float) -> dict:
            t0 = time.time() + min(0.5, config.settle_s)
            share = rate / len(rig.workers)
            targets = rig.send("rate_step", t0=t0, duration=config.sat_step_s, rate=share)
            sleep_until(t0)
            before = rig.snapshot()
            recording = rig.profile(f"step-{round(rate)}", config.sat_step_s)
            sleep_until(t0 + config.sat_step_s)
            after = rig.snapshot()
            results = rig.gather(targets, timeout=config.sat_step_s + 60)
            profile = recording.finish() if recording else None
            acks = [m for r in results for m in r["ack_ms"]]
            missing = sum(r["lost"] + r["outstanding"] for r in results)
            refused = sum(sum(r["refusals"].values()) for r in results)
            sent = sum(r["sent"] for r in results)
            send_seconds = max(r["send_seconds"] for r in results)
            p99 = percentile(acks, 99, missing + refused)
            cpu = window(before, after)
            figures = {"offered_per_s": round(rate, 1), "sent": sent, "acked": len(acks), "missing": missing,
                       "refused": refused, "sent_per_s": round(sent / send_seconds, 1),
                       **spread(acks, "ack", missing + refused), **_prefixed(cpu, "step")}
            figures["passed"] = (p99 is not None and p99 <= config.sat_p99_limit_ms and missing == 0
                                 and refused == 0 and sent / send_seconds >= 0.9 * rate)
            figures["generator_bound"] = cpu["generator_cpu_pct"] >= 90 and not figures["passed"]
            if profile:
                figures["profile"] = profile
            steps.append(figures)
            if not figures["passed"]:
                time.sleep(2 * config.settle_s)  # let a backlog clear before the next step
            return figures

        rate, good, bad = config.sat_start_rate, None, None
        while rate <= config.sat_max_rate:
            if step(rate)["passed"]:
                good = rate
                rate *= config.sat_factor
            else:
                bad = rate
                break
        for _ in range(config.sat_refine if good and bad else 0):
            middle = (good + bad) / 2
            if step(middle)["passed"]:
                good = middle
            else:
                bad = middle
        best = max((s for s in steps if s["passed"]), key=lambda s: s["offered_per_s"], default=None)
        figures = {
            "candidates": count, "connect_failures": fill["connect_failures"],
            "max_answers_per_s": best["offered_per_s"] if best else 0,
            "max_acked_per_s": round(best["acked"] / config.sat_step_s, 1) if best else 0,
            "ack_p50_at_max_ms": best["ack_p50_ms"] if best else None,
            "ack_p99_at_max_ms": best["ack_p99_ms"] if best else None,
            "server_cpu_pct_at_max": best["step_server_cpu_pct"] if best else None,
            "generator_cpu_pct_at_max": best["step_generator_cpu_pct"] if best else None,
            "cpu_ms_per_answer": (round(best["step_server_cpu_pct"] * 10 / best["offered_per_s"], 3)
                                  if best and best["offered_per_s"] else None),
            "first_failed_rate": bad, "reached_max_rate": bad is None,
            "generator_bound": any(s["generator_bound"] for s in steps),
            "steps": steps,
        }
        figures["setup"] = rig.describe()
        return figures


def _timeline(results: list[dict], t0: float) -> list[list]:
    """Per second of the window: [second from t0, answers sent, slowest ack ms], over all processes."""
    merged: dict[int, list] = {}
    for result in results:
        for second, (count, slowest) in result.get("timeline", {}).items():
            slot = merged.setdefault(int(second), [0, 0.0])
            slot[0] += count
            slot[1] = max(slot[1], slowest)
    return [[second - int(t0), count, round(slowest, 1)] for second, (count, slowest) in sorted(merged.items())]


def _prefixed(figures: dict, prefix: str) -> dict:
    return {f"{prefix}_{k}": v for k, v in figures.items()}


def _merge_counts(counters) -> dict:
    total: dict = {}
    for counter in counters:
        for key, value in counter.items():
            total[key] = total.get(key, 0) + value
    return total


# --- scenarios: repeated runs and the medians ---

def repeated(config: Config, label: str, run, log) -> dict:
    runs = []
    for index in range(config.runs):
        started = time.monotonic()
        try:
            figures = run(index)
        except Exception as exc:  # one failed run is reported, the others still count
            log(f"  {label} run {index + 1}/{config.runs}: FAILED: {exc}")
            figures = {"failed": f"{type(exc).__name__}: {exc}"}
        else:
            log(f"  {label} run {index + 1}/{config.runs}: {time.monotonic() - started:.0f} s  {_headline(figures)}")
        runs.append(figures)
    good = [r for r in runs if "failed" not in r]
    return {"runs": runs, "median": medians(runs), "failed_runs": len(runs) - len(good)}


def medians(runs: list[dict]) -> dict:
    """Medians over the runs that did not fail. Where a hall did not fill in some runs, its window figures are
    the medians of the runs that did, and what says how far it got (held, failures) is over every run."""
    good = [r for r in runs if "failed" not in r]
    if not good:
        return {}
    coping = [r for r in good if r.get("copes", True)]
    median = median_of(coping or good)
    if any("copes" in r for r in good):
        overall = median_of(good)
        for key in ("held", "connected", "started", "connect_failures", "rss_per_connection_kb", "fill_server_cpu_s"):
            if key in overall:
                median[key] = overall[key]
        median["copes"] = len(coping) > len(good) / 2
        median["runs_coping"] = f"{len(coping)}/{len(good)}"
    if any("steps" in r for r in good):  # saturation: what else ran on the server's core at the best step
        others = [_best_step_others(r) for r in good]
        others = [o for o in others if o is not None]
        if others:
            median["others_on_server_core_pct_at_max"] = round(statistics.median(others), 1)
    return median


def _best_step_others(run: dict):
    passed = [s for s in run.get("steps", []) if s.get("passed")]
    if not passed:
        return None
    return max(passed, key=lambda s: s["offered_per_s"]).get("step_others_on_server_core_pct")


def _headline(figures: dict) -> str:
    keys = ("all_forms_s", "failures", "ack_p50_ms", "ack_p99_ms", "proctor_p99_ms", "rss_per_connection_kb",
            "hall_server_cpu_pct", "max_answers_per_s", "ack_p99_at_max_ms", "server_cpu_pct_at_max", "connect_failures")
    return "  ".join(f"{k}={figures[k]}" for k in keys if k in figures)


def machine() -> dict:
    import os

    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "load_average": load_average()}
