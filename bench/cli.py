"""``python -m bench``: prepare the data, run the load scenarios, print and keep the figures."""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

from bench import prepare, report, scenarios, servers, targets, targets_report

SCENARIOS = ("storm", "hall", "modes", "saturation")


def log(message: str) -> None:
    print(message, flush=True)


def build_config(args) -> scenarios.Config:
    overrides = {}
    for option, name in (("runs", "runs"), ("processes", "processes"), ("candidates", "hall_candidates"),
                         ("storm_candidates", "storm_candidates"), ("sat_candidates", "sat_candidates"),
                         ("duration", "hall_duration_s"), ("period", "hall_period_s"), ("step_seconds", "sat_step_s"),
                         ("reconnect_fraction", "reconnect_fraction"), ("storm_spread", "storm_spread_s")):
        value = getattr(args, option)
        if value is not None:
            overrides[name] = value
    if args.modes:
        overrides["modes"] = tuple(m.strip() for m in args.modes.split(",") if m.strip())
    if args.databases:
        overrides["databases"] = tuple(d.strip() for d in args.databases.split(",") if d.strip())
    if args.no_baseline:
        overrides["baseline"] = False
    if args.no_pin:
        overrides["pin"] = False
    if args.profile:
        overrides["profile"] = True
    if args.gc_log:
        overrides["gc_log"] = True
    if args.out:
        overrides["out_dir"] = Path(args.out)
    config = scenarios.quick_config(**overrides) if args.quick else scenarios.Config(**overrides)
    if not servers.can_pin():
        config = replace(config, pin=False)
    return config


def run(args) -> int:
    servers.raise_open_files_limit()  # the servers and generator processes started from here inherit it
    config = build_config(args)
    if args.scenario == "targets":
        plan = targets.plan_for(config, heavy_runs=args.heavy_runs, duration=args.duration)
        parts = tuple(p.strip() for p in args.only.split(",") if p.strip()) if args.only else targets.PARTS
        return targets.run(config, plan, parts, log)
    chosen = SCENARIOS if args.scenario == "all" else tuple(s.strip() for s in args.scenario.split(","))
    unknown = [s for s in chosen if s not in SCENARIOS]
    if unknown:
        log(f"unknown scenario {unknown[0]!r}; choose from all, {', '.join(SCENARIOS)}")
        return 2
    wants_postgres = "saturation" in chosen and "postgres" in config.databases
    if wants_postgres and not prepare.postgres_available():
        log(f"PostgreSQL is not reachable at {prepare.POSTGRES_ADMIN_URL}: saturation runs on SQLite only "
            "(set BENCH_POSTGRES_URL)")
        config = replace(config, databases=tuple(d for d in config.databases if d != "postgres"))
        wants_postgres = False
    started = time.monotonic()
    meta = prepare.template(config.template_size, postgres=wants_postgres, log=log)
    # From here on: the generator (this process and its children) on core 1, each server on core 0.
    pinned = servers.pin_generator() if config.pin else False
    log(f"servers on core {servers.SERVER_CORE}, generator on core {servers.GENERATOR_CORE}" if pinned
        else "not pinned (fewer than 2 cores, or --no-pin)")
    config.out_dir.mkdir(parents=True, exist_ok=True)
    outputs = []
    kinds = ("ours", "baseline") if config.baseline else ("ours",)

    def write(name: str, document: dict) -> None:
        document = {"scenario": name, "config": scenarios.plain(asdict(config)), "machine": scenarios.machine(),
                    "pinned": pinned, "written_at": time.strftime("%Y-%m-%d %H:%M:%S"), **document}
        path = config.out_dir / f"load_{name}.json"
        path.write_text(json.dumps(document, indent=2, default=str))
        outputs.append(path)
        log(f"  -> {path.relative_to(scenarios.ROOT) if path.is_relative_to(scenarios.ROOT) else path}")

    if "storm" in chosen:
        log(f"start storm: {config.storm_candidates} candidates arriving within {config.storm_spread_s:g} s, "
            f"{config.runs} run(s)")
        document = {kind: scenarios.repeated(config, f"storm/{kind}",
                                             lambda i, k=kind: scenarios.run_storm(config, k, meta, i), log)
                    for kind in kinds}
        write("storm", document)
    hall_modes = []
    if "hall" in chosen:
        hall_modes.append("eventlet")
    if "modes" in chosen:
        hall_modes += [m for m in config.modes if m not in hall_modes]
    for mode in hall_modes:
        log(f"exam hall ({mode}): {config.hall_candidates} candidates, one answer per {config.hall_period_s:g} s each, "
            f"{config.hall_duration_s:g} s measured, {config.runs} run(s)")
        document = {kind: scenarios.repeated(config, f"hall-{mode}/{kind}",
                                             lambda i, k=kind, m=mode: scenarios.run_hall(config, k, m, meta, i), log)
                    for kind in kinds if kind == "ours" or mode in config.baseline_modes}
        write(f"hall_{mode}", document)
    if "saturation" in chosen:
        for database in config.databases:
            log(f"saturation (eventlet, {database}): {config.sat_candidates} candidates, "
                f"steps of {config.sat_step_s:g} s until ack p99 > {config.sat_p99_limit_ms:g} ms, {config.runs} run(s)")
            document = {"ours": scenarios.repeated(
                config, f"saturation-{database}/ours",
                lambda i, d=database: scenarios.run_saturation(config, "ours", d, meta, i), log)}
            write(f"saturation_{database}", document)
        if config.baseline:
            log(f"saturation (eventlet, baseline): {config.sat_candidates} clients, {config.runs} run(s)")
            document = {"baseline": scenarios.repeated(
                config, "saturation/baseline",
                lambda i: scenarios.run_saturation(config, "baseline", "none", meta, i), log)}
            write("saturation_baseline", document)
    summary = report.summarize(config.out_dir, config)
    (config.out_dir / "load_summary.json").write_text(json.dumps(summary, indent=2, default=str))
    text = report.render(summary)
    (config.out_dir / "load_summary.md").write_text(text)
    log("")
    log(text)
    log(f"total {time.monotonic() - started:.0f} s; results in {config.out_dir}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Load scenarios for the exam server.")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="run scenarios and write bench/results/load_*.json")
    run_parser.add_argument("--scenario", default="all", help="all, or a comma list of: " + ", ".join(SCENARIOS)
                            + "; or targets: every row of the performance targets in one run (bench/targets.py)")
    run_parser.add_argument("--only", help="targets: a comma list of the parts to run (" + ", ".join(targets.PARTS)
                            + "), to try one; the table then shows the others as not run")
    run_parser.add_argument("--heavy-runs", type=int, help="targets: runs of the hall of 5,000 and the storm of "
                            "3,000, default min(--runs, 2)")
    run_parser.add_argument("--quick", action="store_true", help="a smoke run of everything, shrunk (under a minute "
                            "once prepared); results go to bench/results/quick/")
    run_parser.add_argument("--runs", type=int, help="runs per figure (median), default 3")
    run_parser.add_argument("--processes", type=int, help="generator processes, default 4")
    run_parser.add_argument("--candidates", type=int, help="exam hall candidates, default 2000")
    run_parser.add_argument("--storm-candidates", type=int, help="start storm candidates, default 1000")
    run_parser.add_argument("--sat-candidates", type=int, help="saturation candidates, default 200")
    run_parser.add_argument("--duration", type=float, help="exam hall measured seconds, default 45")
    run_parser.add_argument("--period", type=float, help="seconds between a candidate's answers, default 10")
    run_parser.add_argument("--step-seconds", type=float, help="saturation step length, default 3")
    run_parser.add_argument("--storm-spread", type=float, help="seconds over which the storm arrives, default 2")
    run_parser.add_argument("--reconnect-fraction", type=float, help="hall candidates who drop and reconnect once, "
                            "default 0.02")
    run_parser.add_argument("--modes", help="async modes for the modes scenario, default eventlet,gevent,threading")
    run_parser.add_argument("--databases", help="saturation databases, default sqlite,postgres")
    run_parser.add_argument("--no-baseline", action="store_true", help="skip the bare Flask-SocketIO server")
    run_parser.add_argument("--no-pin", action="store_true", help="do not pin server and generator to cores")
    run_parser.add_argument("--profile", action="store_true", help="record the server with py-spy in every measured "
                            "window (stacks in bench/.work/profiles/, summary in the JSON)")
    run_parser.add_argument("--gc-log", action="store_true", help="record the server's garbage collections "
                            "(bench/gcprobe, logs in bench/.work/gc/, pauses of the hall window in the JSON)")
    run_parser.add_argument("--out", help="results folder, default bench/results (quick: bench/results/quick)")
    prepare_parser = sub.add_parser("prepare", help="prepare the template data now (done by run when missing)")
    prepare_parser.add_argument("--candidates", type=int, default=2000)
    prepare_parser.add_argument("--postgres", action="store_true")
    table_parser = sub.add_parser("table", help="print the table of the results already written (medians "
                                  "recomputed from the stored runs; load_summary.* rewritten)")
    table_parser.add_argument("--out", default=str(scenarios.ROOT / "bench" / "results"))
    table_parser.add_argument("--targets", action="store_true", help="the targets table, from targets.json")
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(args)
    if args.command == "prepare":
        prepare.template(args.candidates, postgres=args.postgres, log=log)
        return 0
    folder = Path(args.out)
    if args.targets:
        document = json.loads((folder / "targets.json").read_text())
        summary = targets_report.summarize(document)
        summary["elapsed_s"] = document.get("elapsed_s")
        text = targets_report.render(summary)
        (folder / "targets_summary.json").write_text(json.dumps(summary, indent=2, default=str))
        (folder / "targets_summary.md").write_text(text)
        print(text)
        return 0
    summary = report.summarize(folder, scenarios.Config())
    text = report.render(summary)
    if (folder / "load_summary.json").exists():  # keep the written summary in step with the raw runs
        (folder / "load_summary.json").write_text(json.dumps(summary, indent=2, default=str))
        (folder / "load_summary.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
