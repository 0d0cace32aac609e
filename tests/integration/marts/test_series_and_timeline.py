"""fct_webinar_series and the engagement columns of fct_attendance_minutes, through the
real pipeline day by day, with every expected value worked out by hand from the marts
contract (docs/marts.md); then the incremental marts equal a --full-refresh.

All org-1, times UTC. The series is webinar w-course: c-1, c-2, c-3, one a day.
Day 1 (date=2026-11-02)
  c-1  10:00-11:00: ann@ and bob@ attend; host h-1 (registered host@, role host) and
       guest g-1 (no e-mail) attend too and must not count.
  o-1  webinar w-other 14:00-15:00: ann again (a person in two webinars).
  c-Q  w-course with a broken clock (2024-11-01 -> 2026-11-02): quarantined, ann
       attends; it is no session of the series.
Day 2 (date=2026-11-03)
  c-2  10:00-11:00: ann and cat@.
Day 3 (date=2026-11-04)
  c-3  10:00-11:00: ann, bob, cat, host h-1; the minute 10:05 has events of every kind.
  c-2  late: dan@ registered and attended c-2 (events of 2026-11-03).

After day 1: c-1 #1, persons ann, bob: 2 first-time, nothing after it yet (NULLs).
After day 2: c-2 #2 {ann, cat}: first-time cat; from c-1: ann; c-1 now keeps ann:
  retained 1 of 2 = 50.00.
After day 3: c-2 {ann, cat, dan}: first-time 2, from previous 1 (ann), retained to c-3
  ann and cat = 2 of 3 = 66.67; c-3 {ann, bob, cat}: first-time 0 (bob came to c-1),
  from previous ann and cat = 2, no next (NULLs); c-1 unchanged: 1 of 2 = 50.00 (dan
  came to c-2, not c-1). o-1: #1 of w-other, ann counted as first-time there.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

pytestmark = pytest.mark.integration

DAY1, DAY2, DAY3 = date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)
WEBINARS = {"c-1": "w-course", "c-2": "w-course", "c-3": "w-course", "c-Q": "w-course",
            "o-1": "w-other"}  # fmt: skip
EMAILS = {"ann": "ann@example.com", "bob": "bob@example.com", "cat": "cat@example.com",
          "dan": "dan@example.com", "h-1": "host@example.com"}  # fmt: skip
_ids = itertools.count(1)


def event(kind: str, at: str, session: str, who: str | None = None, **payload) -> dict:
    """One raw-log event of org-1 in ``session``'s webinar; ``at`` is 2026-11-DDTHH:MM:SS."""
    found = {"event_id": f"s-{next(_ids)}", "event_type": kind, "occurred_at": f"{at}Z",
             "organization_id": "org-1", "event_session_id": session,
             "webinar_id": WEBINARS[session], "payload": payload}  # fmt: skip
    return found | ({"participant_id": who} if who else {})


def stay(session: str, who: str, conn: str, joined: str, left: str | None = None, **join):
    """A connection: its join (role participant unless told) and, unless None, its leave."""
    join.setdefault("role", "participant")
    out = [event("participant.joined", joined, session, who, connection_id=conn,
                 platform="web", **join)]  # fmt: skip
    if left:
        out.append(event("participant.left", left, session, who, connection_id=conn))
    return out


def session(sid: str, day: str, start: str, end: str, people: dict[str, str]) -> list[dict]:
    """``sid`` from ``day``T``start`` to ``end``; ``people``: who -> registration day.

    Everyone registered (with the e-mail of EMAILS) stays the whole hour on one
    connection; a name missing from EMAILS is a guest; ``h-`` names are hosts."""
    out = [event("session.started", f"{day}T{start}", sid, webinar_name=f"Курс {sid}")]
    for who, registered in people.items():
        if who in EMAILS:
            out.append(event("participant.registered", f"{registered}T09:00:00", sid, who,
                             email=EMAILS[who]))  # fmt: skip
        role = "host" if who.startswith("h-") else "participant"
        out += stay(sid, who, f"{sid}-{who}", f"{day}T{start}", f"{day}T{end}", role=role)
    return [*out, event("session.ended", f"{day}T{end}", sid)]


def c3_timeline() -> list[dict]:
    """c-3 10:00-11:00. ann: a connection from 09:58 (clipped to 10:00) to 10:05:30, then
    another from 10:05:40 with no leave (inferred at 11:00); bob 10:05:05-10:50; cat
    10:00-11:00 (a leave on ended_at); host h-1 09:55-11:00. Messages: ann 10:05:15, h-1
    10:05:50, cat 11:10 (after the end); a question of bob at 10:05:25; cat fires 4 at
    10:05:45."""
    d = "2026-11-04"
    out = [event("session.started", f"{d}T10:00:00", "c-3", webinar_name="Курс c-3")]
    for who in ("ann", "bob", "cat", "h-1"):
        out.append(event("participant.registered", "2026-11-03T09:00:00", "c-3", who,
                         email=EMAILS[who]))  # fmt: skip
    out += stay("c-3", "ann", "c3-a1", f"{d}T09:58:00", f"{d}T10:05:30")
    out += stay("c-3", "ann", "c3-a2", f"{d}T10:05:40")
    out += stay("c-3", "bob", "c3-b", f"{d}T10:05:05", f"{d}T10:50:00")
    out += stay("c-3", "cat", "c3-c", f"{d}T10:00:00", f"{d}T11:00:00")
    out += stay("c-3", "h-1", "c3-h", f"{d}T09:55:00", f"{d}T11:00:00", role="host")
    posted = "chat.message_posted"
    return [
        *out,
        event(posted, f"{d}T10:05:15", "c-3", "ann", message_id="m-1", text="Привет"),
        event(posted, f"{d}T10:05:50", "c-3", "h-1", message_id="m-2", text="Начнём"),
        event("question.asked", f"{d}T10:05:25", "c-3", "bob", question_id="q-1", text="Когда?"),
        event("reaction.fire", f"{d}T10:05:45", "c-3", "cat", count=4),
        event("session.ended", f"{d}T11:00:00", "c-3"),
        event(posted, f"{d}T11:10:00", "c-3", "cat", message_id="m-3", text="Спасибо"),
    ]


def day_files() -> dict[date, dict[str, list[dict]]]:
    c1 = session(
        "c-1",
        "2026-11-02",
        "10:00:00",
        "11:00:00",
        {"ann": "2026-11-01", "bob": "2026-11-01", "h-1": "2026-11-01", "g-1": ""},
    )
    o1 = session("o-1", "2026-11-02", "14:00:00", "15:00:00", {"ann": "2026-11-01"})
    quarantined = [
        event("session.started", "2024-11-01T10:00:00", "c-Q", webinar_name="Курс"),
        event("participant.registered", "2024-10-31T09:00:00", "c-Q", "ann",
              email=EMAILS["ann"]),
        *stay("c-Q", "ann", "cq-a", "2026-11-02T10:00:00", "2026-11-02T10:30:00"),
        event("session.ended", "2026-11-02T11:00:00", "c-Q"),
    ]  # fmt: skip
    c2 = session("c-2", "2026-11-03", "10:00:00", "11:00:00",
                 {"ann": "2026-11-02", "cat": "2026-11-02"})  # fmt: skip
    dan_late = [
        event("participant.registered", "2026-11-02T12:00:00", "c-2", "dan",
              email=EMAILS["dan"]),
        *stay("c-2", "dan", "c2-d", "2026-11-03T10:10:00", "2026-11-03T10:40:00"),
    ]  # fmt: skip
    return {
        DAY1: {"events-00.ndjson": [*c1, *o1, *quarantined]},
        DAY2: {"events-00.ndjson": c2},
        DAY3: {"events-00.ndjson": c3_timeline(), "late-2026-11-03.ndjson": dan_late},
    }


SERIES = """
    select event_session_id, webinar_id, session_number, persons_count, first_time_count,
           from_previous_count, retained_to_next_count, retained_to_next_pct
    from {schema}.fct_webinar_series order by webinar_id, session_number"""


@pytest.fixture(scope="module")
def built(landing, query):
    """The series after each day, then the marts copied aside and a --full-refresh."""
    after = {}
    for day, files in day_files().items():
        landing.run_day(day, files)
        after[day] = query(SERIES.format(schema="marts"))
        after[day, "rebuilt"] = sorted(
            r[0] for r in query("select event_session_id from intermediate.int_series_to_rebuild")
        )
    query("create schema incremental")
    for mart in ("fct_webinar_series", "fct_attendance_minutes"):
        query(f"create table incremental.{mart} as table marts.{mart}")
    landing.full_refresh(DAY3)
    return after


def test_day_one_a_first_session_and_a_quarantined_one_left_out(built):
    # c-1: ann and bob (h-1 is a host, g-1 a guest); c-Q has no row; o-1 its own series
    assert built[DAY1] == [
        ("c-1", "w-course", 1, 2, 2, None, None, None),
        ("o-1", "w-other", 1, 1, 1, None, None, None),
    ]


def test_day_two_the_next_session_fills_the_first_ones_retention(built):
    assert built[DAY2] == [
        ("c-1", "w-course", 1, 2, 2, None, 1, Decimal("50.00")),
        ("c-2", "w-course", 2, 2, 1, 1, None, None),
        ("o-1", "w-other", 1, 1, 1, None, None, None),
    ]
    # the series of the new session, all of it (c-Q too: it is quarantined, not gone);
    # not o-1's
    assert built[DAY2, "rebuilt"] == ["c-1", "c-2", "c-Q"]


def test_day_three_a_late_person_and_a_third_session(built, query):
    expected = [
        ("c-1", "w-course", 1, 2, 2, None, 1, Decimal("50.00")),
        ("c-2", "w-course", 2, 3, 2, 1, 2, Decimal("66.67")),
        ("c-3", "w-course", 3, 3, 0, 2, None, None),
        ("o-1", "w-other", 1, 1, 1, None, None, None),
    ]
    assert built[DAY3] == expected
    assert query(SERIES.format(schema="marts")) == expected  # the full refresh agrees


def test_a_minute_with_events_of_every_kind(query):
    rows = query("""
        select to_char(minute_at at time zone 'UTC', 'HH24:MI'), participants_online,
               joins_count, leaves_count, messages_count, questions_count, fires_count
        from marts.fct_attendance_minutes
        where event_session_id = 'c-3'
            and (joins_count + leaves_count + messages_count + questions_count
                 + fires_count > 0)
        order by minute_at""")  # fmt: skip
    assert rows == [
        # ann (clipped from 09:58) and cat join at the start
        ("10:00", 2, 2, 0, 0, 0, 0),
        # ann + cat online, bob joins 10:05:05 (3), ann leaves 10:05:30 (2) and comes
        # back 10:05:40 (3): joins bob and ann's second, leave ann's first; messages of
        # ann and the host, bob's question, cat's 4 fires
        ("10:05", 3, 2, 1, 2, 1, 4),
        ("10:50", 2, 0, 1, 0, 0, 0),  # bob leaves
        # ann's inferred leave at 11:00 and cat's leave at 11:00 fall in the last
        # minute, as does cat's message of 11:10
        ("10:59", 2, 0, 2, 1, 0, 0),
    ]
    totals = query("""
        select count(*), sum(joins_count), sum(leaves_count), sum(messages_count),
               sum(questions_count), sum(fires_count)
        from marts.fct_attendance_minutes where event_session_id = 'c-3'""")  # fmt: skip
    # 60 minutes; 4 participant connections; 3 messages (the host's counts), 1, 4
    assert totals == [(60, 4, 4, 3, 1, 4)]


@pytest.mark.parametrize("mart", ["fct_webinar_series", "fct_attendance_minutes"])
def test_incremental_days_equal_a_full_refresh(built, query, mart):
    (only_incremental, only_full, rows), = query(f"""
        select (select count(*) from (select * from incremental.{mart}
                                      except all select * from marts.{mart}) as d),
               (select count(*) from (select * from marts.{mart}
                                      except all select * from incremental.{mart}) as d),
               (select count(*) from marts.{mart})""")  # fmt: skip
    assert (only_incremental, only_full) == (0, 0)
    assert rows > 0


def test_the_quarantined_session_has_no_series_row(query):
    status = query("select status from marts.fct_event_sessions where event_session_id = 'c-Q'")
    assert status == [("quarantined",)]
    assert query("select 1 from marts.fct_webinar_series where event_session_id = 'c-Q'") == []


def test_started_at_is_what_orders_the_series(query):
    assert query("""
        select event_session_id from marts.fct_event_sessions
        where webinar_id = 'w-course' and status <> 'quarantined' order by started_at
    """) == [("c-1",), ("c-2",), ("c-3",)]
