"""1. Ingest vs the limit: webstat's ingest against a bare ``COPY`` into one ``jsonb`` column.

Both read the same generated files of one delivery day into the same server, one
transaction per file, runs interleaved (webstat, bare, webstat, bare, ...) so the
shared machine's noise falls on both. The bare ``COPY`` gets the files with the
lines Postgres' ``jsonb`` cannot take (the generator's malformed lines: bad JSON,
bad UTF-8, ``\\u0000``) left out, prepared before timing; rates are per line.
Peak memory is the ingest subprocess's ``VmHWM`` at two day sizes.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.harness import Sample, Warehouse, generate_day, log, ratio_sample, worker

DAY = date(2026, 11, 2)
DB = "bench_ingest"
RAW_TABLES = "raw.platform_events, raw.duplicate_events, raw.rejected_lines, raw.loaded_files"


def _clean_copy(files: list[Path], out: Path) -> tuple[list[str], int]:
    """The files without the lines a ``jsonb`` column rejects (written once, untimed)."""
    out.mkdir(parents=True, exist_ok=True)
    paths, lines = [], 0
    for src in files:
        dst = out / src.name
        with open(src, "rb") as fin, open(dst, "wb") as fout:
            for raw in fin:
                raw = raw.rstrip(b"\r\n")
                if not raw.strip() or b"\\u0000" in raw:
                    continue
                try:
                    json.loads(raw.decode("utf-8"))
                except ValueError:
                    continue
                fout.write(raw + b"\n")
                lines += 1
        paths.append(str(dst))
    return paths, lines


def _day_files(landing: Path) -> list[Path]:
    return sorted((landing / f"date={DAY.isoformat()}").glob("*.ndjson"))


def run(wh: Warehouse, sizes: tuple[int, int], repeat: int) -> dict[str, Any]:
    from webstat.warehouse import connect
    from webstat.warehouse.migrate import migrate

    small, large = sizes
    uri = wh.create_db(DB)
    with connect(url=uri) as conn:
        migrate(conn)
    results: dict[str, Any] = {"sizes": list(sizes), "runs": {}}
    for n in (small, large):
        landing = wh.root / f"landing-ingest-{n}"
        gen = generate_day(landing, DAY, n)
        files = _day_files(landing)
        clean, clean_lines = _clean_copy(files, wh.root / f"clean-{n}")
        webstat, bare, peak, idle = Sample(), Sample(), Sample(), Sample()
        bare_peak = Sample()
        lines = 0
        reps = repeat if n == small else max(1, repeat // 2)
        for i in range(reps):
            wh.execute(DB, f"truncate {RAW_TABLES} restart identity cascade")
            wh.execute(DB, "checkpoint")
            got = worker("ingest", uri=uri, landing=str(landing), day=DAY.isoformat())
            lines = got["lines"]
            webstat.add(got["lines"] / got["seconds"])
            peak.add(got["peak_rss_mb"])
            idle.add(got["idle_rss_mb"])
            log(
                f"ingest {n:,}: run {i + 1}: {got['lines']:,} lines in {got['seconds']:.1f} s,"
                f" peak {got['peak_rss_mb']:.0f} MB"
            )
            wh.execute(DB, "drop table if exists bench_copy")
            wh.execute(DB, "create table bench_copy (doc jsonb)")
            wh.execute(DB, "checkpoint")
            got = worker("copy", uri=uri, files=clean)
            bare.add(got["lines"] / got["seconds"])
            bare_peak.add(got["peak_rss_mb"])
            log(f"bare COPY {n:,}: run {i + 1}: {got['lines']:,} lines in {got['seconds']:.1f} s")
        results["runs"][str(n)] = {
            "generated": gen,
            "lines": lines,
            "clean_lines": clean_lines,
            "bytes": sum(f.stat().st_size for f in files),
            "webstat_rows_per_s": webstat.as_dict(),
            "bare_rows_per_s": bare.as_dict(),
            "ratio": ratio_sample(webstat, bare).as_dict(),
            "peak_rss_mb": peak.as_dict(),
            "idle_rss_mb": idle.as_dict(),
            "bare_peak_rss_mb": bare_peak.as_dict(),
        }
    wh.execute(DB, "drop table if exists bench_copy")
    return results
