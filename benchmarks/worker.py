"""One measured task in a fresh interpreter: ``python -m benchmarks.worker TASK 'JSON-ARGS'``.

Prints one JSON line: the task's figures, ``seconds`` (timed inside the process,
interpreter start-up excluded) and ``peak_rss_mb`` (``VmHWM``: this process's RSS
high-water mark) plus ``idle_rss_mb`` (the high-water mark after the imports,
before the work).
"""

from __future__ import annotations

import json
import re
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

# a line of a CSV-format COPY that neither quote nor delimiter ever splits: JSON text
# cannot contain raw \x01 / \x02 (control characters must be escaped in JSON strings)
BARE_COPY = "copy bench_copy (doc) from stdin with (format csv, quote e'\\x01', delimiter e'\\x02')"


def vm_hwm_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def task_ingest(uri: str, landing: str, day: str) -> dict[str, Any]:
    """webstat's ingest of one delivery day (validation, rejects, dedup, ledger)."""
    from webstat.ingest import ingest_day
    from webstat.settings import normalize_uri
    from webstat.warehouse import connect

    # An Airflow task has the SDK loaded already: its import (~3-7 s here, through
    # webstat.storage) is timed apart, not as ingest.
    started = time.perf_counter()
    import airflow.sdk  # noqa: F401

    import_seconds = time.perf_counter() - started
    idle = vm_hwm_mb()
    started = time.perf_counter()
    with connect(url=uri) as conn:
        summary = ingest_day(
            conn,
            normalize_uri(landing, "landing"),
            date.fromisoformat(day),
            lookback_days=0,
            connect=lambda: connect(url=uri),
        )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "lines": summary.lines_total,
        "loaded": summary.loaded,
        "rejected": summary.rejected,
        "duplicates": summary.duplicates,
        "files": len(summary.loaded_files),
        "idle_rss_mb": idle,
        "airflow_import_seconds": import_seconds,
    }


def task_copy(uri: str, files: list[str]) -> dict[str, Any]:
    """The limit: the same files' bytes streamed by ``COPY`` into one ``jsonb`` column."""
    import psycopg

    idle = vm_hwm_mb()
    started = time.perf_counter()
    with psycopg.connect(uri, autocommit=True) as conn:
        for path in files:  # one transaction per file, like the loader
            with conn.transaction(), conn.cursor().copy(BARE_COPY) as copy, open(path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
        seconds = time.perf_counter() - started
        (rows,) = conn.execute("select count(*) from bench_copy").fetchone()
    return {"seconds": seconds, "lines": rows, "idle_rss_mb": idle}


def task_read(uri: str, sid: str) -> dict[str, Any]:
    """Baseline of a workbook: stream the session's participants and connections rows."""
    import psycopg

    idle = vm_hwm_mb()
    started = time.perf_counter()
    rows = 0
    with psycopg.connect(uri) as conn:
        for table in ("fct_participants", "fct_connections"):
            with conn.cursor(name=f"read_{table}") as cur:
                cur.itersize = 2000
                cur.execute(f"select * from marts.{table} where event_session_id = %s", (sid,))
                for _ in cur:
                    rows += 1
    return {"seconds": time.perf_counter() - started, "rows": rows, "idle_rss_mb": idle}


def _render_timed(uri: str, sid: str, out: str, render: str) -> dict[str, Any]:
    """Read one event session and render it with ``render`` (``"xlsx"`` or ``"pdf"``),
    timed from the connection to the written file (the renderer alone)."""
    import psycopg

    from webstat.reports import data

    # only the renderer measured is imported: WeasyPrint would weigh on a workbook's RSS
    if render == "pdf":
        from webstat.reports.pdf import DEFAULT_MAX_ROWS as first_rows
        from webstat.reports.pdf import render_session_pdf as renderer

        key = "shown"
    else:
        from webstat.reports.workbook import render_session_xlsx as renderer

        first_rows, key = 0, "counts"
    idle = vm_hwm_mb()
    started = time.perf_counter()
    with psycopg.connect(uri) as conn, data.snapshot(conn):
        report = data.read_session(conn, data.fetch_event_session(conn, sid), first_rows=first_rows)
        result = renderer(report, out)
    return {
        "seconds": time.perf_counter() - started,
        key: result,
        "idle_rss_mb": idle,
        "bytes": Path(out).stat().st_size,
    }


def task_xlsx(uri: str, sid: str, out: str) -> dict[str, Any]:
    """webstat's workbook of one event session (the renderer alone)."""
    return _render_timed(uri, sid, out, "xlsx")


def task_pdf(uri: str, sid: str, out: str) -> dict[str, Any]:
    """webstat's PDF of one event session (the renderer alone)."""
    return _render_timed(uri, sid, out, "pdf")


def task_pdf_minimal(out: str) -> dict[str, Any]:
    """Baseline of a PDF: WeasyPrint's fixed cost, a one-page document with one table."""
    from webstat.reports.pdf import write_pdf

    html = (
        "<html><body><h1>Отчёт</h1><table><tr><th>a</th><th>b</th></tr>"
        "<tr><td>1</td><td>2</td></tr></table></body></html>"
    )
    idle = vm_hwm_mb()
    started = time.perf_counter()
    write_pdf(html, out)
    return {"seconds": time.perf_counter() - started, "idle_rss_mb": idle}


def _cpu_seconds(render: Any) -> float:
    started = time.process_time()
    render()
    return time.process_time() - started


def task_pdf_rows(uri: str, sid: str, out: str, reps: int = 2) -> dict[str, Any]:
    """The PDF's cost per participant row against a bare WeasyPrint table of the same rows
    and columns (the cells' texts, a row number, no CSS but the page and the font), in
    this one process: each of the four documents (n rows and 1 row, of both) ``reps``
    times in turn; per row = (n rows - 1 row) / (n - 1), CPU seconds (load-proof)."""
    from html import escape

    import psycopg

    from webstat.reports import data, pdf
    from webstat.reports.columns import pdf_columns
    from webstat.reports.values import Context

    with psycopg.connect(uri) as conn, data.snapshot(conn):
        session = data.fetch_event_session(conn, sid)
        report = data.read_session(conn, session, first_rows=pdf.DEFAULT_MAX_ROWS)
        report.participants = report.no_shows = report.connections = ()
    n = len(report.first_participants)
    ctx = Context("ru", "Europe/Moscow")
    columns = pdf_columns(
        paid=bool(session["is_paid"]), engagement=bool(session["engagement_module"])
    )
    cells = pdf._table(columns, report.first_participants, ctx)["rows"]

    def bare(rows: list[list[Any]]) -> str:
        head = "".join(f"<th>{escape(c.short_header('ru'))}</th>" for c in columns)
        body = "".join(
            f"<tr><td>{i}</td>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
            for i, row in enumerate(rows, 1)
        )
        return (
            "<html><head><meta charset='utf-8'><style>@page { size: A4 landscape }"
            " html { font-family: 'DejaVu Sans'; font-size: 7.3pt }</style></head><body>"
            f"<table><thead><tr><th>№</th>{head}</tr></thead><tbody>{body}</tbody></table>"
            "</body></html>"
        )

    def webstat(rows: int) -> str:
        return pdf.render_html("report.html", **pdf.session_context(report, ctx, rows))

    def lines(html: str) -> str:
        """The roster's own text alone: its blocks of lines (escaped markup, as the
        report has them) in plain blocks, no table, header, zebra, footer or cover."""
        blocks = re.findall(r'<div class="r[^"]*">(.*?)</div>', html, re.S)
        return (
            "<html><head><meta charset='utf-8'><style>@page { size: A4 landscape }"
            " html { font-family: 'DejaVu Sans'; font-size: 7.3pt }"
            " div { white-space: pre; line-height: 18.34px; font-kerning: none;"
            " font-variant-ligatures: none }</style></head><body>"
            + "".join(f"<div>{block}</div>" for block in blocks)
            + "</body></html>"
        )

    documents = {
        "webstat_n": webstat(n),
        "webstat_1": webstat(1),
        "bare_n": bare(cells),
        "bare_1": bare(cells[:1]),
    }
    documents["lines_n"] = lines(documents["webstat_n"])
    documents["lines_1"] = lines(documents["webstat_1"])
    pdf.write_pdf(documents["bare_1"], out)  # warm: fonts, WeasyPrint's own stylesheets
    cpu: dict[str, list[float]] = {key: [] for key in documents}
    for _ in range(reps):
        for key, html in documents.items():
            cpu[key].append(_cpu_seconds(lambda html=html: pdf.write_pdf(html, out)))
    best = {key: min(values) for key, values in cpu.items()}
    webstat_row = (best["webstat_n"] - best["webstat_1"]) / max(n - 1, 1)
    bare_row = (best["bare_n"] - best["bare_1"]) / max(n - 1, 1)
    lines_row = (best["lines_n"] - best["lines_1"]) / max(n - 1, 1)
    return {
        "rows": n,
        "columns": len(columns) + 1,
        "webstat_ms_per_row": 1000 * webstat_row,
        "bare_ms_per_row": 1000 * bare_row,
        "lines_ms_per_row": 1000 * lines_row,
        "seconds": best["webstat_n"],
        "ratio": webstat_row / bare_row,
        "lines_ratio": webstat_row / lines_row,
    }


TASKS = {
    "ingest": task_ingest,
    "copy": task_copy,
    "read": task_read,
    "xlsx": task_xlsx,
    "pdf": task_pdf,
    "pdf_minimal": task_pdf_minimal,
    "pdf_rows": task_pdf_rows,
}


def main() -> None:
    task, args = sys.argv[1], json.loads(sys.argv[2])
    result = TASKS[task](**args)
    result["peak_rss_mb"] = vm_hwm_mb()
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
