"""Turning mart values into what a report shows, for the workbook and the PDF alike.

:func:`normalizer` maps a :class:`~webstat.reports.columns.Column` to a function
``row -> value`` that yields a plain Python value of the column's kind (local
naive datetimes, :class:`~datetime.timedelta`, words for codes, text for
``jsonb``); the workbook writes that value as a typed cell, the PDF formats it
with :func:`display`. Both look the kind up in a mapping keyed by
:class:`~webstat.reports.columns.Kind`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from webstat.reports import texts
from webstat.reports.columns import Column, Kind
from webstat.reports.texts import PLATFORM

Row = Mapping[str, Any]
Normalizer = Callable[[Row], Any]


@dataclass(frozen=True)
class Context:
    """What every formatted value depends on: the language and the time zone."""

    locale: str = "ru"
    timezone: str = "Europe/Moscow"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def text(self, key: str, **values: Any) -> str:
        """The fixed text ``key`` of :mod:`~webstat.reports.texts` in this locale."""
        return texts.text(key, self.locale, **values)


def local_naive(value: datetime, tz: ZoneInfo) -> datetime:
    """An aware datetime as wall-clock time in ``tz``, without tzinfo (what Excel stores)."""
    if value.tzinfo is None:  # a naive value from the database is UTC by contract
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz).replace(tzinfo=None)


def utc_offset(tz: ZoneInfo, at: datetime | None) -> str:
    """``UTC+03:00`` for ``tz`` at the instant ``at`` (now when unknown)."""
    at = at or datetime.now(UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    offset = at.astimezone(tz).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def timezone_label(ctx: Context, at: datetime | None) -> str:
    """``Europe/Moscow (UTC+03:00)``: the zone every time in a report is shown in."""
    return f"{ctx.timezone} ({utc_offset(ctx.tz, at)})"


def timezone_note(ctx: Context, at: datetime | None) -> str:
    """``Время: Europe/Moscow (UTC+03:00)``, stated next to the first time a report shows."""
    return ctx.text("times", zone=timezone_label(ctx, at))


def period_title(start: date, end: date, webinar: str | None, ctx: Context) -> str:
    """``Статистика за 01.11.2026 – 30.11.2026 · вебинары «name»``."""
    text = ctx.text("period_title", start=format_date(start, ctx), end=format_date(end, ctx))
    if webinar:
        text += ctx.text("period_webinars", webinar=webinar)
    return text


def decode_json(value: Any) -> Any:
    """A ``jsonb`` value as the data layer streams it (its JSON text), decoded.

    Exactly what psycopg's ``jsonb`` loader returned (:func:`json.loads`); a
    value that is not JSON text (a hand-made row) is returned as it is.
    """
    if value.__class__ is str:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def json_text(value: Any, ctx: Context) -> str | None:
    """``jsonb`` as a person reads it: ``key: value; …`` or agreement titles with dates."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, Mapping):
        if not value:
            return None
        return "; ".join(f"{k}: {_scalar(v)}" for k, v in value.items())
    if isinstance(value, list):
        if not value:
            return None
        parts = []
        for item in value:
            if isinstance(item, Mapping) and ("title" in item or "agreement_id" in item):
                title = item.get("title") or item.get("agreement_id")
                accepted = item.get("accepted_at")
                when = _accepted_at(accepted, ctx) if accepted else None
                parts.append(f"{title} ({when})" if when else str(title))
            else:
                parts.append(_scalar(item))
        return "; ".join(parts)
    return _scalar(value)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)


def _accepted_at(value: Any, ctx: Context) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return format_datetime(local_naive(value, ctx.tz), ctx)
    return str(value)


def _converting(convert: Callable[[Any], Any]) -> Callable[[Column, Context], Normalizer]:
    """A normaliser factory of ``convert`` applied to the column's value (``None`` stays)."""

    def make(col: Column, ctx: Context) -> Normalizer:
        key = col.key

        def norm(row: Row) -> Any:
            v = row.get(key)
            return None if v is None else convert(v)

        return norm

    return make


_text = _converting(str)
_duration = _converting(lambda v: timedelta(seconds=int(v)))
_float = _converting(float)
_int = _converting(int)


def _email(col: Column, ctx: Context) -> Normalizer:
    key = col.key
    guest = texts.text("guest_email", ctx.locale)

    def email(row: Row) -> Any:
        v = row.get(key)
        if v is None:
            return guest if row.get("is_guest", True) else None
        return str(v)

    return email


def _enum(col: Column, ctx: Context) -> Normalizer:
    key, locale = col.key, ctx.locale

    def enum(row: Row) -> Any:
        return col.label(row.get(key), locale)

    return enum


def _platforms(col: Column, ctx: Context) -> Normalizer:
    key = col.key
    idx = 0 if ctx.locale == "ru" else 1

    def platforms(row: Row) -> Any:
        v = row.get(key)
        if not v:
            return None
        return ", ".join(
            PLATFORM[p][idx] if p in PLATFORM else p
            for p in (part.strip() for part in str(v).split(","))
        )

    return platforms


def _datetime(col: Column, ctx: Context) -> Normalizer:
    key, tz = col.key, ctx.tz

    def dt(row: Row) -> Any:
        v = row.get(key)
        return None if v is None else local_naive(v, tz)

    return dt


def _date(col: Column, ctx: Context) -> Normalizer:
    key = col.key

    def d(row: Row) -> Any:
        v = row.get(key)
        if isinstance(v, datetime):
            return v.date()
        return v

    return d


def _bool(col: Column, ctx: Context) -> Normalizer:
    key = col.key
    yes, no = texts.text("yes", ctx.locale), texts.text("no", ctx.locale)

    def boolean(row: Row) -> Any:
        v = row.get(key)
        return None if v is None else (yes if v else no)

    return boolean


FLAGS = ("joined_late", "left_early", "low_presence")
"""The participant's flags (marts v2), in the order their words are shown."""


def _flags(col: Column, ctx: Context) -> Normalizer:
    words = list(zip(FLAGS, ctx.text("flag_words").split("|"), strict=True))

    def flags(row: Row) -> Any:
        return ", ".join(word for key, word in words if row.get(key)) or None

    return flags


def _json(col: Column, ctx: Context) -> Normalizer:
    key = col.key

    def js(row: Row) -> Any:
        return json_text(decode_json(row.get(key)), ctx)

    return js


_NORMALIZERS: dict[Kind, Callable[[Column, Context], Normalizer]] = {
    Kind.TEXT: _text,
    Kind.EMAIL: _email,
    Kind.ENUM: _enum,
    Kind.PLATFORMS: _platforms,
    Kind.DATETIME: _datetime,
    Kind.DATE: _date,
    Kind.DURATION: _duration,
    Kind.PCT: _float,
    Kind.NUMBER: _float,
    Kind.INT: _int,
    Kind.BOOL: _bool,
    Kind.JSON: _json,
    Kind.FLAGS: _flags,
}


def normalizer(col: Column, ctx: Context) -> Normalizer:
    """A function ``row -> value`` giving ``col``'s value, ready to be written or shown.

    Text kinds give ``str``; ``datetime`` a naive local datetime; ``duration`` a
    timedelta; ``pct`` a float 0-100; ``int`` an int; ``number`` a float;
    ``date`` a date. ``None`` stays ``None`` (an empty cell).
    """
    return _NORMALIZERS[col.kind](col, ctx)


# --- display: the PDF's text of a normalised value ----------------------------------------

NBSP = "\u00a0"
THIN_NBSP = "\u202f"


def format_int(value: int, ctx: Context) -> str:
    text = f"{value:,}"
    return text.replace(",", NBSP) if ctx.locale == "ru" else text


def format_number(value: float, ctx: Context, places: int = 1) -> str:
    text = f"{value:,.{places}f}"
    if ctx.locale == "ru":
        text = text.replace(",", NBSP).replace(".", ",")
    return text


PCT_PLACES = 1
"""Decimals of every percentage the PDF prints (``100,0 %``, ``98,9 %``): one, always."""


def format_pct(value: float | Decimal, ctx: Context) -> str:
    """``75,0 %``, ``33,3 %`` (ru) / ``75.0%``, ``33.3%`` (en): :data:`PCT_PLACES`
    places always, halves rounded away from zero (as the marts round)."""
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-PCT_PLACES), ROUND_HALF_UP)
    text = f"{exact:,f}"
    if ctx.locale == "ru":
        return text.replace(",", NBSP).replace(".", ",") + NBSP + "%"
    return text + "%"


def format_duration(value: timedelta) -> str:
    total = int(value.total_seconds())
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{seconds:02d}"


# The date formats below are spelled as f-strings: ``strftime`` took ~5 µs a value,
# which is a second for the agreements of 100k participants. Same text: two-digit
# fields, the year padded to four digits by hand (as strftime does not everywhere).


def format_datetime(value: datetime, ctx: Context, *, seconds: bool = False) -> str:
    """``02.11.2026 13:05`` (ru) / ``2026-11-02 13:05`` (en), ``:SS`` with ``seconds``."""
    if ctx.locale == "ru":
        text = (
            f"{value.day:02d}.{value.month:02d}.{value.year:04d}"
            f" {value.hour:02d}:{value.minute:02d}"
        )
    else:
        text = (
            f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
            f" {value.hour:02d}:{value.minute:02d}"
        )
    return f"{text}:{value.second:02d}" if seconds else text


def format_date(value: date, ctx: Context) -> str:
    """``02.11.2026`` (ru) / ``2026-11-02`` (en)."""
    if ctx.locale == "ru":
        return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def format_short_datetime(value: datetime, ctx: Context) -> str:
    """``02.11 13:05`` (ru) / ``11-02 13:05`` (en): for narrow table cells."""
    if ctx.locale == "ru":
        return f"{value.day:02d}.{value.month:02d} {value.hour:02d}:{value.minute:02d}"
    return f"{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}"


PDF_TITLE_MAX_CHARS = 200
"""Characters of a title (webinar name, period filter) the PDF shows; the workbook has all."""
PDF_TEXT_MAX_CHARS = 120
"""Characters of any text cell (names, e-mails, …) the PDF's tables show; the workbook has all."""


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the last being ``…`` when it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """``text`` without characters a document cannot show (control characters -> U+FFFD)."""
    return _CONTROL.sub("\ufffd", text) if not text.isprintable() else text


def _display_datetime(value: datetime, ctx: Context, compact: bool) -> str:
    return format_short_datetime(value, ctx) if compact else format_datetime(value, ctx)


_DISPLAY: dict[Kind, Callable[[Any, Context, bool], str]] = {
    Kind.DATETIME: _display_datetime,
    Kind.DATE: lambda value, ctx, compact: format_date(value, ctx),
    Kind.DURATION: lambda value, ctx, compact: format_duration(value),
    Kind.PCT: lambda value, ctx, compact: format_pct(value, ctx),
    Kind.INT: lambda value, ctx, compact: format_int(value, ctx),
    Kind.NUMBER: lambda value, ctx, compact: format_number(value, ctx),
}
"""The PDF's text of a normalised value, by kind (text kinds are text already)."""


def display(col: Column, value: Any, ctx: Context, *, compact: bool = False) -> str:
    """The text of a normalised value in the PDF (empty for ``None``; text clipped to
    :data:`PDF_TEXT_MAX_CHARS`)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_text(clip(value, PDF_TEXT_MAX_CHARS))
    shown = _DISPLAY.get(col.kind)
    if shown is not None:
        return shown(value, ctx, compact)
    if isinstance(value, Decimal | float):
        return format_number(float(value), ctx)
    return str(value)


# --- the notes: how the numbers are made, with the values in force ------------------------

_WEIGHTS = ("presence", "active", "messages", "questions", "fires")
_CAPS = ("messages", "questions", "fires")


def _setting(value: Any, ctx: Context) -> str:
    """A setting as the notes print it: ``0,35`` / ``0.35``, ``80``; ``?`` when unknown."""
    if value is None:
        return "?"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    text = f"{Decimal(str(value)).normalize():f}"
    return text.replace(".", ",") if ctx.locale == "ru" else text


def _one(count: int, locale: str) -> bool:
    """``count`` takes the singular in ``locale`` (ru: 1, 21, 31… but not 11)."""
    if locale == "ru":
        return count % 10 == 1 and count % 100 != 11
    return count == 1


def series_line(series: Any, ctx: Context) -> str:
    """«занятие 3 из 8 · 41 вернулись со 2-го · 12 новых» / "lesson 3 of 8 · 41 came back
    from lesson 2 · 12 new" of a row of :func:`~webstat.reports.data.fetch_series_place`
    (the first lesson has no "came back" part)."""
    n = int(series["session_number"])
    parts = [
        ctx.text(
            "series.place",
            n=format_int(n, ctx),
            total=format_int(int(series["sessions_count"]), ctx),
        )
    ]
    back = series["from_previous_count"]
    if n > 1 and back is not None:
        count = int(back)
        key = "series.back.one" if _one(count, ctx.locale) else "series.back.many"
        prep = "со" if n - 1 == 2 else "с"
        parts.append(
            ctx.text(key, count=format_int(count, ctx), prep=prep, prev=format_int(n - 1, ctx))
        )
    new = int(series["first_time_count"] or 0)
    key = "series.new.one" if _one(new, ctx.locale) else "series.new.many"
    parts.append(ctx.text(key, count=format_int(new, ctx)))
    return " · ".join(parts)


def funnel_rows(rows: Iterable[dict], ctx: Context) -> Iterator[dict]:
    """The funnel's rows (:func:`~webstat.reports.data.fetch_funnel`) with the total's
    name: «Итого» / "Total"."""
    for row in rows:
        yield {**row, "webinar_name": ctx.text("total")} if row.get("is_total") else row


def notes(settings: Any, ctx: Context, *, period: bool = False) -> list[tuple[str, str]]:
    """The notes of a report, (heading, text) each (:data:`texts.NOTES`, and for a period
    :data:`texts.PERIOD_NOTES` after the settings), filled with the values of ``settings``
    (:class:`~webstat.reports.data.BuildSettings`)."""
    v = settings.values
    fill: dict[str, str] = {
        f"w_{name}": _setting(v.get(f"rating_weight_{name}"), ctx) for name in _WEIGHTS
    }
    fill.update({f"cap_{name}": _setting(v.get(f"rating_cap_{name}"), ctx) for name in _CAPS})
    presence, active = v.get("rating_weight_presence"), v.get("rating_weight_active")
    alone = None
    if presence is not None and active is not None:
        alone = Decimal(str(presence)) + Decimal(str(active))
    built = v.get("built_at")
    built_text = format_datetime(local_naive(built, ctx.tz), ctx) if built else "?"
    fill.update(
        w_presence_alone=_setting(alone, ctx),
        late=_setting(v.get("late_join_grace_minutes"), ctx),
        early=_setting(v.get("early_leave_grace_minutes"), ctx),
        low=_setting(v.get("low_presence_threshold_pct"), ctx),
        max_days=_setting(v.get("max_session_days"), ctx),
        zone=timezone_label(ctx, None),
        marts_zone=_setting(v.get("reporting_timezone"), ctx),
        source=texts.pick(texts.NOTES_SOURCE[settings.source], ctx.locale).format(built=built_text),
        pii=texts.pick(texts.NOTES_PII[str(v.get("mask_pii")).lower() == "true"], ctx.locale),
    )
    chosen = texts.NOTES[:1] + (texts.PERIOD_NOTES if period else ()) + texts.NOTES[1:]
    return [
        (texts.pick(heading, ctx.locale), texts.pick(text, ctx.locale).format(**fill))
        for heading, text in chosen
    ]
