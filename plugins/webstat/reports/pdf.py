"""PDF reports of an event session and of a period: Jinja2 HTML -> WeasyPrint.

Templates live in ``templates/`` (autoescape on: every value from the data is
escaped); charts are SVG drawn by :mod:`webstat.reports.charts`. WeasyPrint
gets a URL fetcher that serves only this package's ``assets/`` (as
``webstat-asset:NAME``) and inline ``data:`` URIs, and refuses everything else
(``file://``, ``http(s)://``, …) — so nothing in the data can make the renderer
read a local file or reach the network.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import os
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from webstat.reports import charts, data
from webstat.reports.columns import (
    DEVICE_COLUMNS,
    EVENT_FIELDS,
    PERIOD_SESSION_COLUMNS,
    PERIOD_TOTAL_FIELDS,
    SOURCE_COLUMNS,
    Column,
    pdf_columns,
)
from webstat.reports.values import (
    PDF_TITLE_MAX_CHARS,
    Context,
    clip,
    display,
    format_date,
    format_datetime,
    format_duration,
    format_int,
    format_pct,
    local_naive,
    normalizer,
    period_title,
    timezone_note,
)

if TYPE_CHECKING:
    import psycopg

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
ASSETS_DIR = PACKAGE_DIR / "assets"
ASSET_SCHEME = "webstat-asset:"
DEFAULT_MAX_ROWS = 1000
"""Participants shown in a PDF by default; the workbook always has them all."""

_NUMERIC = frozenset({"int", "pct", "number", "duration"})

# Texts of the PDF that are not column headers (those come from columns.py).
TEXTS: dict[str, tuple[str, str]] = {
    "session_kicker": ("Отчёт о вебинаре", "Webinar report"),
    "period_kicker": ("Статистика вебинаров", "Webinar statistics"),
    "attendance": ("Участники онлайн по минутам", "Participants online, per minute"),
    "sources": ("Источники трафика", "Traffic sources"),
    "devices": ("Устройства", "Devices"),
    "participants": ("Участники", "Participants"),
    "sessions": ("Мероприятия", "Event sessions"),
    "per_day": ("Участники по дням", "Participants per day"),
    "no_data": ("Нет данных", "No data"),
    "other": ("другие", "other"),
    "of_registered": ("зарегистрировано: {n}", "registered: {n}"),
    "attendees_all": ("зрителей всего: {n}", "attendees in all: {n}"),
    "new_ret_guest": ("Новые / повторные / гости", "New / returning / guests"),
    "msgs_qs": ("Сообщения / вопросы", "Messages / questions"),
    "fires_sub": ("«огоньков»: {n}", "fires: {n}"),
    "host_sub": ("в эфире {d}", "on air {d}"),
    "left_early_sub": ("от участников: {p}", "of participants: {p}"),
    "avg_sub": ("среднее по участникам", "mean over participants"),
    "peak_sub": ("одновременно", "at the same time"),
    "duration_sub": ("{a} – {b}", "{a} – {b}"),
    "unique_sub": ("по e-mail и гостям", "by e-mail and guests"),
    "reg_inv": ("Зарегистрировано / приглашено", "Registered / invited"),
    "peak_max_sub": ("наибольший за период", "the highest of the period"),
    "capped": (
        "Показаны первые {shown} из {total} строк. Полный список — в файле report.xlsx.",
        "The first {shown} of {total} rows are shown. The full list is in report.xlsx.",
    ),
    "all_rows": ("Строк: {total}.", "Rows: {total}."),
    "page": ("стр.", "page"),
    "page_of": ("из", "of"),
    "generated": ("Сформировано webstat", "Made by webstat"),
    "filter": ("Фильтр по названию", "Name filter"),
    "sessions_count": ("мероприятий: {n}", "event sessions: {n}"),
    "inferred": (
        "Окончание не зафиксировано платформой: принято время последнего события.",
        "The platform recorded no end: the newest event is taken as the end.",
    ),
}


def _t(ctx: Context, key: str, **kw: Any) -> str:
    ru, en = TEXTS[key]
    return (ru if ctx.locale == "ru" else en).format(**kw)


# --- the URL fetcher ------------------------------------------------------------------------


class RefusedURLError(ValueError):
    """A URL the reports' renderer will not fetch (anything but its own assets)."""


@functools.cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetURLFetcher(URLFetcher):
        """Serves ``webstat-asset:NAME`` from the package's assets and ``data:`` URIs only."""

        def __init__(self) -> None:
            super().__init__(timeout=1, allow_redirects=False)
            self.requested: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            self.requested.append(url)
            if url.startswith(ASSET_SCHEME):
                name = url[len(ASSET_SCHEME) :].lstrip("/")
                path = asset_path(name)
                if path is None:
                    self.refused.append(url)
                    raise RefusedURLError(f"no such report asset: {name!r}")
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
            if url.startswith("data:"):
                return super().fetch(url, headers)  # decoded in memory: no I/O
            self.refused.append(url)
            raise RefusedURLError(f"reports fetch nothing but their own assets, not {url[:80]!r}")

    return AssetURLFetcher


def url_fetcher() -> Any:
    """A new WeasyPrint URL fetcher that refuses all but the package's own assets.

    It records what was asked in ``.requested`` and what was refused in ``.refused``.
    """
    return _fetcher_class()()


def asset_path(name: str) -> Path | None:
    """The file of asset ``name`` if it is one of the package's assets, else ``None``."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = ASSETS_DIR / name
    return path if path.is_file() else None


# --- templates ------------------------------------------------------------------------------


@functools.cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(template: str, **context: Any) -> str:
    """The HTML of ``template`` with ``context`` (every value escaped)."""
    return _environment().get_template(template).render(**context)


class _FontSubsetNotice(logging.Filter):
    """Drops WeasyPrint's per-font notice that it subsets with fontTools.

    That is the fallback when the system lacks libharfbuzz-subset (see
    docs/reports.md); the PDF is the same, so the notice only clutters the output.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "instead of HarfBuzz-Subset" not in record.getMessage()


def write_pdf(html: str, path: str | os.PathLike, fetcher: Any = None) -> Any:
    """Render ``html`` to a PDF at ``path`` with the safe URL fetcher; return the fetcher."""
    from weasyprint import HTML

    # under Airflow's INFO logging these would print a line per page and per glyph table
    for name in ("weasyprint.progress", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
    weasy_log = logging.getLogger("weasyprint")
    if not any(isinstance(f, _FontSubsetNotice) for f in weasy_log.filters):
        weasy_log.addFilter(_FontSubsetNotice())

    fetcher = fetcher or url_fetcher()
    HTML(string=html, base_url=ASSET_SCHEME, url_fetcher=fetcher).write_pdf(str(path))
    return fetcher


# --- pieces shared by both reports ----------------------------------------------------------


def _svg(markup: str) -> Any:
    from markupsafe import Markup

    return Markup(markup)


def _kpi(label: str, value: str, sub: str = "") -> dict[str, str]:
    return {"label": label, "value": value, "sub": sub}


def _field(key: str, fields: Sequence[Column] = EVENT_FIELDS) -> Column:
    for col in fields:
        if col.key == key:
            return col
    raise KeyError(key)


def _table(
    columns: Sequence[Column], rows: Iterable[dict], ctx: Context, compact: bool = True
) -> dict[str, Any]:
    norms = [normalizer(c, ctx) for c in columns]
    body = [
        [display(c, n(row), ctx, compact=compact) for c, n in zip(columns, norms, strict=True)]
        for row in rows
    ]
    weights = [c.pdf_width or c.width for c in columns]
    total = sum(weights)
    return {
        "headers": [c.short(ctx.locale) for c in columns],
        "classes": [_css_class(c) for c in columns],
        # fixed layout: widths from the workbook's, so WeasyPrint need not measure every cell
        "widths": [f"{97 * w / total:.2f}%" for w in weights],
        "rows": body,
    }


def _css_class(col: Column) -> str:
    if col.kind in _NUMERIC:
        return "num"
    if col.kind in ("datetime", "date"):
        return "time"
    if col.kind in ("enum", "bool"):
        return "tag"
    if col.key in ("email", "full_name", "webinar_name"):
        return "wide"
    return ""


def _share_items(rows: Sequence[dict], col: Column, ctx: Context) -> list[tuple[str, int, str]]:
    norm = normalizer(col, ctx)
    out = []
    for row in rows:
        label = norm(row) or "—"
        share = row.get("share_pct")
        text = format_int(int(row["participants_count"] or 0), ctx)
        if share is not None:
            text += f" · {format_pct(float(share), ctx)}"
        out.append((str(label), int(row["participants_count"] or 0), text))
    return out


def _share_charts(sources: list[dict], devices: list[dict], ctx: Context) -> dict[str, Any]:
    no_data = _t(ctx, "no_data")
    device_items = _share_items(devices, DEVICE_COLUMNS[0], ctx)
    total = sum(v for _, v, _ in device_items)
    return {
        "sources_svg": _svg(
            charts.bar_chart(
                _share_items(sources, SOURCE_COLUMNS[0], ctx), empty=no_data, other=_t(ctx, "other")
            )
        ),
        "devices_svg": _svg(
            charts.donut_chart(
                device_items, empty=no_data, center=format_int(total, ctx) if total else ""
            )
        ),
    }


def _pct_text(value: Any, ctx: Context) -> str:
    return "—" if value is None else format_pct(float(value), ctx)


def _common(ctx: Context) -> dict[str, Any]:
    return {
        "lang": ctx.locale,
        "page_label": _t(ctx, "page"),
        "page_of": _t(ctx, "page_of"),
        "generated": _t(ctx, "generated"),
        "logo_url": ASSET_SCHEME + "logo.svg",
    }


def _note(shown: int, total: int, ctx: Context) -> str:
    if total > shown:
        return _t(ctx, "capped", shown=format_int(shown, ctx), total=format_int(total, ctx))
    return _t(ctx, "all_rows", total=format_int(total, ctx))


# --- the event session's PDF ----------------------------------------------------------------


def session_context(
    conn: psycopg.Connection, session: dict, ctx: Context, max_rows: int = DEFAULT_MAX_ROWS
) -> dict[str, Any]:
    """Everything the session template shows (queries the marts for the parts it needs)."""
    sid = session["event_session_id"]
    tz = ctx.tz
    started, ended = session["started_at"], session["ended_at"]
    participants_total = data.count_participants(conn, [sid])
    columns = pdf_columns(
        paid=bool(session["is_paid"]), engagement=bool(session["engagement_module"])
    )
    table = _table(columns, data.iter_participants(conn, [sid], limit=max_rows), ctx)
    attendance = data.fetch_attendance(conn, sid)
    points = [
        (local_naive(r["minute_at"], tz), int(r["participants_online"] or 0)) for r in attendance
    ]

    def n(key: str) -> int:
        return int(session.get(key) or 0)

    def label(key: str) -> str:
        return _field(key).header(ctx.locale)

    participants = n("participants_count")
    host_d = _duration_text(session.get("host_active_seconds"))
    kpis = [
        _kpi(
            label("participants_count"),
            format_int(participants, ctx),
            _t(ctx, "of_registered", n=format_int(n("registered_count"), ctx)),
        ),
        _kpi(
            label("peak_concurrent_participants"),
            format_int(n("peak_concurrent_participants"), ctx),
            _t(ctx, "peak_sub"),
        ),
        _kpi(
            label("avg_presence_pct"),
            _pct_text(session.get("avg_presence_pct"), ctx),
            _t(ctx, "avg_sub"),
        ),
        _kpi(
            label("duration_seconds"),
            _duration_text(session.get("duration_seconds")),
            _t(ctx, "duration_sub", a=_clock(started, ctx), b=_clock(ended, ctx))
            if started and ended
            else "",
        ),
        _kpi(
            _t(ctx, "new_ret_guest"),
            " / ".join(
                format_int(n(k), ctx)
                for k in (
                    "new_participants_count",
                    "returning_participants_count",
                    "guest_participants_count",
                )
            ),
            _t(ctx, "attendees_all", n=format_int(n("attendees_count"), ctx)),
        ),
        _kpi(
            _t(ctx, "msgs_qs"),
            f"{format_int(n('messages_count'), ctx)} / {format_int(n('questions_count'), ctx)}",
            _t(ctx, "fires_sub", n=format_int(n("fires_count"), ctx)),
        ),
        _kpi(
            label("host_active_pct"),
            _pct_text(session.get("host_active_pct"), ctx),
            _t(ctx, "host_sub", d=host_d),
        ),
        _kpi(
            label("left_early_count"),
            format_int(n("left_early_count"), ctx),
            _t(ctx, "left_early_sub", p=format_pct(100 * n("left_early_count") / participants, ctx))
            if participants
            else "",
        ),
    ]
    meta = [format_date(session["report_date"], ctx)]
    if started and ended:
        a, b = local_naive(started, tz), local_naive(ended, tz)
        if a.date() == b.date():
            meta.append(f"{a:%H:%M} – {b:%H:%M}")
        else:
            meta.append(f"{format_datetime(a, ctx)} – {format_datetime(b, ctx)}")
    meta.append(timezone_note(ctx, started))
    return {
        **_common(ctx),
        "title": clip(session["webinar_name"] or sid, PDF_TITLE_MAX_CHARS),
        "kicker": _t(ctx, "session_kicker"),
        "meta": meta,
        "notice": _t(ctx, "inferred") if session.get("end_inferred") else "",
        "kpis": kpis,
        "attendance_title": _t(ctx, "attendance"),
        "attendance_svg": _svg(charts.line_chart(points, height=190, empty=_t(ctx, "no_data"))),
        "sources_title": _t(ctx, "sources"),
        "devices_title": _t(ctx, "devices"),
        **_share_charts(data.fetch_traffic_sources(conn, sid), data.fetch_devices(conn, sid), ctx),
        "table_title": _t(ctx, "participants"),
        "table": table,
        "table_note": _note(len(table["rows"]), participants_total, ctx),
        "rows_shown": len(table["rows"]),
        "rows_total": participants_total,
        "rows_total_text": format_int(participants_total, ctx),
    }


def _clock(value: datetime, ctx: Context) -> str:
    return f"{local_naive(value, ctx.tz):%H:%M}"


def _duration_text(seconds: Any) -> str:
    return "—" if seconds is None else format_duration(timedelta(seconds=int(seconds)))


def render_session_pdf(
    conn: psycopg.Connection,
    session: dict,
    path: str | os.PathLike,
    *,
    locale: str = "ru",
    timezone: str = "Europe/Moscow",
    max_rows: int = DEFAULT_MAX_ROWS,
) -> dict[str, int]:
    """Write the event session's PDF to ``path``; return rows shown / in all.

    Title block, KPI tiles, attendance / sources / devices charts, then the
    participants table (landscape A4, repeated header, page numbers), capped at
    ``max_rows`` with a note pointing to the workbook.
    """
    ctx = Context(locale, timezone)
    context = session_context(conn, session, ctx, max_rows)
    write_pdf(render_html("session.html", **context), path)
    return {"pdf_participants": context["rows_shown"], "participants": context["rows_total"]}


# --- the period's PDF -----------------------------------------------------------------------


def period_context(
    conn: psycopg.Connection, period: data.Period, ctx: Context, max_rows: int = DEFAULT_MAX_ROWS
) -> dict[str, Any]:
    """Everything the period template shows."""
    ids = period.session_ids
    totals = data.fetch_period_totals(conn, period)
    participants_total = data.count_participants(conn, ids)
    columns = pdf_columns(paid=period.is_paid, engagement=period.engagement_module, period=True)
    table = _table(columns, data.iter_participants(conn, ids, limit=max_rows), ctx)
    sessions_table = _table(PERIOD_SESSION_COLUMNS[:-1], period.sessions[:max_rows], ctx)

    per_day: dict[Any, int] = {}
    for s in period.sessions:
        per_day[s["report_date"]] = per_day.get(s["report_date"], 0) + int(
            s["participants_count"] or 0
        )
    day_fmt = "%d.%m" if ctx.locale == "ru" else "%m-%d"
    day_items = [(d.strftime(day_fmt), v) for d, v in sorted(per_day.items())]

    def label(key: str) -> str:
        return _field(key, PERIOD_TOTAL_FIELDS).header(ctx.locale)

    def n(key: str) -> int:
        return int(totals.get(key) or 0)

    kpis = [
        _kpi(
            label("sessions_count"),
            format_int(n("sessions_count"), ctx),
            _duration_text(totals.get("total_duration_seconds")),
        ),
        _kpi(
            _field("participants_count").header(ctx.locale),
            format_int(n("participants_count"), ctx),
            _t(ctx, "of_registered", n=format_int(n("registered_count"), ctx)),
        ),
        _kpi(
            label("unique_people_count"),
            format_int(n("unique_people_count"), ctx),
            _t(ctx, "unique_sub"),
        ),
        _kpi(
            label("avg_presence_pct"),
            _pct_text(totals.get("avg_presence_pct"), ctx),
            _t(ctx, "avg_sub"),
        ),
        _kpi(
            _t(ctx, "new_ret_guest"),
            " / ".join(
                format_int(n(k), ctx)
                for k in (
                    "new_participants_count",
                    "returning_participants_count",
                    "guest_participants_count",
                )
            ),
            "",
        ),
        _kpi(
            _t(ctx, "msgs_qs"),
            f"{format_int(n('messages_count'), ctx)} / {format_int(n('questions_count'), ctx)}",
            _t(ctx, "fires_sub", n=format_int(n("fires_count"), ctx)),
        ),
        _kpi(
            _t(ctx, "reg_inv"),
            f"{format_int(n('registered_count'), ctx)} / {format_int(n('invited_count'), ctx)}",
            "",
        ),
        _kpi(
            _field("peak_concurrent_participants").header(ctx.locale),
            format_int(
                max(int(s["peak_concurrent_participants"] or 0) for s in period.sessions), ctx
            ),
            _t(ctx, "peak_max_sub"),
        ),
    ]
    first = period.sessions[0]["started_at"] if period.sessions else None
    meta = [_t(ctx, "sessions_count", n=format_int(len(period.sessions), ctx))]
    if period.webinar:
        webinar = clip(period.webinar, PDF_TITLE_MAX_CHARS)
        meta.append(
            f"{_t(ctx, 'filter')}: «{webinar}»"
            if ctx.locale == "ru"
            else f"{_t(ctx, 'filter')}: “{webinar}”"
        )
    meta.append(timezone_note(ctx, first))
    return {
        **_common(ctx),
        "title": clip(
            period_title(period.start, period.end, period.webinar, ctx), PDF_TITLE_MAX_CHARS
        ),
        "kicker": _t(ctx, "period_kicker"),
        "meta": meta,
        "notice": "",
        "kpis": kpis,
        "attendance_title": _t(ctx, "per_day"),
        "attendance_svg": _svg(
            charts.column_chart(day_items, height=190, empty=_t(ctx, "no_data"))
        ),
        "sources_title": _t(ctx, "sources"),
        "devices_title": _t(ctx, "devices"),
        **_share_charts(
            data.fetch_period_sources(conn, ids), data.fetch_period_devices(conn, ids), ctx
        ),
        "sessions_title": _t(ctx, "sessions"),
        "sessions_table": sessions_table,
        "sessions_note": _note(len(sessions_table["rows"]), len(period.sessions), ctx),
        "table_title": _t(ctx, "participants"),
        "table": table,
        "table_note": _note(len(table["rows"]), participants_total, ctx),
        "rows_shown": len(table["rows"]),
        "rows_total": participants_total,
        "rows_total_text": format_int(participants_total, ctx),
    }


def render_period_pdf(
    conn: psycopg.Connection,
    period: data.Period,
    path: str | os.PathLike,
    *,
    locale: str = "ru",
    timezone: str = "Europe/Moscow",
    max_rows: int = DEFAULT_MAX_ROWS,
) -> dict[str, int]:
    """Write the period's PDF to ``path``; return rows shown / in all."""
    ctx = Context(locale, timezone)
    context = period_context(conn, period, ctx, max_rows)
    write_pdf(render_html("period.html", **context), path)
    return {"pdf_participants": context["rows_shown"], "participants": context["rows_total"]}
