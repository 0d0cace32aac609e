"""``generate()``: write a date range of synthetic raw logs, one delivery day at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from webstat.errors import WebstatError
from webstat.generate import clock
from webstat.generate.delivery import Delivery, PartitionStats
from webstat.generate.schedule import MAX_LEAD_DAYS, plan_day, roster
from webstat.generate.session_events import emit_registrations, emit_session
from webstat.generate.world import SCALES, World, build_world, profile_for


@dataclass(frozen=True)
class GenerateSummary:
    """What a run wrote. ``events`` counts distinct well-formed events; the other lines
    of the files are ``duplicate_lines`` (verbatim repeats) and ``malformed_lines``."""

    days: int
    sessions: int
    files: int
    late_files: int
    partitions: int
    events: int
    duplicate_lines: int
    malformed_lines: int

    def __str__(self) -> str:
        return (
            f"{_n(self.days)} days, {_n(self.sessions)} sessions: {_n(self.events)} events "
            f"(+{_n(self.duplicate_lines)} duplicate, {_n(self.malformed_lines)} malformed lines) "
            f"in {_n(self.files)} files, {_n(self.late_files)} of them delivered a day late"
        )


def _n(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def events_per_day(scale: str | int) -> int:
    """The approximate events per day of a scale name, a number or a number's text."""
    if isinstance(scale, bool):
        raise WebstatError(f"scale must be small, medium, large or a number, not {scale!r}")
    if isinstance(scale, str):
        text = scale.strip().lower().replace("_", "")
        if text in SCALES:
            return SCALES[text]
        if not text.isdigit():
            raise WebstatError(
                f"unknown scale {scale!r}: use small, medium, large or events per day (e.g. 50000)"
            )
        scale = int(text)
    if not isinstance(scale, int):
        raise WebstatError(f"scale must be small, medium, large or a number, not {scale!r}")
    if scale < 1:
        raise WebstatError(f"scale must be at least 1 event per day, not {scale}")
    return scale


def _as_date(value: object, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise WebstatError(f"{name} must be a date, not {value!r}")


def generate(
    start: dt.date,
    end: dt.date,
    out_dir: Path,
    *,
    seed: int = 42,
    scale: str | int = "small",
    gzip: bool = False,
    progress: Callable[[str], None] | None = None,
) -> GenerateSummary:
    """Write synthetic raw platform logs for the delivery days ``start`` … ``end``.

    Files go to ``out_dir/date=YYYY-MM-DD/`` (``.ndjson``, or ``.ndjson.gz`` with
    ``gzip``); the folder after ``end`` may get files too (late files of ``end``,
    the tail of a session crossing midnight). Same arguments, same bytes.
    ``scale`` is ``small`` (~4 000 events a day), ``medium`` (~100 000), ``large``
    (~1 000 000) or a number of events per day. ``progress`` gets a line per day.
    Raises :class:`WebstatError` on bad arguments.
    """
    start, end, per_day = _checked_arguments(start, end, seed, scale)
    world = build_world(seed, profile_for(per_day))
    first, last = clock.epoch_day(start), clock.epoch_day(end)
    delivery = Delivery(Path(out_dir), first, last, world.profile.shards, seed, gzip)
    progress_report = _Progress(progress)
    sessions = 0
    try:
        for day in range(first, last + 1):
            sessions += _write_day(world, delivery, day, first, last)
            # Nothing later can land in today's folder: late files and duplicates only
            # ever go forward.
            progress_report(delivery.close_through(day))
    except OSError as exc:
        with suppress(OSError):
            delivery.close_all()
        raise WebstatError(f"cannot write the logs under {out_dir}: {exc}") from exc
    except BaseException:
        with suppress(OSError):
            delivery.close_all()
        raise
    progress_report(delivery.close_all())
    return GenerateSummary(
        days=last - first + 1,
        sessions=sessions,
        files=delivery.files,
        late_files=delivery.late_files,
        partitions=progress_report.partitions,
        events=delivery.events,
        duplicate_lines=delivery.duplicate_lines,
        malformed_lines=delivery.malformed_lines,
    )


def _checked_arguments(
    start: dt.date, end: dt.date, seed: int, scale: str | int
) -> tuple[dt.date, dt.date, int]:
    """``start`` and ``end`` as dates and the events per day, or :class:`WebstatError`."""
    start, end = _as_date(start, "start"), _as_date(end, "end")
    if end < start:
        raise WebstatError(f"end {end} is before start {start}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise WebstatError(f"seed must be an integer, not {seed!r}")
    return start, end, events_per_day(scale)


def _write_day(world: World, delivery: Delivery, day: int, first: int, last: int) -> int:
    """Write what is delivered on ``day``; returns how many sessions took place that day."""
    # Invitations and registrations delivered today, for the sessions of the next
    # days (on the first day also those made before the range). Only sessions
    # inside the range: a one-day run gives one day's volume. Rosters are
    # recomputed rather than kept, so memory does not grow with the days.
    lead_from = day if day == first else day + 1
    for session_day in range(lead_from, min(day + MAX_LEAD_DAYS, last) + 1):
        for plan in plan_day(world, clock.from_epoch_day(session_day)):
            emit_registrations(
                world, plan, roster(world, plan), delivery.write, delivery_day=day, first_day=first
            )
    sessions = 0
    for plan in plan_day(world, clock.from_epoch_day(day)):
        emit_session(world, plan, roster(world, plan), delivery.write)
        sessions += 1
    return sessions


class _Progress:
    """Counts the closed partitions and tells ``progress`` (if any) about each."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.progress = progress
        self.partitions = 0

    def __call__(self, stats: list[PartitionStats]) -> None:
        for s in stats:
            self.partitions += 1
            if self.progress is not None:
                self.progress(
                    f"{clock.from_epoch_day(s.day)}: {_n(s.events)} events in {s.files} "
                    f"file{'' if s.files == 1 else 's'}"
                    f" (+{s.duplicate_lines} duplicate, {s.malformed_lines} malformed lines)"
                )
