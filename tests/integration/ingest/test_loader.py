"""Landing zone -> raw on a real Postgres: counts by hand, reruns, crashes, gzip, S3."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from webstat.ingest import ingest_day
from webstat.ingest.landing import LandedFile
from webstat.ingest.loader import load_file

pytestmark = pytest.mark.integration

DAY = date(2026, 11, 2)


def ev(event_id: str, event_type: str = "chat.message_posted", **payload) -> str:
    body = {
        "event_id": event_id,
        "event_type": event_type,
        "occurred_at": "2026-11-02T10:05:00Z",
        "organization_id": "org-1",
        "event_session_id": "es-1",
        "participant_id": "u-1",
        "payload": payload,
    }
    if event_type == "chat.message_posted":
        body["payload"] = {"message_id": f"m-{event_id}", **payload}
    return json.dumps(body, ensure_ascii=False)


def write(root: Path, day: date, name: str, lines: list[str], *, gz: bool = False) -> Path:
    folder = root / f"date={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    data = ("\n".join(lines) + "\n").encode()
    path = folder / name
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def counts(conn) -> dict[str, int]:
    return {
        table: conn.execute(f"select count(*) from raw.{table}").fetchone()[0]
        for table in ("platform_events", "duplicate_events", "rejected_lines", "loaded_files")
    }


def test_a_partly_bad_file_loads_its_good_lines_and_keeps_every_bad_one(conn, tmp_path):
    write(
        tmp_path,
        DAY,
        "a.ndjson",
        [
            ev("e-1"),
            "not json at all",
            "",  # blank lines are ignored, not rejected
            ev("e-2", "participant.joined", connection_id="c-1", role="wizard", platform="web"),
            ev("e-3"),
        ],
    )
    summary = ingest_day(conn, f"file://{tmp_path}", DAY)
    assert (summary.lines_total, summary.loaded, summary.rejected, summary.duplicates) == (
        4,
        2,
        2,
        0,
    )
    rejects = conn.execute(
        "select line_number, reason, raw_line from raw.rejected_lines order by line_number"
    ).fetchall()
    assert [(n, r.split(":")[0]) for n, r, _ in rejects] == [
        (2, "invalid_json"),
        (4, "value_not_allowed"),
    ]
    assert rejects[0][2] == "not json at all"
    ids = [r[0] for r in conn.execute("select event_id from raw.platform_events order by 1")]
    assert ids == ["e-1", "e-3"]
    ledger = conn.execute(
        "select status, lines_total, rows_loaded, rows_rejected, rows_duplicate, size_bytes,"
        " length(sha256) from raw.loaded_files"
    ).fetchone()
    size = (tmp_path / "date=2026-11-02" / "a.ndjson").stat().st_size
    assert ledger == ("loaded", 4, 2, 2, 0, size, 64)


def test_a_rerun_changes_nothing(conn, tmp_path):
    write(tmp_path, DAY, "a.ndjson", [ev("e-1"), "{bad", ev("e-1")])
    first = ingest_day(conn, f"file://{tmp_path}", DAY)
    before = counts(conn)
    second = ingest_day(conn, f"file://{tmp_path}", DAY)
    assert before == {
        "platform_events": 1,
        "duplicate_events": 1,
        "rejected_lines": 1,
        "loaded_files": 1,
    }
    assert counts(conn) == before
    assert [f.status for f in first.files] == ["loaded"]
    assert [f.status for f in second.files] == ["skipped"]


def test_the_same_event_in_two_files_loads_once_and_the_first_arrival_wins(conn, tmp_path):
    first = ev("e-1", text="first")
    second = ev("e-1", text="second")
    write(tmp_path, DAY, "a.ndjson", [first])
    write(tmp_path, DAY, "b.ndjson", [second, ev("e-2")])
    summary = ingest_day(conn, f"file://{tmp_path}", DAY)
    assert (summary.loaded, summary.duplicates) == (2, 1)
    payload, uri = conn.execute(
        "select payload, source_uri from raw.platform_events where event_id = 'e-1'"
    ).fetchone()
    assert payload["text"] == "first" and uri.endswith("a.ndjson")
    dup = conn.execute(
        "select event_id, line_number, source_uri from raw.duplicate_events"
    ).fetchall()
    assert [(d[0], d[1], d[2].rsplit("/", 1)[1]) for d in dup] == [("e-1", 1, "b.ndjson")]


def test_every_line_is_accounted_for(conn, tmp_path):
    lines = [ev(f"e-{i % 7}") if i % 5 else "garbage" for i in range(1, 41)]
    write(tmp_path, DAY, "a.ndjson", lines)
    summary = ingest_day(conn, f"file://{tmp_path}", DAY)
    # 40 lines: 8 garbage (i = 5, 10, …, 40); 32 good lines carry 7 distinct ids
    assert (summary.rejected, summary.loaded, summary.duplicates) == (8, 7, 25)
    assert summary.lines_total == summary.loaded + summary.rejected + summary.duplicates


def test_gzip_files_load_like_plain_ones(conn, tmp_path):
    write(tmp_path, DAY, "a.ndjson.gz", [ev("e-1"), ev("e-2"), "oops"], gz=True)
    write(tmp_path, DAY, "b.jsonl", [ev("e-3")])
    summary = ingest_day(conn, f"file://{tmp_path}", DAY)
    assert (summary.loaded, summary.rejected, len(summary.loaded_files)) == (3, 1, 2)


def test_other_files_in_the_partition_are_ignored(conn, tmp_path):
    write(tmp_path, DAY, "a.ndjson", [ev("e-1")])
    write(tmp_path, DAY, "README.txt", ["not a log"])
    summary = ingest_day(conn, f"file://{tmp_path}", DAY)
    assert [Path(f.uri).name for f in summary.files] == ["a.ndjson"]


def test_late_files_in_the_lookback_window_load_with_the_day(conn, tmp_path):
    write(tmp_path, date(2026, 10, 29), "too-old.ndjson", [ev("e-old")])
    write(tmp_path, date(2026, 10, 31), "late.ndjson", [ev("e-late")])
    write(tmp_path, DAY, "today.ndjson", [ev("e-1")])
    summary = ingest_day(conn, f"file://{tmp_path}", DAY, lookback_days=3)
    ids = [r[0] for r in conn.execute("select event_id from raw.platform_events order by 1")]
    assert ids == ["e-1", "e-late"]
    assert summary.loaded == 2


def test_a_crash_in_the_middle_of_a_file_leaves_nothing_and_the_retry_loads_it_whole(
    conn, tmp_path
):
    good = [ev(f"e-{i}") for i in range(1, 2001)]
    path = write(tmp_path, DAY, "a.ndjson.gz", good, gz=True)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])  # the delivery broke off: a truncated gzip
    first = ingest_day(conn, f"file://{tmp_path}", DAY)
    assert [f.status for f in first.files] == ["failed"]
    assert counts(conn)["platform_events"] == 0
    status, error = conn.execute("select status, error from raw.loaded_files").fetchone()
    assert status == "failed" and "EOFError" in error
    path.write_bytes(whole)  # the platform delivers it again
    second = ingest_day(conn, f"file://{tmp_path}", DAY)
    assert [f.status for f in second.files] == ["loaded"]
    assert counts(conn)["platform_events"] == 2000
    assert conn.execute("select status, rows_loaded from raw.loaded_files").fetchone() == (
        "loaded",
        2000,
    )


def test_an_error_inside_the_transaction_rolls_the_file_back(conn, tmp_path, monkeypatch):
    path = write(tmp_path, DAY, "a.ndjson", [ev(f"e-{i}") for i in range(1, 101)])
    from webstat.ingest import loader

    real = loader.check_line

    def explode_at_50(raw):
        if b'"e-50"' in raw:
            raise RuntimeError("the machine fell over")
        return real(raw)

    monkeypatch.setattr(loader, "check_line", explode_at_50)
    landed = LandedFile(f"file://{path}", DAY, None)
    with pytest.raises(RuntimeError):
        load_file(conn, landed)
    assert counts(conn) == {
        "platform_events": 0,
        "duplicate_events": 0,
        "rejected_lines": 0,
        "loaded_files": 0,
    }
    monkeypatch.setattr(loader, "check_line", real)
    assert load_file(conn, landed).loaded == 100


def test_bom_and_crlf_line_ends_are_tolerated(conn, tmp_path):
    folder = tmp_path / "date=2026-11-02"
    folder.mkdir()
    (folder / "a.ndjson").write_bytes(
        b"\xef\xbb\xbf" + ev("e-1").encode() + b"\r\n" + ev("e-2").encode()  # no final newline
    )
    summary = ingest_day(conn, f"file://{tmp_path}", DAY)
    assert (summary.loaded, summary.rejected) == (2, 0)


def test_an_s3_landing_zone_loads_through_the_same_code_path(
    conn, tmp_path, s3_bucket, s3_endpoint, s3_client
):
    body = ("\n".join([ev("e-1"), ev("e-2"), "bad"]) + "\n").encode()
    s3_client.put_object(Bucket=s3_bucket, Key="raw/date=2026-11-02/a.ndjson", Body=body)
    s3_client.put_object(
        Bucket=s3_bucket,
        Key="raw/date=2026-11-02/b.ndjson.gz",
        Body=gzip.compress(ev("e-3").encode() + b"\n"),
    )
    landing = f"s3://{s3_bucket}/raw"
    summary = ingest_day(conn, landing, DAY, conn_id="webstat_s3")
    assert (summary.loaded, summary.rejected, len(summary.loaded_files)) == (3, 1, 2)
    uris = [r[0] for r in conn.execute("select uri from raw.loaded_files order by 1")]
    assert uris == [f"{landing}/date=2026-11-02/a.ndjson", f"{landing}/date=2026-11-02/b.ndjson.gz"]
    assert ingest_day(conn, landing, DAY, conn_id="webstat_s3").loaded == 0


def test_a_missing_landing_zone_is_one_clear_error(conn, tmp_path):
    from webstat.errors import WebstatError

    with pytest.raises(WebstatError, match="does not exist"):
        ingest_day(conn, f"file://{tmp_path}/nope", DAY)


# --- the fast path: lines travel as their own JSON text; Postgres extracts the columns ----


def test_unusual_but_valid_spellings_land_as_the_same_values(conn, tmp_path):
    base = json.loads(ev("e-1"))
    lower = dict(base, event_id="e-lower", occurred_at="2026-11-02t13:00:00.1234567+03:00")
    spaced = dict(base, event_id="e-space", occurred_at="2026-11-02 10:05:00z")
    nepal = dict(base, event_id="e-nepal", occurred_at="2026-11-02T15:50:00.5+05:45")
    extra = dict(base, event_id="e-extra", extra_field="\ud800")  # lone surrogate, not ours
    big = dict(base, event_id="e-big", payload={"message_id": "m", "n": 10**30, "x": 1.5})
    lines = [json.dumps(doc, ensure_ascii=True) for doc in (lower, spaced, nepal, extra, big)]
    lines.append(ev("e-cr").replace('"event_type"', '\r"event_type"'))  # JSON whitespace
    write(tmp_path, DAY, "a.ndjson", lines)
    summary = ingest_day(conn, f"file://{tmp_path}", DAY)
    assert (summary.loaded, summary.rejected, summary.duplicates) == (6, 0, 0)
    rows = dict(
        conn.execute(
            "select event_id, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
            " from raw.platform_events"
        ).fetchall()
    )
    assert rows == {
        "e-lower": "2026-11-02 10:00:00.123456",  # 13:00 +03:00, fraction cut at 6 digits
        "e-space": "2026-11-02 10:05:00.000000",
        "e-nepal": "2026-11-02 10:05:00.500000",  # 15:50:00.5 +05:45
        "e-extra": "2026-11-02 10:05:00.000000",
        "e-big": "2026-11-02 10:05:00.000000",
        "e-cr": "2026-11-02 10:05:00.000000",
    }
    payload = conn.execute(
        "select payload->>'n', payload->>'x' from raw.platform_events where event_id = 'e-big'"
    ).fetchone()
    assert payload == ("1000000000000000000000000000000", "1.5")


def _big_file(prefix: str, n: int) -> list[str]:
    return [ev(f"{prefix}-{i}") for i in range(n)]


def ingest_in_parallel(conn, folder, warehouse_url, **options):
    """``ingest_day`` of ``folder``'s DAY with its own connection per file worker."""
    import psycopg

    return ingest_day(
        conn,
        f"file://{folder}",
        DAY,
        connect=lambda: psycopg.connect(warehouse_url, autocommit=True),
        **options,
    )


def test_parallel_files_keep_first_arrival_in_file_order(conn, tmp_path, warehouse_url):

    # a.ndjson is large and holds "shared" last; b.ndjson is tiny and stages long before a
    # is validated. b must still wait: a is earlier in delivery order, so a's line wins.
    write(tmp_path, DAY, "a.ndjson", _big_file("a", 20_000) + [ev("shared")])
    write(tmp_path, DAY, "b.ndjson", [ev("shared"), ev("b-1")])
    write(tmp_path, DAY, "c.ndjson", [ev("b-1"), ev("shared"), ev("c-1")])
    summary = ingest_in_parallel(conn, tmp_path, warehouse_url, workers=2)
    assert [(f.uri.rsplit("/", 1)[1], f.loaded, f.duplicates) for f in summary.files] == [
        ("a.ndjson", 20_001, 0),
        ("b.ndjson", 1, 1),
        ("c.ndjson", 1, 2),
    ]
    winners = dict(
        conn.execute(
            "select event_id, split_part(source_uri, '/', -1) || ':' || line_number"
            " from raw.platform_events where event_id in ('shared', 'b-1', 'c-1')"
        ).fetchall()
    )
    assert winners == {"shared": "a.ndjson:20001", "b-1": "b.ndjson:2", "c-1": "c.ndjson:3"}
    losers = conn.execute(
        "select split_part(source_uri, '/', -1) || ':' || line_number from raw.duplicate_events"
        " order by 1"
    ).fetchall()
    assert [r for (r,) in losers] == ["b.ndjson:1", "c.ndjson:1", "c.ndjson:2"]
    rerun = ingest_in_parallel(conn, tmp_path, warehouse_url)
    assert [f.status for f in rerun.files] == ["skipped"] * 3
    assert counts(conn) == {
        "platform_events": 20_003,
        "duplicate_events": 3,
        "rejected_lines": 0,
        "loaded_files": 3,
    }


def test_a_parallel_file_that_cannot_be_read_does_not_hold_up_the_others(
    conn, tmp_path, warehouse_url
):

    write(tmp_path, DAY, "a.ndjson", [ev("a-1")])
    (tmp_path / f"date={DAY.isoformat()}" / "b.ndjson.gz").write_bytes(b"not gzip at all")
    write(tmp_path, DAY, "c.ndjson", [ev("a-1"), ev("c-1")])
    summary = ingest_in_parallel(conn, tmp_path, warehouse_url, workers=2)
    assert [f.status for f in summary.files] == ["loaded", "failed", "loaded"]
    assert (summary.loaded, summary.duplicates) == (2, 1)
