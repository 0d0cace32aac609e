"""Landed files -> ``raw``: every line ends up loaded, a duplicate or a reject.

Each file loads in one transaction: its lines are validated in Python and
streamed with a single ``COPY`` into a temporary table (a good line as its own
JSON text, which Postgres parses once into ``jsonb``; a bad line with its reason
and bytes); set-based SQL then moves them into ``raw.platform_events`` (first
arrival of an ``event_id`` wins), ``raw.duplicate_events`` and
``raw.rejected_lines``, and writes the ledger row. A crash anywhere rolls the
whole file back; an advisory lock on the file's URI makes two loaders of the
same file wait for each other instead of racing.

One line never costs another: when the set-based load fails on something the
warehouse refuses of a validated line (a Postgres limit the contract does not
foresee), the file's staging is rolled back to a savepoint, the file is read again,
and its validated lines load one at a time (``raw.load_lines_one_by_one``): the
refused line becomes a reject with Postgres' reason, every other line loads.

A day's files load on two connections at once (validation of one file overlaps
the inserts of the one before), but each file's inserts wait for the files before
it to commit, so "first arrival" means the same as in a one-by-one load.
"""

from __future__ import annotations

import gzip
import logging
import threading
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta

import psycopg

from webstat.ingest.landing import (
    MAX_LINE_BYTES,
    IgnoredEntry,
    LandedFile,
    LongLine,
    OpenedFile,
    check_landing_zone,
    list_partition,
)
from webstat.ingest.validate import Rejected, check_line
from webstat.warehouse.locks import advisory_lock

log = logging.getLogger(__name__)

PROGRESS_EVERY = 500_000  # lines between progress messages within one file

# Errors that mean "this file cannot be read", not "the warehouse is down".
FILE_ERRORS = (OSError, EOFError, gzip.BadGzipFile, zlib.error)
# What the warehouse can refuse of a validated line (SQLSTATE classes 22, 54, 23), as
# opposed to errors of the warehouse itself (connection, disk, cancel), which fail the run.
REFUSALS = (
    psycopg.errors.DataError,
    psycopg.errors.ProgramLimitExceeded,
    psycopg.errors.IntegrityError,
)
LINE_TOO_LONG = "line_too_long"

_INCOMING = """
create temp table _incoming (
    line_number  bigint not null,
    reason       text,
    raw_line     text,
    raw_bytes    bytea,
    doc          jsonb,
    occurred_at  timestamptz
) on commit drop
"""
# CSV whose quote and delimiter JSON text never holds raw (control characters must be
# escaped inside JSON strings): a good line goes through as it is, unescaped.
_COPY = (
    "copy _incoming (line_number, reason, raw_line, raw_bytes, doc, occurred_at) from stdin"
    " with (format csv, quote e'\\x01', delimiter e'\\x02')"
)
_COPY_CHUNK = 1 << 18  # bytes buffered before each write to the COPY stream
# One statement: the first arrival of each event_id goes to platform_events (rows go
# in line order, and ON CONFLICT DO NOTHING also skips an id inserted a few lines
# earlier by the same statement); every other well-formed line of the file goes to
# duplicate_events. The anti-join on the inserted line numbers is a hash join: linear
# in the file's size.
_INSERT_EVENTS_AND_DUPLICATES = """
with inserted as (
    insert into raw.platform_events (event_id, event_type, occurred_at, organization_id,
        event_session_id, webinar_id, participant_id, payload, file_id, source_uri, line_number)
    select doc->>'event_id', doc->>'event_type',
        coalesce(occurred_at, (doc->>'occurred_at')::timestamptz),
        doc->>'organization_id', doc->>'event_session_id', doc->>'webinar_id',
        doc->>'participant_id', doc->'payload', %(file_id)s, %(uri)s, line_number
    from _incoming
    where reason is null
    order by line_number  -- within the file too, the first line of an event_id wins
    on conflict (event_id) do nothing
    returning line_number
),
duplicates as (
    insert into raw.duplicate_events (file_id, source_uri, line_number, event_id, event_type,
        occurred_at, organization_id, event_session_id)
    select %(file_id)s, %(uri)s, i.line_number, i.doc->>'event_id', i.doc->>'event_type',
        coalesce(i.occurred_at, (i.doc->>'occurred_at')::timestamptz),
        i.doc->>'organization_id', i.doc->>'event_session_id'
    from _incoming as i
    where i.reason is null
      and not exists (select 1 from inserted where inserted.line_number = i.line_number)
    returning 1
)
select (select count(*) from inserted), (select count(*) from duplicates)
"""
_INSERT_REJECTS = """
insert into raw.rejected_lines (file_id, source_uri, line_number, raw_line, raw_bytes, reason)
select %(file_id)s, %(uri)s, line_number, raw_line, raw_bytes, reason
from {table}
where reason is not null
"""
# The careful path's staging: every line with its text and bytes, the document as text
# (text cannot refuse a validated line; the jsonb cast happens line by line).
_CAREFUL = """
create temp table _careful (
    line_number  bigint not null,
    reason       text,
    raw_line     text,
    raw_bytes    bytea,
    doc          text,
    occurred_at  timestamptz
) on commit drop
"""
_COPY_CAREFUL = _COPY.replace("_incoming", "_careful")


@dataclass
class FileResult:
    """What happened to one file."""

    uri: str
    status: str  # loaded | skipped (already in the ledger) | failed
    lines_total: int = 0
    loaded: int = 0
    rejected: int = 0
    duplicates: int = 0
    error: str | None = None
    file_id: int | None = None
    refused: int = 0  # of ``rejected``: validated lines the warehouse refused


class _LoadedFilesTotal:
    """A summary's count of the same name (``loaded``, ``rejected``, ...): its sum
    over the loaded files' ``FileResult``s, read afresh at every access."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, summary: IngestSummary, owner: type | None = None) -> int:
        return sum(getattr(f, self.name) for f in summary.files if f.status == "loaded")


@dataclass
class IngestSummary:
    """What one ingest run did, over all the files it considered."""

    day: date
    files: list[FileResult] = field(default_factory=list)
    ignored: list[IgnoredEntry] = field(default_factory=list)  # links, FIFOs, devices
    changed: list[str] = field(default_factory=list)  # loaded files re-delivered with other bytes

    lines_total = _LoadedFilesTotal()
    loaded = _LoadedFilesTotal()
    rejected = _LoadedFilesTotal()
    duplicates = _LoadedFilesTotal()

    @property
    def loaded_files(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "loaded"]

    @property
    def failed_files(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def reject_pct(self) -> float:
        return 100.0 * self.rejected / self.lines_total if self.lines_total else 0.0

    @property
    def file_ids(self) -> list[int]:
        return [f.file_id for f in self.loaded_files if f.file_id is not None]

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "files_loaded": len(self.loaded_files),
            "files_skipped": sum(1 for f in self.files if f.status == "skipped"),
            "files_failed": [{"uri": f.uri, "error": f.error} for f in self.failed_files],
            "lines": self.lines_total,
            "loaded": self.loaded,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "file_ids": self.file_ids,
            "ignored": [{"uri": e.uri, "reason": e.reason} for e in self.ignored],
            "changed_redeliveries": list(self.changed),
        }

    def __str__(self) -> str:
        skipped = sum(1 for f in self.files if f.status == "skipped")
        text = (
            f"{self.day}: {len(self.loaded_files)} file(s) loaded, {skipped} already loaded; "
            f"{self.lines_total:,} lines -> {self.loaded:,} events, "
            f"{self.duplicates:,} duplicates, {self.rejected:,} rejected"
        )
        if self.failed_files:
            text += f"; {len(self.failed_files)} file(s) FAILED (see raw.loaded_files)"
        if self.ignored:
            text += f"; {len(self.ignored)} entr(ies) IGNORED (not regular files)"
        if self.changed:
            text += f"; {len(self.changed)} loaded file(s) re-delivered with other bytes"
        return text


def _readable(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").replace("\x00", "\\u0000")


def _field(value: bytes) -> bytes:
    """One CSV field of the COPY: as is, or quoted when it holds a quote, delimiter or line end."""
    if b"\x01" in value or b"\x02" in value or b"\n" in value or b"\r" in value:
        return b"\x01" + value.replace(b"\x01", b"\x01\x01") + b"\x01"
    return value


def _reject_row(number: int, raw: bytes, reason: str) -> bytes:
    text = _field(_readable(raw).encode("utf-8"))
    why = _field(reason.encode("utf-8", errors="replace"))
    return b"%d\x02%b\x02%b\x02\\x%b\x02\x02\n" % (number, why, text, raw.hex().encode())


def _copy_rows(
    lines: Iterable[tuple[int, bytes]],
    progress: Callable[[str], None] | None,
    uri: str,
    careful: bool = False,
) -> Iterable[bytes]:
    """The COPY's rows, one per line: ``number, reason, raw_line, raw_bytes, doc, occurred_at``.

    ``careful``: accepted lines carry their text and bytes too (for a reject made later)."""
    for number, raw in lines:
        if progress and number % PROGRESS_EVERY == 0:
            progress(f"  {uri}: {number:,} lines read")
        if isinstance(raw, LongLine):
            yield _reject_row(
                number,
                raw,
                f"{LINE_TOO_LONG}: the line has {raw.size:,} bytes (max {MAX_LINE_BYTES:,}); "
                f"its first {MAX_LINE_BYTES:,} bytes are kept",
            )
            continue
        try:
            checked = check_line(raw)
        except Rejected as exc:
            yield _reject_row(number, raw, str(exc))
            continue
        instant = checked.occurred_at.encode() if checked.occurred_at else b""
        if careful:
            text = _field(_readable(raw).encode("utf-8"))
            yield b"%d\x02\x02%b\x02\\x%b\x02%b\x02%b\n" % (
                number,
                text,
                raw.hex().encode(),
                _field(checked.doc),
                instant,
            )
        else:
            yield b"%d\x02\x02\x02\x02%b\x02%b\n" % (number, _field(checked.doc), instant)


def _stream_copy(conn: psycopg.Connection, sql: str, rows: Iterable[bytes]) -> int:
    """COPY ``rows`` in chunks; return how many rows (lines) went."""
    lines = 0
    buffer = bytearray()
    with conn.cursor().copy(sql) as copy:
        for row in rows:
            buffer += row
            lines += 1
            if len(buffer) >= _COPY_CHUNK:
                copy.write(buffer)
                buffer.clear()
        copy.write(buffer)
    return lines


def _one(cursor: psycopg.Cursor) -> tuple:
    """The one row a statement returns (it always returns one)."""
    row = cursor.fetchone()
    if row is None:
        raise RuntimeError("the statement returned no row")
    return row


def _record_failure(conn: psycopg.Connection, landed: LandedFile, error: str) -> None:
    with conn.transaction():
        conn.execute(
            """
            insert into raw.loaded_files (uri, delivery_date, size_bytes, status, error)
            values (%s, %s, %s, 'failed', %s)
            on conflict (uri) do update
                set status = 'failed', error = excluded.error, loaded_at = now()
                where raw.loaded_files.status = 'failed'
            """,
            (landed.uri, landed.delivery_date, landed.size_bytes, error),
        )


def load_file(
    conn: psycopg.Connection,
    landed: LandedFile,
    conn_id: str | None = None,
    progress: Callable[[str], None] | None = None,
    wait_turn: Callable[[], None] | None = None,
) -> FileResult:
    """Load one file in one transaction; a file already in the ledger is skipped.

    ``wait_turn``, when given, is called after the file's lines are validated and
    staged and before its events are inserted (see :func:`ingest_day`).

    A file that cannot be read (truncated gzip, I/O error) is rolled back whole and
    recorded in the ledger as ``failed`` with the error, so a later run retries it.
    """
    try:
        with conn.transaction(), advisory_lock(conn, landed.uri, transaction=True):
            row = conn.execute(
                "select status from raw.loaded_files where uri = %s", (landed.uri,)
            ).fetchone()
            if row and row[0] == "loaded":
                return FileResult(landed.uri, "skipped")
            (file_id,) = _one(
                conn.execute(
                    """
                    insert into raw.loaded_files (uri, delivery_date, size_bytes, status)
                    values (%s, %s, %s, 'loaded')
                    on conflict (uri) do update set status = 'loaded', error = null
                    returning file_id
                    """,
                    (landed.uri, landed.delivery_date, landed.size_bytes),
                )
            )
            params = {"file_id": file_id, "uri": landed.uri}
            try:
                with conn.transaction():  # a savepoint: the careful path starts from here
                    lines, opened = _stage(conn, landed, conn_id, progress, careful=False)
                    if wait_turn is not None:
                        wait_turn()  # the files before this one have committed their events
                    loaded, duplicates = _one(conn.execute(_INSERT_EVENTS_AND_DUPLICATES, params))
                    rejected = conn.execute(
                        _INSERT_REJECTS.format(table="_incoming"), params
                    ).rowcount
                    refused = 0
            except REFUSALS as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                log.warning(
                    "%s: the warehouse refused a validated line (%s); loading the file "
                    "line by line, the refused line(s) become rejects",
                    landed.uri,
                    first,
                )
                lines, opened = _stage(conn, landed, conn_id, progress, careful=True)
                if wait_turn is not None:
                    wait_turn()
                rejected = conn.execute(_INSERT_REJECTS.format(table="_careful"), params).rowcount
                loaded, duplicates, refused = _one(
                    conn.execute(
                        "select * from raw.load_lines_one_by_one(%(file_id)s, %(uri)s)", params
                    )
                )
                rejected += refused
            conn.execute(
                """
                update raw.loaded_files
                set size_bytes = %s, sha256 = %s, lines_total = %s, rows_loaded = %s,
                    rows_rejected = %s, rows_duplicate = %s, loaded_at = now()
                where file_id = %s
                """,
                (opened.size, opened.sha256, lines, loaded, rejected, duplicates, file_id),
            )
    except (*FILE_ERRORS, *REFUSALS) as exc:
        # unreadable (or, past the careful path, refused whole): the ledger says why
        error = f"{type(exc).__name__}: {exc}"
        log.warning("could not load %s, nothing of it was loaded: %s", landed.uri, error)
        _record_failure(conn, landed, error)
        return FileResult(landed.uri, "failed", error=error)
    return FileResult(
        landed.uri, "loaded", lines, loaded, rejected, duplicates, file_id=file_id, refused=refused
    )


def _stage(
    conn: psycopg.Connection,
    landed: LandedFile,
    conn_id: str | None,
    progress: Callable[[str], None] | None,
    *,
    careful: bool,
) -> tuple[int, OpenedFile]:
    """Read and validate the file into the staging table (``_incoming``, or ``_careful``
    with every line's text and bytes); return the number of lines and the opened file
    (closed, with its size and checksum)."""
    conn.execute(_CAREFUL if careful else _INCOMING)
    opened = OpenedFile(landed, conn_id)
    try:
        rows = _copy_rows(opened.lines(), progress, landed.uri, careful)
        lines = _stream_copy(conn, _COPY_CAREFUL if careful else _COPY, rows)
    finally:
        opened.close()
    table = "_careful" if careful else "_incoming"
    conn.execute(f"analyze {table} (line_number, reason)")  # row counts for the planner
    return lines, opened


def files_for_day(
    landing_uri: str,
    day: date,
    lookback_days: int,
    conn_id: str | None,
    ignored: list[IgnoredEntry] | None = None,
) -> list[LandedFile]:
    """The day's own partition, then the previous ``lookback_days`` partitions (late files)."""
    files: list[LandedFile] = []
    for back in range(lookback_days, -1, -1):
        files.extend(list_partition(landing_uri, day - timedelta(days=back), conn_id, ignored))
    return files


def _sha256_of(landed: LandedFile, conn_id: str | None) -> str:
    opened = OpenedFile(landed, conn_id)
    try:
        for _ in opened.lines():
            pass
    finally:
        opened.close()
    return opened.sha256


def _changed_redeliveries(
    conn: psycopg.Connection, done: list[LandedFile], conn_id: str | None
) -> list[str]:
    """Loaded files whose landed size now differs from the ledger's: files are immutable, so
    such a file is not reloaded, but the run says so with both checksums. (A change that
    keeps the size is not looked for: that would mean re-reading every file of the
    lookback window on every run.)"""
    ledger = {
        uri: (size, sha)
        for uri, size, sha in conn.execute(
            "select uri, size_bytes, sha256 from raw.loaded_files where uri = any(%s)",
            ([f.uri for f in done],),
        )
    }
    notes = []
    for landed in done:
        size, sha = ledger.get(landed.uri, (None, None))
        if landed.size_bytes is None or size is None or landed.size_bytes == size:
            continue
        try:
            now = _sha256_of(landed, conn_id)
        except FILE_ERRORS as exc:
            now = f"unreadable ({type(exc).__name__})"
        if now == sha:
            continue
        note = (
            f"{landed.uri} was loaded with sha256 {sha} ({size:,} bytes) but now holds "
            f"sha256 {now} ({landed.size_bytes:,} bytes): not reloaded (a delivered file is "
            "immutable; deliver a correction under a new name)"
        )
        log.warning("%s", note)
        notes.append(note)
    return notes


def ingest_day(
    conn: psycopg.Connection,
    landing_uri: str,
    day: date,
    *,
    lookback_days: int = 3,
    conn_id: str | None = None,
    progress: Callable[[str], None] | None = None,
    connect: Callable[[], psycopg.Connection] | None = None,
    workers: int = 2,
) -> IngestSummary:
    """Load the partition of delivery day ``day`` and any not-yet-loaded file of the
    ``lookback_days`` days before it. Files already in the ledger are skipped, so a
    rerun changes nothing.

    With ``connect`` (a factory of warehouse connections), up to ``workers`` files
    load at once, each on its own connection; their inserts still commit in the
    files' order, so the result is the one-by-one load's."""
    check_landing_zone(landing_uri, conn_id)
    summary = IngestSummary(day)
    candidates = files_for_day(landing_uri, day, lookback_days, conn_id, summary.ignored)
    for entry in summary.ignored:
        log.warning("ignored %s: %s", entry.uri, entry.reason)
        if progress:
            progress(f"  IGNORED {entry.uri}: {entry.reason}")
    done = {
        uri
        for (uri,) in conn.execute(
            "select uri from raw.loaded_files where status = 'loaded' and uri = any(%s)",
            ([f.uri for f in candidates],),
        )
    }
    todo = [landed for landed in candidates if landed.uri not in done]
    results: dict[str, FileResult] = {uri: FileResult(uri, "skipped") for uri in done}
    summary.changed = _changed_redeliveries(
        conn, [landed for landed in candidates if landed.uri in done], conn_id
    )

    def report(result: FileResult) -> None:
        if progress and result.status == "loaded":
            progress(
                f"  loaded {result.uri}: {result.loaded:,} events, "
                f"{result.duplicates:,} duplicates, {result.rejected:,} rejected"
            )
        elif progress and result.status == "failed":
            progress(f"  FAILED {result.uri}: {result.error}")

    if connect is None or workers <= 1 or len(todo) <= 1:
        for landed in todo:
            results[landed.uri] = load_file(conn, landed, conn_id, progress)
            report(results[landed.uri])
    else:
        for result in _load_in_parallel(
            todo, connect, min(workers, len(todo)), conn_id, progress, report
        ):
            results[result.uri] = result
    summary.files = [results[landed.uri] for landed in candidates]
    return summary


def _load_in_parallel(
    todo: list[LandedFile],
    connect: Callable[[], psycopg.Connection],
    workers: int,
    conn_id: str | None,
    progress: Callable[[str], None] | None,
    report: Callable[[FileResult], None],
) -> list[FileResult]:
    """``load_file`` over ``todo`` on ``workers`` connections; file k inserts only after
    files 0..k-1 have committed or failed (``turns``), which keeps first arrival exact."""
    turns = [threading.Event() for _ in range(len(todo) + 1)]
    turns[0].set()
    local = threading.local()
    opened: list[psycopg.Connection] = []
    lock = threading.Lock()

    def connection() -> psycopg.Connection:
        if getattr(local, "conn", None) is None:
            local.conn = connect()
            with lock:
                opened.append(local.conn)
        return local.conn

    def one(k: int) -> FileResult:
        def wait_turn() -> None:
            turns[k].wait()

        try:
            result = load_file(connection(), todo[k], conn_id, progress, wait_turn)
        finally:
            turns[k + 1].set()  # whatever happened, the next file may go on
        report(result)
        return result

    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ingest") as pool:
            futures = [pool.submit(one, k) for k in range(len(todo))]
            return [future.result() for future in futures]
    finally:
        for c in opened:
            c.close()
