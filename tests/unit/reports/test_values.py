"""Values as reports show them: time zones, durations, percentages, words, jsonb."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from webstat.reports.columns import CATALOGUE, Column, Kind
from webstat.reports.values import (
    Context,
    clean_text,
    display,
    json_text,
    local_naive,
    normalizer,
    timezone_note,
)

RU = Context("ru", "Europe/Moscow")
EN = Context("en", "Europe/Moscow")
COL = CATALOGUE


def value(key, row, ctx=RU):
    return normalizer(COL[key], ctx)(row)


def test_datetimes_move_to_the_report_zone_without_tzinfo():
    utc = datetime(2026, 11, 2, 21, 30, tzinfo=UTC)
    assert local_naive(utc, RU.tz) == datetime(2026, 11, 3, 0, 30)
    assert value("first_joined_at", {"first_joined_at": utc}) == datetime(2026, 11, 3, 0, 30)
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    berlin = Context("ru", "Europe/Berlin")
    assert local_naive(summer, berlin.tz) == datetime(2026, 7, 1, 14, 0)


def test_timezone_note_names_zone_and_offset():
    at = datetime(2026, 11, 2, 10, tzinfo=UTC)
    assert timezone_note(RU, at) == "Время: Europe/Moscow (UTC+03:00)"
    assert timezone_note(EN, at) == "Times: Europe/Moscow (UTC+03:00)"
    assert timezone_note(Context("ru", "America/St_Johns"), at).endswith("(UTC-03:30)")
    assert timezone_note(Context("ru", "Asia/Kathmandu"), at).endswith("(UTC+05:45)")


def test_email_of_a_guest_reads_guest():
    assert value("email", {"email": None, "is_guest": True}) == "гость"
    assert value("email", {"email": None, "is_guest": True}, EN) == "guest"
    assert value("email", {"email": "a@b.c", "is_guest": False}) == "a@b.c"
    assert value("email", {"email": None, "is_guest": False}) is None


def test_staff_are_never_guests():
    # marts v2: a host or admin without an e-mail has is_guest false and no visitor type
    host = {"email": None, "is_guest": False, "role": "host", "visitor_type": None}
    assert value("email", host) is None and value("email", host, EN) is None
    assert value("visitor_type", host) is None
    assert value("role", host) == "Ведущий"


def test_codes_become_words():
    assert value("registration_status", {"registration_status": "invited"}) == (
        "Приглашён, не зарегистрирован"
    )
    assert (
        value("registration_status", {"registration_status": "self_registered"}, EN)
        == "Self-registered"
    )
    assert value("registration_status", {"registration_status": None}) is None
    # only a payment is marked (marts v2): every other cell is empty, never "not paid"
    assert value("payment_status", {"payment_status": "paid"}) == "Оплачено"
    assert value("payment_status", {"payment_status": "paid"}, EN) == "Paid"
    assert value("payment_status", {"payment_status": None}) is None
    assert value("referrer_source", {"referrer_source": "direct"}) == "Прямой заход"
    assert value("referrer_source", {"referrer_source": "t.me"}) == "t.me"
    assert value("platforms", {"platforms": "android, web"}) == "Android, Браузер"
    assert value("left_early", {"left_early": True}) == "да"
    assert value("left_early", {"left_early": False}, EN) == "no"
    assert value("joined_late", {"joined_late": True}) == "да"
    assert value("low_presence", {"low_presence": False}) == "нет"
    assert value("low_presence", {"low_presence": None}) is None  # staff, no-shows


def test_the_three_flags_in_one_cell_for_the_pdf():
    three = {"joined_late": True, "left_early": False, "low_presence": True}
    assert value("flags", three) == "опоздал, мало присутствовал"
    assert value("flags", {**three, "left_early": True}, EN) == "late, left early, low presence"
    assert value("flags", dict.fromkeys(three, False)) is None
    assert value("flags", dict.fromkeys(three)) is None


def test_numbers_durations_percentages():
    assert value("presence_seconds", {"presence_seconds": 1800}) == timedelta(minutes=30)
    assert value("presence_pct", {"presence_pct": Decimal("50.00")}) == 50.0
    assert value("messages_count", {"messages_count": 7}) == 7
    assert value("rating", {"rating": Decimal("74.0")}) == 74.0
    assert value("report_date", {"report_date": date(2026, 11, 2)}) == date(2026, 11, 2)


def test_jsonb_reads_as_text():
    assert json_text({"Компания": "Ромашка", "n": 3}, RU) == "Компания: Ромашка; n: 3"
    assert json_text(
        [{"agreement_id": "pd", "title": "Согласие", "accepted_at": "2026-10-29T21:30:00Z"}], RU
    ) == ("Согласие (30.10.2026 00:30)")
    assert json_text([], RU) is None and json_text({}, RU) is None
    assert json_text('{"a": 1}', RU) == "a: 1"


def test_display_for_the_pdf():
    pct = Column("p", "p", "p", "pct")
    # one decimal always, halves away from zero (as the marts round)
    assert display(pct, 75.0, RU) == "75,0\u00a0%"
    assert display(pct, 100.0, RU) == "100,0\u00a0%"
    assert display(pct, 98.93, RU) == "98,9\u00a0%"
    assert display(pct, 96.96, RU) == "97,0\u00a0%"
    assert display(pct, 96.95, EN) == "97.0%"  # the float 96.95 is a hair below: still up
    assert display(pct, 33.33, RU) == "33,3\u00a0%"
    assert display(pct, 33.5, EN) == "33.5%"
    assert display(Column("n", "n", "n", "int"), 1234567, RU) == "1\u00a0234\u00a0567"
    assert display(Column("n", "n", "n", "int"), 1234567, EN) == "1,234,567"
    assert (
        display(Column("d", "d", "d", "duration"), timedelta(hours=26, seconds=5), RU) == "26:00:05"
    )
    when = datetime(2026, 11, 2, 13, 5)
    dt = Column("t", "t", "t", "datetime")
    assert display(dt, when, RU) == "02.11.2026 13:05"
    assert display(dt, when, EN) == "2026-11-02 13:05"
    assert display(dt, when, RU, compact=True) == "02.11 13:05"
    assert display(Column("x", "x", "x"), None, RU) == ""
    assert display(Column("r", "r", "r", "number"), 74.0, RU) == "74,0"


def test_control_characters_are_replaced_for_documents():
    assert clean_text("a\x07b\x00c") == "a\ufffdb\ufffdc"
    assert clean_text("обычный текст") == "обычный текст"


def test_every_kind_has_a_normalizer():
    row = {"x": None}
    for kind in Kind:
        col = Column("x", "x", "x", kind, labels={} if kind is Kind.ENUM else None)
        expected = "гость" if kind is Kind.EMAIL else None  # a NULL e-mail is a guest's
        assert normalizer(col, RU)(row) == expected, kind


def test_notes_are_written_from_the_settings_in_force():
    from webstat.reports.data import BuildSettings, default_build_settings
    from webstat.reports.values import notes

    # no intermediate.int_build_settings: dbt_project.yml's defaults, and the notes say so
    en = dict(notes(default_build_settings(), EN))
    assert "intermediate.int_build_settings is missing" in en["Settings"]
    assert en["Rating"].startswith(
        "Rating = 0.35 × presence % + 0.25 × activity % + 0.15 × S(messages, 10)"
        " + 0.15 × S(questions, 3) + 0.1 × S(fires, 20), where S(x, c) = 100 × min(x, c) / c."
    )
    assert "goes to presence (0.6)" in en["Rating"]  # 0.35 + 0.25
    # values of a build, in the report's locale (decimal commas in ru)
    built = BuildSettings(
        {
            "rating_weight_presence": Decimal("0.50"),
            "rating_weight_active": Decimal("0.2"),
            "low_presence_threshold_pct": Decimal("70.0"),
            "late_join_grace_minutes": 2,
            "mask_pii": True,
            "reporting_timezone": "Asia/Omsk",
            "built_at": datetime(2026, 11, 3, 0, 10, tzinfo=UTC),
        },
        "warehouse",
    )
    ru = dict(notes(built, RU))
    assert "сборка 03.11.2026 03:10" in ru["Настройки"]  # 00:10 UTC in Moscow
    assert ru["Рейтинг"].startswith("Рейтинг = 0,5 × % присутствия + 0,2 × % активности")
    assert "присутствию (0,7)" in ru["Рейтинг"]
    flags = ru["Опоздал, ушёл раньше, мало присутствовал"]
    assert "более чем на 2 мин" in flags and "ниже 70 %" in flags
    assert "по поясу Asia/Omsk" in ru["Время и округление"]
    assert ru["Персональные данные"].startswith("E-mail заменены хешами")
    assert "S(сообщения, ?)" in ru["Рейтинг"]  # a value the row lacks is not made up
