"""4. A whole day end to end: generate one day of N events, then time what the daily DAG
does with it: ingest, dbt build, and the event-session reports of the sessions that
changed (``webstat.tasks.publish_sessions``). Generation is not timed.

With ``report_limit`` only that many sessions' reports are rendered and the phase's
time is extrapolated to all of them (labelled so in the results).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from benchmarks.harness import Warehouse, generate_day, log, timer

DAY = date(2026, 11, 2)
DB = "bench_day"
RENDER_PROCESSES = 2


def _render_batch(batch: list[str], settings, interval) -> int:
    from webstat.tasks.publish_sessions import render_sessions

    render_sessions(batch, run_id="bench", data_interval=interval, settings=settings)
    return len(batch)


def _render_in_processes(ids: list[str], settings, interval, processes: int) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    batches = [ids[i : i + 5] for i in range(0, len(ids), 5)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        for future in [pool.submit(_render_batch, b, settings, interval) for b in batches]:
            future.result()


def run(wh: Warehouse, events: int, report_limit: int | None) -> dict[str, Any]:
    from webstat.tasks import daily
    from webstat.tasks.publish_sessions import sessions_to_report
    from webstat.warehouse import prepare
    from webstat.warehouse.transform import dbt_vars, run_dbt

    landing = wh.root / f"landing-day-{events}"
    gen = generate_day(landing, DAY, events)
    wh.create_db(DB)
    settings = wh.settings(DB, landing)
    url = prepare(settings)
    run_dbt(["parse"], settings, url, dbt_vars(settings))  # warm-up: a DAG's parse is cached
    start = datetime.combine(DAY, time(), UTC)
    end = start + timedelta(days=1)
    phases: dict[str, float] = {}

    with timer() as t:
        summary = daily.ingest(start, settings)
    phases["ingest"] = t()
    log(f"day: ingest {summary['lines']:,} lines in {t():.1f} s")

    with timer() as t:
        daily.transform(start, end, settings)
    phases["dbt"] = t()
    log(f"day: dbt build in {t():.1f} s")

    with timer() as t:
        batches = sessions_to_report(settings)
    ids = [sid for batch in batches for sid in batch]
    phases["reports_plan"] = t()
    todo = ids[:report_limit] if report_limit else ids
    # rendered as the daily DAG's mapped render tasks run on a worker with two slots:
    # two processes, each taking batches of sessions
    with timer() as t:
        _render_in_processes(todo, settings, (start, end), processes=RENDER_PROCESSES)
    rendered_s = t()
    per_session = rendered_s / len(todo) if todo else 0.0
    phases["reports"] = per_session * len(ids)
    log(
        f"day: {len(todo)} of {len(ids)} session reports in {rendered_s:.1f} s "
        f"({per_session:.2f} s each, {RENDER_PROCESSES} processes)"
    )
    total = sum(phases.values())
    return {
        "events": gen["events"],
        "lines": summary["lines"],
        "loaded": summary["loaded"],
        "sessions": gen["sessions"],
        "generate_seconds": gen["seconds"],
        "phases": phases,
        "total_seconds": total,
        "events_per_s": summary["lines"] / total,
        "reports_rendered": len(todo),
        "reports_total": len(ids),
        "reports_extrapolated": len(todo) < len(ids),
        "report_seconds_each": per_session,
    }
