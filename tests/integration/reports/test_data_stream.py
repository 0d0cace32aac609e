"""The data layer's streams: prefetched batches, jsonb as JSON text, clean ends."""

from __future__ import annotations

import pytest

from webstat.reports import data
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
        first = next(iter(data.iter_participants(conn, [SID], itersize=4)))
    fields, agreements = first["registration_fields"], first["agreements"]
    assert isinstance(fields, str) and isinstance(agreements, str)
    assert decode_json(fields) == {"Компания": "ООО «Ромашка»", "n": 3}
    ctx = Context("ru", "Europe/Moscow")
    # jsonb keeps keys shortest first, as psycopg's decoded dict had them
    assert json_text(decode_json(fields), ctx) == "n: 3; Компания: ООО «Ромашка»"
    # 21:30 UTC is 00:30 the next day in Moscow
    assert json_text(decode_json(agreements), ctx) == "ПД (30.10.2026 00:30)"


def test_stopping_early_leaves_the_connection_usable(marts, many):
    with marts.connect() as conn, data.snapshot(conn):
        rows = data.iter_participants(conn, [SID], itersize=4)
        assert next(rows)["participant_id"] == "u-00"
        rows.close()  # the helper thread stops and the cursor closes
        assert data.count_participants(conn, [SID]) == 25
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
