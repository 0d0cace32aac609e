"""PDF reports of an event session and of a period: Jinja2 HTML -> WeasyPrint.

The renderers take a :class:`~webstat.reports.data.SessionReport` /
:class:`~webstat.reports.data.PeriodReport`, never a connection. Templates live
in ``templates/`` (autoescape on: every value from the data is escaped); charts
are SVG drawn by :mod:`webstat.reports.charts`. WeasyPrint gets a URL fetcher
that serves only this package's ``assets/`` (as ``webstat-asset:NAME``) and
inline ``data:`` URIs, and refuses everything else (``file://``, ``http(s)://``,
…) — so nothing in the data can make the renderer read a local file or reach
the network.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import os
import re
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from markupsafe import Markup

from webstat.reports import charts, glyphs, roster
from webstat.reports.columns import (
    CATALOGUE,
    DEVICE_SHEET,
    FUNNEL_SHEET,
    KINDS,
    PDF_PEOPLE,
    PDF_PEOPLE_MAX_ROWS,
    PDF_TABLES,
    PERIOD_SESSION_SHEET,
    SOURCE_SHEET,
    TIMELINE_BARS,
    Column,
    Kind,
    pdf_columns,
)
from webstat.reports.data import PeriodReport, Row, SessionReport, group_of
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
    funnel_rows,
    local_naive,
    normalizer,
    notes,
    period_title,
    series_line,
    timezone_note,
)

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
ASSETS_DIR = PACKAGE_DIR / "assets"
ASSET_SCHEME = "webstat-asset:"
DEFAULT_MAX_ROWS = 1000
"""Participants shown in a PDF by default; the workbook always has them all."""


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
    docs/reports.md); the PDF is the same, so a notice a font a PDF only clutters the
    output: :func:`_subsetter_notice` says it once a process instead.
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

    _subsetter_notice()
    fetcher = fetcher or url_fetcher()
    _set_compression_level()
    glyphs.install()
    HTML(string=html, base_url=ASSET_SCHEME, url_fetcher=fetcher).write_pdf(
        str(path), font_config=_font_config()
    )
    return fetcher


def font_subsetter() -> str:
    """What WeasyPrint subsets the PDFs' fonts with in this process: ``"HarfBuzz"`` when
    the system has libharfbuzz-subset (``make system-packages``; the Docker image has
    it), else ``"fontTools"`` (~0.1 s of CPU a font a PDF)."""
    from weasyprint.text.ffi import harfbuzz_subset

    return "fontTools" if harfbuzz_subset is None else "HarfBuzz"


@functools.cache
def _subsetter_notice() -> None:
    """Once a process: a line saying the PDFs' fonts are subset the slow way, and the
    package that makes it fast."""
    if font_subsetter() == "fontTools":
        log.info(
            "PDF fonts are subset with fontTools (~0.1 s of CPU a font a PDF): install "
            "HarfBuzz's subsetter (libharfbuzz-subset0 on Debian/Ubuntu, `make "
            "system-packages`) for faster reports"
        )


PDF_COMPRESSION_LEVEL = 6
"""zlib level of the PDF's streams. pydyf (WeasyPrint's PDF writer) asks for 9, which
on a report's ~1.3 MB of page content costs ~0.1 s a PDF (6 % of a 1,000-row
report) to save ~6 % of its size against the default level 6."""


class _PdfZlib:
    """zlib as pydyf sees it: every stream compressed at :data:`PDF_COMPRESSION_LEVEL`."""

    compress = staticmethod(zlib.compress)

    def compressobj(self, level: int = -1, *args: Any, **kwargs: Any) -> Any:  # noqa: ARG002
        return zlib.compressobj(PDF_COMPRESSION_LEVEL, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)


@functools.cache
def _set_compression_level() -> None:
    """Give pydyf a zlib at :data:`PDF_COMPRESSION_LEVEL`: its own module global, and
    only while it is the standard ``zlib`` (a test reads the level off the streams)."""
    import pydyf

    if getattr(pydyf, "zlib", None) is zlib:
        pydyf.zlib = _PdfZlib()


@functools.cache
def _font_config() -> Any:
    """The process's one WeasyPrint font configuration, shared by every PDF it renders,
    as WeasyPrint allows: the reports declare no ``@font-face``, so it holds only the
    system fonts Pango loaded once, and each PDF after the first skips loading them
    again (~2 % of a 1,000-row report)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


# --- pieces shared by both reports ----------------------------------------------------------


def _svg(markup: str) -> Any:
    from markupsafe import Markup

    return Markup(markup)


def _kpi(label: str, value: str, sub: str = "") -> dict[str, str]:
    return {"label": label, "value": value, "sub": sub}


def _table(
    columns: Sequence[Column],
    rows: Iterable[dict],
    ctx: Context,
    compact: bool = True,
    *,
    total_last: bool = False,
) -> dict[str, Any]:
    """A table for the template; ``total_last``: the last row is a total (bold, no number)."""
    cells = [_cell(c, ctx, compact) for c in columns]
    texts = [[cell(row) for cell in cells] for row in rows]
    emails = [c.kind is Kind.EMAIL for c in columns]  # breakable in a table's cell
    body = [[breakable_email(t) if e else t for t, e in zip(r, emails, strict=True)] for r in texts]
    weights = [c.pdf_width or c.width for c in columns]
    total = sum(weights)
    headers = [c.short_header(ctx.locale) for c in columns]
    classes = [_css_class(c) for c in columns]
    shares = [INDEX_SHARE, *((1 - INDEX_SHARE) * w / total for w in weights)]
    return {
        "headers": headers,
        "classes": classes,
        # fixed layout: widths from the workbook's, so WeasyPrint need not measure every cell
        "widths": [f"{100 * share:.2f}%" for share in shares[1:]],
        "widths_px": [f"{share * TABLE_WIDTH_PX:.2f}px" for share in shares],
        "rows": body,
        "total_last": total_last,
        "shaded": shaded,
        "roster": _roster(headers, classes, shares, texts, total_last),
    }


INDEX_SHARE = 0.03
"""The row number's share of a table's width."""
TABLE_WIDTH_PX = (297 - 12 - 12) / 25.4 * 96
"""A table's width: the A4 landscape page inside its margins (report.css), CSS pixels."""
TABLE_FONT_PX = 7.3 * 4 / 3
HEADER_FONT_PX = 6.8 * 4 / 3
"""The tables' cell and header font sizes (report.css: ``table.data``, ``th``)."""


def _roster(
    headers: Sequence[str],
    classes: Sequence[str],
    shares: Sequence[float],
    texts: Sequence[Sequence[str]],
    total_last: bool,
) -> dict[str, Any] | None:
    """The table set as a roster (:mod:`~webstat.reports.roster`: a line of text a row),
    or ``None`` without the font's metrics (then it is set as a table)."""
    faces = roster.metrics()
    if faces is None:
        return None
    regular, bold = faces
    right = [True, *(c == "num" for c in classes)]
    layout = roster.Layout.of(shares, right, TABLE_WIDTH_PX)
    head = roster.header_lines(["№", *headers], layout, roster.Font(bold, HEADER_FONT_PX))
    if head is None:
        return None
    cell_font, total_font = roster.Font(regular, TABLE_FONT_PX), roster.Font(bold, TABLE_FONT_PX)
    blocks: list[dict[str, Any]] = []
    for n, row in enumerate(texts, 1):
        total = total_last and n == len(texts)
        cells = ["" if total else str(n), *row]
        text = roster.row_lines(cells, layout, total_font if total else cell_font)
        shade = shaded(n)
        # a one-line row (not the total) joins the block of its band's rows before it
        line = text if text is not None and not total and "\n" not in text else None
        last = blocks[-1] if blocks else None
        if line is not None and last and last["block"] and last["shade"] == shade:
            last["text"] += Markup("\n") + line
        else:
            blocks.append(
                {"text": text, "n": n, "total": total, "shade": shade, "block": line is not None}
            )
    return {"head": head, "blocks": blocks}


BAND = 3
"""Rows a roster's zebra band holds: every other band of three rows is shaded, not every
other row, so that a band's one-line rows are one block of text (``.r.b``). A block a row
was about a fifth of a day's reports: WeasyPrint's cost of an element, its style and its
box, paid for each row."""


def shaded(n: int) -> bool:
    """Whether row ``n`` (from 1) is in a shaded band: rows 4–6, 10–12, … (every table,
    a roster or, without DejaVu Sans, a table of cells)."""
    return (n - 1) // BAND % 2 == 1


def _cell(col: Column, ctx: Context, compact: bool) -> Callable[[Row], str]:
    """``row -> the cell's text`` of ``col`` (as the roster sets it; a table's cell makes
    an e-mail breakable, :func:`breakable_email`)."""
    norm = normalizer(col, ctx)
    return lambda row: display(col, norm(row), ctx, compact=compact)


_EMAIL_BREAKS = re.compile(r"(?<=@)|(?=\.)")
ZWSP = "\u200b"


def breakable_email(text: str) -> str:
    """An e-mail that may wrap only after its ``@`` and before a ``.``, never inside a
    name: a zero-width space (U+200B) at each of those places. It is text (the template
    escapes it as any other) and leaves no trace in the PDF's text layer (a copied
    address is the address). ``<wbr>`` did the same as an element: a box of its own to
    lay out at each place, which made a table's rows about 35 % slower."""
    return _EMAIL_BREAKS.sub(ZWSP, text)


def _css_class(col: Column) -> str:
    return KINDS[col.kind].css or ("wide" if col.wide else "")


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
    no_data = ctx.text("no_data")
    source_items = _share_items(sources, SOURCE_SHEET[0], ctx)
    device_items = _share_items(devices, DEVICE_SHEET[0], ctx)
    total = sum(v for _, v, _ in device_items)
    center = format_int(total, ctx) if total else ""
    return {
        "sources_svg": _svg(charts.bar_chart(source_items, empty=no_data, other=ctx.text("other"))),
        "devices_svg": _svg(charts.donut_chart(device_items, empty=no_data, center=center)),
    }


def _pct_text(value: Any, ctx: Context) -> str:
    return "—" if value is None else format_pct(float(value), ctx)


def _duration_text(seconds: Any) -> str:
    return "—" if seconds is None else format_duration(timedelta(seconds=int(seconds)))


def _clock(value: datetime, ctx: Context) -> str:
    return f"{local_naive(value, ctx.tz):%H:%M}"


def _note(shown: int, total: int, ctx: Context) -> str:
    if total > shown:
        return ctx.text("capped", shown=format_int(shown, ctx), total=format_int(total, ctx))
    return ctx.text("all_rows", total=format_int(total, ctx))


def _section(
    title: str,
    total: int,
    ctx: Context,
    *,
    table: dict[str, Any] | None = None,
    charts: Sequence[dict] = (),
    people: bool = True,
    note: str | None = None,
    capped: bool | None = None,
) -> dict[str, Any]:
    """A heading with its count over a table or charts, and a note (by default: the
    rows shown of ``total``, and whether they are cut short)."""
    shown = len(table["rows"]) if table is not None else 0
    return {
        "people": people,
        "title": title,
        "count": format_int(total, ctx),
        "note": _note(shown, total, ctx) if note is None else note,
        "capped": total > shown if capped is None else capped,
        "table": table,
        "charts": list(charts),
        "shown": shown,
    }


def _people_sections(
    report: SessionReport | PeriodReport,
    ctx: Context,
    max_rows: int,
    *,
    paid: bool,
    engagement: bool,
) -> list[dict[str, Any]]:
    """Attendees, then hosts and admins, then no-shows: each a table of its own columns
    under its own heading and count; together at most ``max_rows`` rows."""
    first: dict[str, list[Row]] = {group: [] for group in PDF_TABLES}
    for row in report.first_participants[:max_rows]:
        first[group_of(row)].append(row)
    sections = []
    for group in PDF_TABLES:
        total = report.group_counts.get(group, 0)
        if not total and group != "attendees":
            continue
        columns = pdf_columns(paid=paid, engagement=engagement, table=group)
        title = ctx.text("participants" if group == "attendees" else group)
        sections.append(_section(title, total, ctx, table=_table(columns, first[group], ctx)))
    return sections


def _document(
    ctx: Context,
    report: SessionReport | PeriodReport,
    *,
    title: str,
    kicker: str,
    meta: list[str],
    notice: str,
    kpis: list[dict[str, str]],
    chart: tuple[str, str],
    sections: list[dict[str, Any]],
) -> dict[str, Any]:
    """What the template shows: title block, KPI tiles, the three charts (``chart``: the
    first one's title and SVG), the tables under their headings, and the notes."""
    return {
        "lang": ctx.locale,
        "page_label": ctx.text("page"),
        "page_of": ctx.text("page_of"),
        "generated": ctx.text("generated"),
        "logo_url": ASSET_SCHEME + "logo.svg",
        "title": clip(title, PDF_TITLE_MAX_CHARS),
        "kicker": ctx.text(kicker),
        "meta": meta,
        "notice": notice,
        "kpis": kpis,
        "attendance_title": chart[0],
        "attendance_svg": _svg(chart[1]),
        "sources_title": ctx.text("sources"),
        "devices_title": ctx.text("devices"),
        **_share_charts(report.sources, report.devices, ctx),
        "sections": sections,
        "notes_title": ctx.text("sheet.notes"),
        "notes": notes(report.settings, ctx, period=isinstance(report, PeriodReport)),
    }


def _came_missed(report: SessionReport | PeriodReport, ctx: Context) -> str:
    """``пришли: 33 · не пришли: 38`` — the participants who came and the no-shows."""
    counts = report.group_counts
    return ctx.text(
        "came_missed",
        came=format_int(counts.get("attendees", 0), ctx),
        missed=format_int(counts.get("no_shows", 0), ctx),
    )


def _render(context: dict[str, Any], path: str | os.PathLike, report: Any) -> dict[str, int]:
    """Write the PDF of ``context``; return the participant rows shown / in all."""
    write_pdf(render_html("report.html", **context), path)
    shown = sum(section["shown"] for section in context["sections"] if section["people"])
    return {"pdf_participants": shown, "participants": report.participants_count}


# --- KPI tiles --------------------------------------------------------------------------------


def _label(key: str, ctx: Context) -> str:
    return CATALOGUE[key].header(ctx.locale)


def _n(row: Row, key: str) -> int:
    return int(row.get(key) or 0)


def _participants_kpi(row: Row, ctx: Context) -> dict[str, str]:
    registered = format_int(_n(row, "registered_count"), ctx)
    return _kpi(
        _label("participants_count", ctx),
        format_int(_n(row, "participants_count"), ctx),
        ctx.text("of_registered", n=registered),
    )


def _presence_kpi(row: Row, ctx: Context) -> dict[str, str]:
    return _kpi(
        _label("avg_presence_pct", ctx),
        _pct_text(row.get("avg_presence_pct"), ctx),
        ctx.text("avg_sub"),
    )


def _visitors_kpi(row: Row, ctx: Context, sub: str) -> dict[str, str]:
    keys = ("new_participants_count", "returning_participants_count", "guest_participants_count")
    value = " / ".join(format_int(_n(row, k), ctx) for k in keys)
    return _kpi(ctx.text("new_ret_guest"), value, sub)


def _messages_kpi(row: Row, ctx: Context) -> dict[str, str]:
    messages, questions = _n(row, "messages_count"), _n(row, "questions_count")
    value = f"{format_int(messages, ctx)} / {format_int(questions, ctx)}"
    return _kpi(
        ctx.text("msgs_qs"), value, ctx.text("fires_sub", n=format_int(_n(row, "fires_count"), ctx))
    )


def _flags_kpi(row: Row, ctx: Context) -> dict[str, str]:
    keys = ("joined_late_count", "left_early_count", "low_presence_count")
    value = " / ".join(format_int(_n(row, k), ctx) for k in keys)
    participants = format_int(_n(row, "participants_count"), ctx)
    return _kpi(ctx.text("flags_kpi"), value, ctx.text("of_participants", n=participants))


def _session_kpis(session: Row, ctx: Context) -> list[dict[str, str]]:
    started, ended = session["started_at"], session["ended_at"]
    return [
        _participants_kpi(session, ctx),
        _kpi(
            _label("peak_concurrent_participants", ctx),
            format_int(_n(session, "peak_concurrent_participants"), ctx),
            ctx.text("peak_sub"),
        ),
        _presence_kpi(session, ctx),
        _kpi(
            _label("duration_seconds", ctx),
            _duration_text(session.get("duration_seconds")),
            ctx.text("duration_sub", a=_clock(started, ctx), b=_clock(ended, ctx))
            if started and ended
            else "",
        ),
        _visitors_kpi(
            session,
            ctx,
            ctx.text("attendees_all", n=format_int(_n(session, "attendees_count"), ctx)),
        ),
        _messages_kpi(session, ctx),
        _kpi(
            _label("host_active_pct", ctx),
            _pct_text(session.get("host_active_pct"), ctx),
            ctx.text("host_sub", d=_duration_text(session.get("host_active_seconds"))),
        ),
        _flags_kpi(session, ctx),
    ]


def _period_kpis(totals: Row, sessions: list[Row], ctx: Context) -> list[dict[str, str]]:
    registered, invited = _n(totals, "registered_count"), _n(totals, "invited_count")
    peak = max(int(s["peak_concurrent_participants"] or 0) for s in sessions)
    return [
        _kpi(
            _label("sessions_count", ctx),
            format_int(_n(totals, "sessions_count"), ctx),
            _duration_text(totals.get("total_duration_seconds")),
        ),
        _participants_kpi(totals, ctx),
        _kpi(
            _label("unique_people_count", ctx),
            format_int(_n(totals, "unique_people_count"), ctx),
            ctx.text("unique_sub"),
        ),
        _presence_kpi(totals, ctx),
        _visitors_kpi(totals, ctx, ""),
        _messages_kpi(totals, ctx),
        _kpi(ctx.text("reg_inv"), f"{format_int(registered, ctx)} / {format_int(invited, ctx)}"),
        _kpi(
            _label("peak_concurrent_participants", ctx),
            format_int(peak, ctx),
            ctx.text("peak_max_sub"),
        ),
    ]


# --- the event session's PDF ----------------------------------------------------------------


def _timeline(report: SessionReport, ctx: Context) -> str:
    """The engagement timeline's SVG: participants online as the line, the minute's
    messages, questions and fires as bars beneath it (:data:`TIMELINE_BARS`)."""
    tz = ctx.tz
    points = [
        (local_naive(r["minute_at"], tz), int(r["participants_online"] or 0))
        for r in report.attendance
    ]
    bars = [tuple(int(r[key] or 0) for key in TIMELINE_BARS) for r in report.attendance]
    labels = [CATALOGUE[key].header(ctx.locale) for key in ("participants_online", *TIMELINE_BARS)]
    return charts.line_chart(
        points, height=195, empty=ctx.text("no_data"), bars=bars, bar_labels=labels
    )


def session_context(
    report: SessionReport, ctx: Context, max_rows: int = DEFAULT_MAX_ROWS
) -> dict[str, Any]:
    """Everything the template shows of a session."""
    session = report.session
    sid = session["event_session_id"]
    tz = ctx.tz
    started, ended = session["started_at"], session["ended_at"]
    meta = [format_date(session["report_date"], ctx)]
    if started and ended:
        a, b = local_naive(started, tz), local_naive(ended, tz)
        if a.date() == b.date():
            meta.append(f"{a:%H:%M} – {b:%H:%M}")
        else:
            meta.append(f"{format_datetime(a, ctx)} – {format_datetime(b, ctx)}")
    meta.append(timezone_note(ctx, started))
    meta.append(_came_missed(report, ctx))
    if report.series:
        meta.append(series_line(report.series, ctx))
    return _document(
        ctx,
        report,
        title=session["webinar_name"] or sid,
        kicker="session_kicker",
        meta=meta,
        notice=ctx.text("inferred") if session.get("end_inferred") else "",
        kpis=_session_kpis(session, ctx),
        chart=(ctx.text("chart.timeline"), _timeline(report, ctx)),
        sections=_people_sections(
            report,
            ctx,
            max_rows,
            paid=bool(session["is_paid"]),
            engagement=bool(session["engagement_module"]),
        ),
    )


# --- the period's PDF -----------------------------------------------------------------------


def _per_day(period: Any, ctx: Context) -> list[tuple[str, int]]:
    """Participants of each day of the period, every day from start to end (0 without
    sessions), labelled ``02.11`` / ``11-02``."""
    per_day: dict[Any, int] = {}
    for s in period.sessions:
        day = s["report_date"]
        per_day[day] = per_day.get(day, 0) + int(s["participants_count"] or 0)
    days = (period.start + timedelta(days=i) for i in range((period.end - period.start).days + 1))
    day_fmt = "%d.%m" if ctx.locale == "ru" else "%m-%d"
    return [(d.strftime(day_fmt), per_day.get(d, 0)) for d in days]


SERIES_CHARTS_MAX = 6
"""Series charted in the period's PDF (those with the most sessions in the period); the
rest are counted in a line, and all are on the workbook's «Серии» sheet."""


def _series_section(series: Sequence[Row], ctx: Context) -> dict[str, Any]:
    """A retention chart per series of the period (at most :data:`SERIES_CHARTS_MAX`)."""
    groups: dict[tuple[Any, Any], list[Row]] = {}
    for row in series:
        groups.setdefault((row["organization_id"], row["webinar_id"]), []).append(row)
    # the series with the most sessions in the period first (then as the sheet orders them)
    ranked = sorted(groups.values(), key=lambda rows: -len(rows))
    legend = ctx.text("series_legend").split("|")
    items = []
    for rows in ranked[:SERIES_CHARTS_MAX]:
        lessons = [
            (
                int(r["session_number"]),
                int(r["persons_count"] or 0),
                None if r["retained_to_next_count"] is None else int(r["retained_to_next_count"]),
            )
            for r in rows
        ]
        name = clip(rows[-1]["webinar_name"] or rows[-1]["webinar_id"], 60)
        items.append(
            {
                "title": ctx.text(
                    "series_title",
                    name=name,
                    n=format_int(int(rows[0]["series_sessions_count"]), ctx),
                    first=format_date(rows[0]["report_date"], ctx),
                    last=format_date(rows[-1]["report_date"], ctx),
                ),
                "svg": _svg(
                    charts.retention_chart(
                        lessons,
                        legend=legend,
                        axis=ctx.text("lesson_axis"),
                        empty=ctx.text("no_data"),
                    )
                ),
            }
        )
    rest = len(ranked) - len(items)
    if rest:
        note = ctx.text("series_more", n=format_int(rest, ctx))
    else:
        note = "" if groups else ctx.text("series_none")
    return _section(
        ctx.text("sheet.series"),
        len(groups),
        ctx,
        charts=items,
        people=False,
        note=note,
        capped=bool(rest),
    )


def _people_section(report: PeriodReport, ctx: Context, max_rows: int) -> dict[str, Any]:
    """The period's people: the first ``max_rows`` (most sessions, then best rating)."""
    rows = report.first_people[:max_rows]
    total = int(report.people_counts.get("people") or 0)
    shown = format_int(len(rows), ctx)
    if total > len(rows):
        note = ctx.text("people_capped", shown=shown, total=format_int(total, ctx))
    else:
        note = ctx.text("people_all", total=format_int(total, ctx))
    guests = int(report.people_counts.get("guest_visits") or 0)
    if guests:
        note += " " + ctx.text("guest_visits", n=format_int(guests, ctx)).capitalize()
    table = _table(PDF_PEOPLE, rows, ctx)
    return _section(ctx.text("people"), total, ctx, table=table, note=note)


def period_context(
    report: PeriodReport, ctx: Context, max_rows: int = DEFAULT_MAX_ROWS
) -> dict[str, Any]:
    """Everything the template shows of a period: its sessions, the funnel, the series'
    retention charts and the people (at most :data:`PDF_PEOPLE_MAX_ROWS`, and ``max_rows``)."""
    period = report.period
    sessions_table = _table(PERIOD_SESSION_SHEET[:-1], period.sessions[:max_rows], ctx)
    first = period.sessions[0]["started_at"] if period.sessions else None
    meta = [ctx.text("sessions_count", n=format_int(len(period.sessions), ctx))]
    if period.webinar:
        meta.append(ctx.text("filter", webinar=clip(period.webinar, PDF_TITLE_MAX_CHARS)))
    meta.append(timezone_note(ctx, first))
    meta.append(_came_missed(report, ctx))
    sessions = _section(
        ctx.text("sessions"), len(period.sessions), ctx, table=sessions_table, people=False
    )
    funnel_table = _table(FUNNEL_SHEET[:-1], funnel_rows(report.funnel, ctx), ctx, total_last=True)
    webinars = max(len(report.funnel) - 1, 0)  # the last row is the total
    funnel = _section(ctx.text("funnel"), webinars, ctx, table=funnel_table, people=False, note="")
    return _document(
        ctx,
        report,
        title=period_title(period.start, period.end, period.webinar, ctx),
        kicker="period_kicker",
        meta=meta,
        notice="",
        kpis=_period_kpis(report.totals, period.sessions, ctx),
        chart=(
            ctx.text("per_day"),
            charts.column_chart(_per_day(period, ctx), height=190, empty=ctx.text("no_data")),
        ),
        sections=[
            sessions,
            funnel,
            _series_section(report.series, ctx),
            _people_section(report, ctx, min(max_rows, PDF_PEOPLE_MAX_ROWS)),
        ],
    )


def render_pdf(
    report: SessionReport | PeriodReport,
    path: str | os.PathLike,
    *,
    locale: str = "ru",
    timezone: str = "Europe/Moscow",
    max_rows: int = DEFAULT_MAX_ROWS,
) -> dict[str, int]:
    """Write the session's or the period's PDF to ``path``; return the participant rows
    shown and in all.

    Title block, KPI tiles, the charts (a session's minutes online, a period's
    participants per day; sources; devices), then the participants, the hosts and
    admins and the no-shows (a period's sessions first; landscape A4, repeated
    headers, page numbers), ``max_rows`` rows at most with a note pointing to the
    workbook, and the notes.
    """
    ctx = Context(locale, timezone)
    if isinstance(report, PeriodReport):
        return _render(period_context(report, ctx, max_rows), path, report)
    return _render(session_context(report, ctx, max_rows), path, report)


render_session_pdf = render_period_pdf = render_pdf
"""The names the callers know; one renderer serves both reports."""
