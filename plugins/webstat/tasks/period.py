"""What the period DAG's task does: validate its params and render the period report."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from webstat.dates import parse_period
from webstat.settings import Settings, load_settings

if TYPE_CHECKING:
    from webstat.reports import ReportResult

TASK_TIMEOUT = timedelta(hours=2)
"""``execution_timeout`` of the period DAG's task, per try: a year of sessions renders in
minutes; it is the backstop for a warehouse or S3 that stops answering."""


def period_report(
    start: str | date,
    end: str | date,
    webinar: str | None = None,
    *,
    run_id: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Render and publish the period report; return what was written (:func:`published`).

    Params that are not dates, or a period that ends before it starts, raise
    :class:`~webstat.errors.BadDataError` before the warehouse is touched."""
    from webstat import reports
    from webstat.warehouse import connect

    first, last = parse_period(start, end)
    settings = settings or load_settings()
    with connect(settings) as conn:
        result = reports.render_period_report(
            conn, first, last, (webinar or "").strip() or None, settings, run_id=run_id
        )
    return published(result)


def published(result: ReportResult) -> dict[str, Any]:
    """The task's return value (its XCom): the report's folder, each file's URI (manifest
    included) and the row counts, as JSON-serialisable values."""
    return {
        "kind": result.kind,
        "uri": result.uri,
        "files": dict(result.files),
        "row_counts": dict(result.row_counts),
    }
