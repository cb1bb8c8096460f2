"""Bank import speed: 50,000 GIFT items, parsed alone and imported whole (parse, encrypt, store).

    .venv/bin/python bench/import_bank.py [--items 50000] [--runs 3]

Each measurement runs in a fresh process so peak memory is that of the import
alone. Prints a table and writes bench/results/import_bank.json.
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_gift(count: int) -> str:
    parts = []
    for i in range(count):
        if i % 500 == 0:
            parts.append(f"$CATEGORY: $course$/top/Kategori-{i // 500}\n")
        parts.append(
            f"::Soal-{i:05d}:: Menurut peraturan nomor {i}, pejabat yang berwenang menetapkan hal berikut adalah{{\n"
            f"=Pejabat Pembina Kepegawaian#benar\n~Sekretaris daerah\n~Kepala biro\n~%-25%Kepala seksi\n"
            f"~Semua jawaban salah\n}}\n\n")
    return "".join(parts)


def child(mode: str, path: str, data_dir: str) -> None:
    from exam_server.banks.importer import parse_bank
    from exam_server.config import load_settings
    from exam_server.security.keys import ensure_keys
    from exam_server.services.banks import import_bank
    from exam_server.composition import build_services

    data = Path(path).read_bytes()
    if mode == "parse":
        started = time.perf_counter()
        count = len(parse_bank(data, "bench.gift", "gift").items)
    else:
        settings = load_settings({"data_dir": data_dir}, environ={})
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        ensure_keys(settings)
        ctx = build_services(settings)
        ctx.db.upgrade()
        started = time.perf_counter()
        count = import_bank(ctx, data, "bench.gift", bank_code="bench")["imported"]
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"items": count, "seconds": seconds, "peak_mib": peak_mib}))


def measure(mode: str, path: Path, runs: int) -> dict:
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as data_dir:
            out = subprocess.run([sys.executable, __file__, "--child", mode, str(path), data_dir],
                                 capture_output=True, text=True, check=True, cwd=ROOT).stdout
            results.append(json.loads(out.strip().splitlines()[-1]))
    seconds = statistics.median(r["seconds"] for r in results)
    return {"mode": mode, "items": results[0]["items"], "seconds_median": round(seconds, 2),
            "items_per_second": round(results[0]["items"] / seconds), "peak_mib_median": round(statistics.median(r["peak_mib"] for r in results))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.gift"
        path.write_text(make_gift(args.items), encoding="utf-8")
        rows = [measure(mode, path, args.runs) for mode in ("parse", "import")]
        size_mib = path.stat().st_size / 2**20
    report = {"benchmark": "bank import (GIFT)", "file_mib": round(size_mib, 1), "runs": args.runs,
              "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
              "results": rows}
    (ROOT / "bench/results").mkdir(exist_ok=True)
    (ROOT / "bench/results/import_bank.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"{args.items} GIFT items ({size_mib:.1f} MiB), median of {args.runs} runs")
    print(f"{'what':<8} {'seconds':>8} {'items/s':>9} {'peak MiB':>9}")
    for row in rows:
        print(f"{row['mode']:<8} {row['seconds_median']:>8} {row['items_per_second']:>9} {row['peak_mib_median']:>9}")


if __name__ == "__main__":
    main()
