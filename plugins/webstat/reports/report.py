"""Render a report (workbook + PDF) and publish it: what the CLI and the DAGs call.

Each reads the marts once (:mod:`~webstat.reports.data`, one snapshot) and hands
what it read to the workbook and the PDF. Layout (``docs/reports.md``)::

    {ARTIFACTS}/events/{report_date}/{event_session_id}/report.xlsx | report.pdf | manifest.json
    {ARTIFACTS}/periods/{start}_{end}[_{webinar-slug}]/report.xlsx | report.pdf | manifest.json
"""

from __future__ import annotations

import gc
import re
import tempfile
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from webstat.dates import days_interval, parse_period
from webstat.errors import WebstatError
from webstat.reports import data, ledger
from webstat.reports.pdf import DEFAULT_MAX_ROWS as DEFAULT_PDF_ROWS
from webstat.reports.publishing import MANIFEST, publish
from webstat.reports.workbook import EXCEL_MAX_ROWS, MAX_ATTENDANCE_MINUTES
from webstat.storage import join
from webstat.warehouse.locks import advisory_lock

if TYPE_CHECKING:
    import psycopg

    from webstat.settings import Settings

XLSX = "report.xlsx"
PDF = "report.pdf"


@dataclass(frozen=True)
class ReportResult:
    """What a render published: where, which files, how many rows."""

    kind: str
    """``event_session`` or ``period``."""
    uri: str
    """The report's folder (``file:///…`` or ``s3://…``)."""
    files: dict[str, str]
    """File name -> URI, manifest included."""
    row_counts: dict[str, int]
    manifest: dict[str, Any] = field(repr=False)

    def __str__(self) -> str:
        """The written files, one URI a line (what the CLI prints)."""
        return "\n".join(self.files.values())


def path_segment(value: str) -> str:
    """``value`` as one safe path segment / key part (``/``, ``..`` and the like escaped)."""
    segment = quote(value, safe="-_.~@+=,")
    if segment in ("", ".", ".."):
        segment = segment.replace(".", "%2E") or "_"
    return segment


_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def slug(text: str, max_length: int = 60) -> str:
    """``Вебинар: Аналитика 2026`` -> ``vebinar-analitika-2026`` (ASCII, for paths)."""
    lowered = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    ascii_text = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return out[:max_length].rstrip("-") or "webinar"


def event_session_uri(artifacts_uri: str, report_date: date, event_session_id: str) -> str:
    """``{ARTIFACTS}/events/{report_date}/{event_session_id}``."""
    return join(artifacts_uri, "events", report_date.isoformat(), path_segment(event_session_id))


def period_uri(artifacts_uri: str, start: date, end: date, webinar: str | None) -> str:
    """``{ARTIFACTS}/periods/{start}_{end}[_{webinar-slug}]``."""
    name = f"{start.isoformat()}_{end.isoformat()}"
    if webinar:
        name += f"_{slug(webinar)}"
    return join(artifacts_uri, "periods", name)


def _interval(data_interval: Any) -> dict[str, str | None] | None:
    if data_interval is None:
        return None
    if isinstance(data_interval, Mapping):
        start, end = data_interval.get("start"), data_interval.get("end")
    else:
        start, end = data_interval
    return {"start": _iso(start), "end": _iso(end)}


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


def _result(kind: str, uri: str, manifest: dict[str, Any], counts: dict[str, int]) -> ReportResult:
    files = {name: join(uri, name) for name in (*manifest["files"], MANIFEST)}
    return ReportResult(kind=kind, uri=uri, files=files, row_counts=counts, manifest=manifest)


def _publish_alone(
    conn: psycopg.Connection,
    files: Mapping[str, str | Path],
    uri: str,
    extra: Mapping[str, Any],
    conn_id: str | None,
) -> dict[str, Any]:
    """:func:`publish` while holding an advisory lock on the destination, so two
    publishers of one folder take turns and no manifest ever describes other files."""
    with advisory_lock(conn, f"webstat.report:{uri}"):
        return publish(files, uri, extra, conn_id)


def _render_both(
    report: data.SessionReport | data.PeriodReport,
    folder: str,
    settings: Settings,
    *,
    max_pdf_rows: int,
    max_sheet_rows: int,
) -> tuple[dict[str, Path], dict[str, int]]:
    """Write the report's workbook and PDF into ``folder``; return the files and the
    workbook's row counts with the PDF's participant rows (``pdf_participants``)."""
    from webstat.reports import pdf, workbook

    files = {XLSX: Path(folder) / XLSX, PDF: Path(folder) / PDF}
    where = {"locale": settings.locale, "timezone": settings.timezone}
    counts = workbook.render_xlsx(report, files[XLSX], **where, max_sheet_rows=max_sheet_rows)
    shown = pdf.render_pdf(report, files[PDF], **where, max_rows=max_pdf_rows)
    counts["pdf_participants"] = shown["pdf_participants"]
    return files, counts


def _publish_report(
    conn: psycopg.Connection,
    uri: str,
    settings: Settings,
    rendered: tuple[dict[str, Path], dict[str, int]],
    described: dict[str, Any],
) -> dict[str, Any]:
    """Publish the rendered files with a manifest: ``described`` (what the report is of,
    the run) and the settings and row counts every report states."""
    files, counts = rendered
    extra = {
        **described,
        "timezone": settings.timezone,
        "locale": settings.locale,
        "row_counts": counts,
    }
    return _publish_alone(conn, files, uri, extra, settings.s3_conn_id)


_reports_begun = 0


def settle_heap() -> None:
    """Called as each report begins: before a process's second one, collect, then move
    every object still alive (modules, WeasyPrint's stylesheets and font caches,
    openpyxl's, the warehouse connection) out of the cyclic collector's way
    (``gc.freeze``).

    A report allocates millions of short-lived objects (WeasyPrint's boxes), so
    Python's full collection runs every couple of reports, and each rescanned the
    whole process — Airflow, dbt, WeasyPrint and all: ~14 % of a render process's
    CPU on the 1 M-event benchmark day. Frozen objects are those a process keeps
    anyway; what a later report leaves behind is still collected. Before the second
    report, not the first, so that no report's own data is frozen with them (the
    first report's is garbage by then)."""
    global _reports_begun
    _reports_begun += 1
    if _reports_begun == 2:
        gc.collect()
        gc.freeze()


def render_event_session_report(
    conn: psycopg.Connection,
    event_session_id: str,
    settings: Settings,
    *,
    run_id: str | None = None,
    data_interval: Any = None,
    max_pdf_rows: int = DEFAULT_PDF_ROWS,
    max_sheet_rows: int = EXCEL_MAX_ROWS,
    record: bool = True,
) -> ReportResult:
    """Render one event session's workbook and PDF and publish them with their manifest.

    ``data_interval`` is the run's ``(start, end)`` (or a mapping with those keys).
    Raises :class:`WebstatError` for an unknown or still running session.

    With ``record`` (the default) and a warehouse that has the ``raw`` ledger, the
    publication is recorded in ``raw.published_reports`` with the fingerprint of
    the data rendered, once the manifest is written, and the session's row in
    ``raw.report_failures`` is deleted: a report rendered by hand (``webstat
    report --event-session``) makes a failed or given-up session current again.
    """
    settle_heap()
    recording = record and ledger.has_ledger(conn)
    fingerprint = None
    with tempfile.TemporaryDirectory(prefix="webstat-report-") as tmp:
        with data.snapshot(conn):
            session = data.fetch_event_session(conn, event_session_id)
            if session is None:
                raise WebstatError(
                    f"event session {event_session_id!r} is not in marts.fct_event_sessions"
                    " (has the pipeline run for its day?)"
                )
            if session["status"] != "ended":
                raise WebstatError(
                    f"event session {event_session_id!r} is still in progress:"
                    " it gets a report once it has ended"
                )
            if recording:  # of the very data rendered (same snapshot)
                fingerprint = ledger.fingerprint(conn, event_session_id)
            report = data.read_session(
                conn,
                session,
                first_rows=max_pdf_rows,
                max_attendance_minutes=MAX_ATTENDANCE_MINUTES,
            )
            rendered = _render_both(
                report, tmp, settings, max_pdf_rows=max_pdf_rows, max_sheet_rows=max_sheet_rows
            )
        uri = event_session_uri(settings.artifacts_uri, session["report_date"], event_session_id)
        manifest = _publish_report(
            conn,
            uri,
            settings,
            rendered,
            {
                "kind": "event_session",
                "event_session_id": event_session_id,
                "webinar_name": session["webinar_name"],
                "report_date": session["report_date"].isoformat(),
                "run_id": run_id,
                "data_interval": _interval(data_interval),
            },
        )
    if fingerprint is not None:  # only now that the manifest is written
        ledger.record_publication(conn, event_session_id, fingerprint, uri, run_id)
    return _result("event_session", uri, manifest, rendered[1])


def render_period_report(
    conn: psycopg.Connection,
    start: date | str,
    end: date | str,
    webinar: str | None,
    settings: Settings,
    *,
    run_id: str | None = None,
    max_pdf_rows: int = DEFAULT_PDF_ROWS,
    max_sheet_rows: int = EXCEL_MAX_ROWS,
) -> ReportResult:
    """Render the period report (ended sessions with report date in [start, end]) and publish it.

    ``webinar`` keeps the sessions whose name contains it (case-insensitive).
    Raises :class:`WebstatError` when the range is reversed or holds no session.
    """
    settle_heap()
    start, end = parse_period(start, end)
    with tempfile.TemporaryDirectory(prefix="webstat-report-") as tmp:
        with data.snapshot(conn):
            period = data.fetch_period(conn, start, end, webinar)
            if not period.sessions:
                matching = f" matching {period.webinar!r}" if period.webinar else ""
                raise WebstatError(f"no ended event session between {start} and {end}{matching}")
            report = data.read_period(conn, period, first_rows=max_pdf_rows)
            rendered = _render_both(
                report, tmp, settings, max_pdf_rows=max_pdf_rows, max_sheet_rows=max_sheet_rows
            )
        uri = period_uri(settings.artifacts_uri, start, end, period.webinar)
        manifest = _publish_report(
            conn,
            uri,
            settings,
            rendered,
            {
                "kind": "period",
                "start": start.isoformat(),
                "end": end.isoformat(),
                "webinar": period.webinar,
                "event_session_ids": period.session_ids,
                "run_id": run_id,
                "data_interval": _interval(days_interval(start, end, settings.tz)),
            },
        )
    return _result("period", uri, manifest, rendered[1])
