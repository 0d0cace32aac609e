"""webstat's benchmarks: ``make bench`` (``--quick``) and ``make bench-full`` (``--full``).

Runs the parts (ingest vs bare COPY, incremental dbt cost, reports, a whole day,
the daily DAG itself),
stores their results in ``benchmarks/results/<mode>.json`` (a partial run with
``--only`` replaces just its parts) and rewrites ``docs/benchmarks.md``.
See docs/benchmarks.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# run as a script: import ``benchmarks.*`` from the repository, not ``benchmarks/`` itself
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(REPO)
elif str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

PARTS = ("ingest", "incremental", "reports", "day", "dag")
MODES = {
    "quick": {
        "repeat": 3,
        "inc_repeat": 2,
        "full_refresh_runs": 1,
        "ingest_sizes": (30_000, 100_000),
        "days": 3,
        "events_per_day": 4_000,
        "xlsx_sizes": [1_000, 10_000],
        "pdf_size": 1_000,
        "parts": ("ingest", "incremental", "reports"),
    },
    "full": {
        "repeat": 3,
        "inc_repeat": 3,
        "full_refresh_runs": 2,
        "ingest_sizes": (1_000_000, 5_000_000),
        "days": 30,
        "events_per_day": 20_000,
        "xlsx_sizes": [1_000, 10_000, 100_000],
        "pdf_size": 1_000,
        "day_events": 10_000_000,
        "dag_events": 1_000_000,
        "parts": PARTS,
    },
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--quick",
        action="store_const",
        const="quick",
        dest="mode",
        help="small sizes, under ~5 minutes (default)",
    )
    mode.add_argument(
        "--full",
        action="store_const",
        const="full",
        dest="mode",
        help="the issue's sizes: 1 M / 5 M ingest, 30 days, 100k workbook, 10 M day",
    )
    p.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    p.add_argument("--repeat", type=int, help="runs per figure (default 3)")
    p.add_argument("--only", help=f"comma-separated parts: {','.join(PARTS)}")
    p.add_argument(
        "--day-events", type=int, help="events of the whole-day and DAG parts (default 10 M / 1 M)"
    )
    p.add_argument("--days", type=int, help="days of the incremental warehouse")
    p.add_argument(
        "--report-limit",
        type=int,
        help="render only this many sessions' reports of the day, extrapolate",
    )
    p.add_argument(
        "--results",
        type=Path,
        default=REPO / "benchmarks" / "results",
        help="folder of the stored results (<mode>.json)",
    )
    p.add_argument("--ingest-sizes", help="the ingest part's two day sizes, e.g. 1000000,5000000")
    p.add_argument(
        "--doc-only",
        action="store_true",
        help="measure nothing: rewrite the doc from the stored results",
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.add_argument(
        "--root",
        type=Path,
        help="work in this folder instead of a temporary one, and keep it "
        "(generated days found there are reused)",
    )
    args = p.parse_args(argv)
    args.mode = args.mode or "quick"
    return args


def main(argv: list[str] | None = None) -> int:
    from benchmarks import bench_incremental, bench_ingest, bench_reports, writeup
    from benchmarks.harness import Warehouse, loadavg, log, machine

    os.environ.setdefault("DBT_QUIET", "true")  # dbt's per-node lines would drown the log
    # a kill (timeout, Ctrl-C) still stops the throw-away server and removes its folder
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    args = parse_args(argv)
    cfg = dict(MODES[args.mode])
    repeat = args.repeat or cfg["repeat"]
    parts = tuple(args.only.split(",")) if args.only else cfg["parts"]
    unknown = set(parts) - set(PARTS)
    if unknown:
        print(f"run.py: unknown part(s) {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    results_dir = args.results
    results_dir.mkdir(parents=True, exist_ok=True)
    if args.doc_only:
        write_doc(results_dir, args.out)
        return 0
    store = results_dir / f"{args.mode}.json"
    results = json.loads(store.read_text()) if store.exists() else {}
    started = time.perf_counter()
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "load_before": loadavg(),
        "machine": machine(),
        "parts": list(parts),
        "repeat": repeat,
    }
    log(f"{args.mode} mode, parts {', '.join(parts)}, {repeat} run(s) per figure")
    wh = Warehouse(keep=args.keep or args.root is not None, root=args.root)
    try:
        wh.start()
        meta["postgres"] = wh.query("postgres", "show server_version")[0][0]
        if "ingest" in parts:
            sizes = (
                tuple(int(n) for n in args.ingest_sizes.split(","))
                if args.ingest_sizes
                else cfg["ingest_sizes"]
            )
            results["ingest"] = bench_ingest.run(wh, sizes, repeat)
        reports_db = None
        if "incremental" in parts:
            days = args.days or cfg["days"]
            inc = bench_incremental.run(
                wh,
                days,
                cfg["events_per_day"],
                args.repeat or cfg["inc_repeat"],
                cfg["full_refresh_runs"],
            )
            results["incremental"] = inc
            reports_db = inc["final_db"]
        if "reports" in parts:
            if reports_db is None:  # the marts tables of a real (small) dbt build
                reports_db = bench_incremental.build_marts(wh)
            wh.create_db("bench_reports", template=reports_db)
            results["reports"] = bench_reports.run(
                wh, "bench_reports", cfg["xlsx_sizes"], cfg["pdf_size"], repeat
            )
        _whole_day_parts(wh, parts, args, cfg, results)
    finally:
        wh.stop()
    for part in parts:  # when each stored part was measured, and under what load
        if part in results:
            results[part]["measured"] = {
                "date": meta["date"],
                "load_before": meta["load_before"],
                "load_after": loadavg(),
                "repeat": repeat,
            }
    meta["seconds"] = time.perf_counter() - started
    meta["load_after"] = loadavg()
    results["meta"] = meta
    store.write_text(json.dumps(results, indent=1, default=str))
    write_doc(results_dir, args.out)
    log(f"done in {meta['seconds'] / 60:.1f} min: {args.out}")
    print(writeup.table(results))
    return 0


def _whole_day_parts(wh, parts: tuple[str, ...], args, cfg: dict, results: dict) -> None:
    """Parts 4 and 5: one generated day of ``--day-events`` (the same files for both)
    through the tasks' code (``day``) and through the daily DAG itself (``dag``)."""
    from benchmarks import bench_dag, bench_day

    if "day" in parts:
        events = args.day_events or cfg.get("day_events", 200_000)
        results["day"] = bench_day.run(wh, events, args.report_limit)
    if "dag" in parts:
        results["dag"] = bench_dag.run(wh, args.day_events or cfg.get("dag_events", 200_000))


def write_doc(results_dir: Path, out: Path) -> None:
    """``out`` from the stored results of both modes."""
    from benchmarks import writeup

    everything = {}
    for mode in MODES:
        path = results_dir / f"{mode}.json"
        everything[mode] = json.loads(path.read_text()) if path.exists() else {}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(writeup.render(everything))


if __name__ == "__main__":
    sys.exit(main())
