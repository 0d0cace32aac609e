"""``docs/benchmarks.md`` from the stored results of both modes (``benchmarks/results/``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

NOTES = Path(__file__).with_name("notes.md")
DAY_TARGET_EVENTS = 10_000_000
RENDER_PROCESSES = 2
"""Processes part 4 renders a day's reports with (``bench_day.RENDER_PROCESSES``)."""


REPORTS_OVER_BUILD_TARGET = 3.0
"""A day's reports (every session, two render processes) against its ingest + dbt."""


def _mm(d: dict[str, Any], fmt: str = "{:,.0f}", scale: float = 1.0) -> str:
    med, lo, hi = d["median"] * scale, d["min"] * scale, d["max"] * scale
    if d.get("n", 1) <= 1:
        return fmt.format(med) + " (1 run)"
    return f"{fmt.format(med)} ({fmt.format(lo)}–{fmt.format(hi)}, n={d['n']})"


def _ok(met: bool | None) -> str:
    return "—" if met is None else ("**met**" if met else "**missed**")


def _appender(out: list[tuple[str, str, str, str]]) -> Any:
    """``add(label, value, target="", met="")``: one row appended to ``out``."""

    def add(label: str, value: str, target: str = "", met: str = "") -> None:
        out.append((label, value, target, met))

    return add


def _report_rows(add: Any, rep: dict[str, Any]) -> None:
    """Part 3's rows: the workbooks, the PDF, the PDF's cost per row."""
    for n, r in rep["xlsx"].items():
        big = int(n) >= 100_000
        add(
            f"3. workbook, {int(n):,} participants: s",
            _mm(r["seconds"], "{:.1f}"),
            "≤ 20" if big else "",
            _ok(r["seconds"]["median"] <= 20) if big else "",
        )
        add(
            f"3. workbook, {int(n):,} participants: peak RSS MB",
            _mm(r["peak_rss_mb"]),
            "≤ 400" if big else "",
            _ok(r["peak_rss_mb"]["median"] <= 400) if big else "",
        )
        add(f"3. workbook {int(n):,} / bare read of its rows (time)", _mm(r["ratio"], "{:.1f}"))
    for n, r in rep["pdf"].items():
        add(
            f"3. PDF, {int(n):,} participants: s",
            _mm(r["seconds"], "{:.1f}"),
            "≤ 15",
            _ok(r["seconds"]["median"] <= 15),
        )
        add(f"3. PDF, {int(n):,} participants: peak RSS MB", _mm(r["peak_rss_mb"]))
        add(f"3. PDF {int(n):,} / a one-page WeasyPrint PDF (time)", _mm(r["ratio"], "{:.1f}"))
    per_row = rep.get("pdf_rows")
    if per_row:
        add("3. PDF: CPU ms per participant row", _mm(per_row["webstat_ms_per_row"], "{:.1f}"))
        add(
            "3. a bare WeasyPrint table of the same rows and columns: CPU ms per row",
            _mm(per_row["bare_ms_per_row"], "{:.1f}"),
        )
        add(
            "3. **PDF per row / bare table per row**",
            _mm(per_row["ratio"], "{:.2f}"),
            "≤ 1.3",
            _ok(per_row["ratio"]["median"] <= 1.3),
        )
        if "lines_ratio" in per_row:  # results stored before this figure have none
            add(
                "3. the roster's own lines alone in WeasyPrint (no table, header, zebra,"
                " footer): CPU ms per row — the engine's floor for this text",
                _mm(per_row["lines_ms_per_row"], "{:.2f}"),
            )
            add("3. PDF per row / the floor per row", _mm(per_row["lines_ratio"], "{:.2f}"))


def _dag_rows(add: Any, dag: dict[str, Any], day: dict[str, Any] | None) -> None:
    """Part 5's rows: the daily DAG itself (``webstat run``, ``dag.test``) on one day."""
    ev, t, cpu = dag["events"], dag["tasks"], dag.get("whole_run_cpu_seconds")
    add(
        f"5. daily DAG on a day of {ev:,} events (`webstat run`): whole run, s",
        f"{dag['whole_run_seconds']:.0f} (tasks first start → last end "
        f"{dag['tasks_span_seconds']:.0f}"
        + (f"; CPU of the run's process {cpu:.0f})" if cpu is not None else ")"),
    )
    add(
        "5. DAG tasks: ingest / transform / sessions_to_report / render_reports, s",
        f"{t.get('ingest', 0):.0f} / {t.get('transform', 0):.0f} / "
        f"{t.get('sessions_to_report', 0):.0f} / {dag['reports_seconds']:.0f}",
    )
    sizes = ", ".join(str(b["sessions"]) for b in dag["render_batches"])
    each = dag["report_seconds_each"] or 0.0
    add(
        "5. DAG render_reports: sessions, s per session (one after another under `dag.test`)",
        f"{dag['sessions_rendered']} in {len(dag['render_batches'])} batches ({sizes}), "
        f"{each:.2f} s each",
    )
    ratio = dag["reports_over_ingest_transform"]
    add("5. **DAG render_reports / (ingest + transform)**", f"{ratio:.2f}" if ratio else "—")
    if day and day["events"] == ev and day["report_seconds_each"]:  # the same generated day
        add(
            f"5. DAG s per session / part 4's s per session × {RENDER_PROCESSES} processes",
            f"{each / (day['report_seconds_each'] * RENDER_PROCESSES):.2f}",
        )


def rows(res: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(figure, value: median (min–max), target, met) rows of one mode's results."""
    out: list[tuple[str, str, str, str]] = []
    add = _appender(out)

    ing = res.get("ingest")
    if ing:
        small, large = (str(n) for n in ing["sizes"])
        fix = " (**with fix F0**)" if ing.get("dup_fix") else ""
        for n in (small, large):
            r = ing["runs"][n]
            add(
                f"1. ingest, {int(n):,}-event day ({r['lines']:,} lines): webstat rows/s",
                _mm(r["webstat_rows_per_s"]),
            )
            add("1. bare `COPY` → `jsonb`, same files: rows/s", _mm(r["bare_rows_per_s"]))
            add(
                f"1. **ingest / bare COPY** ({int(n):,} events){fix}",
                _mm(r["ratio"], "{:.2f}"),
                "≥ 0.70",
                _ok(r["ratio"]["median"] >= 0.7),
            )
        ps, pl = ing["runs"][small]["peak_rss_mb"], ing["runs"][large]["peak_rss_mb"]
        growth = pl["median"] / ps["median"]
        add(f"1. ingest peak RSS (VmHWM), {int(small):,} events, MB", _mm(ps))
        add(f"1. ingest peak RSS (VmHWM), {int(large):,} events, MB", _mm(pl))
        add(
            f"1. **peak RSS {int(large):,} / {int(small):,}** (flat = streaming)",
            f"{growth:.2f}",
            "≤ 1.10",
            _ok(growth <= 1.10),
        )
    inc = res.get("incremental")
    if inc:
        d = inc["days"]
        add(
            f"2. dbt of day {d}'s files ({inc.get('day_events', 0):,} events) as day 1"
            " of an empty warehouse, s",
            _mm(inc["first_day_dbt_s"], "{:.1f}"),
        )
        add(f"2. dbt of day {d} of a {d}-day warehouse, s", _mm(inc["last_day_dbt_s"], "{:.1f}"))
        add(
            f"2. **day {d} of {d} / day 1 of an empty one**",
            _mm(inc["ratio"], "{:.2f}"),
            "≤ 1.25",
            _ok(inc["ratio"]["median"] <= 1.25),
        )
        add(
            f"2. full refresh ({inc['total_events']:,} events): events/s",
            _mm(inc["full_refresh_events_per_s"]),
        )
    rep = res.get("reports")
    if rep:
        _report_rows(add, rep)
    day = res.get("day")
    if day:
        ev = day["lines"]
        note = " (reports extrapolated from a sample)" if day["reports_extrapolated"] else ""
        if day.get("dup_fix"):
            note += (
                " (**with fix F0** applied in process: without it a 2 M day's ingest"
                " did not finish)"
            )
        ph = day["phases"]
        add(
            f"4. day of {ev:,} lines: ingest / dbt / reports, s{note}",
            f"{ph['ingest']:.0f} / {ph['dbt']:.0f} / {ph['reports']:.0f} "
            f"({day['reports_total']} sessions, {day['report_seconds_each']:.2f} s each)",
        )
        if not day["reports_extrapolated"] and ph["ingest"] + ph["dbt"] > 0:
            ratio = ph["reports"] / (ph["ingest"] + ph["dbt"])
            add(
                f"4. **day of {ev:,} lines: reports / (ingest + dbt)** (issue 15)",
                f"{ratio:.1f}",
                f"≤ {REPORTS_OVER_BUILD_TARGET:g}",
                _ok(ratio <= REPORTS_OVER_BUILD_TARGET),
            )
        add(
            f"4. day of {ev:,} lines: total s, events/s",
            f"{day['total_seconds']:.0f} s, {day['events_per_s']:,.0f} events/s",
        )
        if ev < DAY_TARGET_EVENTS * 0.95:
            base = ph["ingest"] + ph["dbt"]
            est = base * DAY_TARGET_EVENTS / ev
            add(
                "4. 10 M-event day, ingest + dbt only, EXTRAPOLATED linearly, s",
                f"≈ {est:.0f} s (≈ {est / 60:.0f} min)",
            )
            est = day["total_seconds"] * DAY_TARGET_EVENTS / ev
            add(
                "4. **10 M-event day, EXTRAPOLATED linearly** from the day above, s",
                f"≈ {est:.0f} s (≈ {est / 60:.0f} min)",
                "≤ 600",
                _ok(est <= 600),
            )
        else:
            add(
                "4. **10 M-event day end to end**, s",
                f"{day['total_seconds']:.0f}",
                "≤ 600",
                _ok(day["total_seconds"] <= 600),
            )
    dag = res.get("dag")
    if dag:
        _dag_rows(add, dag, day)
    return out


def table(res: dict[str, Any]) -> str:
    lines = ["| figure | median (min–max, runs) | target | |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows(res)]
    return "\n".join(lines)


def section(mode: str, res: dict[str, Any]) -> str:
    meta = res.get("meta", {})
    parts = [f"## {mode.capitalize()} mode", ""]
    if not res:
        return "\n".join(parts + ["Not run yet.", ""])
    m = meta.get("machine", {})
    v = m.get("versions", {})
    parts += [
        (
            f"Run {meta.get('date', '?')} ({meta.get('seconds', 0) / 60:.1f} min; parts: "
            f"{', '.join(meta.get('parts', []))}). Machine: {m.get('cpu')}, "
            f"{m.get('nproc')} cores, {m.get('ram_gb')} GB RAM; {m.get('os')}. "
            f"Load average before / after: {meta.get('load_before')} / "
            f"{meta.get('load_after')} (the machine is shared with other "
            "jobs: absolute times vary, the ratios much less)."
        ),
        "",
        (
            f"Versions: Python {v.get('python')}, PostgreSQL {meta.get('postgres')} (pgserver "
            f"{v.get('pgserver')}), dbt-core {v.get('dbt-core')} / dbt-postgres "
            f"{v.get('dbt-postgres')}, Airflow {v.get('apache-airflow')}, "
            f"psycopg {v.get('psycopg')}, "
            f"openpyxl {v.get('openpyxl')}, WeasyPrint {v.get('weasyprint')}"
            + (f" (fonts subset with {m['font_subsetter']})." if "font_subsetter" in m else ".")
        ),
        "",
        table(res),
        "",
    ]
    when = [
        f"{part} {res[part]['measured']['date']} (load {res[part]['measured']['load_before']}"
        f" → {res[part]['measured']['load_after']}"
        + (f"; {res[part]['measured']['note']}" if res[part]["measured"].get("note") else "")
        + ")"
        for part in ("ingest", "incremental", "reports", "day", "dag")
        if part in res and "measured" in res[part]
    ]
    if when:
        parts += ["Parts measured: " + "; ".join(when) + ".", ""]
    inc = res.get("incremental")
    if inc:
        parts += [
            "Per-day build (ingest, dbt seconds): "
            + ", ".join(
                f"{p['day'][5:]}: {p['ingest_seconds']:.0f} / {p['dbt_seconds']:.0f}"
                for p in inc["per_day"]
            )
            + ".",
            "",
        ]
        for key, prof in inc.get("profiles", {}).items():
            top = ", ".join(f"`{t['node']}` {t['seconds']:.1f}" for t in prof["top"][:6])
            kinds = ", ".join(f"{k} {s:.0f} s" for k, s in prof["by_kind"].items())
            parts += [f"dbt `{key}`: slowest nodes {top}; by kind: {kinds}.", ""]
    return "\n".join(parts)


HEADER = """# Benchmarks

webstat against the limits of the machine it runs on. Every figure is the median
of several runs with min–max, and the ones that carry a target are **ratios
against a baseline measured in the same run** (absolute times vary from machine to
machine and, here, from minute to minute: the machine is shared with other jobs).
Written by `benchmarks/run.py`; the results behind the tables are in
`benchmarks/results/{quick,full}.json`. The analysis at the end is written by hand
(`benchmarks/notes.md`).

What is measured, with webstat's own code (`webstat.generate.generate`,
`webstat.tasks.daily.ingest` / `webstat.ingest.ingest_day`, `webstat.tasks.daily.transform`,
the reports' renderers, `webstat.tasks.publish_sessions.render_sessions`), on a
throw-away embedded Postgres (pgserver, `embedded.SERVER_SETTINGS`) under a
temporary folder:

1. **Ingest vs the limit**: lines/s of webstat's ingest of one generated day
   (validation, rejects, duplicates, ledger; one transaction per file, two files at
   a time on two connections, as the product does) against a bare
   `COPY … (format csv, quote e'\\x01', delimiter e'\\x02')` of the same files'
   bytes into a one-column `jsonb` table (logged, like `raw.platform_events`), one
   stream, one transaction per file; runs interleaved. The bare `COPY` gets the files without
   the generator's malformed lines (~0.5 %: `jsonb` would refuse them), prepared
   before timing. Each ingest runs in its own process: its `VmHWM` is its peak
   memory, at two day sizes. The Airflow SDK import that `webstat.storage` needs
   (3–7 s here) is done before the clock starts, as in an Airflow task.
2. **Incremental cost**: `webstat.tasks.daily.transform` (the DAG's `dbt build`) for the
   last day of an N-day warehouse built day by day (ingest + dbt), against day 1 of
   an empty warehouse; each repeat starts from a template copy of the same state.
   dbt's one-off full parse is done before timing.
3. **Reports**: synthetic sessions (`generate_series`) in the marts tables a dbt
   build created; each workbook / PDF rendered in its own process. Baselines:
   streaming the same rows out of Postgres (workbook), a one-page WeasyPrint PDF.
4. **A whole day**: generate one day (untimed), then ingest, dbt build and the
   changed sessions' reports (`render_sessions`), timed per phase (full mode).
5. **The daily DAG itself**: `webstat run` for one generated day (1 M events in full
   mode) in a subprocess, timed as a whole; each task's seconds from its task
   instance in the run's own Airflow metadata DB. Under `dag.test` the mapped
   `render_reports` batches run one after another in one process: the per-session
   cost of the DAG's code path, not the two-slot parallelism.
"""

HOW = """## How to run

```
make bench                       # quick mode (~5 min): writes this file
make bench-full                  # full mode (1 M / 5 M ingest, 30 days, 100k workbook, 10 M day)
.venv/bin/python benchmarks/run.py --full --only ingest,day --day-events 3000000 \\
    --report-limit 40            # parts of the full mode, smaller day (labelled extrapolated)
.venv/bin/python benchmarks/run.py --quick --repeat 5 --keep   # more runs; keep the temp dir
```

Options: `--quick | --full`, `--repeat N` (runs per figure), `--only
ingest,incremental,reports,day,dag`, `--ingest-sizes A,B`, `--days N`, `--day-events N`,
`--report-limit N` (render that many of the day's sessions, extrapolate),
`--out docs/benchmarks.md`, `--results DIR`, `--doc-only` (rewrite this file from the
stored results), `--keep` (keep the temporary folder). Results of a partial run are
merged into `benchmarks/results/<mode>.json`, and this file is rewritten from both
modes' results.

Quick mode: ingest of a 30k- and a 100k-event day (3 runs / 1 run), 3 days of
~4k events for the incremental figure (2 runs each side, 1 full refresh), workbooks
of 1k and 10k participants and the PDF of 1,000 (3 runs): about 5 minutes on an
idle 2-core machine. Full mode: 1 M / 5 M-event ingest, 30 days of ~20k events,
workbooks up to 100k, a 10 M-event day (its reports rendered by two processes, as
the DAG's mapped render tasks on a two-slot worker, for a sample of sessions and
extrapolated, labelled so).
"""


def render(results: dict[str, dict[str, Any]]) -> str:
    notes = NOTES.read_text() if NOTES.exists() else ""
    body = [
        HEADER,
        section("quick", results.get("quick", {})),
        section("full", results.get("full", {})),
    ]
    if notes:
        body.append(notes)
    body.append(HOW)
    return "\n".join(body)
