"""A hostile-input corpus, generated here, through the real loader into a real Postgres.

Every file of the corpus lands in one partition and one ``ingest_day`` loads it.
For every file the test knows, line by line, what must happen (loaded, duplicate,
or rejected with which reason code; or a file-level failure in the ledger), and
checks that the counts add up with the file's non-blank lines counted here, by
the contract's definition, not by the loader's code.
"""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest

from webstat.ingest import ingest_day

pytestmark = pytest.mark.integration

DAY = date(2026, 11, 2)
MB10 = 10 * 1024 * 1024
DEEP = 100_000

LOADED, DUP = "loaded", "duplicate"
FAILED = object()  # a file-level failure: nothing of the file in raw, ledger says 'failed'

_ids = iter(range(1, 1_000_000))


def nid(prefix: str = "c") -> str:
    return f"{prefix}-{next(_ids)}"


def build_corpus(h) -> dict[str, tuple[bytes, list | tuple]]:
    """name -> (bytes as delivered, expected outcome of each non-blank line | (FAILED, error))."""
    ev, ln = h.event, h.line
    files: dict[str, tuple[bytes, list | tuple]] = {}

    def plain(name: str, lines: list[tuple[bytes, str]], end: bytes = b"\n") -> None:
        files[name] = (b"".join(b + end for b, _ in lines), [o for _, o in lines])

    # 10 MB lines: a well-formed event carrying 10 MB of text (past the contract's 10,000
    # characters a string, v2), one 10 MB of garbage; a string of exactly 10,000 loads
    plain(
        "big-line.ndjson",
        [
            (ln(ev(nid())), LOADED),
            (ln(ev("big-10mb", text="x" * MB10)), "string_too_long"),
            (b"{" + b"x" * MB10, "invalid_json"),
            (ln(ev("big-10k", text="я" * 10_000)), LOADED),
        ],
    )

    # deep nesting: 100k levels is refused by the parser (kept in rejects), 200 loads
    deep_payload = '{"a":' * DEEP + "1" + "}" * DEEP
    envelope = ln(ev("deep-env", x=0)).replace(b'"x": 0', b'"x": ' + deep_payload.encode())
    nested: dict = {"leaf": True}
    for _ in range(200):
        nested = {"a": nested}
    plain(
        "deep.ndjson",
        [
            (b"[" * DEEP + b"]" * DEEP, "invalid_json"),
            (envelope, "invalid_json"),
            (ln(ev("deep-200", x=nested)), LOADED),
        ],
    )

    # U+0000: jsonb/text cannot hold it, so the line is rejected whole
    text_nul = ln(ev(nid(), text="a\x00b"))
    assert b"\\u0000" in text_nul
    literal_nul = ln(ev(nid(), text="a#b")).replace(b"a#b", b"a\x00b")
    plain(
        "nul.ndjson",
        [
            (text_nul, "nul_character"),
            (ln(ev(nid(), **{"key\x00": "v"})), "nul_character"),
            (ln(ev("nul\x00id")), "nul_character"),
            (literal_nul, "invalid_json"),  # a raw NUL byte inside a string: a control character
            (ln(ev("not-a-nul", text="\\u0000")), LOADED),  # backslash-u-0000 as text is fine
        ],
    )

    # invalid UTF-8, and the escapes that cannot become UTF-8
    good = ln(ev(nid(), text="@@"))
    plain(
        "utf8.ndjson",
        [
            (good.replace(b"@@", b"\xff\xfe"), "invalid_utf8"),
            (ln(ev(nid(), text="@@")).replace(b"@@", b"\xc0\xaf"), "invalid_utf8"),  # overlong
            (ln(ev(nid(), text="@@")).replace(b"@@", b"\xed\xa0\x80"), "invalid_utf8"),  # surrogate
            (ln(ev(nid(), text="@@")).replace(b"@@", b"\\ud800"), "invalid_utf8"),  # lone escape
            (ln(ev("utf8-pair", text="@@")).replace(b"@@", b"\\ud83d\\ude00"), LOADED),
            (ln(ev(nid(), first_name="Анна")).decode().encode("cp1251"), "invalid_utf8"),
            (b'{"event_id": "cut-\xd0', "invalid_utf8"),  # a character cut in half
        ],
    )

    # BOM at the start (tolerated) and in the middle of the file (not JSON)
    bom = b"\xef\xbb\xbf"
    a, b, c = ln(ev(nid())), ln(ev(nid())), ln(ev(nid()))
    files["bom.ndjson"] = (
        bom + a + b"\n" + b + b"\n" + bom + c + b"\n",
        [LOADED, LOADED, "invalid_json"],
    )
    a, b, c = ln(ev(nid())), ln(ev(nid())), ln(ev(nid()))
    files["bom-crlf-no-final-newline.ndjson"] = (
        bom + a + b"\r\n" + b + b"\r\n" + c,
        [LOADED, LOADED, LOADED],
    )

    # CRLF, a CRLF-only blank line, CRCRLF, a CR between tokens, a repeat
    a, b, c = ln(ev("crlf-1")), ln(ev(nid())), ln(ev(nid()))
    d = ln(ev(nid())).replace(b', "event_type"', b',\r"event_type"')
    files["crlf.ndjson"] = (
        a + b"\r\n" + b"\r\n" + b + b"\r\n" + a + b"\r\n" + c + b"\r\r\n" + d + b"\r\n",
        [LOADED, LOADED, DUP, LOADED, LOADED],
    )

    a, b = ln(ev(nid())), ln(ev(nid()))
    files["no-final-newline.ndjson"] = (a + b"\n" + b, [LOADED, LOADED])
    files["empty.ndjson"] = (b"", [])
    files["blank.ndjson"] = (b"\n \n\t\r\n\x0b\x0c\n\n", [])
    files["nbsp-is-not-blank.ndjson"] = (b"\n\xc2\xa0\n", ["invalid_json"])

    # gzip: broken deliveries fail as files; odd but valid ones load
    many = b"".join(ln(ev(nid("gz"))) + b"\n" for _ in range(2000))
    whole = gzip.compress(many)
    files["truncated.ndjson.gz"] = (whole[: len(whole) // 2], (FAILED, "EOFError"))
    files["not-gzip.ndjson.gz"] = (ln(ev(nid())) + b"\n", (FAILED, "BadGzipFile"))
    files["trailing-garbage.ndjson.gz"] = (
        gzip.compress(ln(ev(nid())) + b"\n") + b"garbage",
        (FAILED, "BadGzipFile"),
    )
    files["empty.ndjson.gz"] = (b"", [])
    a, b = ln(ev(nid())), ln(ev(nid()))
    files["two-members.ndjson.gz"] = (
        gzip.compress(a + b"\n") + gzip.compress(b + b"\n"),
        [LOADED, LOADED],
    )

    # timestamps: odd offsets and precision load with their instant; bad ones are rejected
    def at(ts, eid=None):
        return ln(ev(eid or nid(), at=ts))

    plain(
        "timestamps.ndjson",
        [
            (at("2026-11-02T10:00:00+05:45", "ts-nepal"), LOADED),
            (at("2026-11-02T10:00:00+14:00", "ts-kiritimati"), LOADED),
            (at("2026-11-02T10:00:00-12:00", "ts-baker"), LOADED),
            (at("2026-11-02t10:00:00.123456789z", "ts-nanos"), LOADED),
            (at("2026-11-02 10:00:00.5+05:45", "ts-space"), LOADED),
            (at("2026-11-02T10:00:00"), "occurred_at_without_offset"),
            (at("2026-11-02T10:00:00+24:00"), "occurred_at_not_a_timestamp"),
            (at("2016-12-31T23:59:60Z"), "occurred_at_not_a_timestamp"),  # leap second
            (at("2026-02-30T10:00:00Z"), "occurred_at_not_a_timestamp"),
            (at("0000-01-01T00:00:00Z"), "occurred_at_not_a_timestamp"),
            (at("2026-11-02T10:00:00+0545"), "occurred_at_not_a_timestamp"),
            (at(""), "occurred_at_not_a_timestamp"),
            (ln(ev(nid(), at=1762077600)), "wrong_type"),
        ],
    )

    # numbers: past 64 bits they load exactly (jsonb numeric); past a double, or with more
    # digits after the point than numeric holds, they are refused (contract v2)
    big = 2**64 + 1
    plain(
        "numbers.ndjson",
        [
            (ln(ev("num-big", big=big, negative=-(2**80), huge=1e308)), LOADED),
            (ln(ev("num-pay", "payment.completed", amount=2**70, currency="RUB")), LOADED),
            (ln(ev(nid(), x=1)).replace(b'"x": 1', b'"x": 1e400'), "number_out_of_range"),
            (ln(ev(nid(), x=1)).replace(b'"x": 1', b'"x": -1e400'), "number_out_of_range"),
            (ln(ev(nid(), x=1)).replace(b'"x": 1', b'"x": 1e-20000'), "number_out_of_range"),
            (ln(ev("num-tiny", x=1)).replace(b'"x": 1', b'"x": 1e-400'), LOADED),
            (ln(ev(nid(), x=1)).replace(b'"x": 1', b'"x": NaN'), "invalid_json"),
            (ln(ev(nid(), x=1)).replace(b'"x": 1', b'"x": ' + b"9" * 5000), "number_out_of_range"),
            (b"[1, 2, 3]", "not_an_object"),
            (b"null", "not_an_object"),
            (b"123456789012345678901234567890", "not_an_object"),
        ],
    )

    # names: emoji (ZWJ sequences), right-to-left, combining marks, NFC vs NFD
    plain(
        "names.ndjson",
        [
            (
                ln(
                    ev(
                        "name-1",
                        "participant.registered",
                        first_name="👩\u200d💻🏳️\u200d🌈",
                        last_name="محمد",
                        email="x@example.com",
                    )
                ),
                LOADED,
            ),
            (
                ln(
                    ev(
                        "name-2",
                        "participant.registered",
                        first_name="Ze\u0301\u0351\u0300",
                        last_name="\u202eevil\u202c",
                        email="y@example.com",
                    )
                ),
                LOADED,
            ),
            (
                ln(
                    ev(
                        "name-3",
                        "participant.registered",
                        first_name="\u00e9",
                        last_name="e\u0301",
                        email="z@example.com",
                    )
                ),
                LOADED,
            ),
        ],
    )

    # SQL-looking strings are data: in an id, an organization, a name, a text
    sql = "'); drop table raw.platform_events; --"
    plain(
        "sql.ndjson",
        [
            (
                ln(ev(sql, org="org'; drop schema raw cascade; --", text=sql, first_name=sql)),
                LOADED,
            ),
            (ln(ev("sql-2", text="Robert'); DROP TABLE students;--")), LOADED),
        ],
    )

    # the same event twice in a file and again in a later file
    plain(
        "dup-a.ndjson",
        [(ln(ev("dup-1")), LOADED), (ln(ev("dup-2")), LOADED), (ln(ev("dup-1")), DUP)],
    )
    plain("dup-b.ndjson", [(ln(ev("dup-1")), DUP), (ln(ev("dup-3")), LOADED)])

    # file names that are not plain
    for name in (
        "x'); drop table raw.loaded_files; --.ndjson",
        "a#b.ndjson",
        "a?b.ndjson",
        "a%20b.ndjson",
        "отчёт 1.jsonl",
    ):
        plain(name, [(ln(ev(nid())), LOADED)])
    return files


IGNORED = ("notes.txt", "data.json", "events.ndjson.bak")


def content_lines(name: str, data: bytes, h) -> list[tuple[int, bytes]]:
    return h.nonblank_lines(gzip.decompress(data) if name.endswith(".gz") and data else data)


@pytest.fixture(scope="module")
def loaded_corpus(pg_server_url, tmp_path_factory, faults_helpers):
    """The corpus written to a landing partition and loaded once (twice: the rerun)."""
    import uuid

    h = faults_helpers
    name = f"corpus_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    url = pg_server_url.replace("/postgres?", f"/{name}?")
    from webstat.warehouse import connect
    from webstat.warehouse.migrate import migrate

    root = tmp_path_factory.mktemp("corpus")
    part = root / f"date={DAY.isoformat()}"
    part.mkdir()
    corpus = build_corpus(h)
    for fname, (data, _) in corpus.items():
        (part / fname).write_bytes(data)
    for fname in IGNORED:
        (part / fname).write_bytes(h.line(h.event(nid())) + b"\n")
    landing = f"file://{root}"
    with connect(url=url) as conn:
        migrate(conn)
        first = ingest_day(conn, landing, DAY, lookback_days=0)
        second = ingest_day(conn, landing, DAY, lookback_days=0)
        yield {
            "conn": conn,
            "corpus": corpus,
            "part": part,
            "landing": landing,
            "first": first,
            "second": second,
        }
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(f'drop database if exists "{name}" with (force)')


def uri_of(c, fname: str) -> str:
    return f"{c['landing']}/date={DAY.isoformat()}/{fname}"


def test_every_file_is_accounted_for_line_by_line(loaded_corpus, faults_helpers):
    """lines_total = loaded + rejected + duplicate for every file, equal to the non-blank
    lines counted here; each line is where the corpus says, rejects kept byte for byte."""
    h, c = faults_helpers, loaded_corpus
    conn = c["conn"]
    for fname, (data, expected) in c["corpus"].items():
        out = h.file_outcome(conn, uri_of(c, fname))
        if isinstance(expected, tuple):  # a file-level failure
            assert out.status == "failed", fname
            assert expected[1] in out.ledger["error"], (fname, out.ledger["error"])
            assert (out.events, out.duplicates, out.rejects) == ({}, {}, {}), fname
            assert out.ledger["lines_total"] == 0, fname
            continue
        lines = content_lines(fname, data, h)
        assert len(lines) == len(expected), f"{fname}: the corpus miscounts its own lines"
        led = out.ledger
        assert out.status == "loaded", (fname, led)
        assert led["lines_total"] == len(lines), fname
        assert (
            led["lines_total"] == led["rows_loaded"] + led["rows_rejected"] + led["rows_duplicate"]
        ), fname
        assert (led["rows_loaded"], led["rows_duplicate"], led["rows_rejected"]) == (
            len(out.events),
            len(out.duplicates),
            len(out.rejects),
        ), fname
        assert (led["size_bytes"], led["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
        got = [out.outcome(number) for number, _ in lines]
        assert got == expected, fname
        numbers = {n for n, _ in lines}
        assert set(out.events) | set(out.duplicates) | set(out.rejects) == numbers, fname
        for number, raw in lines:
            if number in out.rejects:  # kept exactly as delivered (without its line end)
                assert out.rejects[number][1] == hashlib.md5(raw).hexdigest(), (fname, number)


def test_the_run_goes_on_past_broken_files_and_a_rerun_changes_nothing(loaded_corpus):
    c = loaded_corpus
    first, second = c["first"], c["second"]
    failed = sorted(Path(f.uri).name for f in first.failed_files)
    assert failed == ["not-gzip.ndjson.gz", "trailing-garbage.ndjson.gz", "truncated.ndjson.gz"]
    assert len(first.loaded_files) == len(c["corpus"]) - 3
    # the rerun skips what loaded and tries the failed files again (still failed, once each)
    assert sorted(Path(f.uri).name for f in second.failed_files) == failed
    assert second.loaded_files == []
    ledger = (
        c["conn"].execute("select count(*), count(distinct uri) from raw.loaded_files").fetchone()
    )
    assert ledger == (len(c["corpus"]), len(c["corpus"]))
    listed = {Path(f.uri).name for f in first.files}
    assert not listed & set(IGNORED)  # not an .ndjson/.jsonl[.gz]: not a delivery
    totals = (
        c["conn"]
        .execute(
            "select sum(lines_total), sum(rows_loaded), sum(rows_rejected), sum(rows_duplicate)"
            " from raw.loaded_files"
        )
        .fetchone()
    )
    assert totals == (first.lines_total, first.loaded, first.rejected, first.duplicates)
    assert totals[0] == totals[1] + totals[2] + totals[3]


def one(c, sql, *params):
    return c["conn"].execute(sql, params).fetchone()


def test_what_loaded_is_exactly_what_was_sent(loaded_corpus):
    c = loaded_corpus
    # the longest string the contract allows, whole; the 10 MB lines kept whole in rejects
    assert one(
        c, "select length(payload->>'text') from raw.platform_events where event_id = 'big-10k'"
    ) == (10_000,)
    rows = (
        c["conn"]
        .execute(
            "select length(raw_bytes), left(raw_line, 3) from raw.rejected_lines"
            " where source_uri like '%%big-line.ndjson' order by line_number"
        )
        .fetchall()
    )
    assert rows[1] == (MB10 + 1, "{xx")
    assert rows[0][0] > MB10 and rows[0][1] == '{"e'
    # 200 levels of nesting survive the round trip
    payload = one(c, "select payload from raw.platform_events where event_id = 'deep-200'")[0]
    depth, node = 0, payload["x"]
    while "a" in node:
        node, depth = node["a"], depth + 1
    assert (depth, node) == (200, {"leaf": True})
    # NUL: the readable raw_line shows it escaped, raw_bytes has it as sent
    rows = (
        c["conn"]
        .execute(
            "select raw_line, position('\\x00'::bytea in raw_bytes) > 0 from raw.rejected_lines"
            " where source_uri like '%%/nul.ndjson' order by line_number"
        )
        .fetchall()
    )
    assert '"a\\u0000b"' in rows[0][0] and rows[3] == (rows[3][0], True)
    assert "a\\u0000b" in rows[3][0]
    assert one(
        c, "select payload->>'text' from raw.platform_events where event_id = 'not-a-nul'"
    ) == ("\\u0000",)
    assert one(
        c, "select payload->>'text' from raw.platform_events where event_id = 'utf8-pair'"
    ) == ("😀",)
    # numbers past 64 bits keep every digit
    assert one(
        c,
        "select payload->>'big', payload->>'negative' from raw.platform_events"
        " where event_id = 'num-big'",
    ) == (str(2**64 + 1), str(-(2**80)))
    assert one(
        c,
        "select (payload->>'amount')::numeric from raw.platform_events where event_id = 'num-pay'",
    ) == (2**70,)
    # names are not normalised: NFC and NFD stay different, RTL/ZWJ/RLO stay in place
    names = dict(
        (r[0], (r[1], r[2]))
        for r in c["conn"].execute(
            "select event_id, payload->>'first_name', payload->>'last_name'"
            " from raw.platform_events where event_id like 'name-%'"
        )
    )
    assert names == {
        "name-1": ("👩\u200d💻🏳️\u200d🌈", "محمد"),
        "name-2": ("Ze\u0301\u0351\u0300", "\u202eevil\u202c"),
        "name-3": ("\u00e9", "e\u0301"),
    }
    # SQL-looking strings are only data, and the tables are all there
    sql = "'); drop table raw.platform_events; --"
    assert one(
        c,
        "select organization_id, payload->>'first_name' from raw.platform_events"
        " where event_id = %s",
        sql,
    ) == ("org'; drop schema raw cascade; --", sql)
    assert (
        one(
            c,
            "select count(*) from raw.loaded_files where uri like %s",
            "%x'); drop table raw.loaded_files; --.ndjson",
        )[0]
        == 1
    )


def test_timestamps_keep_their_instant_whatever_the_offset(loaded_corpus):
    c = loaded_corpus
    got = dict(
        c["conn"].execute(
            "select event_id, occurred_at from raw.platform_events where event_id like 'ts-%'"
        )
    )
    nepal = timezone(timedelta(hours=5, minutes=45))
    assert got == {
        "ts-nepal": datetime(2026, 11, 2, 10, 0, tzinfo=nepal),
        "ts-kiritimati": datetime(2026, 11, 1, 20, 0, tzinfo=UTC),
        "ts-baker": datetime(2026, 11, 2, 22, 0, tzinfo=UTC),
        "ts-nanos": datetime(2026, 11, 2, 10, 0, 0, 123456, tzinfo=UTC),  # cut to µs
        "ts-space": datetime(2026, 11, 2, 4, 15, 0, 500000, tzinfo=UTC),
    }


# --- cases that need a product change (see docs/reliability.md) ------------------------------


def _one_file(conn, tmp_path, name: str, lines: list[bytes]):
    part = tmp_path / f"date={DAY.isoformat()}"
    part.mkdir(parents=True, exist_ok=True)
    (part / name).write_bytes(b"\n".join(lines) + b"\n")
    summary = ingest_day(conn, f"file://{tmp_path}", DAY, lookback_days=0)
    assert summary.lines_total == len(lines)
    assert summary.lines_total == summary.loaded + summary.rejected + summary.duplicates
    return summary


def test_timestamps_at_the_ends_of_the_calendar_are_rejected(conn, tmp_path, faults_helpers):
    h = faults_helpers
    ends = [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+05:45",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59.999999-05:45",
    ]
    lines = [h.line(h.event(f"end-{i}", at=ts)) for i, ts in enumerate(ends)]
    summary = _one_file(conn, tmp_path, "calendar-ends.ndjson", lines)
    reasons = [
        r[0].split(":")[0]
        for r in conn.execute("select reason from raw.rejected_lines order by line_number")
    ]
    assert reasons == ["occurred_at_out_of_range"] * len(ends)
    assert summary.loaded == 0
    conn.execute("select occurred_at from raw.platform_events").fetchall()  # all readable


def test_a_fire_count_that_cannot_be_summed_is_rejected(conn, tmp_path, faults_helpers):
    h = faults_helpers
    lines = [
        h.line(h.event("fire-1", "reaction.fire", count=2**64)),
        h.line(h.event("fire-2", "reaction.fire", count=2**63 - 1)),
        h.line(h.event("fire-3", "reaction.fire", count=2**63 - 1)),
        h.line(h.event("fire-4", "reaction.fire", count=3)),
    ]
    summary = _one_file(conn, tmp_path, "fires.ndjson", lines)
    # what stg_platform__fires and the marts compute must never fail on loaded rows
    conn.execute(
        "select sum(coalesce((payload->>'count')::bigint, 1))::bigint"
        " from raw.platform_events where event_type = 'reaction.fire'"
    ).fetchone()
    assert (summary.loaded, summary.rejected) == (1, 3)
    reasons = {r[0].split(":")[0] for r in conn.execute("select reason from raw.rejected_lines")}
    assert reasons == {"wrong_type"}
