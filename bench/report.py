"""The figures table: medians of ours and of the bare stack, their ratio, and the targets."""
from __future__ import annotations

import json
from pathlib import Path


def _load(folder: Path, name: str) -> dict | None:
    path = folder / f"load_{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _median(document: dict | None, kind: str) -> dict:
    """Medians recomputed from the stored runs (so a table always follows the raw data)."""
    from bench.scenarios import medians

    runs = ((document or {}).get(kind) or {}).get("runs")
    return medians(runs) if runs else {}


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _ratio(ours, base):
    ours, base = _number(ours), _number(base)
    if ours is None or base is None or base == 0:
        return None
    return round(ours / base, 2)


def _verdict(value, limit, *, at_most=True):
    value = _number(value)
    if value is None:
        return "not met (no figure)"
    ok = value <= limit if at_most else value >= limit
    return "met" if ok else "not met"


def summarize(folder: Path, config) -> dict:
    rows = []
    targets = []

    def row(section, figure, ours, base=None, unit="", note="", ratio=True):
        rows.append({"section": section, "figure": figure, "ours": ours, "baseline": base,
                     "ratio": _ratio(ours, base) if ratio else None, "unit": unit, "note": note})

    storm = _load(folder, "storm")
    if storm:
        o, b = _median(storm, "ours"), _median(storm, "baseline")
        n = storm["config"]["storm_candidates"]
        section = f"start storm, {n} candidates (eventlet, SQLite)"
        row(section, "first arrival to all forms held", o.get("all_forms_s"), b.get("all_forms_s"), "s")
        row(section, "failures", o.get("failures"), b.get("failures"))
        row(section, "login p50 / p99", _pair(o, "login"), _pair(b, "login"), "ms")
        row(section, "connect p99", o.get("connect_p99_ms"), b.get("connect_p99_ms"), "ms")
        row(section, "start+form p50 / p99", _pair(o, "start_form"), _pair(b, "start_form"), "ms")
        row(section, "per candidate, arrival to form p99", o.get("total_p99_ms"), b.get("total_p99_ms"), "ms")
        row(section, "server CPU during the storm", o.get("storm_server_cpu_pct"), b.get("storm_server_cpu_pct"), "%")
        row(section, "generator CPU", o.get("storm_generator_cpu_pct"), b.get("storm_generator_cpu_pct"), "%")
        row(section, "other jobs on the server's core meanwhile", o.get("storm_others_on_server_core_pct"),
            b.get("storm_others_on_server_core_pct"), "%", "busy share of core 0 not used by the server", ratio=False)
        limit, wanted = storm["config"]["storm_target_s"], storm["config"]["targets"].get("storm_candidates", 1000)
        met = (_number(o.get("all_forms_s")) is not None and o["all_forms_s"] <= limit and o.get("failures") == 0
               and n >= wanted)
        targets.append({"target": f"start storm of {wanted} served in <= {limit:g} s from the first arrival "
                                  f"(arrivals spread over {storm['config']['storm_spread_s']:g} s) with zero failures",
                        "measured": f"{n} candidates: {o.get('all_forms_s')} s, {o.get('failures')} failures",
                        "verdict": ("met" if met else "not met")
                        + ("" if n >= wanted else f" (run with fewer than {wanted})")})
    for mode in ("eventlet", "gevent", "threading"):
        hall = _load(folder, f"hall_{mode}")
        if not hall:
            continue
        o, b = _median(hall, "ours"), _median(hall, "baseline")
        n = hall["config"]["hall_candidates"]
        failed = (hall.get("ours") or {}).get("failed_runs", 0)
        section = f"exam hall, {n} candidates, {mode}" + (f" ({failed} failed runs)" if failed else "")
        row(section, "copes (>= 95% of the hall holds its forms)", _coping(o), _coping(b))
        row(section, "candidates held (connected, answering)", o.get("held"), b.get("held"))
        row(section, "connect failures", o.get("connect_failures"), b.get("connect_failures"))
        row(section, "answers acknowledged per s", o.get("answers_per_s"), b.get("answers_per_s"), "/s")
        row(section, "answers never acknowledged", o.get("answers_missing"), b.get("answers_missing"), "",
            "counted as infinitely late", ratio=False)
        row(section, "answer ack p50", o.get("ack_p50_ms"), b.get("ack_p50_ms"), "ms",
            "ours: after commit (durable)")
        row(section, "answer ack p99", o.get("ack_p99_ms"), b.get("ack_p99_ms"), "ms")
        row(section, "answer ack max", o.get("ack_max_ms"), b.get("ack_max_ms"), "ms")
        row(section, "proctor update p50", o.get("proctor_p50_ms"), b.get("proctor_p50_ms"), "ms",
            "ack at candidate -> candidate event at proctor")
        row(section, "proctor update p99", o.get("proctor_p99_ms"), b.get("proctor_p99_ms"), "ms")
        row(section, "answer sent -> proctor event p50 / p99", _pair(o, "proctor_from_send"),
            _pair(b, "proctor_from_send"), "ms", "baseline emits before it acks")
        row(section, "reconnects ok / failed", _slash(o, "reconnects", "reconnect_failures"),
            _slash(b, "reconnects", "reconnect_failures"))
        row(section, "reconnect (connect + state) p99", o.get("reconnect_p99_ms"), b.get("reconnect_p99_ms"), "ms")
        row(section, "server RSS per connection", o.get("rss_per_connection_kb"), b.get("rss_per_connection_kb"), "KB",
            "(RSS connected - RSS idle) / N")
        row(section, "server RSS per candidate after the hall", o.get("rss_per_candidate_kb"),
            b.get("rss_per_candidate_kb"), "KB", "incl. forms, caches")
        row(section, "server RSS idle / peak", _pair_kb(o), _pair_kb(b), "MB")
        row(section, "server CPU during the hall", o.get("hall_server_cpu_pct"), b.get("hall_server_cpu_pct"), "%")
        row(section, "generator CPU during the hall", o.get("hall_generator_cpu_pct"),
            b.get("hall_generator_cpu_pct"), "%")
        row(section, "other jobs on the server's core meanwhile", o.get("hall_others_on_server_core_pct"),
            b.get("hall_others_on_server_core_pct"), "%", "busy share of core 0 not used by the server", ratio=False)
        row(section, "server CPU to fill the hall (connect, start, form)", o.get("fill_server_cpu_s"),
            b.get("fill_server_cpu_s"), "s")
        if mode == "eventlet":
            t = hall["config"]["targets"]
            held = _number(o.get("held")) or 0
            coping = f", {o['runs_coping']} runs filled the hall" if "runs_coping" in o else ""
            targets.append({"target": f"{t['hall_candidates']} candidates held",
                            "measured": f"median {o.get('held')} of {n}{coping}",
                            "verdict": ("met" if held >= t["hall_candidates"] else "not met")
                            + ("" if n >= t["hall_candidates"] else f" (run with {n} only)")})
            targets.append({"target": f"durable ack p99 <= {t['ack_p99_ms']:g} ms",
                            "measured": f"{o.get('ack_p99_ms')} ms ({n} candidates{coping})",
                            "verdict": _verdict(o.get("ack_p99_ms"), t["ack_p99_ms"])
                            + ("" if n >= t["hall_candidates"] else f" (at {n} candidates only)")})
            targets.append({"target": f"proctor update p99 <= {t['proctor_p99_ms']:g} ms",
                            "measured": f"{o.get('proctor_p99_ms')} ms ({n} candidates{coping})",
                            "verdict": _verdict(o.get("proctor_p99_ms"), t["proctor_p99_ms"])
                            + ("" if n >= t["hall_candidates"] else f" (at {n} candidates only)")})
    base = _median(_load(folder, "saturation_baseline"), "baseline")
    for database in ("sqlite", "postgres"):
        sat = _load(folder, f"saturation_{database}")
        if not sat:
            continue
        o = _median(sat, "ours")
        n = sat["config"]["sat_candidates"]
        section = f"saturation, {n} candidates, eventlet, {'SQLite WAL FULL' if database == 'sqlite' else 'PostgreSQL'}"
        row(section, "answers/s with ack p99 <= 500 ms", o.get("max_answers_per_s"), base.get("max_answers_per_s"), "/s",
            "baseline: bare stack, no storage")
        row(section, "ack p50 / p99 at that rate", _pair(o, "ack", suffix="_at_max_ms"),
            _pair(base, "ack", suffix="_at_max_ms"), "ms")
        row(section, "server CPU at that rate", o.get("server_cpu_pct_at_max"), base.get("server_cpu_pct_at_max"), "%")
        row(section, "server CPU per answer", o.get("cpu_ms_per_answer"), base.get("cpu_ms_per_answer"), "ms")
        row(section, "generator CPU at that rate", o.get("generator_cpu_pct_at_max"),
            base.get("generator_cpu_pct_at_max"), "%")
        row(section, "other jobs on the server's core at that rate", o.get("others_on_server_core_pct_at_max"),
            base.get("others_on_server_core_pct_at_max"), "%", "PostgreSQL's own processes count here", ratio=False)
    return {"rows": rows, "targets": targets}


def _pair(figures: dict, prefix: str, suffix: str = "") -> str | None:
    if suffix:
        a, b = figures.get(f"{prefix}_p50{suffix}"), figures.get(f"{prefix}_p99{suffix}")
    else:
        a, b = figures.get(f"{prefix}_p50_ms"), figures.get(f"{prefix}_p99_ms")
    return None if a is None and b is None else f"{a} / {b}"


def _coping(figures: dict) -> str | None:
    if "copes" not in figures:
        return None
    return ("yes" if figures["copes"] else "no") + (f" ({figures['runs_coping']} runs)" if "runs_coping" in figures else "")


def _slash(figures: dict, a: str, b: str) -> str | None:
    return None if a not in figures else f"{figures.get(a)} / {figures.get(b)}"


def _pair_kb(figures: dict) -> str | None:
    idle, peak = figures.get("rss_idle_kb"), figures.get("server_peak_rss_kb")
    if idle is None:
        return None
    return f"{idle / 1024:.0f} / {peak / 1024:.0f}"


def render(summary: dict) -> str:
    lines = []
    section = None
    for r in summary["rows"]:
        if r["section"] != section:
            section = r["section"]
            lines += ["", f"### {section}", "", "| figure | ours | baseline | ours / baseline | unit | note |",
                      "| --- | ---: | ---: | ---: | --- | --- |"]
        lines.append(f"| {r['figure']} | {show(r['ours'])} | {show(r['baseline'])} | {show(r['ratio'])} | "
                     f"{r['unit']} | {r['note']} |")
    if summary["targets"]:
        lines += ["", "### targets", "", "| target | measured | verdict |", "| --- | --- | --- |"]
        lines += [f"| {t['target']} | {t['measured']} | {t['verdict']} |" for t in summary["targets"]]
    return "\n".join(lines).lstrip("\n") + "\n"


def show(value) -> str:
    """A figure as the tables print it: '-' for none, thousands separated, small floats to two places."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
