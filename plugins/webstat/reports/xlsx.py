"""Workbooks (XLSX) of an event session and of a period.

openpyxl (``write_only``) lays out the workbook: sheets, styles, widths, frozen
panes, autofilters and native charts. The rows themselves are streamed by
:class:`_RowStream` straight into XML files on disk and spliced into the saved
package, because openpyxl's per-cell objects cost ~15 µs a cell (60 s for 100k
participants × 40 columns) while this costs ~1 µs. The result is an ordinary
workbook: typed cells (numbers, dates, durations, percentages), inline strings.

Safety: every value from the data is written as a string cell (``t="inlineStr"``),
never as a formula; one that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
CR also gets the ``quotePrefix`` style, as if the person had typed a leading
apostrophe, so editing the cell in Excel keeps it text. Characters XML cannot
carry are replaced by U+FFFD; text longer than Excel's 32,767 characters is cut.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from webstat.errors import WebstatError
from webstat.reports import data
from webstat.reports.columns import (
    ATTENDANCE_COLUMNS,
    CONNECTION_COLUMNS,
    DEVICE_COLUMNS,
    EVENT_FIELDS,
    PERIOD_SESSION_COLUMNS,
    PERIOD_TOTAL_FIELDS,
    SOURCE_COLUMNS,
    Column,
    sheet_columns,
    sheet_name,
)
from webstat.reports.values import (
    Context,
    format_date,
    local_naive,
    normalizer,
    period_title,
    timezone_label,
    timezone_note,
)

if TYPE_CHECKING:
    import psycopg
    from openpyxl import Workbook
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

EXCEL_MAX_ROWS = 1_048_576
"""Rows in one Excel sheet; past it a table continues on a sheet named ``… (2)``."""
EXCEL_MAX_TEXT = 32_767
"""Characters in one cell; longer text is cut to 32,766 and ends with ``…``."""
CHART_MAX_ROW = 1_000_000
"""Last row a chart may refer to (openpyxl refuses a reference past it)."""

BRAND = "1F4E79"
BRAND_LIGHT = "DDEBF7"
ROW_HEADER = 2
"""Row of the column headers; row 1 holds the sheet's title and time zone."""
MAX_ATTENDANCE_MINUTES = CHART_MAX_ROW - ROW_HEADER
"""Minutes the event sheet can chart (rows 3…1,000,000): 999,998, about 694 days. A
session with more (a broken clock) fails with a one-line error, before any rendering."""

_NUMBER_FORMATS = {
    "datetime": {"ru": "DD.MM.YYYY HH:MM:SS", "en": "YYYY-MM-DD HH:MM:SS"},
    "date": {"ru": "DD.MM.YYYY", "en": "YYYY-MM-DD"},
    "duration": "[h]:mm:ss",
    "pct": "0.00%",
    "int": "#,##0",
    "number": "0.0",
    "minute": "HH:MM",
}
_TEXT_KINDS = frozenset({"text", "email", "enum", "platforms", "bool", "json"})
_FORMULA_LEADS = "=+-@\t\r"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_EPOCH = datetime(1899, 12, 30)
_EPOCH_DATE = _EPOCH.date()
_MIN_EXCEL = datetime(1900, 3, 1)
_MIN_EXCEL_SERIAL = 61.0
_UNIX_EPOCH_SERIAL = 25569.0  # 1970-01-01 as an Excel serial


# --- cell XML -----------------------------------------------------------------------------
# Every function below returns the XML of one cell (``""`` for no cell); they are
# called millions of times, so they avoid work on the common path.


def _escape(text: str) -> str:
    if len(text) > EXCEL_MAX_TEXT:
        text = text[: EXCEL_MAX_TEXT - 1] + "…"
    if not text.isprintable():  # rare: control characters, CR, tabs, odd code points
        text = _XML_ILLEGAL.sub("\ufffd", text)
        if "\r" in text:  # a literal CR would be normalised to LF by XML parsers
            text = text.replace("\r", "\x00")
    if "_x" in text:  # Excel reads _xHHHH_ as an escape: keep the literal text
        text = _EXCEL_ESCAPE.sub(r"_x005F_\1", text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\x00" in text:
        text = text.replace("\x00", "&#13;")
    return text


def _text(letter: str, r: int | str, value: str, s: str, quoted: str) -> str:
    """A string cell (``s``/``quoted``: the style attributes, e.g. ``' s="3"'``)."""
    if not value:
        return ""
    first = value[0]
    if first in _FORMULA_LEADS:
        s = quoted
    if (
        len(value) > EXCEL_MAX_TEXT
        or not value.isprintable()
        or "&" in value
        or "<" in value
        or ">" in value
        or "_x" in value
    ):
        value = _escape(value)
    if first <= " " or value[-1] <= " ":
        return (
            f'<c r="{letter}{r}"{s} t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
        )
    return f'<c r="{letter}{r}"{s} t="inlineStr"><is><t>{value}</t></is></c>'


def _s(style_id: int) -> str:
    return f' s="{style_id}"' if style_id else ""


def text_cell(ref: str, value: str, style: int, quoted_style: int) -> str:
    """A string cell that Excel never evaluates; formula-like text gets ``quotePrefix``."""
    return _text(ref, "", value, _s(style), _s(quoted_style))


def _number(letter: str, r: int | str, number: float, s: str) -> str:
    if not math.isfinite(number):
        return ""
    return f'<c r="{letter}{r}"{s}><v>{number!r}</v></c>'


def _utcoffset_days(value: datetime, tz: Any) -> float:
    offset = value.astimezone(tz).utcoffset()
    return offset.total_seconds() / 86400 if offset else 0.0


def _serial(value: datetime) -> float:
    delta = value - _EPOCH
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


@dataclass(frozen=True)
class _Styles:
    title: int
    title_quoted: int
    note: int
    header: int
    label: int
    text: int
    quoted: int
    datetime: int
    date: int
    duration: int
    pct: int
    int: int
    number: int
    minute: int


def _make_styles(wb: Workbook, locale: str) -> _Styles:
    """Register the workbook's cell styles and return their ids for the row stream."""
    from types import SimpleNamespace

    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    holder = SimpleNamespace(parent=wb)  # style ids live in the workbook, not the sheet

    def style(**attrs: Any) -> int:
        cell = WriteOnlyCell(holder)  # type: ignore[arg-type]
        for name, value in attrs.items():
            setattr(cell, name, value)
        return cell.style_id

    fmt = _NUMBER_FORMATS
    edge = Side(style="thin", color="9BB7D4")
    return _Styles(
        title=style(font=Font(bold=True, size=13, color=BRAND)),
        title_quoted=style(font=Font(bold=True, size=13, color=BRAND), quotePrefix=True),
        note=style(font=Font(italic=True, color="595959")),
        header=style(
            font=Font(bold=True, color="FFFFFF"),
            fill=PatternFill("solid", fgColor=BRAND),
            alignment=Alignment(wrap_text=True, vertical="center"),
            border=Border(bottom=edge),
        ),
        label=style(font=Font(bold=True), fill=PatternFill("solid", fgColor=BRAND_LIGHT)),
        text=0,
        quoted=style(quotePrefix=True),
        datetime=style(number_format=fmt["datetime"][locale]),
        date=style(number_format=fmt["date"][locale]),
        duration=style(number_format=fmt["duration"]),
        pct=style(number_format=fmt["pct"]),
        int=style(number_format=fmt["int"]),
        number=style(number_format=fmt["number"]),
        minute=style(number_format=fmt["minute"]),
    )


Encoder = Callable[[str, "int | str", Any], str]


def _encoder(kind: str, st: _Styles) -> Encoder:
    """``(column letter, row number, normalised value) -> cell XML`` for a column kind."""
    if kind in _TEXT_KINDS:
        text, quoted = _s(st.text), _s(st.quoted)
        return lambda letter, r, v: _text(letter, r, v, text, quoted)
    if kind in ("datetime", "minute"):
        s = _s(st.datetime if kind == "datetime" else st.minute)
        text, quoted = _s(st.text), _s(st.quoted)

        def dt(letter: str, r: int | str, v: datetime) -> str:
            if v < _MIN_EXCEL:  # Excel has no dates before 1900: keep it readable
                return _text(letter, r, v.isoformat(sep=" "), text, quoted)
            return _number(letter, r, _serial(v), s)

        return dt
    if kind == "date":
        s = _s(st.date)
        text, quoted = _s(st.text), _s(st.quoted)

        def d(letter: str, r: int | str, v: date) -> str:
            if v < _MIN_EXCEL.date():
                return _text(letter, r, v.isoformat(), text, quoted)
            return f'<c r="{letter}{r}"{s}><v>{(v - _EPOCH_DATE).days}</v></c>'

        return d
    if kind == "duration":
        s = _s(st.duration)
        return lambda letter, r, v: _number(letter, r, v.total_seconds() / 86400, s)
    if kind == "pct":
        s = _s(st.pct)
        return lambda letter, r, v: _number(letter, r, round(v / 100, 8), s)
    if kind == "int":
        s = _s(st.int)
        return lambda letter, r, v: f'<c r="{letter}{r}"{s}><v>{v}</v></c>'
    if kind == "number":
        s = _s(st.number)
        return lambda letter, r, v: _number(letter, r, float(v), s)
    raise ValueError(f"no encoder for kind {kind!r}")  # pragma: no cover


BatchWriter = Callable[[Sequence[dict], int], list[str]]

_SLOW_LEADS = "=+-@"
_SLOW_FIRST = frozenset(_SLOW_LEADS) | frozenset(map(chr, range(33)))
"""First characters that need :func:`_text`: a formula lead, a space or a control character."""
_CACHE_LIMIT = 4096


_not_none = functools.partial(operator.is_not, None)


def _plain_batch(values: list[Any]) -> bool:
    """Whether every value is ``None`` or a string that needs no escaping and no cut.

    One pass in C over the batch's text instead of five tests a cell; a value
    that fails (or a false alarm: ``_x`` across two values) sends the batch down
    the per-cell path. First and last characters are still checked per cell.
    """
    try:
        joined = "".join(filter(_not_none, values))
    except TypeError:  # not all strings
        return False
    return (
        joined.isprintable()
        and "&" not in joined
        and "<" not in joined
        and ">" not in joined
        and "_x" not in joined
        and (
            len(joined) <= EXCEL_MAX_TEXT
            or max(map(len, filter(_not_none, values))) <= EXCEL_MAX_TEXT
        )
    )


def _batch_writer(col: Column, ctx: Context, st: _Styles, letter: str) -> BatchWriter:
    """``(rows, first row number) -> the column's cell XML for those rows``.

    A column at a time, so the common cases run inside one comprehension with no
    call per cell (a table of 100k × 40 cells is 4M of them). Values are those of
    :func:`~webstat.reports.values.normalizer`; the plain paths below are only
    its fast cases, anything unusual falls back to :func:`_text` / the normaliser.
    """
    key, kind = col.key, col.kind
    get = operator.itemgetter(key)
    text, quoted = _s(st.text), _s(st.quoted)
    limit = EXCEL_MAX_TEXT
    if kind == "text":

        def plain(rows: Sequence[dict], r0: int) -> list[str]:
            values = list(map(get, rows))
            if _plain_batch(values):  # the common case: one check for the whole batch
                return [
                    f'<c r="{letter}{r}"{text} t="inlineStr"><is><t>{v}</t></is></c>'
                    if v and v[0] not in _SLOW_FIRST and v[-1] > " "
                    else ""
                    if not v
                    else _text(letter, r, v, text, quoted)
                    for r, v in zip(itertools.count(r0), values)
                ]
            return [
                ""
                if v is None
                else f'<c r="{letter}{r}"{text} t="inlineStr"><is><t>{v}</t></is></c>'
                if v.__class__ is str
                and v
                and v.isprintable()
                and v[0] > " "
                and v[0] not in _SLOW_LEADS
                and v[-1] > " "
                and len(v) <= limit
                and "&" not in v
                and "<" not in v
                and ">" not in v
                and "_x" not in v
                else _text(letter, r, str(v), text, quoted)
                for r, v in zip(itertools.count(r0), values)
            ]

        return plain
    if kind == "int":
        s = _s(st.int)

        def integer(rows: Sequence[dict], r0: int) -> list[str]:
            return [
                "" if v is None else f'<c r="{letter}{r}"{s}><v>{int(v)}</v></c>'
                for r, v in zip(itertools.count(r0), map(get, rows))
            ]

        return integer
    if kind in ("pct", "number"):
        s = _s(st.pct if kind == "pct" else st.number)
        shift = -2 if kind == "pct" else 0

        def number(v: Any, r: int) -> str:
            if isinstance(v, Decimal):
                return _number(letter, r, float(v.scaleb(shift)), s) if v.is_finite() else ""
            return _number(letter, r, round(float(v) * 10.0**shift, 10), s)

        def decimal(rows: Sequence[dict], r0: int) -> list[str]:
            return [
                ""
                if v is None
                else f'<c r="{letter}{r}"{s}><v>{v.scaleb(shift)}</v></c>'
                if v.__class__ is Decimal and v.is_finite()
                else number(v, r)
                for r, v in zip(itertools.count(r0), map(get, rows))
            ]

        return decimal
    if kind == "duration":
        s = _s(st.duration)

        def duration(rows: Sequence[dict], r0: int) -> list[str]:
            return [
                "" if v is None else f'<c r="{letter}{r}"{s}><v>{int(v) / 86400!r}</v></c>'
                for r, v in zip(itertools.count(r0), map(get, rows))
            ]

        return duration
    if kind == "datetime":
        s, tz = _s(st.datetime), ctx.tz
        offsets: dict[float, float] = {}  # UTC hour -> the zone's offset (s), as days

        def one(v: datetime, r: int) -> str:
            if v.tzinfo is not None:
                ts = v.timestamp()
                hour = ts // 3600
                off = offsets.get(hour)
                if off is None:
                    off = offsets[hour] = _utcoffset_days(v, tz)
                serial = ts / 86400 + off + _UNIX_EPOCH_SERIAL
                if serial >= _MIN_EXCEL_SERIAL:
                    return f'<c r="{letter}{r}"{s}><v>{serial!r}</v></c>'
            local = local_naive(v, tz)
            if local < _MIN_EXCEL:  # Excel has no dates before 1900: keep it readable
                return _text(letter, r, local.isoformat(sep=" "), text, quoted)
            return f'<c r="{letter}{r}"{s}><v>{_serial(local)!r}</v></c>'

        def dt(rows: Sequence[dict], r0: int) -> list[str]:
            return [
                "" if v is None else one(v, r) for r, v in zip(itertools.count(r0), map(get, rows))
            ]

        return dt
    norm, enc = normalizer(col, ctx), _encoder(kind, st)
    if kind == "email":
        guest = enc(letter, "{r}", norm({key: None, "is_guest": True}))

        def email(rows: Sequence[dict], r0: int) -> list[str]:
            return [
                (guest.replace("{r}", str(r), 1) if row.get("is_guest", True) else "")
                if (v := row.get(key)) is None
                else _text(letter, r, str(v), text, quoted)
                for r, row in zip(itertools.count(r0), rows)
            ]

        return email
    if kind in ("enum", "bool", "platforms", "date"):
        # few distinct values: encode each once, then reuse the cell's XML after r="…"
        cache: dict[Any, str] = {}
        prefix = f'<c r="{letter}'

        def body(v: Any) -> str:
            cell = enc(letter, "\x00", norm({key: v}))  # never None here
            tail = cell.split("\x00", 1)[1] if cell else ""
            if len(cache) < _CACHE_LIMIT:
                cache[v] = tail
            return tail

        def cached(rows: Sequence[dict], r0: int) -> list[str]:
            out = []
            for r, v in zip(itertools.count(r0), map(get, rows)):
                if v is None and kind != "enum":
                    out.append("")
                    continue
                tail = cache.get(v)
                if tail is None:
                    tail = body(v)
                out.append(f"{prefix}{r}{tail}" if tail else "")
            return out

        return cached

    def other(rows: Sequence[dict], r0: int) -> list[str]:
        return [
            "" if v is None else enc(letter, r, v)
            for r, v in zip(itertools.count(r0), map(norm, rows))
        ]

    return other


def _any_cell(ref: str, v: Any, kind: str, st: _Styles) -> str:
    return "" if v is None else _encoder(kind, st)(ref, "", v)


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


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
            _batch_writer(col, ctx, st, column_letter(i)) for i, col in enumerate(self.columns, 1)
        ]
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
        header = "".join(
            text_cell(
                f"{column_letter(i)}{ROW_HEADER}", col.header(book.ctx.locale), st.header, st.header
            )
            for i, col in enumerate(self.columns, 1)
        )
        out.write(f'<row r="{ROW_HEADER}" ht="32" customHeight="1">{header}</row>')
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


def _line_chart(
    ws: Any, title: str, y_title: str, col: int, first_row: int, rows: int, anchor: str
) -> None:
    from openpyxl.chart import LineChart, Reference

    chart = LineChart()
    chart.title = title
    chart.style = 12
    chart.legend = None
    chart.height = 9
    chart.width = 22
    chart.y_axis.title = y_title
    values = Reference(ws, min_col=col + 1, min_row=first_row - 1, max_row=first_row + rows - 1)
    cats = Reference(ws, min_col=col, min_row=first_row, max_row=first_row + rows - 1)
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(cats)
    chart.x_axis.number_format = _NUMBER_FORMATS["minute"]
    chart.x_axis.tickLblSkip = max(1, rows // 12)
    chart.x_axis.tickMarkSkip = max(1, rows // 12)
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    series = chart.series[0]
    series.smooth = False
    series.graphicalProperties.line.width = 22000
    series.graphicalProperties.line.solidFill = BRAND
    ws.add_chart(chart, anchor)


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
        if col.kind == "bool" and col.key == "end_inferred" and not record.get(col.key):
            continue  # only worth a line when the end was inferred
        r = part.rows + 1
        cells = [text_cell(f"A{r}", col.header(ctx.locale), st.label, st.label)]
        cells.append(_any_cell(f"B{r}", value, col.kind, st))
        if extra_cells:
            cells.extend(extra_cells(r))
        book.row(part, cells)


_CHART_TITLES = {
    "sources": ("Участники по источникам", "Participants by source"),
    "devices": ("Участники по платформам", "Participants by platform"),
}


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
        chart_title = book.ctx.t(*_CHART_TITLES[key])
        if chart == "bar":
            _bar_chart(ws, chart_title, charted, "E2")
        else:
            _pie_chart(ws, chart_title, charted, "E2")
    return n


def _title(name: str, when: str, ctx: Context, at: datetime | None) -> str:
    return f"{name} · {when} · {timezone_note(ctx, at)}"


# --- the workbooks ------------------------------------------------------------------------


def render_session_xlsx(
    conn: psycopg.Connection,
    session: dict,
    path: str | os.PathLike,
    *,
    locale: str = "ru",
    timezone: str = "Europe/Moscow",
    max_sheet_rows: int = EXCEL_MAX_ROWS,
) -> dict[str, int]:
    """Write the event session's workbook to ``path``; return the row count of each sheet.

    ``session`` is the row of :func:`~webstat.reports.data.fetch_event_session`.
    Sheets: participants, join sessions, event (with the attendance chart), sources,
    devices — each table continuing on ``… (2)`` past ``max_sheet_rows``.
    """
    ctx = Context(locale, timezone)
    sid = session["event_session_id"]
    minutes = data.count_attendance_minutes(conn, sid, MAX_ATTENDANCE_MINUTES + 1)
    if minutes > MAX_ATTENDANCE_MINUTES:  # fail now, not after writing every table
        raise WebstatError(
            f"event session {sid!r} has more than {MAX_ATTENDANCE_MINUTES:,} attendance"
            " minutes, more than a workbook's chart can hold (is its clock broken?)"
        )
    started = session["started_at"]
    when = format_date(session["report_date"], ctx)
    name = session["webinar_name"] or sid
    with tempfile.TemporaryDirectory(prefix="webstat-xlsx-") as tmp:
        book = _Book(ctx, Path(tmp), max_sheet_rows)
        counts: dict[str, int] = {}
        cols = sheet_columns(
            paid=bool(session["is_paid"]), engagement=bool(session["engagement_module"])
        )
        counts["participants"] = book.table(
            "participants", cols, _title(name, when, ctx, started)
        ).write_all(data.iter_participants(conn, [sid]))
        counts["connections"] = book.table(
            "connections", CONNECTION_COLUMNS, _title(name, when, ctx, started)
        ).write_all(data.iter_connections(conn, [sid]))

        attendance = data.fetch_attendance(conn, sid)
        counts["attendance_minutes"] = len(attendance)
        _event_sheet(book, session, attendance, name, when)

        counts["sources"] = _share_sheet(
            book,
            "sources",
            SOURCE_COLUMNS,
            data.fetch_traffic_sources(conn, sid),
            f"{name} · {when}",
            "bar",
        )
        counts["devices"] = _share_sheet(
            book,
            "devices",
            DEVICE_COLUMNS,
            data.fetch_devices(conn, sid),
            f"{name} · {when}",
            "pie",
        )
        book.save(Path(path))
    return counts


def _event_sheet(book: _Book, session: dict, attendance: list[dict], name: str, when: str) -> None:
    ctx, st = book.ctx, book.styles
    ws, part = book.free_sheet(
        "event", f"{name} · {when}", {"A": 34, "B": 30, "C": 3, "D": 17, "E": 10}
    )
    label_h = ctx.t("Показатель", "Measure")
    value_h = ctx.t("Значение", "Value")
    time_col, online_col = ATTENDANCE_COLUMNS
    time_h = f"{time_col.header(ctx.locale)} ({ctx.timezone})"
    book.row(
        part,
        [
            text_cell(f"A{ROW_HEADER}", label_h, st.header, st.header),
            text_cell(f"B{ROW_HEADER}", value_h, st.header, st.header),
            text_cell(f"D{ROW_HEADER}", time_h, st.header, st.header),
            text_cell(f"E{ROW_HEADER}", online_col.header(ctx.locale), st.header, st.header),
        ],
        height=32,
    )
    # the zone line comes before the first time the sheet shows
    r = book.row(
        part,
        [
            text_cell(f"A{ROW_HEADER + 1}", ctx.t("Часовой пояс", "Time zone"), st.label, st.label),
            text_cell(
                f"B{ROW_HEADER + 1}", timezone_label(ctx, session["started_at"]), st.text, st.quoted
            ),
            *_minute_cells(book, attendance, 0, ROW_HEADER + 1),
        ],
    )
    first_minute_row = r

    def extra(row_number: int) -> list[str]:
        return _minute_cells(book, attendance, row_number - first_minute_row, row_number)

    _label_value_rows(book, part, EVENT_FIELDS, session, extra)
    # minutes beyond the label/value rows
    while part.rows - first_minute_row + 1 < len(attendance):
        r = part.rows + 1
        book.row(part, ["", *_minute_cells(book, attendance, r - first_minute_row, r)])
    if attendance:
        _line_chart(
            ws,
            ctx.t("Участники онлайн", "Participants online"),
            online_col.header(ctx.locale),
            4,
            first_minute_row,
            len(attendance),
            "G2",
        )


def _minute_cells(book: _Book, attendance: list[dict], index: int, r: int) -> list[str]:
    if index >= len(attendance):
        return []
    row = attendance[index]
    st = book.styles
    minute = local_naive(row["minute_at"], book.ctx.tz)
    return [
        _encoder("minute", st)("D", r, minute),
        _encoder("int", st)("E", r, int(row["participants_online"] or 0)),
    ]


def render_period_xlsx(
    conn: psycopg.Connection,
    period: data.Period,
    path: str | os.PathLike,
    *,
    locale: str = "ru",
    timezone: str = "Europe/Moscow",
    max_sheet_rows: int = EXCEL_MAX_ROWS,
) -> dict[str, int]:
    """Write the period's workbook to ``path``; return the row count of each sheet.

    Sheets: event sessions, participants of every session (with the session's name
    and date), totals, sources and devices summed over the sessions.
    """
    ctx = Context(locale, timezone)
    ids = period.session_ids
    title = period_title(period.start, period.end, period.webinar, ctx)
    first_start = period.sessions[0]["started_at"] if period.sessions else None
    with tempfile.TemporaryDirectory(prefix="webstat-xlsx-") as tmp:
        book = _Book(ctx, Path(tmp), max_sheet_rows)
        counts: dict[str, int] = {}
        counts["sessions"] = book.table(
            "sessions", PERIOD_SESSION_COLUMNS, f"{title} · {timezone_note(ctx, first_start)}"
        ).write_all(period.sessions)
        cols = sheet_columns(paid=period.is_paid, engagement=period.engagement_module)
        counts["participants"] = book.table(
            "participants", cols, f"{title} · {timezone_note(ctx, first_start)}"
        ).write_all(data.iter_participants(conn, ids))

        totals = data.fetch_period_totals(conn, period)
        _, part = book.free_sheet("totals", title, {"A": 36, "B": 22})
        st = book.styles
        book.row(
            part,
            [
                text_cell(f"A{ROW_HEADER}", ctx.t("Показатель", "Measure"), st.header, st.header),
                text_cell(f"B{ROW_HEADER}", ctx.t("Значение", "Value"), st.header, st.header),
            ],
            height=24,
        )
        _label_value_rows(book, part, PERIOD_TOTAL_FIELDS, totals)
        counts["totals"] = len(PERIOD_TOTAL_FIELDS)

        counts["sources"] = _share_sheet(
            book, "sources", SOURCE_COLUMNS, data.fetch_period_sources(conn, ids), title, "bar"
        )
        counts["devices"] = _share_sheet(
            book, "devices", DEVICE_COLUMNS, data.fetch_period_devices(conn, ids), title, "pie"
        )
        book.save(Path(path))
    return counts


__all__ = [
    "EXCEL_MAX_ROWS",
    "column_letter",
    "render_period_xlsx",
    "render_session_xlsx",
    "text_cell",
]
