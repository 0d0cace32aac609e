"""Workbooks (XLSX) of an event session and of a period, from the data the reports read.

openpyxl (``write_only``) lays out the workbook: sheets, styles, widths, frozen
panes, autofilters and native charts. The rows themselves are streamed by
:class:`_RowStream` through the cell writer of :mod:`webstat.reports.cells`
straight into XML files on disk and spliced into the saved package. The result
is an ordinary workbook: typed cells (numbers, dates, durations, percentages),
inline strings. The renderers take a :class:`~webstat.reports.data.SessionReport`
/ :class:`~webstat.reports.data.PeriodReport`, never a connection.
"""

from __future__ import annotations

import itertools
import operator
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from webstat.reports import charts
from webstat.reports.cells import (
    Styles,
    any_cell,
    batch_writer,
    column_letter,
    encoder,
    text_cell,
)
from webstat.reports.columns import (
    ATTENDANCE_COLUMNS,
    CONNECTION_SHEET,
    DEVICE_SHEET,
    EVENT_FIELDS,
    FUNNEL_SHEET,
    PEOPLE_SHEET,
    PERIOD_CONNECTION_SHEET,
    PERIOD_SESSION_SHEET,
    PERIOD_TOTAL_FIELDS,
    SERIES_SHEET,
    SOURCE_SHEET,
    TIMELINE_BARS,
    Column,
    Kind,
    field_columns,
    sheet_columns,
    sheet_name,
)
from webstat.reports.data import BuildSettings, PeriodReport, SessionReport, too_many_minutes
from webstat.reports.values import (
    Context,
    format_date,
    format_int,
    funnel_rows,
    local_naive,
    normalizer,
    notes,
    period_title,
    series_line,
    timezone_label,
    timezone_note,
)

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

EXCEL_MAX_ROWS = 1_048_576
"""Rows in one Excel sheet; past it a table continues on a sheet named ``… (2)``."""
CHART_MAX_ROW = 1_000_000
"""Last row a chart may refer to (openpyxl refuses a reference past it)."""

BRAND = "1F4E79"
BRAND_LIGHT = "DDEBF7"
TIMELINE_COLORS = tuple(color.lstrip("#") for color in charts.TIMELINE_COLORS)
ROW_HEADER = 2
"""Row of the column headers; row 1 holds the sheet's title and time zone."""
MAX_ATTENDANCE_MINUTES = CHART_MAX_ROW - ROW_HEADER
"""Minutes the event sheet can chart (rows 3…1,000,000): 999,998, about 694 days. A
session with more (a broken clock) fails with a one-line error, before any rendering."""

FIT_MAX_WIDTH = 60
"""Widest a column fitted to its values gets (characters); longer values wrap when edited."""
HEADER_LINE_POINTS = 15
"""Height of one line of a header (Excel's default row is 15 points)."""


def header_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapped cell ``width`` characters wide (bold: a little
    fewer characters than the width, words kept whole unless longer than a line)."""
    import textwrap

    per_line = max(int(width * 0.9) - 1, 1)
    return max(len(textwrap.wrap(text, per_line, break_on_hyphens=False)), 1)


def header_height(headers: Iterable[tuple[str, float]], *, most: int = 8) -> float:
    """A header row tall enough for its longest wrapped header (two lines at least)."""
    lines = max((header_lines(text, width) for text, width in headers), default=1)
    return HEADER_LINE_POINTS * min(max(lines, 2), most) + 2


_LOCAL_FORMATS = {
    "datetime": {"ru": "DD.MM.YYYY HH:MM:SS", "en": "YYYY-MM-DD HH:MM:SS"},
    "date": {"ru": "DD.MM.YYYY", "en": "YYYY-MM-DD"},
}
_FORMATS = {
    "duration": "[h]:mm:ss",
    "pct": "0.00%",
    "int": "#,##0",
    "number": "0.0",
    "minute": "HH:MM",
}
"""Number formats by cell style (:attr:`~webstat.reports.columns.KindInfo.style`)."""


def _make_styles(wb: Workbook, locale: str) -> Styles:
    """Register the workbook's cell styles and return their ids for the cell writer."""
    from types import SimpleNamespace

    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    holder = SimpleNamespace(parent=wb)  # style ids live in the workbook, not the sheet

    def style(**attrs: Any) -> int:
        cell = WriteOnlyCell(holder)
        for name, value in attrs.items():
            setattr(cell, name, value)
        return int(cell.style_id)

    edge = Side(style="thin", color="9BB7D4")
    # registered in this order: a style's id is its place among them
    title = style(font=Font(bold=True, size=13, color=BRAND))
    title_quoted = style(font=Font(bold=True, size=13, color=BRAND), quotePrefix=True)
    note = style(font=Font(italic=True, color="595959"))
    header_look: dict[str, Any] = {
        "font": Font(bold=True, color="FFFFFF"),
        "fill": PatternFill("solid", fgColor=BRAND),
        "alignment": Alignment(wrap_text=True, vertical="center"),
        "border": Border(bottom=edge),
    }
    header = style(**header_look)
    label = style(
        font=Font(bold=True),
        fill=PatternFill("solid", fgColor=BRAND_LIGHT),
        alignment=Alignment(wrap_text=True, vertical="top"),
    )
    quoted = style(quotePrefix=True)
    header_quoted = style(**header_look, quotePrefix=True)
    wrap = style(alignment=Alignment(wrap_text=True, vertical="top"))
    formats = {"text": 0}
    for name, by_locale in _LOCAL_FORMATS.items():
        formats[name] = style(number_format=by_locale[locale])
    for name, number_format in _FORMATS.items():
        formats[name] = style(number_format=number_format)
    return Styles(
        title=title,
        title_quoted=title_quoted,
        note=note,
        header=header,
        header_quoted=header_quoted,
        label=label,
        wrap=wrap,
        quoted=quoted,
        formats=formats,
    )


# --- a sheet whose rows are streamed to disk ----------------------------------------------


@dataclass
class _Part:
    ws: WriteOnlyWorksheet
    rows_path: Path
    out: IO[str]
    rows: int = 0  # rows written, title and header included


class _RowStream:
    """Rows of one logical table, spread over as many sheets as Excel's limit needs."""

    def __init__(self, book: _Book, key: str, columns: Sequence[Column], title: str) -> None:
        self.book = book
        self.key = key
        self.columns = list(columns)
        self.title = title
        self.parts: list[_Part] = []
        self.data_rows = 0
        st = book.styles
        ctx = book.ctx
        self._writers = [
            batch_writer(col, ctx, st, column_letter(i)) for i, col in enumerate(self.columns, 1)
        ]
        # columns as wide as their longest value (e-mails, registration fields), capped
        self._fitted = [
            (i, operator.itemgetter(col.key)) for i, col in enumerate(self.columns) if col.fit
        ]
        self._longest = [0] * len(self.columns)
        self._new_part()

    # a title row and a header row open every part
    def _new_part(self) -> None:
        book = self.book
        ws = book.wb.create_sheet(sheet_name(self.key, book.ctx.locale, len(self.parts) + 1))
        path = book.tmpdir / f"rows-{len(book.parts)}.xml"
        out = open(path, "w", encoding="utf-8", newline="", buffering=1 << 20)  # noqa: SIM115
        part = _Part(ws, path, out)
        self.parts.append(part)
        book.parts.append(part)
        st = book.styles
        out.write(f'<row r="1">{text_cell("A1", self.title, st.title, st.title_quoted)}</row>')
        headers = [col.header(book.ctx.locale) for col in self.columns]
        cells = "".join(
            text_cell(f"{column_letter(i)}{ROW_HEADER}", h, st.header, st.header_quoted)
            for i, h in enumerate(headers, 1)
        )
        height = header_height(zip(headers, (c.width for c in self.columns), strict=True))
        out.write(f'<row r="{ROW_HEADER}" ht="{height}" customHeight="1">{cells}</row>')
        part.rows = ROW_HEADER
        for i, col in enumerate(self.columns, 1):
            ws.column_dimensions[column_letter(i)].width = col.width
        ws.freeze_panes = f"A{ROW_HEADER + 1}"

    def write_batch(self, rows: Sequence[dict[str, Any]]) -> None:
        """Append rows (a few thousand at a time), opening a new sheet at the row limit."""
        while rows:
            part = self.parts[-1]
            room = self.book.max_sheet_rows - part.rows
            if room <= 0:
                self._finish_part(part)
                self._new_part()
                continue
            chunk, rows = rows[:room], rows[room:]
            for i, get in self._fitted:
                longest = max(map(len, filter(None, map(get, chunk))), default=0)
                self._longest[i] = max(self._longest[i], longest)
            r0 = part.rows + 1
            columns = [write(chunk, r0) for write in self._writers]
            starts = [f'<row r="{r}">' for r in range(r0, r0 + len(chunk))]
            ends = ["</row>"] * len(chunk)
            # one join over the whole batch, row by row: start, cells…, end
            part.out.write(
                "".join(itertools.chain.from_iterable(zip(starts, *columns, ends, strict=True)))
            )
            part.rows += len(chunk)
            self.data_rows += len(chunk)

    def write_all(self, rows: Iterable[dict[str, Any]], batch: int = 1000) -> int:
        """Write every row of ``rows`` (any iterable, consumed in batches) and close."""
        it = iter(rows)
        while chunk := list(itertools.islice(it, batch)):
            self.write_batch(chunk)
        self.close()
        return self.data_rows

    def _finish_part(self, part: _Part) -> None:
        for i, _ in self._fitted:
            width = min(max(self.columns[i].width, self._longest[i] * 1.1 + 2), FIT_MAX_WIDTH)
            part.ws.column_dimensions[column_letter(i + 1)].width = round(width, 1)
        last = column_letter(len(self.columns))
        part.ws.auto_filter.ref = f"A{ROW_HEADER}:{last}{max(part.rows, ROW_HEADER)}"
        part.out.close()

    def close(self) -> None:
        if not self.parts[-1].out.closed:
            self._finish_part(self.parts[-1])


@dataclass
class _Book:
    """A workbook in the making: openpyxl for the frame, row files for the content."""

    ctx: Context
    tmpdir: Path
    max_sheet_rows: int = EXCEL_MAX_ROWS
    wb: Any = None
    styles: Any = None
    parts: list[_Part] = field(default_factory=list)

    def __post_init__(self) -> None:
        from openpyxl import Workbook

        if self.max_sheet_rows < ROW_HEADER + 1:
            raise ValueError("max_sheet_rows must leave room for a title, a header and a row")
        self.wb = Workbook(write_only=True)
        self.styles = _make_styles(self.wb, self.ctx.locale)

    def table(self, key: str, columns: Sequence[Column], title: str) -> _RowStream:
        return _RowStream(self, key, columns, title)

    def free_sheet(self, key: str, title: str, widths: dict[str, float]) -> tuple[Any, _Part]:
        """A sheet whose rows the caller writes with :meth:`row` (label/value, small tables)."""
        ws = self.wb.create_sheet(sheet_name(key, self.ctx.locale))
        path = self.tmpdir / f"rows-{len(self.parts)}.xml"
        out = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        part = _Part(ws, path, out)
        self.parts.append(part)
        st = self.styles
        out.write(f'<row r="1">{text_cell("A1", title, st.title, st.title_quoted)}</row>')
        part.rows = 1
        for letter, width in widths.items():
            ws.column_dimensions[letter].width = width
        ws.freeze_panes = f"A{ROW_HEADER + 1}"
        return ws, part

    @staticmethod
    def row(part: _Part, cells: Sequence[str], height: float | None = None) -> int:
        part.rows += 1
        ht = f' ht="{height}" customHeight="1"' if height else ""
        part.out.write(f'<row r="{part.rows}"{ht}>{"".join(cells)}</row>')
        return part.rows

    def save(self, path: Path) -> None:
        """Save the frame with openpyxl, then splice each sheet's streamed rows into it."""
        for part in self.parts:
            if not part.out.closed:
                part.out.close()
        frame = self.tmpdir / "frame.xlsx"
        self.wb.save(frame)
        rows_by_member = {part.ws.path.lstrip("/"): part.rows_path for part in self.parts}
        tmp_out = Path(str(path) + ".part")
        with (
            zipfile.ZipFile(frame) as zin,
            zipfile.ZipFile(tmp_out, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as zout,
        ):
            for info in zin.infolist():
                raw = zin.read(info.filename)
                rows_path = rows_by_member.get(info.filename)
                if rows_path is None:
                    zout.writestr(info.filename, raw)
                    continue
                _splice(zout, info.filename, raw, rows_path)
        os.replace(tmp_out, path)


def _splice(zout: zipfile.ZipFile, name: str, sheet_xml: bytes, rows_path: Path) -> None:
    """Write ``sheet_xml`` with the rows file put inside its (empty) ``<sheetData>``."""
    empty = b"<sheetData />" if b"<sheetData />" in sheet_xml else b"<sheetData/>"
    if empty in sheet_xml:
        head, tail = sheet_xml.split(empty, 1)
        head += b"<sheetData>"
        tail = b"</sheetData>" + tail
    else:
        idx = sheet_xml.index(b"</sheetData>")
        head, tail = sheet_xml[:idx], sheet_xml[idx:]
    size = len(head) + len(tail) + rows_path.stat().st_size
    with zout.open(name, "w", force_zip64=size > 0x7FFF0000) as dst:
        dst.write(head)
        with open(rows_path, "rb") as src:
            shutil.copyfileobj(src, dst, 1 << 20)
        dst.write(tail)


# --- charts -------------------------------------------------------------------------------


def _bar_chart(ws: Any, title: str, rows: int, anchor: str) -> None:
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = title
    chart.legend = None
    chart.height = max(7.5, min(0.6 * rows + 3, 20))
    chart.width = 16
    values = Reference(ws, min_col=2, min_row=ROW_HEADER, max_row=ROW_HEADER + rows)
    cats = Reference(ws, min_col=1, min_row=ROW_HEADER + 1, max_row=ROW_HEADER + rows)
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(cats)
    chart.x_axis.scaling.orientation = "maxMin"  # largest on top, like the table
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.majorGridlines = None
    ws.add_chart(chart, anchor)


def _pie_chart(ws: Any, title: str, rows: int, anchor: str) -> None:
    from openpyxl.chart import DoughnutChart, Reference
    from openpyxl.chart.label import DataLabelList

    chart = DoughnutChart()
    chart.title = title
    chart.holeSize = 55
    chart.height = 9
    chart.width = 13
    values = Reference(ws, min_col=2, min_row=ROW_HEADER, max_row=ROW_HEADER + rows)
    cats = Reference(ws, min_col=1, min_row=ROW_HEADER + 1, max_row=ROW_HEADER + rows)
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(cats)
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showPercent = True
    chart.dataLabels.showVal = False
    chart.dataLabels.showCatName = False
    chart.dataLabels.showSerName = False
    chart.dataLabels.showLeaderLines = False
    ws.add_chart(chart, anchor)


MINUTES_FIRST_COL = 4
"""The event sheet's minutes start in column D (A-B: the label/value rows, C: a gap)."""


def _timeline_chart(ws: Any, ctx: Context, first_row: int, rows: int) -> None:
    """The engagement timeline over the event sheet's minutes: participants online as a
    line (left axis), the minute's messages, questions and fires as bars (right axis) on
    the same time axis."""
    from openpyxl.chart import BarChart, LineChart, Reference

    keys = [col.key for col in ATTENDANCE_COLUMNS]
    last = first_row + rows - 1

    def ref(key: str, *, header: bool = True) -> Any:
        col = MINUTES_FIRST_COL + keys.index(key)
        return Reference(
            ws, min_col=col, min_row=first_row - 1 if header else first_row, max_row=last
        )

    cats = ref(keys[0], header=False)
    bars = BarChart()
    bars.type = "col"
    bars.grouping = "stacked"
    bars.overlap = 100
    bars.gapWidth = 20
    for key in TIMELINE_BARS:
        bars.add_data(ref(key), titles_from_data=True)
    for series, color in zip(bars.series, TIMELINE_COLORS, strict=True):
        series.graphicalProperties.solidFill = color
        series.graphicalProperties.line.noFill = True
    bars.set_categories(cats)
    bars.y_axis.axId = 200
    bars.y_axis.title = ctx.text("chart.events")
    bars.y_axis.crosses = "max"
    bars.y_axis.majorGridlines = None
    bars.y_axis.delete = False
    line = LineChart()
    line.title = ctx.text("chart.timeline")
    line.style = 12
    line.height = 10
    line.width = 24
    line.y_axis.title = ATTENDANCE_COLUMNS[1].header(ctx.locale)
    line.add_data(ref("participants_online"), titles_from_data=True)
    line.set_categories(cats)
    line.x_axis.number_format = _FORMATS["minute"]
    line.x_axis.tickLblSkip = max(1, rows // 12)
    line.x_axis.tickMarkSkip = max(1, rows // 12)
    line.x_axis.delete = False
    line.y_axis.delete = False
    line.legend.position = "b"
    online = line.series[0]
    online.smooth = False
    online.graphicalProperties.line.width = 22000
    online.graphicalProperties.line.solidFill = BRAND
    line += bars
    ws.add_chart(line, "L2")


# --- sheets shared by both workbooks ------------------------------------------------------


def _label_value_rows(
    book: _Book,
    part: _Part,
    fields: Sequence[Column],
    record: dict,
    extra_cells: Callable[[int], list[str]] | None = None,
) -> None:
    st, ctx = book.styles, book.ctx
    for col in fields:
        value = normalizer(col, ctx)(record)
        if col.kind == Kind.BOOL and col.key == "end_inferred" and not record.get(col.key):
            continue  # only worth a line when the end was inferred
        r = part.rows + 1
        cells = [text_cell(f"A{r}", col.header(ctx.locale), st.label, st.label)]
        cells.append(any_cell(f"B{r}", value, col.kind, st))
        if extra_cells:
            cells.extend(extra_cells(r))
        book.row(part, cells)


def _measure_header(
    book: _Book, part: _Part, height: float, *extra: str, value: str | None = None
) -> None:
    """The header row of a label / value sheet (and ``extra`` header cells after it)."""
    st, ctx = book.styles, book.ctx
    book.row(
        part,
        [
            text_cell(f"A{ROW_HEADER}", ctx.text("measure"), st.header, st.header),
            text_cell(f"B{ROW_HEADER}", value or ctx.text("value"), st.header, st.header),
            *extra,
        ],
        height=height,
    )


def _share_sheet(
    book: _Book, key: str, columns: Sequence[Column], rows: list[dict], title: str, chart: str
) -> int:
    stream = book.table(key, columns, title)
    n = stream.write_all(rows)
    first = stream.parts[0]
    ws = first.ws
    # the chart covers the first sheet's rows, and no row past what a chart may refer to
    charted = min(n, first.rows - ROW_HEADER, CHART_MAX_ROW - ROW_HEADER)
    if charted:
        chart_title = book.ctx.text(f"chart.{key}")
        if chart == "bar":
            _bar_chart(ws, chart_title, charted, "E2")
        else:
            _pie_chart(ws, chart_title, charted, "E2")
    return n


def _title(name: str, when: str, ctx: Context, at: datetime | None) -> str:
    return f"{name} · {when} · {timezone_note(ctx, at)}"


def _people_sheets(
    book: _Book,
    report: SessionReport | PeriodReport,
    counts: dict[str, int],
    title: str,
    *,
    paid: bool,
    engagement: bool,
) -> None:
    """The participants sheet (attendees, then hosts and admins) and the no-shows sheet,
    each registration field in a column of its own."""
    fields = field_columns(report.fields.labels, more=report.fields.more)
    for key, rows in (("participants", report.participants), ("no_shows", report.no_shows)):
        columns = sheet_columns(
            paid=paid, engagement=engagement, fields=fields, no_shows=key == "no_shows"
        )
        counts[key] = book.table(key, columns, title).write_all(rows)


def _closing_sheets(
    book: _Book, report: SessionReport | PeriodReport, counts: dict[str, int], title: str
) -> None:
    """Sources and devices (with their charts), then the notes."""
    counts["sources"] = _share_sheet(book, "sources", SOURCE_SHEET, report.sources, title, "bar")
    counts["devices"] = _share_sheet(book, "devices", DEVICE_SHEET, report.devices, title, "pie")
    _notes_sheet(book, report.settings, title, period=isinstance(report, PeriodReport))


def _notes_sheet(book: _Book, settings: BuildSettings, title: str, *, period: bool) -> None:
    """«Пояснения»: how each number is made, with the values in force (texts.NOTES)."""
    ctx, st = book.ctx, book.styles
    _, part = book.free_sheet("notes", title, {"A": 34, "B": NOTES_WIDTH})
    _measure_header(book, part, 2 * HEADER_LINE_POINTS + 2, value=ctx.text("how"))
    for heading, text in notes(settings, ctx, period=period):
        r = part.rows + 1
        lines = max(header_lines(text, NOTES_WIDTH), header_lines(heading, 34))
        book.row(
            part,
            [
                text_cell(f"A{r}", heading, st.label, st.label),
                text_cell(f"B{r}", text, st.wrap, st.wrap),
            ],
            height=HEADER_LINE_POINTS * lines + 2,
        )


NOTES_WIDTH = 110
"""Width of the notes' text column (characters)."""


# --- the workbooks ------------------------------------------------------------------------


def render_xlsx(
    report: SessionReport | PeriodReport,
    path: str | os.PathLike,
    *,
    locale: str = "ru",
    timezone: str = "Europe/Moscow",
    max_sheet_rows: int = EXCEL_MAX_ROWS,
) -> dict[str, int]:
    """Write the session's or the period's workbook to ``path``; return the row count of
    each sheet (each table continues on ``… (2)`` past ``max_sheet_rows``).

    A session: participants, no-shows, join sessions, event (with the attendance
    chart), sources, devices, notes. A period: event sessions, people (one row per
    person), the funnel per webinar, the series, participants of every session (with
    the session's name and date), no-shows, join sessions, totals, sources and devices
    summed over the sessions, notes.
    """
    if isinstance(report, SessionReport) and len(report.attendance) > MAX_ATTENDANCE_MINUTES:
        raise too_many_minutes(report.session["event_session_id"], MAX_ATTENDANCE_MINUTES)
    with tempfile.TemporaryDirectory(prefix="webstat-xlsx-") as tmp:
        book = _Book(Context(locale, timezone), Path(tmp), max_sheet_rows)
        if isinstance(report, PeriodReport):
            counts = _period_sheets(book, report)
        else:
            counts = _session_sheets(book, report)
        book.save(Path(path))
    return counts


render_session_xlsx = render_period_xlsx = render_xlsx
"""The names the callers know; one renderer serves both reports."""


def _session_sheets(book: _Book, report: SessionReport) -> dict[str, int]:
    ctx, session = book.ctx, report.session
    when = format_date(session["report_date"], ctx)
    name = session["webinar_name"] or session["event_session_id"]
    counts: dict[str, int] = {}
    timed = _title(name, when, ctx, session["started_at"])
    _people_sheets(
        book,
        report,
        counts,
        timed,
        paid=bool(session["is_paid"]),
        engagement=bool(session["engagement_module"]),
    )
    counts["connections"] = book.table("connections", CONNECTION_SHEET, timed).write_all(
        report.connections
    )
    counts["attendance_minutes"] = len(report.attendance)
    _event_sheet(book, report, name, when)
    _closing_sheets(book, report, counts, f"{name} · {when}")
    return counts


def _event_sheet(book: _Book, report: SessionReport, name: str, when: str) -> None:
    ctx, st = book.ctx, book.styles
    session, attendance = report.session, report.attendance
    letters = [column_letter(MINUTES_FIRST_COL + i) for i in range(len(ATTENDANCE_COLUMNS))]
    # the series line («занятие 3 из 8 · 41 вернулись со 2-го · 12 новых») needs ~50
    widths: dict[str, float] = {"A": 34, "B": 52 if report.series else 30, "C": 3}
    widths.update(
        {letter: col.width for letter, col in zip(letters, ATTENDANCE_COLUMNS, strict=True)}
    )
    ws, part = book.free_sheet("event", f"{name} · {when}", widths)
    headers = [col.header(ctx.locale) for col in ATTENDANCE_COLUMNS]
    headers[0] = f"{headers[0]} ({ctx.timezone})"
    _measure_header(
        book,
        part,
        32,
        *(
            text_cell(f"{letter}{ROW_HEADER}", header, st.header, st.header)
            for letter, header in zip(letters, headers, strict=True)
        ),
    )
    # the zone line comes before the first time the sheet shows
    zone = timezone_label(ctx, session["started_at"])
    first_minute_row = book.row(
        part,
        [
            text_cell(f"A{ROW_HEADER + 1}", ctx.text("time_zone"), st.label, st.label),
            text_cell(f"B{ROW_HEADER + 1}", zone, st.formats["text"], st.quoted),
            *_minute_cells(book, attendance, 0, ROW_HEADER + 1),
        ],
    )

    def extra(row_number: int) -> list[str]:
        return _minute_cells(book, attendance, row_number - first_minute_row, row_number)

    _label_value_rows(book, part, EVENT_FIELDS, session, extra)
    if report.series:
        r = part.rows + 1
        line = series_line(report.series, ctx)
        book.row(
            part,
            [
                text_cell(f"A{r}", ctx.text("series"), st.label, st.label),
                text_cell(f"B{r}", line, st.formats["text"], st.quoted),
                *extra(r),
            ],
        )
    # minutes beyond the label/value rows
    while part.rows - first_minute_row + 1 < len(attendance):
        r = part.rows + 1
        book.row(part, ["", *_minute_cells(book, attendance, r - first_minute_row, r)])
    if attendance:
        _timeline_chart(ws, ctx, first_minute_row, len(attendance))


def _minute_cells(book: _Book, attendance: list[dict], index: int, r: int) -> list[str]:
    if index >= len(attendance):
        return []
    row = attendance[index]
    st = book.styles
    time_col, *counts = ATTENDANCE_COLUMNS
    cells = [
        encoder("minute", st)(
            column_letter(MINUTES_FIRST_COL), r, local_naive(row[time_col.key], book.ctx.tz)
        )
    ]
    for i, col in enumerate(counts, start=1):
        cells.append(
            encoder("int", st)(column_letter(MINUTES_FIRST_COL + i), r, int(row[col.key] or 0))
        )
    return cells


def _period_sheets(book: _Book, report: PeriodReport) -> dict[str, int]:
    ctx, period = book.ctx, report.period
    title = period_title(period.start, period.end, period.webinar, ctx)
    first_start = period.sessions[0]["started_at"] if period.sessions else None
    timed = f"{title} · {timezone_note(ctx, first_start)}"
    counts: dict[str, int] = {}
    counts["sessions"] = book.table("sessions", PERIOD_SESSION_SHEET, timed).write_all(
        period.sessions
    )
    guests = report.people_counts.get("guest_visits") or 0
    people_title = timed
    if guests:
        people_title += " · " + ctx.text("guest_visits", n=format_int(guests, ctx))
    counts["people"] = book.table("people", PEOPLE_SHEET, people_title).write_all(report.people)
    counts["funnel"] = book.table("funnel", FUNNEL_SHEET, title).write_all(
        funnel_rows(report.funnel, ctx)
    )
    counts["series"] = book.table("series", SERIES_SHEET, timed).write_all(report.series)
    _people_sheets(
        book, report, counts, timed, paid=period.is_paid, engagement=period.engagement_module
    )
    counts["connections"] = book.table("connections", PERIOD_CONNECTION_SHEET, timed).write_all(
        report.connections
    )
    _, part = book.free_sheet("totals", title, {"A": 36, "B": 22})
    _measure_header(book, part, 24)
    _label_value_rows(book, part, PERIOD_TOTAL_FIELDS, report.totals)
    counts["totals"] = len(PERIOD_TOTAL_FIELDS)
    _closing_sheets(book, report, counts, title)
    return counts


__all__ = [
    "EXCEL_MAX_ROWS",
    "MAX_ATTENDANCE_MINUTES",
    "render_xlsx",
    "render_period_xlsx",
    "render_session_xlsx",
]
