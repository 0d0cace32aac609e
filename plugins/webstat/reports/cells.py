"""The XML of workbook cells: the measured fast path of every workbook.

A sheet's rows are written as XML text, a column of a batch of rows at a time
(:func:`batch_writer`), straight into files that :mod:`~webstat.reports.workbook`
splices into the package openpyxl lays out: openpyxl's per-cell objects cost
~15 µs a cell (60 s for 100k participants × 40 columns), this ~1 µs. The cells
are ordinary typed cells (numbers, dates, durations, percentages) and inline
strings.

Safety: every value from the data is written as a string cell (``t="inlineStr"``),
never as a formula; one that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
CR also gets the ``quotePrefix`` style, as if the person had typed a leading
apostrophe, so editing the cell in Excel keeps it text. Characters XML cannot
carry are replaced by U+FFFD; text longer than Excel's 32,767 characters is cut.

Every function here is called for millions of cells, so the common path avoids
work: the functions are long on purpose and checked for speed, not for brevity
(docs/reports.md, "Size and speed").
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from webstat.reports.columns import KINDS, Column, Kind
from webstat.reports.values import Context, local_naive, normalizer

EXCEL_MAX_TEXT = 32_767
"""Characters in one cell; longer text is cut to 32,766 and ends with ``…``."""

_FORMULA_LEADS = "=+-@\t\r"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_EPOCH = datetime(1899, 12, 30)
_EPOCH_DATE = _EPOCH.date()
_MIN_EXCEL = datetime(1900, 3, 1)
_MIN_EXCEL_SERIAL = 61.0
_UNIX_EPOCH_SERIAL = 25569.0  # 1970-01-01 as an Excel serial


@dataclass(frozen=True)
class Styles:
    """The ids of a workbook's cell styles (0: the default style)."""

    title: int
    title_quoted: int
    note: int
    header: int
    header_quoted: int
    """A header with ``quotePrefix``: a formula-like registration field label."""
    label: int
    wrap: int
    """Text wrapped in its cell, at the top (the notes)."""
    quoted: int
    """A text cell with ``quotePrefix``: formula-like text."""
    formats: Mapping[str, int]
    """By :attr:`~webstat.reports.columns.KindInfo.style` (``text``, ``datetime``,
    ``date``, ``duration``, ``pct``, ``int``, ``number``) and ``minute``."""


# --- one cell -----------------------------------------------------------------------------


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


Encoder = Callable[[str, "int | str", Any], str]
"""``(column letter, row number, normalised value) -> cell XML``."""


def _text_encoder(style: str, st: Styles) -> Encoder:
    text, quoted = _s(st.formats["text"]), _s(st.quoted)
    return lambda letter, r, v: _text(letter, r, v, text, quoted)


def _datetime_encoder(style: str, st: Styles) -> Encoder:
    s = _s(st.formats[style])
    text, quoted = _s(st.formats["text"]), _s(st.quoted)

    def dt(letter: str, r: int | str, v: datetime) -> str:
        if v < _MIN_EXCEL:  # Excel has no dates before 1900: keep it readable
            return _text(letter, r, v.isoformat(sep=" "), text, quoted)
        return _number(letter, r, _serial(v), s)

    return dt


def _date_encoder(style: str, st: Styles) -> Encoder:
    s = _s(st.formats["date"])
    text, quoted = _s(st.formats["text"]), _s(st.quoted)

    def d(letter: str, r: int | str, v: date) -> str:
        if v < _MIN_EXCEL.date():
            return _text(letter, r, v.isoformat(), text, quoted)
        return f'<c r="{letter}{r}"{s}><v>{(v - _EPOCH_DATE).days}</v></c>'

    return d


def _duration_encoder(style: str, st: Styles) -> Encoder:
    s = _s(st.formats["duration"])
    return lambda letter, r, v: _number(letter, r, v.total_seconds() / 86400, s)


def _pct_encoder(style: str, st: Styles) -> Encoder:
    s = _s(st.formats["pct"])
    return lambda letter, r, v: _number(letter, r, round(v / 100, 8), s)


def _int_encoder(style: str, st: Styles) -> Encoder:
    s = _s(st.formats["int"])
    return lambda letter, r, v: f'<c r="{letter}{r}"{s}><v>{v}</v></c>'


def _float_encoder(style: str, st: Styles) -> Encoder:
    s = _s(st.formats["number"])
    return lambda letter, r, v: _number(letter, r, float(v), s)


_ENCODERS: dict[str, Callable[[str, Styles], Encoder]] = {
    "text": _text_encoder,
    "datetime": _datetime_encoder,
    "minute": _datetime_encoder,
    "date": _date_encoder,
    "duration": _duration_encoder,
    "pct": _pct_encoder,
    "int": _int_encoder,
    "number": _float_encoder,
}


def encoder(style: str, st: Styles) -> Encoder:
    """The cell encoder of a cell style (a kind's ``KINDS[kind].style``, or ``minute``)."""
    return _ENCODERS[style](style, st)


def any_cell(ref: str, v: Any, kind: Kind, st: Styles) -> str:
    """One cell of a normalised value of ``kind`` (``""`` for ``None``)."""
    return "" if v is None else encoder(KINDS[kind].style, st)(ref, "", v)


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- a column of a batch of rows ----------------------------------------------------------

BatchWriter = Callable[[Sequence[dict], int], list[str]]
"""``(rows, first row number) -> the column's cell XML for those rows``."""

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


@dataclass(frozen=True)
class _Target:
    """What a batch writer needs: the column, where it goes, how it reads and looks."""

    col: Column
    letter: str
    ctx: Context
    st: Styles


def _text_writer(t: _Target) -> BatchWriter:
    letter, get = t.letter, operator.itemgetter(t.col.key)
    text, quoted = _s(t.st.formats["text"]), _s(t.st.quoted)
    limit = EXCEL_MAX_TEXT

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


def _plain_number_writer(
    style: str, text: Callable[[Any], Any]
) -> Callable[[_Target], BatchWriter]:
    """Cells whose ``<v>`` is ``text(value)`` (``int``: a count; seconds as days: a duration)."""

    def make(t: _Target) -> BatchWriter:
        letter, get = t.letter, operator.itemgetter(t.col.key)
        s = _s(t.st.formats[style])

        def numbers(rows: Sequence[dict], r0: int) -> list[str]:
            return [
                "" if v is None else f'<c r="{letter}{r}"{s}><v>{text(v)}</v></c>'
                for r, v in zip(itertools.count(r0), map(get, rows))
            ]

        return numbers

    return make


_int_writer = _plain_number_writer("int", int)
_duration_writer = _plain_number_writer("duration", lambda v: repr(int(v) / 86400))


def _decimal_writer(t: _Target) -> BatchWriter:
    """``pct`` (0-100 shown as a fraction) and ``number`` columns."""
    letter, get, kind = t.letter, operator.itemgetter(t.col.key), t.col.kind
    s = _s(t.st.formats["pct" if kind == Kind.PCT else "number"])
    shift = -2 if kind == Kind.PCT else 0

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


def _datetime_writer(t: _Target) -> BatchWriter:
    letter, get = t.letter, operator.itemgetter(t.col.key)
    s, tz = _s(t.st.formats["datetime"]), t.ctx.tz
    text, quoted = _s(t.st.formats["text"]), _s(t.st.quoted)
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
        return ["" if v is None else one(v, r) for r, v in zip(itertools.count(r0), map(get, rows))]

    return dt


def _email_writer(t: _Target) -> BatchWriter:
    letter, key = t.letter, t.col.key
    text, quoted = _s(t.st.formats["text"]), _s(t.st.quoted)
    enc = encoder(KINDS[t.col.kind].style, t.st)
    guest = enc(letter, "{r}", normalizer(t.col, t.ctx)({key: None, "is_guest": True}))

    def email(rows: Sequence[dict], r0: int) -> list[str]:
        return [
            (guest.replace("{r}", str(r), 1) if row.get("is_guest", True) else "")
            if (v := row.get(key)) is None
            else _text(letter, r, str(v), text, quoted)
            for r, row in zip(itertools.count(r0), rows)
        ]

    return email


def _cached_writer(t: _Target) -> BatchWriter:
    """Few distinct values (enum, bool, platforms, date): each encoded once, then the
    cell's XML after ``r="…"`` reused."""
    letter, key, kind = t.letter, t.col.key, t.col.kind
    get = operator.itemgetter(key)
    norm, enc = normalizer(t.col, t.ctx), encoder(KINDS[kind].style, t.st)
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
            if v is None:  # NULL is an empty cell, whatever the kind (no "not paid")
                out.append("")
                continue
            tail = cache.get(v)
            if tail is None:
                tail = body(v)
            out.append(f"{prefix}{r}{tail}" if tail else "")
        return out

    return cached


def _normalised_writer(t: _Target) -> BatchWriter:
    """Any kind: the normaliser's value, then the kind's cell encoder (``json``)."""
    letter = t.letter
    norm, enc = normalizer(t.col, t.ctx), encoder(KINDS[t.col.kind].style, t.st)

    def other(rows: Sequence[dict], r0: int) -> list[str]:
        return [
            "" if v is None else enc(letter, r, v)
            for r, v in zip(itertools.count(r0), map(norm, rows))
        ]

    return other


_BATCH_WRITERS: dict[Kind, Callable[[_Target], BatchWriter]] = {
    Kind.TEXT: _text_writer,
    Kind.INT: _int_writer,
    Kind.PCT: _decimal_writer,
    Kind.NUMBER: _decimal_writer,
    Kind.DURATION: _duration_writer,
    Kind.DATETIME: _datetime_writer,
    Kind.EMAIL: _email_writer,
    Kind.ENUM: _cached_writer,
    Kind.BOOL: _cached_writer,
    Kind.PLATFORMS: _cached_writer,
    Kind.DATE: _cached_writer,
    Kind.JSON: _normalised_writer,
    Kind.FLAGS: _normalised_writer,
}


def batch_writer(col: Column, ctx: Context, st: Styles, letter: str) -> BatchWriter:
    """``(rows, first row number) -> the column's cell XML for those rows``.

    A column at a time, so the common cases run inside one comprehension with no
    call per cell (a table of 100k × 40 cells is 4M of them). Values are those of
    :func:`~webstat.reports.values.normalizer`; the plain paths are only its fast
    cases, anything unusual falls back to :func:`_text` / the normaliser.
    """
    return _BATCH_WRITERS[col.kind](_Target(col, letter, ctx, st))
