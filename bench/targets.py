"""Every figure of the performance targets from one run: ``python -m bench run --scenario targets``.

One command measures, on the same commit and in the same run, each row of the
targets table together with the bare Flask-SocketIO stack it is compared with:

- saturation on SQLite (WAL, FULL), on PostgreSQL and of the bare stack;
- the eventlet hall of 2,000 and of 5,000 (one answer per candidate per 10 s), each with the bare stack;
- start storms of 300, 1,000 and 3,000 (login, connect, start, form), each with the bare stack;
- hub ingest (``bench/sites_ingest.py``, ingest phase only, the hub pinned to one core).

Every step keeps its runs and medians in ``targets.json`` as soon as it is
done (a run cut short keeps what it measured); the table of targets with a
verdict per row goes to ``targets_summary.md`` and ``targets_summary.json``
(bench/targets_report.py). ``--quick`` shrinks every step (a smoke run).
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, replace

from bench import prepare, scenarios, servers, targets_report

PARTS = ("saturation", "hall_2000", "hall_5000", "storm_300", "storm_1000", "storm_3000", "ingest")


@dataclass(frozen=True)
class Plan:
    """The sizes and lengths of every step (the target's own sizes, or shrunk for ``--quick``)."""
    runs: int = 3
    heavy_runs: int = 2  # hall 5,000 and storm 3,000: the longest steps
    hall_sizes: tuple = (2000, 5000)
    hall_durations_s: tuple = (40.0, 30.0)
    hall_period_s: float = 10.0
    storm_sizes: tuple = (300, 1000, 3000)
    storm_spread_s: float = 2.0
    small_template: int = 2000  # saturation, hall 2,000, storms 300 and 1,000 (as the load suite's own runs)
    large_template: int = 5000  # hall 5,000 and storm 3,000
    ingest_args: tuple = ("--sites", "10", "--hall", "500", "--ingest-seconds", "10")
    quick: bool = False


def plan_for(config: scenarios.Config, *, heavy_runs: int | None = None, duration: float | None = None) -> Plan:
    if config.quick:
        plan = Plan(runs=config.runs, heavy_runs=1, hall_sizes=(60, 150), hall_durations_s=(3.0, 3.0),
                    hall_period_s=1.0, storm_sizes=(20, 40, 100), storm_spread_s=0.5, small_template=150,
                    large_template=150, ingest_args=("--sites", "2", "--hall", "20", "--ingest-seconds", "2"),
                    quick=True)
    else:
        plan = Plan(runs=config.runs, heavy_runs=min(config.runs, Plan.heavy_runs))
    if heavy_runs is not None:
        plan = replace(plan, heavy_runs=heavy_runs)
    if duration is not None:
        plan = replace(plan, hall_durations_s=(duration, duration))
    return plan


# The sizes the targets speak of; a part's key names its role, its document the size it really ran.
PART_SIZES = {"hall_2000": 2000, "hall_5000": 5000, "storm_300": 300, "storm_1000": 1000, "storm_3000": 3000}


def run(config: scenarios.Config, plan: Plan, parts: tuple, log) -> int:
    started = time.monotonic()
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        log(f"unknown part {unknown[0]!r}; choose from {', '.join(PARTS)}")
        return 2
    databases = tuple(config.databases)
    if "saturation" in parts and "postgres" in databases and not prepare.postgres_available():
        log(f"PostgreSQL is not reachable at {prepare.POSTGRES_ADMIN_URL}: its saturation row stays empty")
        databases = tuple(d for d in databases if d != "postgres")
    templates = {}

    def meta(size: int, postgres: bool = False) -> dict:
        if size not in templates or (postgres and "postgres" not in templates[size]):
            templates[size] = prepare.template(size, postgres=postgres, log=log)
        return templates[size]

    # Prepare every template first: the preparation is not part of any measured window.
    if "saturation" in parts or any(p in parts for p in ("hall_2000", "storm_300", "storm_1000")):
        meta(plan.small_template, postgres="saturation" in parts and "postgres" in databases)
    if any(p in parts for p in ("hall_5000", "storm_3000")):
        meta(plan.large_template)
    pinned = servers.pin_generator() if config.pin else False
    log(f"servers on core {servers.SERVER_CORE}, generator on core {servers.GENERATOR_CORE}" if pinned
        else "not pinned (fewer than 2 cores, or --no-pin)")
    config.out_dir.mkdir(parents=True, exist_ok=True)
    document = {"scenario": "targets", "quick": plan.quick, "parts": list(parts), "plan": scenarios.plain(asdict(plan)),
                "config": scenarios.plain(asdict(config)), "machine": scenarios.machine(), "pinned": pinned,
                "open_files_limit": list(servers.raise_open_files_limit()), "code": prepare.code_fingerprint(),
                "started_at": time.strftime("%Y-%m-%d %H:%M:%S"), "steps": {}}
    raw_path = config.out_dir / "targets.json"

    def keep(key: str, step: dict) -> None:
        document["steps"][key] = step
        document["elapsed_s"] = round(time.monotonic() - started)
        raw_path.write_text(json.dumps(document, indent=2, default=str))

    def both(label: str, step_config: scenarios.Config, runs: int, one) -> dict:
        step_config = replace(step_config, runs=runs)
        return {kind: scenarios.repeated(step_config, f"{label}/{kind}", lambda i, k=kind: one(step_config, k, i), log)
                for kind in ("ours", "baseline")}

    if "saturation" in parts:
        small = meta(plan.small_template)
        sat_config = replace(config, template_candidates=plan.small_template)
        for database in databases:
            log(f"saturation ({database}): {config.sat_candidates} candidates, {plan.runs} run(s)")
            keep(f"saturation_{database}", {"candidates": config.sat_candidates, "ours": scenarios.repeated(
                replace(sat_config, runs=plan.runs), f"saturation-{database}/ours",
                lambda i, d=database: scenarios.run_saturation(sat_config, "ours", d, small, i), log)})
        log(f"saturation (bare stack): {config.sat_candidates} clients, {plan.runs} run(s)")
        keep("saturation_baseline", {"candidates": config.sat_candidates, "baseline": scenarios.repeated(
            replace(sat_config, runs=plan.runs), "saturation/baseline",
            lambda i: scenarios.run_saturation(sat_config, "baseline", "none", small, i), log)})
    for key, size, duration in (("hall_2000", plan.hall_sizes[0], plan.hall_durations_s[0]),
                                ("hall_5000", plan.hall_sizes[1], plan.hall_durations_s[1])):
        if key not in parts:
            continue
        heavy = key == "hall_5000"
        template = plan.large_template if heavy else plan.small_template
        runs = plan.heavy_runs if heavy else plan.runs
        hall_config = replace(config, hall_candidates=size, hall_duration_s=duration, hall_period_s=plan.hall_period_s,
                              template_candidates=template)
        log(f"exam hall (eventlet): {size} candidates, one answer per {plan.hall_period_s:g} s each, "
            f"{duration:g} s measured, {runs} run(s)")
        hall_meta = meta(template)
        keep(key, {"candidates": size, "duration_s": duration, "period_s": plan.hall_period_s, **both(
            key, hall_config, runs, lambda c, kind, i: scenarios.run_hall(c, kind, "eventlet", hall_meta, i))})
    for key, size in zip(("storm_300", "storm_1000", "storm_3000"), plan.storm_sizes):
        if key not in parts:
            continue
        heavy = key == "storm_3000"
        template = plan.large_template if heavy else plan.small_template
        runs = plan.heavy_runs if heavy else plan.runs
        storm_config = replace(config, storm_candidates=size, storm_spread_s=plan.storm_spread_s,
                               template_candidates=template)
        log(f"start storm: {size} candidates arriving within {plan.storm_spread_s:g} s, {runs} run(s)")
        storm_meta = meta(template)
        keep(key, {"candidates": size, "spread_s": plan.storm_spread_s, **both(
            key, storm_config, runs, lambda c, kind, i: scenarios.run_storm(c, kind, storm_meta, i))})
    if "ingest" in parts:
        log(f"hub ingest: bench/sites_ingest.py {' '.join(plan.ingest_args)}, {plan.runs} measurement(s)")
        keep("ingest", measure_ingest(plan, log))
    summary = targets_report.summarize(document)
    summary["elapsed_s"] = round(time.monotonic() - started)
    document["elapsed_s"] = summary["elapsed_s"]
    raw_path.write_text(json.dumps(document, indent=2, default=str))
    (config.out_dir / "targets_summary.json").write_text(json.dumps(summary, indent=2, default=str))
    text = targets_report.render(summary)
    (config.out_dir / "targets_summary.md").write_text(text)
    log("")
    log(text)
    log(f"total {summary['elapsed_s']} s; results in {config.out_dir}")
    return 0


def measure_ingest(plan: Plan, log) -> dict:
    """bench/sites_ingest.py, ingest phase only, as a process of its own (it starts and pins its hub)."""
    command = [sys.executable, str(scenarios.ROOT / "bench" / "sites_ingest.py"), *plan.ingest_args,
               "--phases", "ingest", "--ingest-repeats", str(plan.runs)]
    started = time.monotonic()
    process = subprocess.run(command, cwd=scenarios.ROOT, capture_output=True, text=True, timeout=1800)
    if process.returncode != 0:
        log(f"  ingest: FAILED (exit {process.returncode}): {process.stderr.strip()[-500:]}")
        return {"failed": f"exit {process.returncode}: {process.stderr.strip()[-2000:]}", "command": command}
    report = json.loads(process.stdout)
    ingest = report["ingest"]
    log(f"  ingest: {time.monotonic() - started:.0f} s  events_per_s={ingest['events_per_s']} "
        f"hub_cpu_pct={ingest.get('hub_cpu_pct')} failed_exchanges={ingest['failed_exchanges']}")
    return {"command": " ".join(command[1:]), **report}


