"""The data layer's streams: prefetched batches, jsonb as JSON text, clean ends."""

from __future__ import annotations

import pytest

from webstat.reports import data
from webstat.reports.columns import FIELD_COLUMNS_MAX
from webstat.reports.values import Context, decode_json, json_text

pytestmark = pytest.mark.integration

SID = "es-stream"


@pytest.fixture(scope="module")
def many(marts):
    """25 participants (more than a few batches of 4), the first with jsonb values."""
    rows = [
        marts.participant_row(
            SID,
            f"u-{i:02d}",
            first_name=f"Имя{i:02d}",
            first_joined_at=None,
            registration_fields={"Компания": "ООО «Ромашка»", "n": 3} if i == 0 else None,
            agreements=[{"title": "ПД", "accepted_at": "2026-10-29T21:30:00Z"}] if i == 0 else None,
        )
        for i in range(25)
    ]
    marts.insert("fct_event_sessions", [marts.session_row(SID)])
    marts.insert("fct_participants", rows)
    return rows


def test_every_row_in_order_across_batches(marts, many):
    with marts.connect() as conn, data.snapshot(conn):
        got = [r["participant_id"] for r in data.iter_participants(conn, [SID], itersize=4)]
        assert got == [f"u-{i:02d}" for i in range(25)]
        limited = [r["participant_id"] for r in data.iter_participants(conn, [SID], limit=6)]
        assert limited == got[:6]


def test_jsonb_arrives_as_its_text_and_reads_as_before(marts, many):
    with marts.connect() as conn, data.snapshot(conn):
        fields = data.fetch_fields(conn, [SID])
        first = next(iter(data.iter_participants(conn, [SID], fields=fields, itersize=4)))
    # jsonb keeps keys shortest first: that is the order the fields are first seen in
    assert fields == data.Fields(("n", "Компания"), more=False)
    assert (first["field_0"], first["field_1"]) == ("3", "ООО «Ромашка»")
    agreements = first["agreements"]
    assert isinstance(agreements, str)
    ctx = Context("ru", "Europe/Moscow")
    # 21:30 UTC is 00:30 the next day in Moscow
    assert json_text(decode_json(agreements), ctx) == "ПД (30.10.2026 00:30)"


def test_stopping_early_leaves_the_connection_usable(marts, many):
    with marts.connect() as conn, data.snapshot(conn):
        rows = data.iter_participants(conn, [SID], itersize=4)
        assert next(rows)["participant_id"] == "u-00"
        rows.close()  # the helper thread stops and the cursor closes
        assert data.count_groups(conn, [SID]) == {"attendees": 0, "staff": 0, "no_shows": 25}
        again = [r["participant_id"] for r in data.iter_participants(conn, [SID], itersize=4)]
        assert len(again) == 25


def test_an_error_of_the_fetch_reaches_the_reader(marts, many):
    with marts.connect() as conn:
        with pytest.raises(Exception, match="division by zero"):
            list(
                data._stream(
                    conn,
                    "select 1 / (g - 10) as x from generate_series(1, 30) g",
                    {},
                    itersize=4,
                )
            )
        conn.rollback()
        assert conn.execute("select 1").fetchone() == (1,)


def test_fields_in_first_seen_order_and_the_rest_together(marts):
    """Labels in the order a reader meets them (report order, then each object's key
    order); past FIELD_COLUMNS_MAX the rest arrive as one object. Hostile labels stay data."""
    sid = "es-fields"
    many_labels = {f"f{i:02d}": str(i) for i in range(FIELD_COLUMNS_MAX + 2)}
    marts.insert("fct_event_sessions", [marts.session_row(sid)])
    marts.insert(
        "fct_participants",
        [
            marts.participant_row(
                sid, "a", first_name="А", registration_fields={"=1+1": "x", "Город": "Казань"}
            ),
            marts.participant_row(sid, "b", first_name="Б", registration_fields=many_labels),
            marts.participant_row(sid, "c", first_name="В", registration_fields=["not", "an"]),
        ],
    )
    with marts.connect() as conn, data.snapshot(conn):
        fields = data.fetch_fields(conn, [sid])
        rows = list(data.iter_participants(conn, [sid], fields=fields))
    # "=1+1" (4 characters) before "Город" (5): jsonb's own order within A's object
    assert fields.labels[:3] == ("=1+1", "Город", "f00")
    assert len(fields.labels) == FIELD_COLUMNS_MAX and fields.more
    a, b, c = rows
    assert (a["field_0"], a["field_1"], a["field_2"]) == ("x", "Казань", None)
    assert b["field_2"] == "0" and b["field_0"] is None
    assert decode_json(b["other_fields"]) == {f"f{i:02d}": str(i) for i in (38, 39, 40, 41)}
    assert c["field_0"] is None and c["other_fields"] is None  # an array is no fields
