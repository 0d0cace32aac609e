"""The landing zone: ``{LANDING}/date=YYYY-MM-DD/<name>.ndjson|.jsonl[.gz]``.

A local landing zone (``file://``) is read with the operating system's own calls,
so that nothing but a regular file of the landing zone itself is ever opened: a
symbolic link, a device, a FIFO or a socket (or a ``date=`` folder that is a link)
is listed as ignored, with the reason, and never read; file names keep every
character (control characters included). ``s3://`` goes through
:func:`webstat.storage.storage_path`. Reading a file streams it and hashes the
bytes as delivered (compressed, for ``.gz``) on the way through.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO

from webstat.errors import WebstatError
from webstat.storage import join, storage_path

SUFFIXES = (".ndjson", ".jsonl", ".ndjson.gz", ".jsonl.gz")
MAX_LINE_BYTES = 16 << 20  # a longer line is refused (line_too_long), never held in memory


@dataclass(frozen=True)
class LandedFile:
    """One delivered file."""

    uri: str
    delivery_date: date
    size_bytes: int | None

    @property
    def compressed(self) -> bool:
        return self.uri.endswith(".gz")


@dataclass(frozen=True)
class IgnoredEntry:
    """A landing-zone entry that is not a regular file of the landing zone: never read."""

    uri: str
    reason: str


def partition_uri(landing_uri: str, day: date) -> str:
    return join(landing_uri, f"date={day.isoformat()}")


def local_path(uri: str) -> str | None:
    """The filesystem path of a ``file://`` URI (as settings normalise them), else None."""
    return uri[len("file://") :] if uri.startswith("file://") else None


def check_landing_zone(landing_uri: str, conn_id: str | None) -> None:
    """Fail with one line when the landing zone itself does not exist or is not a folder."""
    path = local_path(landing_uri)
    if path is not None:
        if not os.path.exists(path):
            raise WebstatError(f"landing zone {landing_uri} does not exist")
        if not os.path.isdir(path):
            raise WebstatError(f"landing zone {landing_uri} is not a folder")
        return
    try:
        # on S3 a "folder" exists when some object lies under the prefix
        target = storage_path(landing_uri, conn_id)
        exists = target.exists()
        is_object = exists and target.is_file()
    except Exception as exc:  # network, credentials: say which and where
        raise WebstatError(f"cannot reach the landing zone {landing_uri}: {exc}") from exc
    if not exists:
        raise WebstatError(f"landing zone {landing_uri} does not exist")
    if is_object:
        raise WebstatError(f"landing zone {landing_uri} is an object, not a prefix")


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def list_partition(
    landing_uri: str, day: date, conn_id: str | None, ignored: list[IgnoredEntry] | None = None
) -> list[LandedFile]:
    """The files delivered on ``day``, sorted by name (a missing partition is empty).

    Entries of a local landing zone that carry a log suffix but are not regular files
    of it are appended to ``ignored`` (when given) instead of being listed."""
    part_uri = partition_uri(landing_uri, day)
    path = local_path(part_uri)
    if path is not None:
        files = _list_local(path, part_uri, day, ignored if ignored is not None else [])
    else:
        files = _list_object_store(part_uri, day, conn_id)
    return sorted(files, key=lambda f: f.uri)


def _list_local(
    path: str, part_uri: str, day: date, ignored: list[IgnoredEntry]
) -> list[LandedFile]:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return []
    if not stat.S_ISDIR(mode):
        ignored.append(IgnoredEntry(part_uri, f"the partition is {_kind(mode)}: not read"))
        return []
    files = []
    with os.scandir(path) as entries:
        for entry in entries:
            if not entry.name.endswith(SUFFIXES):
                continue
            uri = join(part_uri, entry.name)
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode):
                files.append(LandedFile(uri, day, info.st_size))
            else:
                ignored.append(IgnoredEntry(uri, f"{_kind(info.st_mode)}: not read"))
    return files


def _list_object_store(part_uri: str, day: date, conn_id: str | None) -> list[LandedFile]:
    part = storage_path(part_uri, conn_id)
    try:
        if not part.exists():
            return []
        listed = list(part.iterdir())
    except FileNotFoundError:
        return []
    return [
        LandedFile(join(part_uri, item.name), day, item.stat().get("size"))
        for item in listed
        if item.name.endswith(SUFFIXES) and item.is_file()
    ]


def _open_local(path: str) -> BinaryIO:
    """Open a regular file without following a link or blocking on a FIFO (the entry may
    have been swapped since it was listed)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(f"{path} is {_kind(mode)}, not a regular file: not read")
        return os.fdopen(fd, "rb", buffering=0)
    except BaseException:
        os.close(fd)
        raise


class LongLine(bytes):
    """The kept head of a line over ``MAX_LINE_BYTES``; ``size`` is the whole line's length."""

    size: int

    def __new__(cls, head: bytes, size: int) -> LongLine:
        obj = super().__new__(cls, head)
        obj.size = size
        return obj


class _HashingReader(io.RawIOBase):
    """Passes bytes through while hashing and counting them."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.sha256.update(data)
        self.size += n
        return n


class OpenedFile:
    """A landed file opened for streaming; ``lines()`` yields ``(line_number, bytes)``."""

    def __init__(self, landed: LandedFile, conn_id: str | None) -> None:
        self.landed = landed
        path = local_path(landed.uri)
        self._raw = (
            _open_local(path) if path is not None else storage_path(landed.uri, conn_id).open("rb")
        )
        self._hasher = _HashingReader(self._raw)
        buffered = io.BufferedReader(self._hasher, buffer_size=1 << 20)
        self._stream: gzip.GzipFile | io.BufferedReader[_HashingReader] = (
            gzip.GzipFile(fileobj=buffered) if landed.compressed else buffered
        )

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """Non-blank lines with 1-based numbers; a leading BOM and CR line ends are tolerated.

        A line longer than ``MAX_LINE_BYTES`` comes as a :class:`LongLine` (its first
        ``MAX_LINE_BYTES`` bytes) and the rest of it is read past, never held."""
        readline, number = self._stream.readline, 0
        while line := readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                size = len(line)
                while (more := readline(1 << 20)) and not more.endswith(b"\n"):
                    size += len(more)
                size += len(more.rstrip(b"\r\n")) if more else 0
                yield number, LongLine(line[:MAX_LINE_BYTES], size)
                continue
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            line = line.rstrip(b"\n")
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line.strip():
                continue
            yield number, line
        # read to the very end so the checksum covers every byte
        while self._hasher.read(1 << 20):
            pass

    @property
    def sha256(self) -> str:
        return self._hasher.sha256.hexdigest()

    @property
    def size(self) -> int:
        return self._hasher.size

    def close(self) -> None:
        self._stream.close()
        self._raw.close()
