"""Raw contract v2 on a real Postgres: one line never costs another, and nothing but a
regular file of the landing zone is ever read.

Each expected count is worked out by hand from the lines written in the test.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

import pytest

from webstat.errors import WebstatError
from webstat.ingest import ingest_day
from webstat.ingest.landing import MAX_LINE_BYTES
from webstat.ingest.validate import Checked

pytestmark = pytest.mark.integration

DAY = date(2026, 11, 2)
# 3,200 characters that do not compress (a long run of one letter would, and fit the index)
LONG_ID = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(50))


def ev(event_id: str, session: str = "es-1", **payload) -> str:
    return json.dumps(
        {
            "event_id": event_id,
            "event_type": "chat.message_posted",
            "occurred_at": "2026-11-02T10:05:00Z",
            "organization_id": "org-1",
            "event_session_id": session,
            "participant_id": "u-1",
            "payload": {"message_id": f"m-{event_id}", **payload},
        },
        ensure_ascii=False,
    )


def write(root: Path, name: str, lines: list[str], day: date = DAY) -> Path:
    folder = root / f"date={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(("\n".join(lines) + "\n").encode())
    return path


def ledger(conn) -> list[tuple]:
    return conn.execute(
        "select status, lines_total, rows_loaded, rows_rejected, rows_duplicate"
        " from raw.loaded_files order by uri"
    ).fetchall()


# --- what the warehouse refuses of a validated line is that line's reject ----------------


@pytest.fixture
def permissive_validator(monkeypatch):
    """A validator that lets every line through, as a contract rule nobody foresaw would:
    the real warehouse then refuses what it cannot hold."""
    from webstat.ingest import loader

    monkeypatch.setattr(loader, "check_line", lambda raw: Checked(bytes(raw), None))


def test_a_line_the_warehouse_refuses_is_its_own_reject_and_the_file_loads(
    conn, tmp_path, permissive_validator
):
    lines = [
        ev("e-1"),
        ev("e-2").replace('"payload": {', '"payload": {"n": 1e-20000, '),  # numeric overflow
        ev("e-3"),
        ev("e-1"),  # a duplicate after the refused line: still a duplicate
        ev("e-4", session=LONG_ID),  # b-tree index row too large
        ev("e-5"),
    ]
    write(tmp_path, "a.ndjson", lines)
    summary = ingest_day(conn, f"file://{tmp_path}", DAY)

    # 6 lines: e-1, e-3, e-5 load; the second e-1 is a duplicate; two are refused
    assert (summary.loaded, summary.duplicates, summary.rejected) == (3, 1, 2)
    assert ledger(conn) == [("loaded", 6, 3, 2, 1)]
    rejects = conn.execute(
        "select line_number, reason, raw_bytes from raw.rejected_lines order by line_number"
    ).fetchall()
    assert [r[0] for r in rejects] == [2, 5]
    assert rejects[0][1].startswith("warehouse_refused: ")
    assert "numeric" in rejects[0][1]
    assert "index row" in rejects[1][1]
    assert bytes(rejects[0][2]) == lines[1].encode()  # the line exactly as delivered
    events = [r[0] for r in conn.execute("select event_id from raw.platform_events order by 1")]
    assert events == ["e-1", "e-3", "e-5"]
    # and a rerun changes nothing
    assert ingest_day(conn, f"file://{tmp_path}", DAY).loaded == 0
    assert ledger(conn) == [("loaded", 6, 3, 2, 1)]


def test_the_contract_limits_reject_the_known_refusals_up_front(conn, tmp_path):
    write(
        tmp_path,
        "a.ndjson",
        [
            ev("e-1"),
            ev("e-2").replace('"payload": {', '"payload": {"n": 1e-20000, '),
            ev("e-3", session=LONG_ID),
            json.dumps({**json.loads(ev("e-4")), "participant_id": LONG_ID}),
            ev("e-5"),
        ],
    )
    summary = ingest_day(conn, f"file://{tmp_path}", DAY)
    assert (summary.loaded, summary.rejected) == (2, 3)
    reasons = [
        r[0].split(":")[0]
        for r in conn.execute("select reason from raw.rejected_lines order by line_number")
    ]
    assert reasons == ["number_out_of_range", "string_too_long", "string_too_long"]


def test_a_line_over_the_size_limit_is_rejected_without_costing_its_neighbours(conn, tmp_path):
    huge = '{"event_id": "e-big", "payload": {"text": "' + "x" * (MAX_LINE_BYTES + 10) + '"}}'
    write(tmp_path, "a.ndjson", [ev("e-1"), huge, ev("e-2")])
    summary = ingest_day(conn, f"file://{tmp_path}", DAY)
    assert (summary.loaded, summary.rejected) == (2, 1)
    line_number, reason, kept = conn.execute(
        "select line_number, reason, length(raw_bytes) from raw.rejected_lines"
    ).fetchone()
    assert line_number == 2
    assert reason.startswith(f"line_too_long: the line has {len(huge):,} bytes")
    assert kept == MAX_LINE_BYTES


# --- only regular files of the landing zone are read -------------------------------------


def test_links_fifos_and_linked_partitions_are_never_read(conn, tmp_path):
    secret = tmp_path / "outside" / "secret.ndjson"
    secret.parent.mkdir()
    secret.write_text("SECRET=hunter2\n")
    landing = tmp_path / "landing"
    write(landing, "good.ndjson", [ev("e-1")])
    part = landing / f"date={DAY.isoformat()}"
    (part / "link.ndjson").symlink_to(secret)
    os.mkfifo(part / "pipe.ndjson")  # opening it for reading would block forever
    # a whole partition that is a link to a folder outside the landing zone
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere, "x.ndjson", [ev("e-9")], day=date(2026, 11, 1))
    (landing / "date=2026-11-01").symlink_to(elsewhere / "date=2026-11-01")

    summary = ingest_day(conn, f"file://{landing}", DAY, lookback_days=1)

    assert summary.loaded == 1
    ignored = {Path(e.uri).name: e.reason for e in summary.ignored}
    assert ignored == {
        "date=2026-11-01": "the partition is a symbolic link: not read",
        "link.ndjson": "a symbolic link: not read",
        "pipe.ndjson": "a FIFO: not read",
    }
    assert "IGNORED" in str(summary)
    everything = conn.execute(
        "select coalesce(string_agg(raw_line, ''), '') from raw.rejected_lines"
    ).fetchone()[0]
    assert "hunter2" not in everything
    assert [r[0] for r in conn.execute("select uri from raw.loaded_files")] == [
        f"file://{part}/good.ndjson"
    ]


def test_file_names_with_control_characters_load(conn, tmp_path):
    write(tmp_path, "new\nline.ndjson", [ev("e-1")])
    write(tmp_path, "tab\there\x01.ndjson", [ev("e-2")])
    summary = ingest_day(conn, f"file://{tmp_path}", DAY)
    assert (summary.loaded, summary.failed_files) == (2, [])
    assert ingest_day(conn, f"file://{tmp_path}", DAY).loaded == 0  # and only once


def test_a_landing_uri_that_is_a_file_is_one_clear_error(conn, tmp_path):
    target = tmp_path / "landing.ndjson"
    target.write_text(ev("e-1") + "\n")
    with pytest.raises(WebstatError, match="is not a folder"):
        ingest_day(conn, f"file://{target}", DAY)


def test_a_changed_redelivery_is_not_reloaded_and_is_named_with_both_checksums(conn, tmp_path):
    path = write(tmp_path, "a.ndjson", [ev("e-1")])
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    ingest_day(conn, f"file://{tmp_path}", DAY)
    write(tmp_path, "a.ndjson", [ev("e-1"), ev("e-2")])
    after = hashlib.sha256(path.read_bytes()).hexdigest()

    summary = ingest_day(conn, f"file://{tmp_path}", DAY)

    assert summary.loaded == 0
    assert len(summary.changed) == 1
    assert before in summary.changed[0] and after in summary.changed[0]
    assert conn.execute("select count(*) from raw.platform_events").fetchone()[0] == 1
