"""The landing zone: ``{LANDING}/date=YYYY-MM-DD/<name>.ndjson|.jsonl[.gz]``.

One code path for a local folder, ``file://`` and ``s3://`` (through
:func:`webstat.storage.storage_path`). Reading a file streams it and hashes the
bytes as delivered (compressed, for ``.gz``) on the way through.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from webstat.errors import WebstatError
from webstat.storage import join, storage_path

SUFFIXES = (".ndjson", ".jsonl", ".ndjson.gz", ".jsonl.gz")


@dataclass(frozen=True)
class LandedFile:
    """One delivered file."""

    uri: str
    delivery_date: date
    size_bytes: int | None

    @property
    def compressed(self) -> bool:
        return self.uri.endswith(".gz")


def partition_uri(landing_uri: str, day: date) -> str:
    return join(landing_uri, f"date={day.isoformat()}")


def check_landing_zone(landing_uri: str, conn_id: str | None) -> None:
    """Fail with one line when the landing zone itself does not exist."""
    try:
        # on S3 a "folder" exists when some object lies under the prefix
        exists = storage_path(landing_uri, conn_id).exists()
    except Exception as exc:  # network, credentials: say which and where
        raise WebstatError(f"cannot reach the landing zone {landing_uri}: {exc}") from exc
    if not exists:
        raise WebstatError(f"landing zone {landing_uri} does not exist")


def list_partition(landing_uri: str, day: date, conn_id: str | None) -> list[LandedFile]:
    """The files delivered on ``day``, sorted by name (a missing partition is empty)."""
    part = storage_path(partition_uri(landing_uri, day), conn_id)
    try:
        if not part.exists():
            return []
        entries = list(part.iterdir())
    except FileNotFoundError:
        return []
    files = []
    for entry in entries:
        if entry.name.endswith(SUFFIXES) and entry.is_file():
            size = entry.stat().get("size")
            files.append(LandedFile(join(partition_uri(landing_uri, day), entry.name), day, size))
    return sorted(files, key=lambda f: f.uri)


class _HashingReader(io.RawIOBase):
    """Passes bytes through while hashing and counting them."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
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
        self._raw = storage_path(landed.uri, conn_id).open("rb")
        self._hasher = _HashingReader(self._raw)
        buffered = io.BufferedReader(self._hasher, buffer_size=1 << 20)
        self._stream: BinaryIO = gzip.GzipFile(fileobj=buffered) if landed.compressed else buffered

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """Non-blank lines with 1-based numbers; a leading BOM and CR line ends are tolerated."""
        for number, line in enumerate(self._stream, start=1):
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
