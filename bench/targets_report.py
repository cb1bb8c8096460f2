"""The targets table: one row per target, the measured median, the bare stack's, and a verdict.

Pure: reads the document bench/targets.py writes (``targets.json``) and
returns rows; ``render`` makes the markdown. Medians are recomputed from the
stored runs, so the table always follows the raw data.
"""
from __future__ import annotations

import math

from bench.report import show
from bench.scenarios import medians

# (row id, figure, target text, comparison, limit, unit)
ROWS = (
    ("saturation_sqlite", "saturation, SQLite (WAL, FULL), ratio to bare", ">= 0.5", ">=", 0.5, "x"),
    ("saturation_postgres", "saturation, PostgreSQL (synchronous_commit on), ratio to bare", ">= 0.4", ">=", 0.4, "x"),
    ("hall_5000_held", "hall of 5,000 (500 answers/s): candidates held", "all 5,000", ">=", None, ""),
    ("hall_5000_ack", "hall of 5,000: answer ack p99", "<= 150 ms", "<=", 150.0, "ms"),
    ("hall_5000_proctor", "hall of 5,000: proctor update p99", "<= 250 ms", "<=", 250.0, "ms"),
    ("hall_5000_memory", "hall of 5,000: server memory per connection", "<= 60 KB", "<=", 60.0, "KB"),
    ("hall_2000_proctor", "hall of 2,000: proctor update p99", "<= 60 ms", "<=", 60.0, "ms"),
    ("storm_300_ratio", "start storm of 300 at once: time to all forms, ratio to bare", "<= 3x bare", "<=", 3.0, "x"),
    ("storm_1000_ratio", "start storm of 1,000 (login, connect, start, form): ratio to bare", "<= 2x bare", "<=", 2.0,
     "x"),
    ("storm_1000_failures", "start storm of 1,000: failures", "0", "<=", 0, ""),
    ("storm_3000_time", "start storm of 3,000: first arrival to all forms held", "<= 60 s", "<=", 60.0, "s"),
    ("storm_3000_failures", "start storm of 3,000: failures", "0", "<=", 0, ""),
    ("ingest", "hub ingest, hub on one core", ">= 5,000 events/s", ">=", 5000.0, "/s"),
)


# Above this share of the server's core taken by other processes, a verdict says so: the figure is not the stack's.
SHARED_CORE_PCT = 10.0


def _number(value):
    if value == "inf":
        return math.inf
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _median(step: dict | None, kind: str) -> dict:
    runs = ((step or {}).get(kind) or {}).get("runs")
    return medians(runs) if runs else {}


def _ratio(ours, bare):
    ours, bare = _number(ours), _number(bare)
    if ours is None or bare is None or bare == 0 or math.isinf(bare):
        return None
    return math.inf if math.isinf(ours) else round(ours / bare, 2)


def _failed(step: dict | None, kind: str) -> str:
    block = (step or {}).get(kind) or {}
    failed = block.get("failed_runs", 0)
    return f"{failed} of {len(block.get('runs', []))} runs failed; " if failed else ""


def summarize(document: dict) -> dict:
    steps = document.get("steps", {})
    quick = document.get("quick", False)
    measured: dict[str, dict] = {}

    def put(row_id, value, bare=None, detail="", size=None, wanted=None, why_empty="", others=None):
        measured[row_id] = {"measured": value, "bare": bare, "detail": detail if why_empty != "not run" else "",
                            "size": size, "wanted": wanted, "why_empty": why_empty, "others": others,
                            "generator_others": generator_others.get(row_id.rsplit("_", 1)[0])}

    # What else ran on the generator's core (the load generator's own latency shows in every figure).
    generator_others = {}
    for key, prefix in (("hall_5000", "hall"), ("hall_2000", "hall"), ("storm_300", "storm"), ("storm_1000", "storm"),
                        ("storm_3000", "storm")):
        step = steps.get(key)
        generator_others[key] = _busiest(_median(step, "ours").get(f"{prefix}_others_on_generator_core_pct"),
                                         _median(step, "baseline").get(f"{prefix}_others_on_generator_core_pct"))

    base = _median(steps.get("saturation_baseline"), "baseline")
    for database in ("sqlite", "postgres"):
        step = steps.get(f"saturation_{database}")
        if step is None:
            put(f"saturation_{database}", None, why_empty="not run" if "saturation_baseline" not in steps
                else "not run (database not reachable)")
            continue
        ours = _median(step, "ours")
        put(f"saturation_{database}", _ratio(ours.get("max_answers_per_s"), base.get("max_answers_per_s")),
            detail=(f"{_failed(step, 'ours')}{_show(ours.get('max_answers_per_s'))} vs bare "
                    f"{_show(base.get('max_answers_per_s'))} answers/s at ack p99 <= 500 ms; at that rate ack p99 "
                    f"{_show(ours.get('ack_p99_at_max_ms'))} ms, server CPU {_show(ours.get('server_cpu_pct_at_max'))}%"
                    f" ({_show(ours.get('cpu_ms_per_answer'))} ms/answer, bare "
                    f"{_show(base.get('cpu_ms_per_answer'))}), other jobs on the server's core "
                    f"{_show(ours.get('others_on_server_core_pct_at_max'))}%"
                    + (f"; no step passed, the first ({_show(_first_rate(step))}/s) failed already"
                       if ours.get("max_answers_per_s") == 0 else "")
                    + ("; bare stack limited by the generator" if base.get("generator_bound") else "")
                    + ("; bare stack reached the highest rate tried" if base.get("reached_max_rate") else "")),
            size=step.get("candidates"), why_empty="no figure (a failed run?)",
            others=_busiest(ours.get("others_on_server_core_pct_at_max"), base.get("others_on_server_core_pct_at_max")))

    for key in ("hall_5000", "hall_2000"):
        step = steps.get(key)
        ours, bare = _median(step, "ours"), _median(step, "baseline")
        size = (step or {}).get("candidates")
        wanted = int(key.split("_")[1])
        context = (f"{_failed(step, 'ours')}{_show(ours.get('answers_per_s'))} answers/s acked, server CPU "
                   f"{_show(ours.get('hall_server_cpu_pct'))}% (bare {_show(bare.get('hall_server_cpu_pct'))}%), "
                   f"other jobs on the server's core {_show(ours.get('hall_others_on_server_core_pct'))}%"
                   + (f", {ours['runs_coping']} runs filled the hall" if "runs_coping" in ours else ""))
        why = "not run" if step is None else "no figure (the hall did not fill, or a failed run)"
        others = _busiest(ours.get("hall_others_on_server_core_pct"), bare.get("hall_others_on_server_core_pct"))
        common = {"others": others, "size": size, "wanted": wanted, "why_empty": why}
        if key == "hall_5000":
            put("hall_5000_held", ours.get("held"), bare.get("held"), **common,
                detail=(f"of {_show(size)}; connect failures {_show(ours.get('connect_failures'))}, "
                        f"reconnect failures {_show(ours.get('reconnect_failures'))}, answers never acknowledged "
                        f"{_show(ours.get('answers_missing'))}; " + context))
            put("hall_5000_ack", ours.get("ack_p99_ms"), bare.get("ack_p99_ms"), **common,
                detail=f"durable (after commit); p50 {_show(ours.get('ack_p50_ms'))} ms; " + context)
            put("hall_5000_memory", ours.get("rss_per_connection_kb"), bare.get("rss_per_connection_kb"), **common,
                detail=(f"(RSS connected - RSS idle) / connections; per candidate after the hall "
                        f"{_show(ours.get('rss_per_candidate_kb'))} KB; peak RSS "
                        f"{_show(_mb(ours.get('server_peak_rss_kb')))} MB"))
        put(f"{key}_proctor", ours.get("proctor_p99_ms"), bare.get("proctor_p99_ms"), **common,
            detail=(f"candidate's ack -> proctor's event; p50 {_show(ours.get('proctor_p50_ms'))} ms; "
                                   "bare emits before it acks (0 by this measure); " + context))

    for key in ("storm_300", "storm_1000", "storm_3000"):
        step = steps.get(key)
        ours, bare = _median(step, "ours"), _median(step, "baseline")
        size = (step or {}).get("candidates")
        wanted = int(key.split("_")[1])
        why = "not run" if step is None else "no figure (a failed run?)"
        others = _busiest(ours.get("storm_others_on_server_core_pct"), bare.get("storm_others_on_server_core_pct"))
        context = (f"{_failed(step, 'ours')}{_show(ours.get('all_forms_s'))} s vs bare "
                   f"{_show(bare.get('all_forms_s'))} s"
                   f" from the first arrival (spread over {_show((step or {}).get('spread_s'))} s); login p99 "
                   f"{_show(ours.get('login_p99_ms'))} ms, start+form p99 {_show(ours.get('start_form_p99_ms'))} ms; "
                   f"server CPU {_show(ours.get('storm_server_cpu_pct'))}%, other jobs on the server's core "
                   f"{_show(ours.get('storm_others_on_server_core_pct'))}%")
        failures = (f"failures ours {_show(ours.get('failures'))}, bare {_show(bare.get('failures'))}; "
                    + "; ".join(_examples(step)))
        if key == "storm_3000":
            put("storm_3000_time", ours.get("all_forms_s"), bare.get("all_forms_s"), context, size, wanted, why, others)
        else:
            put(f"{key}_ratio", _ratio(ours.get("all_forms_s"), bare.get("all_forms_s")), None,
                context + f"; failures {_show(ours.get('failures'))}", size, wanted, why, others)
        if key != "storm_300":
            put(f"{key}_failures", ours.get("failures"), bare.get("failures"), failures.rstrip("; "), size, wanted, why,
                others)

    ingest = steps.get("ingest")
    if ingest is None or "failed" in ingest:
        put("ingest", None, why_empty="not run" if ingest is None else f"failed: {ingest['failed'][:200]}")
    else:
        figures = ingest["ingest"]
        runs = [r["events_per_s"] for r in ingest.get("ingest_runs", [figures])]
        put("ingest", figures["events_per_s"], size=ingest.get("sites"), others=figures.get("others_on_hub_core_pct"),
            detail=(f"{ingest.get('sites')} simulated sites sending batches of 200 as fast as acknowledged, "
                    f"{figures['seconds']} s per measurement, runs {runs}; hub CPU "
                    f"{_show(figures.get('hub_cpu_pct'))}% (pinned to one core), other processes on its core "
                    f"{_show(figures.get('others_on_hub_core_pct'))}%, failed exchanges "
                    f"{figures['failed_exchanges']}"))

    rows = []
    for row_id, figure, target, comparison, limit, unit in ROWS:
        m = measured.get(row_id, {"measured": None, "why_empty": "not run"})
        value = _number(m["measured"])
        if row_id == "hall_5000_held":
            limit = m.get("size") or 5000  # every candidate of the hall
        if value is None:
            verdict = f"not measured ({m['why_empty'] or 'no figure'})"
        else:
            ok = value >= limit if comparison == ">=" else value <= limit
            verdict = "met" if ok else "not met"
            caveats = []
            if m.get("wanted") and m.get("size") and m["size"] < m["wanted"]:
                caveats.append(f"at {m['size']:,} candidates, not {m['wanted']:,}")
            elif quick:
                caveats.append("quick run, shrunk")
            cores = (("server's core", _number(m.get("others"))),
                     ("generator's core", _number(m.get("generator_others"))))
            shared = [f"{where}: {share:g}%" for where, share in cores if share is not None and share > SHARED_CORE_PCT]
            if shared:
                caveats.append(f"other processes on the {', the '.join(shared)}")
            if caveats:
                verdict += f" ({'; '.join(caveats)})"
        rows.append({"id": row_id, "figure": figure, "target": target, "measured": _plain_number(m["measured"]),
                     "bare": _plain_number(m.get("bare")), "unit": unit, "verdict": verdict,
                     "detail": m.get("detail", "")})
    return {"quick": quick, "code": document.get("code"), "started_at": document.get("started_at"),
            "machine": document.get("machine"), "plan": document.get("plan"), "rows": rows}


def _first_rate(step: dict):
    runs = [r for r in ((step or {}).get("ours") or {}).get("runs", []) if r.get("steps")]
    return runs[0]["steps"][0]["offered_per_s"] if runs else None


def _busiest(*shares):
    """The larger share of the server's core other processes took, over ours and the bare stack's runs."""
    numbers = [_number(v) for v in shares if _number(v) is not None]
    return max(numbers) if numbers else None


def _examples(step: dict | None) -> list[str]:
    runs = ((step or {}).get("ours") or {}).get("runs", [])
    return [e for r in runs for e in r.get("failure_examples", [])][:3]


def _mb(kb):
    return round(kb / 1024) if _number(kb) is not None else None


def _plain_number(value):
    return "inf" if isinstance(value, float) and math.isinf(value) else value


def render(summary: dict) -> str:
    code = summary.get("code") or {}
    plan = summary.get("plan") or {}
    machine = summary.get("machine") or {}
    title = "## Performance targets" + (" (quick run: every step shrunk, not a measurement)" if summary["quick"] else "")
    lines = [title,
             "",
             f"Commit {code.get('commit', '?')} (exam_server/ digest {code.get('exam_server_digest', '?')}, "
             f"{code.get('exam_server_changed_files', '?')} files changed from the commit), started "
             f"{summary.get('started_at', '?')}, {summary.get('elapsed_s', '?')} s in all; "
             f"{machine.get('cpus', '?')} cores, load average at the start {machine.get('load_average', '?')}; "
             f"runs per step (median): {plan.get('runs', '?')}"
             f" ({plan.get('heavy_runs', '?')} for the hall of 5,000 and the storm of 3,000).",
             "",
             "| figure | target | measured | bare stack | verdict | how it was measured |",
             "| --- | --- | ---: | ---: | --- | --- |"]
    for r in summary["rows"]:
        unit = "" if r["unit"] in ("", "x") else f" {r['unit']}"
        value = "-" if r["measured"] is None else f"{_show(r['measured'])}{'x' if r['unit'] == 'x' else unit}"
        bare = "-" if r["bare"] is None else f"{_show(r['bare'])}{unit}"
        lines.append(f"| {r['figure']} | {r['target']} | {value} | {bare} | {r['verdict']} | {r['detail']} |")
    return "\n".join(lines) + "\n"


def _show(value) -> str:
    if value == "inf" or (isinstance(value, float) and math.isinf(value)):
        return "inf"
    return show(value)
