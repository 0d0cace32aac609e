"""How the platform delivers events: into which file, which day, late, twice or broken.

* An event is delivered on its own UTC day ("delivery day"), or on the first day
  of the range when it happened before it (early registrations).
* A delivery day is cut into ``shards`` equal time windows, one file each:
  ``date=D/events-00.ndjson`` holds the events of D's first window, and so on.
* On every third day (by calendar) one window (more when there are many shards)
  is delivered a day late: ``date=D+1/late-D-WW.ndjson``, holding events of D.
* Every ~200th event line is written a second time, verbatim, into another file
  of the same or the next delivery day (at-least-once delivery).
* Every ~280th line is followed by a bad line (see :mod:`webstat.generate.malformed`).

Lines are buffered per file and written in blocks; nothing else is kept.
"""

from __future__ import annotations

import gzip as gzip_module
import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from webstat.generate import clock
from webstat.generate.malformed import KINDS, bad_line
from webstat.generate.world import STREAM_DELIVERY, rng_for

_BLOCK = 1 << 16
_DUPLICATE_GAP = (100, 300)  # one duplicate per ~200 events: ~0.5 %
_MALFORMED_GAP = (130, 430)  # one bad line per ~280 events: ~0.35 %


@dataclass(frozen=True, slots=True)
class PartitionStats:
    """What one ``date=`` folder received, once it is complete."""

    day: int  # UTC day number of the partition
    files: int
    events: int
    duplicate_lines: int
    malformed_lines: int


class _File:
    """One output file: lines are buffered and written in blocks."""

    __slots__ = ("_out", "_raw", "bad", "buf", "dups", "events", "late", "partition", "size")

    def __init__(self, path: Path, partition: int, late: bool, gzip: bool) -> None:
        self.partition = partition
        self.late = late
        path.parent.mkdir(parents=True, exist_ok=True)
        self._raw: IO[bytes] = open(path, "wb")  # noqa: SIM115 - closed in close()
        # mtime=0 and no file name in the header: the same lines give the same bytes.
        self._out: IO[bytes] | gzip_module.GzipFile = self._raw
        if gzip:
            self._out = gzip_module.GzipFile(
                filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=6
            )
        self.buf: list[bytes] = []
        self.size = 0
        self.events = self.dups = self.bad = 0

    def write(self, line: bytes) -> None:
        self.buf.append(line)
        self.size += len(line)
        if self.size >= _BLOCK:
            self.flush()

    def flush(self) -> None:
        self._out.write(b"".join(self.buf))
        self.buf.clear()
        self.size = 0

    def close(self) -> None:
        if self.buf:
            self.flush()
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()


class Delivery:
    """The sink every event goes through: routes it to its file and writes it."""

    def __init__(
        self, out_dir: Path, first_day: int, last_day: int, shards: int, seed: int, gzip: bool
    ) -> None:
        self.out_dir = out_dir
        self.first_day = first_day
        self.last_day = last_day
        self.shards = shards
        self.seed = seed
        self.gzip = gzip
        self._rng = rng_for(seed, STREAM_DELIVERY)
        self._files: dict[tuple[int, int], _File] = {}
        self._late: dict[int, frozenset[int]] = {}
        self._closed: set[tuple[int, int]] = set()
        self._until_duplicate = self._rng.randint(*_DUPLICATE_GAP)
        self._until_malformed = self._rng.randint(*_MALFORMED_GAP)
        self.files = self.late_files = 0
        self.events = self.duplicate_lines = self.malformed_lines = 0

    def late_windows(self, day: int) -> frozenset[int]:
        """The windows of ``day`` that are delivered a day late (none after the range)."""
        late = self._late.get(day)
        if late is None:
            late = frozenset()
            if day <= self.last_day and clock.from_epoch_day(day).toordinal() % 3 == 0:
                k = max(1, self.shards // 7)
                late = frozenset(rng_for(self.seed, STREAM_DELIVERY, day).sample(
                    range(self.shards), k))  # fmt: skip
            self._late[day] = late
        return late

    def _file(self, day: int, window: int) -> _File:
        f = self._files.get((day, window))
        if f is None:
            if (day, window) in self._closed:  # reopening would truncate a finished file
                raise RuntimeError(f"file of day {day} window {window} written after closing")
            ext = ".ndjson.gz" if self.gzip else ".ndjson"
            date = clock.from_epoch_day(day)
            late = window in self.late_windows(day)
            if late:
                partition = day + 1
                name = f"late-{date.isoformat()}-{window:02d}{ext}"
            else:
                partition = day
                name = f"events-{window:02d}{ext}"
            folder = self.out_dir / f"date={clock.from_epoch_day(partition).isoformat()}"
            f = self._files[(day, window)] = _File(folder / name, partition, late, self.gzip)
            self.files += 1
            self.late_files += late
        return f

    def write(self, ms: int, text: str, has_participant: bool) -> None:
        """Deliver one event line (JSON text, no line end) that happened at ``ms``."""
        day, rem = divmod(ms, clock.DAY_MS)
        day = max(day, self.first_day)  # happened before the range: delivered on its first day
        window = rem * self.shards // clock.DAY_MS
        f = self._files.get((day, window)) or self._file(day, window)
        line = (text + "\n").encode()
        # _File.write inlined: this runs once per event
        f.buf.append(line)
        f.size += len(line)
        if f.size >= _BLOCK:
            f.flush()
        f.events += 1
        self.events += 1

        self._until_duplicate -= 1
        if self._until_duplicate <= 0:
            self._until_duplicate = self._rng.randint(*_DUPLICATE_GAP)
            target = self._duplicate_target(day, window)
            target.write(line)
            target.dups += 1
            self.duplicate_lines += 1

        self._until_malformed -= 1
        # Bad lines are modelled on the event that precedes them (its session, its
        # person), which must have a participant_id.
        if self._until_malformed <= 0 and has_participant:
            self._until_malformed = self._rng.randint(*_MALFORMED_GAP)
            kind = KINDS[self.malformed_lines % len(KINDS)]
            f.write(bad_line(kind, json.loads(text)) + b"\n")
            f.bad += 1
            self.malformed_lines += 1

    def _duplicate_target(self, day: int, window: int) -> _File:
        candidates = [(day, w) for w in range(self.shards) if w != window]
        if day < self.last_day:  # keep repeats inside the range
            late = self.late_windows(day + 1)
            candidates += [(day + 1, w) for w in range(self.shards) if w not in late]
        return self._file(*self._rng.choice(candidates))

    def close_through(self, partition: int) -> list[PartitionStats]:
        """Close every file of the partitions up to ``partition``: nothing more goes there."""
        done: dict[int, list[_File]] = {}
        for key, f in list(self._files.items()):
            if f.partition <= partition:
                done.setdefault(f.partition, []).append(f)
                f.close()
                del self._files[key]
                self._closed.add(key)
        return [
            PartitionStats(
                day=p,
                files=len(fs),
                events=sum(f.events for f in fs),
                duplicate_lines=sum(f.dups for f in fs),
                malformed_lines=sum(f.bad for f in fs),
            )
            for p, fs in sorted(done.items())
        ]

    def close_all(self) -> list[PartitionStats]:
        """Close everything still open (the day after the range, on an error)."""
        return self.close_through(max((f.partition for f in self._files.values()), default=0))
