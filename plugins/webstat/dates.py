"""Dates a person or a DAG's params give: parsed and checked in one place.

The CLI (``--start``/``--end``), the period DAG's params and the reports all read a
period through :func:`parse_period`, so they accept and refuse the same input.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from webstat.errors import BadDataError


def parse_date(value: str | date, name: str) -> date:
    """``value`` (``YYYY-MM-DD``, a date or a datetime) as a date; one line naming
    ``name`` when it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise BadDataError(f"{name}={value!r} is not a date (YYYY-MM-DD)") from None


def parse_period(
    start: str | date, end: str | date, *, names: tuple[str, str] = ("start", "end")
) -> tuple[date, date]:
    """``(start, end)`` as dates, both included; :class:`BadDataError` when either is not
    a date or the period ends before it starts. ``names`` are what the message calls
    them (``("--start", "--end")`` on the command line)."""
    first, last = parse_date(start, names[0]), parse_date(end, names[1])
    if last < first:
        raise BadDataError(f"{names[1]} {last} is before {names[0]} {first}")
    return first, last


def days_of(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end``, both included."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def days_interval(first: date, last: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The report days ``first`` … ``last`` as a half-open interval of instants in the
    time zone ``tz``: ``first 00:00`` to ``last + 1 day 00:00``."""
    return (
        datetime.combine(first, datetime.min.time(), tz),
        datetime.combine(last + timedelta(days=1), datetime.min.time(), tz),
    )
