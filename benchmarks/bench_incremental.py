"""2. Incremental cost: the daily run's dbt time on the last day of an N-day warehouse
against day 1 of an empty one (same day size), and full-refresh throughput.

The warehouse is built the way the DAG builds it: for each day, webstat's ingest
(``webstat.tasks.daily.ingest``) then its dbt build (``webstat.tasks.daily.transform``). The
baseline is an empty warehouse that ingests the same last day's files and builds
(the generator's first day carries the registrations of the whole range, so the
range's own day 1 is not the same size). The state just before each of the two
builds is kept as a template database, so each repeat runs that same build again
from the same state. dbt always
talks to one database name (``bench_dbt``), so partial parsing stays warm, as in
production; dbt's full parse is done once before any timing.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from benchmarks.harness import Sample, Warehouse, generate_day, log, timer

FIRST = date(2026, 11, 2)
DB = "bench_dbt"


def _interval(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), UTC)
    return start, start + timedelta(days=1)


def _top_nodes(settings, n: int = 8) -> list[dict[str, Any]]:
    """The slowest nodes of the last dbt invocation (``run_results.json``)."""
    path = Path(settings.home) / "dbt" / "target" / "run_results.json"
    try:
        results = json.loads(path.read_text())["results"]
    except (OSError, KeyError, ValueError):
        return []
    nodes = sorted(results, key=lambda r: r.get("execution_time") or 0, reverse=True)
    return [
        {"node": r["unique_id"].split(".", 2)[-1], "seconds": r["execution_time"]}
        for r in nodes[:n]
    ]


def _sum_by_kind(settings) -> dict[str, float]:
    path = Path(settings.home) / "dbt" / "target" / "run_results.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    out: dict[str, float] = {"elapsed": data.get("elapsed_time") or 0}
    for r in data.get("results", []):
        kind = r["unique_id"].split(".", 1)[0]
        out[kind] = out.get(kind, 0) + (r.get("execution_time") or 0)
    return out


def _transform(settings, day: date, *, full_refresh: bool = False) -> float:
    from webstat.tasks import daily

    with timer() as elapsed:
        daily.transform(*_interval(day), settings, full_refresh=full_refresh)
    return elapsed()


def _snapshot(wh: Warehouse, name: str) -> None:
    wh.admin(
        f"select pg_terminate_backend(pid) from pg_stat_activity "
        f"where datname = '{DB}' and pid <> pg_backend_pid()"
    )
    wh.create_db(name, template=DB)


def _restore(wh: Warehouse, name: str) -> None:
    wh.create_db(DB, template=name)


def run(
    wh: Warehouse, days: int, events_per_day: int, repeat: int, full_refresh_runs: int = 1
) -> dict[str, Any]:
    from webstat.tasks import daily
    from webstat.warehouse import prepare
    from webstat.warehouse.transform import dbt_vars, run_dbt

    landing = wh.root / f"landing-incremental-{days}x{events_per_day}"
    gen = generate_day(landing, FIRST, events_per_day, days=days)
    wh.create_db(DB)
    settings = wh.settings(DB, landing)
    url = prepare(settings)
    _snapshot(wh, "snap_empty")
    with timer() as parse:
        run_dbt(["parse"], settings, url, dbt_vars(settings))
    log(f"dbt parse (warm-up, untimed in the figures): {parse():.1f} s")

    last = FIRST + timedelta(days=days - 1)
    per_day: list[dict[str, Any]] = []
    profiles: dict[str, Any] = {}
    for i in range(days):
        day = FIRST + timedelta(days=i)
        with timer() as ingest_time:
            summary = daily.ingest(_interval(day)[0], settings)
        if day == last:
            _snapshot(wh, "snap_last")
        seconds = _transform(settings, day)
        per_day.append(
            {
                "day": day.isoformat(),
                "events": summary["loaded"],
                "ingest_seconds": ingest_time(),
                "dbt_seconds": seconds,
            }
        )
        if day == last:
            profiles[day.isoformat()] = {
                "top": _top_nodes(settings),
                "by_kind": _sum_by_kind(settings),
            }
        log(
            f"day {i + 1}/{days} {day}: {summary['loaded']:,} events, ingest "
            f"{ingest_time():.1f} s, dbt {seconds:.1f} s"
        )
    total_events = wh.query(DB, "select count(*) from raw.platform_events")[0][0]
    final = f"snap_final_{days}"
    _snapshot(wh, final)

    # the baseline: an empty warehouse, the same day's files (its partition only)
    _restore(wh, "snap_empty")
    alone = wh.settings(DB, landing, WEBSTAT_LATE_FILE_LOOKBACK_DAYS="0")
    baseline = daily.ingest(_interval(last)[0], alone)
    _snapshot(wh, "snap_first")
    first_s, last_s = Sample(), Sample()
    for r in range(repeat):  # both from a restored copy (a fresh copy's caches are cold)
        for name, sample in (("snap_first", first_s), ("snap_last", last_s)):
            _restore(wh, name)
            seconds = _transform(settings, last)
            sample.add(seconds)
            if name == "snap_first" and r == 0:
                profiles["empty+" + last.isoformat()] = {
                    "top": _top_nodes(settings),
                    "by_kind": _sum_by_kind(settings),
                }
            log(f"run {r + 1}: dbt of {last} on {name}: {seconds:.1f} s")
    ratio = Sample([a / b for a, b in zip(last_s.values, first_s.values, strict=False)])

    _restore(wh, final)
    full = Sample()
    for r in range(full_refresh_runs):
        seconds = _transform(settings, last, full_refresh=True)
        full.add(total_events / seconds)
        log(f"full refresh {r + 1}: {total_events:,} events in {seconds:.1f} s")
    profiles["full_refresh"] = {"top": _top_nodes(settings), "by_kind": _sum_by_kind(settings)}
    return {
        "days": days,
        "events_per_day": events_per_day,
        "generated": gen,
        "total_events": total_events,
        "per_day": per_day,
        "day_events": baseline["loaded"],
        "first_day_dbt_s": first_s.as_dict(),
        "last_day_dbt_s": last_s.as_dict(),
        "ratio": ratio.as_dict(),
        "full_refresh_events_per_s": full.as_dict(),
        "profiles": profiles,
        "final_db": final,
    }


def build_marts(wh: Warehouse, events: int = 2_000) -> str:
    """A small warehouse built once (ingest + dbt): the marts tables, for the reports part."""
    from webstat.tasks import daily

    landing = wh.root / f"landing-marts-{events}"
    generate_day(landing, FIRST, events)
    wh.create_db(DB)
    settings = wh.settings(DB, landing)
    daily.ingest(_interval(FIRST)[0], settings)
    _transform(settings, FIRST)
    _snapshot(wh, "snap_marts")
    return "snap_marts"
