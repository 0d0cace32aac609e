"""What the period DAG's task does: validate its params and render the period report."""

from __future__ import annotations

from datetime import date, timedelta

from webstat.errors import BadDataError
from webstat.settings import Settings, load_settings

TASK_TIMEOUT = timedelta(hours=2)
"""``execution_timeout`` of the period DAG's task, per try: a year of sessions renders in
minutes; it is the backstop for a warehouse or S3 that stops answering."""


def parse_period(start: str | date, end: str | date) -> tuple[date, date]:
    """``start``/``end`` as dates; one clear error when they are not, or end < start."""
    try:
        first = start if isinstance(start, date) else date.fromisoformat(str(start))
        last = end if isinstance(end, date) else date.fromisoformat(str(end))
    except ValueError:
        raise BadDataError(f"start={start!r} / end={end!r}: dates must be YYYY-MM-DD") from None
    if last < first:
        raise BadDataError(f"end {last} is before start {first}")
    return first, last


def period_report(
    start: str | date,
    end: str | date,
    webinar: str | None = None,
    *,
    run_id: str | None = None,
    settings: Settings | None = None,
) -> dict:
    """Render and publish the period report; return what was written."""
    from webstat import reports
    from webstat.warehouse import connect

    first, last = parse_period(start, end)
    settings = settings or load_settings()
    with connect(settings) as conn:
        result = reports.render_period_report(
            conn, first, last, (webinar or "").strip() or None, settings, run_id=run_id
        )
    return result.as_dict() if hasattr(result, "as_dict") else {"result": str(result)}
