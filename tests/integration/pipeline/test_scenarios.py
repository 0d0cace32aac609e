"""Hand-written raw events through the real pipeline (ingest -> dbt build), with every
expected mart value worked out by hand from the marts contract (docs/marts.md).

Day 1 (delivery date=2026-11-02)
  es-A  org-1, "Вебинар: аналитика", 10:00-12:00 UTC, no engagement module.
        host h-1 on air 10:00-11:00 (the contract's worked example).
        u-1  registered as "Anna.S@Example.com " from https://www.t.me/…,
             web 10:30-12:00, 2 messages.
        u-2  no e-mail (guest): android 10:00-10:30 + web 10:15-11:00 (overlap),
             1 message, fires 3 + 2.
        h-1  1 message. One of u-1's messages arrives again in a second file.
        One malformed line in the first file, cut off after it names es-A.
  es-M  org-2, open entry, 23:30 UTC -> crosses UTC midnight; guest u-5 joins 23:40.
Day 2 (delivery date=2026-11-03)
  es-M  u-5 leaves 00:40, session ends 01:00.
  es-B  org-1, engagement module, paid, 2026-11-03 10:00-11:00; u-1 registers again as
        "anna.s@example.com" (other case) -> returning; inactive 10:15-10:45; pays.
        u-9 is invited and never comes (a no-show).
  u-1 also has a payment.completed in es-A, a free webinar: not 'paid' there.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import yaml

from webstat.settings import load_settings
from webstat.tasks import daily
from webstat.tasks.assets import MARTS

pytestmark = pytest.mark.integration

DAY1, DAY2 = date(2026, 11, 2), date(2026, 11, 3)
_n = 0


def ev(event_type, at, session, participant=None, org="org-1", **payload) -> str:
    global _n
    _n += 1
    body = {"event_id": f"{session}-{_n}", "event_type": event_type, "occurred_at": at,
            "organization_id": org, "event_session_id": session, "webinar_id": "w-" + org,
            "payload": payload}  # fmt: skip
    if participant:
        body["participant_id"] = participant
    return json.dumps(body, ensure_ascii=False)


def join(at, session, who, conn, platform="web", role="participant", org="org-1", **extra):
    return ev("participant.joined", at, session, who, org=org, connection_id=conn, role=role,
              platform=platform, chat_name=f"chat {who}", **extra)  # fmt: skip


def left(at, session, who, conn, org="org-1"):
    return ev("participant.left", at, session, who, org=org, connection_id=conn)


def day1_files() -> dict[str, list[str]]:
    dup_message = ev("chat.message_posted", "2026-11-02T10:40:00Z", "es-A", "u-1", message_id="m2")
    a = [
        ev("session.started", "2026-11-02T10:00:00Z", "es-A", webinar_name="Вебинар: аналитика"),
        ev("participant.registered", "2026-11-01T09:00:00Z", "es-A", "u-1",
           email="Anna.S@Example.com ", first_name="Анна", last_name="Смирнова",
           referrer="https://www.t.me/some_channel", utm={"source": "telegram"}),
        join("2026-11-02T09:55:00Z", "es-A", "h-1", "hc-1", role="host"),
        ev("broadcast.started", "2026-11-02T10:00:00Z", "es-A", "h-1"),
        ev("broadcast.stopped", "2026-11-02T11:00:00Z", "es-A", "h-1"),
        left("2026-11-02T12:00:00Z", "es-A", "h-1", "hc-1"),
        join("2026-11-02T10:30:00Z", "es-A", "u-1", "c-1"),
        left("2026-11-02T12:00:00Z", "es-A", "u-1", "c-1"),
        join("2026-11-02T10:00:00Z", "es-A", "u-2", "c-2", platform="android"),
        left("2026-11-02T10:30:00Z", "es-A", "u-2", "c-2"),
        join("2026-11-02T10:15:00Z", "es-A", "u-2", "c-3"),
        left("2026-11-02T11:00:00Z", "es-A", "u-2", "c-3"),
        ev("chat.message_posted", "2026-11-02T10:35:00Z", "es-A", "u-1", message_id="m1"),
        dup_message,
        ev("chat.message_posted", "2026-11-02T10:20:00Z", "es-A", "u-2", message_id="m3"),
        ev("chat.message_posted", "2026-11-02T10:05:00Z", "es-A", "h-1", message_id="m4"),
        ev("reaction.fire", "2026-11-02T10:21:00Z", "es-A", "u-2", count=3),
        ev("reaction.fire", "2026-11-02T10:22:00Z", "es-A", "u-2", count=2),
        ev("payment.completed", "2026-11-02T10:01:00Z", "es-A", "u-1", amount=10,
           currency="RUB"),
        ev("session.ended", "2026-11-02T12:00:00Z", "es-A"),
        '{"event_id": "broken", "event_session_id": "es-A", "event_type": ',
        ev("session.started", "2026-11-02T23:30:00Z", "es-M", org="org-2",
           webinar_name="Ночной эфир", open_entry=True),
        join("2026-11-02T23:40:00Z", "es-M", "u-5", "c-5", org="org-2"),
    ]  # fmt: skip
    return {"a.ndjson": a, "b.ndjson": [dup_message]}


def day2_files() -> dict[str, list[str]]:
    return {"a.ndjson": [
        left("2026-11-03T00:40:00Z", "es-M", "u-5", "c-5", org="org-2"),
        ev("session.ended", "2026-11-03T01:00:00Z", "es-M", org="org-2"),
        ev("session.started", "2026-11-03T10:00:00Z", "es-B", webinar_name="Вебинар: итоги",
           engagement_module=True, is_paid=True),
        ev("participant.invited", "2026-11-02T12:00:00Z", "es-B", "u-9",
           email="u9@example.com"),
        ev("payment.completed", "2026-11-03T09:50:00Z", "es-B", "u-1", amount=990,
           currency="RUB"),
        ev("participant.registered", "2026-11-02T15:00:00Z", "es-B", "u-1",
           email="anna.s@example.com"),
        join("2026-11-03T10:00:00Z", "es-B", "u-1", "c-10"),
        ev("attention.changed", "2026-11-03T10:15:00Z", "es-B", "u-1", connection_id="c-10",
           state="inactive", reason="tab_hidden"),
        ev("attention.changed", "2026-11-03T10:45:00Z", "es-B", "u-1", connection_id="c-10",
           state="active"),
        left("2026-11-03T11:00:00Z", "es-B", "u-1", "c-10"),
        ev("session.ended", "2026-11-03T11:00:00Z", "es-B"),
    ]}  # fmt: skip


def land(root: Path, day: date, files: dict[str, list[str]]) -> None:
    folder = root / f"date={day}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_day(settings, day: date) -> None:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = datetime.fromordinal(day.toordinal() + 1).replace(tzinfo=UTC)
    daily.ingest(start, settings)
    daily.transform(start, end, settings)


@pytest.fixture(scope="module")
def world(pg_server_url, tmp_path_factory):
    """A warehouse after day 1 (snapshot taken) and day 2."""
    name = f"scen_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    url = pg_server_url.replace("/postgres?", f"/{name}?")
    root = tmp_path_factory.mktemp("scenario")
    settings = load_settings({"WEBSTAT_WAREHOUSE_URL": url, "WEBSTAT_HOME": str(root / "home"),
                              "WEBSTAT_LANDING_URI": str(root / "landing")})  # fmt: skip
    land(root / "landing", DAY1, day1_files())
    run_day(settings, DAY1)
    conn = psycopg.connect(url, autocommit=True)
    after_day1 = {
        "es-M": one(conn, "select status, ended_at from marts.fct_event_sessions "
                          "where event_session_id = 'es-M'"),
    }  # fmt: skip
    land(root / "landing", DAY2, day2_files())
    run_day(settings, DAY2)
    yield {"conn": conn, "settings": settings, "after_day1": after_day1}
    conn.close()
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(f'drop database if exists "{name}" with (force)')


def one(conn, sql, *params):
    return conn.execute(sql, params).fetchone()


def participant(conn, session, who, *columns):
    sql = (
        f"select {', '.join(columns)} from marts.fct_participants"
        " where event_session_id = %s and participant_id = %s"
    )
    return one(conn, sql, session, who)


def test_worked_example_host_window_presence_is_50(world):
    c = world["conn"]
    assert participant(
        c, "es-A", "u-1", "presence_seconds", "presence_pct", "host_window_presence_pct"
    ) == (5400, Decimal("75.00"), Decimal("50.00"))


def test_two_devices_at_once_count_once(world):
    c = world["conn"]
    # android 10:00-10:30 and web 10:15-11:00: union 10:00-11:00, not 30 + 45 minutes
    assert participant(
        c,
        "es-A",
        "u-2",
        "presence_seconds",
        "presence_pct",
        "platforms",
        "primary_platform",
        "connections_count",
    ) == (3600, Decimal("50.00"), "android, web", "web", 2)


def test_messages_fires_and_rating(world):
    c = world["conn"]
    # 4 messages in the session (h-1's counts in the denominator), the duplicate dropped
    assert participant(
        c, "es-A", "u-1", "messages_count", "messages_pct", "rating", "active_seconds"
    ) == (2, Decimal("50.00"), Decimal("48.0"), None)
    # rating = 0.60 × 50 + 0.15 × S(1, 10) + 0.10 × S(5, 20) = 30 + 1.5 + 2.5
    assert participant(
        c, "es-A", "u-2", "messages_count", "messages_pct", "fires_count", "rating"
    ) == (1, Decimal("25.00"), 5, Decimal("34.0"))


def test_identity_source_and_registration(world):
    c = world["conn"]
    assert participant(
        c,
        "es-A",
        "u-1",
        "person_key",
        "email",
        "is_guest",
        "first_name",
        "referrer_source",
        "utm_source",
        "registration_status",
        "is_new",
    ) == (
        "anna.s@example.com",
        "anna.s@example.com",
        False,
        "Анна",
        "t.me",
        "telegram",
        "self_registered",
        True,
    )
    assert participant(
        c,
        "es-A",
        "u-2",
        "person_key",
        "email",
        "is_guest",
        "referrer_source",
        "registration_status",
        "is_new",
    ) == ("guest:u-2", None, True, "direct", None, None)


def test_staff_are_never_guests(world):
    # h-1 is a host with no e-mail: staff, so not a guest, neither new nor returning;
    # es-A's guests are its one participant without an e-mail (u-2)
    c = world["conn"]
    assert participant(c, "es-A", "h-1", "role", "email", "is_guest", "is_new", "visitor_type") == (
        "host",
        None,
        False,
        None,
        None,
    )
    assert participant(c, "es-A", "u-2", "is_guest", "visitor_type") == (True, "guest")


def test_joined_late_left_early_and_low_presence_are_three_facts(world):
    # grace 5 min / 5 min, threshold 80 %. es-A 10:00-12:00: u-1 10:30-12:00 joined
    # 30 min late, stayed to the end (not early), 75.00 % < 80 (low); u-2 10:00-11:00
    # on time, left 60 min before the end, 50.00 % (low); h-1 is staff: no flags
    c = world["conn"]
    flags = ("joined_late", "left_early", "low_presence")
    assert participant(c, "es-A", "u-1", *flags) == (True, False, True)
    assert participant(c, "es-A", "u-2", *flags) == (False, True, True)
    assert participant(c, "es-A", "h-1", *flags) == (None, None, None)
    # es-M 23:30-01:00: u-5 23:40-00:40, 10 min late, 20 min early, 66.67 %
    assert participant(c, "es-M", "u-5", *flags) == (True, True, True)
    # es-B 10:00-11:00: u-1 there the whole hour
    assert participant(c, "es-B", "u-1", *flags) == (False, False, False)
    counts = one(c, "select joined_late_count, left_early_count, low_presence_count "
                    "from marts.fct_event_sessions where event_session_id = 'es-A'")  # fmt: skip
    assert counts == (1, 1, 2)


def test_no_shows_are_apart_and_only_paid_webinars_say_paid(world):
    # es-B: u-1 attended (and paid a paid webinar), u-9 was invited and never came
    c = world["conn"]
    assert participant(c, "es-B", "u-1", "has_attended", "payment_status") == (True, "paid")
    assert participant(
        c, "es-B", "u-9", "has_attended", "payment_status", "connections_count", "is_new"
    ) == (False, None, 0, None)
    counts = one(c, "select invited_count, attendees_count, no_show_count "
                    "from marts.fct_event_sessions where event_session_id = 'es-B'")  # fmt: skip
    assert counts == (1, 1, 1)
    # es-A is free: u-1's payment.completed there makes no 'paid'; nobody is 'unpaid'
    assert participant(c, "es-A", "u-1", "has_attended", "payment_status") == (True, None)
    others = one(c, "select count(*) from marts.fct_participants "
                    "where payment_status <> 'paid'")  # fmt: skip
    assert others == (0,)
    assert one(c, "select no_show_count from marts.fct_event_sessions "
                  "where event_session_id = 'es-A'") == (0,)  # fmt: skip


def test_each_minute_is_its_own_peak_and_the_largest_is_the_sessions_peak(world):
    # es-A peaks at 2 (10:30-11:00), es-B and es-M have one participant each
    rows = world["conn"].execute(
        "select s.event_session_id, s.peak_concurrent_participants, max(m.participants_online) "
        "from marts.fct_event_sessions s join marts.fct_attendance_minutes m "
        "using (event_session_id) group by 1, 2 order by 1"
    ).fetchall()  # fmt: skip
    assert rows == [("es-A", 2, 2), ("es-B", 1, 1), ("es-M", 1, 1)]


def test_session_summary(world):
    row = one(
        world["conn"],
        """
        select status, duration_seconds, attendees_count, participants_count, hosts_count,
               new_participants_count, returning_participants_count, guest_participants_count,
               registered_count, messages_count, fires_count, peak_concurrent_participants,
               avg_presence_pct, host_active_seconds, host_active_pct, left_early_count,
               report_date
        from marts.fct_event_sessions where event_session_id = 'es-A'""",
    )
    # left_early_count: only u-2 left before the end (u-1 stayed, v1 counted both)
    assert row == ("ended", 7200, 3, 2, 1, 1, 0, 1, 1, 4, 5, 2, Decimal("62.50"), 3600,
                   Decimal("50.00"), 1, date(2026, 11, 2))  # fmt: skip


def test_traffic_sources_and_devices(world):
    c = world["conn"]
    sources = c.execute("select referrer_source, participants_count, share_pct "
                        "from marts.fct_traffic_sources where event_session_id = 'es-A' "
                        "order by 1").fetchall()  # fmt: skip
    assert sources == [("direct", 1, Decimal("50.00")), ("t.me", 1, Decimal("50.00"))]
    devices = c.execute("select platform, participants_count, share_pct from marts.fct_devices "
                        "where event_session_id = 'es-A'").fetchall()  # fmt: skip
    assert devices == [("web", 2, Decimal("100.00"))]


def test_attendance_per_minute_is_half_open(world):
    rows = dict(
        world["conn"]
        .execute(
            "select to_char(minute_at at time zone 'UTC', 'HH24:MI'), participants_online "
            "from marts.fct_attendance_minutes where event_session_id = 'es-A'"
        )
        .fetchall()
    )
    assert len(rows) == 120
    # u-2 from 10:00 until 11:00 (exclusive), u-1 from 10:30
    assert (rows["10:00"], rows["10:29"], rows["10:30"], rows["10:59"], rows["11:00"],
            rows["11:59"]) == (1, 1, 2, 2, 1, 1)  # fmt: skip


def test_data_quality_counts_the_duplicate_and_the_reject(world):
    def checks(session):
        return dict(world["conn"].execute(
            "select check_name, observed_count from marts.fct_data_quality "
            "where event_session_id = %s", (session,)).fetchall())  # fmt: skip

    assert checks("es-A") == {"orphan_leaves": 0, "inferred_leaves": 0,
                              "joins_outside_session": 1, "duplicate_events_dropped": 1,
                              "rejected_lines": 1, "session_too_long": 0}  # fmt: skip
    # the reject names es-A: es-M's events came in the same file, but it is not es-M's
    assert checks("es-M")["rejected_lines"] == 0


def test_a_session_across_utc_midnight_ends_with_the_next_days_file(world):
    assert world["after_day1"]["es-M"] == ("in_progress", None)
    row = one(world["conn"], "select status, end_inferred, duration_seconds, report_date, "
              "guest_participants_count, new_participants_count from marts.fct_event_sessions "
              "where event_session_id = 'es-M'")  # fmt: skip
    # 23:30 UTC on 2 Nov is 02:30 on 3 Nov in Moscow
    assert row == ("ended", False, 5400, date(2026, 11, 3), 1, 0)
    assert participant(
        world["conn"],
        "es-M",
        "u-5",
        "presence_seconds",
        "presence_pct",
        "is_guest",
        "is_new",
        "email",
    ) == (3600, Decimal("66.67"), True, None, None)


def test_returning_across_sessions_with_the_email_in_another_case(world):
    c = world["conn"]
    # es-B has the engagement module: inactive 10:15-10:45 -> active 1800 s of 3600
    # rating = 0.35 × 100 + 0.25 × 50 = 47.5
    assert participant(c, "es-B", "u-1", "is_new", "active_seconds", "active_pct", "rating") == (
        False,
        1800,
        Decimal("50.00"),
        Decimal("47.5"),
    )
    assert one(
        c,
        "select new_participants_count, returning_participants_count "
        "from marts.fct_event_sessions where event_session_id = 'es-B'",
    ) == (0, 1)
    person = one(
        c,
        "select sessions_attended, first_event_session_id from marts.dim_people "
        "where organization_id = 'org-1' and person_key = 'anna.s@example.com'",
    )
    assert person == (2, "es-A")


def test_a_rerun_of_a_day_changes_no_mart_row(world):
    c = world["conn"]
    marts = [
        r[0]
        for r in c.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        )
    ]
    assert sorted(marts) == sorted(MARTS)  # every mart of the contract, no other

    def fingerprint():
        return {t: one(c, f"select count(*), md5(coalesce(string_agg(x::text, '|' "
                          f"order by x::text), '')) from marts.{t} x")
                for t in marts}  # fmt: skip

    before = fingerprint()
    run_day(world["settings"], DAY2)
    assert fingerprint() == before


def test_the_bi_role_reads_marts_and_nothing_else(world):
    c = world["conn"]
    with c.transaction():
        c.execute("set local role webstat_bi")
        assert one(c, "select count(*) from marts.fct_event_sessions")[0] == 3
    with pytest.raises(psycopg.errors.InsufficientPrivilege), c.transaction():
        c.execute("set local role webstat_bi")
        c.execute("select count(*) from raw.platform_events")


def test_a_bi_login_reads_marts_only(world):
    from webstat.warehouse.transform import run_dbt

    c = world["conn"]
    settings = world["settings"]
    args = '{name: "bi_o\'brien", password: "s3cret\'$$"}'
    run_dbt(["run-operation", "create_bi_login", "--args", args], settings,
            settings.warehouse_url)  # fmt: skip
    assert one(c, "select pg_has_role('bi_o''brien', 'webstat_bi', 'member')") == (True,)
    assert one(c, "select rolcanlogin from pg_roles where rolname = 'bi_o''brien'") == (True,)
    with c.transaction():
        c.execute('set local role "bi_o\'brien"')
        assert one(c, "select count(*) from marts.fct_participants")[0] > 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        with c.transaction():
            c.execute('set local role "bi_o\'brien"')
            c.execute("select count(*) from intermediate.int_connections")


REBUILT = ("stg_platform__joins", "int_participant_attribution", "marts")


def test_masking_hashes_emails_and_truncates_ips_in_the_marts(world):
    """Last in the module: it rebuilds the marts twice (masked, then back).

    The raw IP is changed by hand, so the joins' staging table (the payload parsed at
    load) and int_participant_attribution (which carries the newest join's IP into
    fct_participants) are rebuilt with the marts."""
    from webstat.warehouse.transform import dbt_vars, run_dbt

    c = world["conn"]
    settings = world["settings"]
    end = datetime(2026, 11, 4, tzinfo=UTC)
    c.execute("update raw.platform_events set payload = payload || '{\"ip\": \"203.0.113.77\"}'"
              " where event_type = 'participant.joined' and participant_id = 'u-1'")  # fmt: skip
    try:
        masked = {**dbt_vars(settings), "mask_pii": True}
        run_dbt(["build", "--full-refresh", "--select", *REBUILT],
                settings, settings.warehouse_url, masked, end)  # fmt: skip
        # a stable key (the first 16 hex digits of sha256 of the address), not the address
        expected = "sha256:" + __import__("hashlib").sha256(b"anna.s@example.com").hexdigest()[:16]
        assert participant(c, "es-A", "u-1", "email", "person_key", "last_ip") == (
            expected,
            expected,
            "203.0.113.0",
        )
        assert participant(c, "es-A", "u-2", "email", "person_key") == (None, "guest:u-2")
        assert one(c, "select count(*) from marts.dim_people where position('@' in email) > 0") == (
            0,
        )
    finally:
        run_dbt(["build", "--full-refresh", "--select", *REBUILT],
                settings, settings.warehouse_url, dbt_vars(settings), end)  # fmt: skip
    assert participant(c, "es-A", "u-1", "email", "last_ip") == (
        "anna.s@example.com",
        "203.0.113.77",
    )


def test_the_daily_build_leaves_dbts_unit_tests_to_ci_and_they_pass(world):
    from webstat.warehouse import prepare
    from webstat.warehouse.transform import dbt_vars, run_dbt

    settings = world["settings"]
    daily.transform(
        datetime(2026, 11, 3, tzinfo=UTC), datetime(2026, 11, 4, tzinfo=UTC), settings
    )  # day 2's daily build again (a rerun changes nothing)
    target = Path(settings.home) / "dbt" / "target" / "run_results.json"
    last_build = json.loads(target.read_text())
    assert last_build["args"]["which"] == "build"
    kinds = {r["unique_id"].split(".")[0] for r in last_build["results"]}
    assert "model" in kinds and "test" in kinds and "unit_test" not in kinds

    url = prepare(settings)
    result = run_dbt(["test", "--select", "test_type:unit"], settings, url, dbt_vars(settings))
    outcomes = {r.node.name: str(r.status) for r in result.result.results
                if r.node.resource_type == "unit_test"}  # fmt: skip
    defined = {
        test["name"]
        for path in (Path(__file__).resolve().parents[3] / "dbt_project" / "models").rglob("*.yml")
        for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", [])
    }
    assert set(outcomes) == defined and set(outcomes.values()) == {"pass"}, outcomes
