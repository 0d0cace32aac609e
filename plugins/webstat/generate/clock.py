"""Time as integer milliseconds since the Unix epoch, and its RFC 3339 spellings.

The generator computes with integers (cheap, exact) and formats only when writing.
Formatting by hand rather than with ``datetime`` keeps it fast: it runs per event.
"""

from __future__ import annotations

import datetime as dt

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
_EPOCH = dt.date(1970, 1, 1)
_MSK_MS = 3 * HOUR_MS  # Europe/Moscow has had no daylight saving time since 2014

_day_text: dict[int, str] = {}
_minute_prefix: dict[int, str] = {}  # "2026-11-02T10:00:" by minute number: utc() is hot


def epoch_day(day: dt.date) -> int:
    """Days since 1970-01-01 (the UTC day number of a date)."""
    return (day - _EPOCH).days


def from_epoch_day(n: int) -> dt.date:
    """The date of a UTC day number."""
    return _EPOCH + dt.timedelta(days=n)


def _date_text(n: int) -> str:
    text = _day_text.get(n)
    if text is None:
        text = _day_text[n] = from_epoch_day(n).isoformat()
    return text


def _minute_text(minute: int) -> str:
    if len(_minute_prefix) > 100_000:  # a few days' worth; the run moves forward
        _minute_prefix.clear()
    day, rem = divmod(minute, 1440)
    hour, min_ = divmod(rem, 60)
    text = _minute_prefix[minute] = f"{_date_text(day)}T{hour:02d}:{min_:02d}:"
    return text


def utc(ms: int) -> str:
    """``2026-11-02T10:00:00.250Z``: the platform's usual spelling."""
    minute, rem = divmod(ms, MINUTE_MS)
    prefix = _minute_prefix.get(minute) or _minute_text(minute)
    return f"{prefix}{rem // 1000:02d}.{rem % 1000:03d}Z"


def moscow(ms: int) -> str:
    """``2026-11-02T13:00:00+03:00``: the same instant in Moscow time, whole seconds."""
    day, rem = divmod(ms + _MSK_MS, DAY_MS)
    sec = rem // 1000
    hour, sec = divmod(sec, 3600)
    minute, sec = divmod(sec, 60)
    return f"{_date_text(day)}T{hour:02d}:{minute:02d}:{sec:02d}+03:00"
