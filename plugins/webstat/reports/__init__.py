"""Reports: the marts of one event session or of a period -> XLSX + PDF -> object storage.

Public entry points (what ``webstat report`` and the DAGs call):

* :func:`render_event_session_report` — ``{ARTIFACTS}/events/{date}/{id}/``
* :func:`render_period_report` — ``{ARTIFACTS}/periods/{start}_{end}[_{slug}]/``
* :func:`publish` — files first, ``manifest.json`` last

:mod:`~webstat.reports.data` reads what a report shows (a ``SessionReport`` /
``PeriodReport``); the renderers take that, never a connection:
:func:`webstat.reports.workbook.render_xlsx` and
:func:`webstat.reports.pdf.render_pdf` (each also under its old names
``render_session_*`` / ``render_period_*``). openpyxl and WeasyPrint are
imported only when a report is rendered, so importing this package stays cheap.
"""

from webstat.reports.publishing import publish
from webstat.reports.report import (
    ReportResult,
    event_session_uri,
    period_uri,
    render_event_session_report,
    render_period_report,
)

__all__ = [
    "ReportResult",
    "event_session_uri",
    "period_uri",
    "publish",
    "render_event_session_report",
    "render_period_report",
]
