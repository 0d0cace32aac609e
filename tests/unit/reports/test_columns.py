"""The one column catalogue: each column once, sheets as keys, true to the marts contract."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from webstat.reports import columns as c
from webstat.reports import data
from webstat.reports.texts import TEXTS

MARTS_DOC = Path(__file__).resolve().parents[3] / "docs" / "marts.md"

ALL_TABLES = {
    "participants": c.PARTICIPANT_SHEET,
    "no_shows": c.NO_SHOW_SHEET,
    "pdf_staff": c.PDF_STAFF,
    "pdf_no_shows": c.PDF_NO_SHOWS,
    "connections": c.CONNECTION_SHEET,
    "event": c.EVENT_FIELDS,
    "sources": c.SOURCE_SHEET,
    "devices": c.DEVICE_SHEET,
    "attendance": c.ATTENDANCE_COLUMNS,
    "period_sessions": c.PERIOD_SESSION_SHEET,
    "period_totals": c.PERIOD_TOTAL_FIELDS,
    "pdf_participants": c.PDF_PARTICIPANTS,
    "pdf_people": c.PDF_PEOPLE,
    "people": c.PEOPLE_SHEET,
    "funnel": c.FUNNEL_SHEET,
    "series": c.SERIES_SHEET,
    "period_connections": c.PERIOD_CONNECTION_SHEET,
}


def contract_columns(relation: str) -> set[str]:
    """Column names the contract (docs/marts.md) lists for ``marts.<relation>``."""
    text = MARTS_DOC.read_text(encoding="utf-8")
    section = text.split(f"## `marts.{relation}`", 1)[1].split("\n## ", 1)[0]
    section = section.split("```", 1)[0] if relation == "fct_participants" else section
    return set(re.findall(r"`([a-z_]+)`", section))


@pytest.mark.parametrize("name", sorted(ALL_TABLES))
def test_every_column_has_both_headers_and_a_unique_key(name):
    cols = ALL_TABLES[name]
    keys = [col.key for col in cols]
    assert len(keys) == len(set(keys))
    for col in cols:
        assert col.ru.strip() and col.en.strip()
        assert col.kind in c.KINDS
        if col.kind == "enum":
            assert col.labels


@pytest.mark.skipif(not MARTS_DOC.exists(), reason="docs/marts.md not in this checkout")
@pytest.mark.parametrize(
    ("cols", "relation"),
    [
        (c.PARTICIPANT_SHEET, "fct_participants"),
        (c.NO_SHOW_SHEET, "fct_participants"),
        (c.PDF_STAFF, "fct_participants"),
        (c.PDF_NO_SHOWS, "fct_participants"),
        (c.PDF_PARTICIPANTS, "fct_participants"),
        (c.CONNECTION_SHEET, "fct_connections"),
        (c.EVENT_FIELDS, "fct_event_sessions"),
        (c.PERIOD_SESSION_SHEET, "fct_event_sessions"),
        (c.SOURCE_SHEET, "fct_traffic_sources"),
        (c.DEVICE_SHEET, "fct_devices"),
        (c.ATTENDANCE_COLUMNS, "fct_attendance_minutes"),
        (c.SERIES_SHEET, "fct_webinar_series"),
    ],
)
def test_mapped_columns_exist_in_the_contract(cols, relation):
    contract = contract_columns(relation)
    derived = data.DERIVED.get(relation, frozenset())
    missing = {col.key for col in cols} - derived - contract
    assert not missing, f"not in marts.md's {relation}: {missing}"


@pytest.mark.skipif(not MARTS_DOC.exists(), reason="docs/marts.md not in this checkout")
def test_participants_sheet_shows_every_field_a_person_needs():
    # fct_participants as marts.md v1 lists it (the doc's prose also quotes values,
    # so the list is spelled out here and checked against the doc)
    v1 = {
        "event_session_id",
        "participant_id",
        "person_key",
        "email",
        "is_guest",
        "first_name",
        "last_name",
        "registration_fields",
        "chat_name",
        "role",
        "payment_status",
        "registration_status",
        "invited_at",
        "registered_at",
        "referrer_source",
        *(f"utm_{part}" for part in ("source", "medium", "campaign", "content", "term")),
        "platforms",
        "primary_platform",
        "country",
        "city",
        "last_ip",
        "first_joined_at",
        "last_left_at",
        "connections_count",
        "presence_seconds",
        "presence_pct",
        "messages_count",
        "messages_pct",
        "questions_count",
        "questions_pct",
        "fires_count",
        "active_seconds",
        "active_pct",
        "host_window_presence_pct",
        "rating",
        "agreements",
        "is_new",
        "left_early",
    }
    assert v1 <= contract_columns("fct_participants")
    shown = {col.key for col in (*c.PARTICIPANT_SHEET, *c.PDF_PARTICIPANTS)}
    # shown in another form: the session is the sheet's title and webinar column,
    # is_new + is_guest become «Новый / повторный», person_key is e-mail or guest
    assert v1 - shown == {"event_session_id", "person_key", "is_guest", "is_new"}
    assert set(data.SESSION_FIELDS) <= contract_columns("fct_event_sessions")
    # marts v2: the three flags, each in a column of its own
    assert {"joined_late", "left_early", "low_presence"} <= shown


def test_platform_wording_of_the_participants_sheet():
    fields = c.field_columns(["Компания", "Должность"])
    headers = [col.ru for col in c.sheet_columns(paid=True, engagement=True, fields=fields)]
    for header in (
        "Имя",
        "Фамилия",
        "E-mail",
        "Компания",
        "Должность",
        "Имя в чате",
        "Роль",
        "Статус оплаты",
        "Статус регистрации",
        "Дата регистрации",
        "Дата приглашения",
        "Источник",
        "Платформа",
        "Вебинар",
        "Дата мероприятия",
        "Страна",
        "Город",
        "IP",
        "Время входа",
        "Время выхода",
        "Время присутствия",
        "% присутствия",
        "Сообщения",
        "% сообщений",
        "Вопросы",
        "% вопросов",
        "«Огоньки»",
        "Фактическая активность",
        "% активности",
        "Рейтинг",
        "Соглашения",
        "% присутствия от активного времени ведущих",
        "Опоздал",
        "Ушёл раньше",
        "Мало присутствовал",
    ):
        assert header in headers
    assert headers.index("Имя") < headers.index("Фамилия") < headers.index("E-mail")
    # each field in its own column where the combined one stood, none without fields
    assert headers.index("E-mail") + 1 == headers.index("Компания")
    assert headers.index("Компания") + 1 == headers.index("Должность")
    assert "Дополнительные поля" not in headers
    no_fields = c.sheet_columns(paid=True, engagement=True)
    assert len(no_fields) == len(headers) - 2


def test_field_labels_make_safe_unique_headers():
    long = "Ж" * 150
    labels = ["=HYPERLINK(1)", "Компания", "компания", " Компания ", long, "Город", "City", ""]
    cols = c.field_columns(labels)
    assert [col.header("ru") for col in cols] == [
        "=HYPERLINK(1)",  # shown as typed: the workbook writes it as text (test_workbook)
        "Компания",
        "компания (2)",  # a header that reads the same as an earlier one gets a number
        " Компания  (3)",  # as typed (spaces kept), numbered past "компания (2)"
        "Ж" * 99 + "…",  # 100 characters at most
        "Город (анкета)",  # not the sheet's own «Город» (the city of the IP)
        "City",
        "—",
    ]
    english = [col.header("en") for col in cols]
    assert english[5:] == ["Город", "City (form)", "—"]
    assert [col.key for col in cols] == [f"field_{i}" for i in range(8)]
    assert all(col.kind is c.Kind.TEXT and col.fit for col in cols)
    assert [col.key for col in c.field_columns(["a"], more=True)] == ["field_0", "other_fields"]


def test_payment_and_activity_columns_only_when_they_apply():
    def keys(**kw):
        return {col.key for col in c.sheet_columns(**kw)}

    assert "payment_status" not in keys(paid=False, engagement=True)
    assert "payment_status" in keys(paid=True, engagement=False)
    assert not {"active_seconds", "active_pct"} & keys(paid=True, engagement=False)
    assert {"active_seconds", "active_pct"} <= keys(paid=False, engagement=True)
    assert "full_name" not in keys(paid=True, engagement=True)  # PDF only


def test_pdf_columns_are_a_narrow_selection():
    cols = c.pdf_columns(paid=False, engagement=False)
    assert [col.key for col in cols][:2] == ["full_name", "email"]
    assert "active_pct" not in {col.key for col in cols}
    assert "active_pct" in {col.key for col in c.pdf_columns(paid=False, engagement=True)}


# The PDF's participants table, exactly (docs/reports.md, "The PDF"): who, their e-mail,
# when they came, how long they stayed, how much they took part, the rating. Each
# column costs ~1 ms a row to lay out, so a column added here is a slower PDF; the
# workbook keeps every column.
PDF_SESSION_KEYS = [
    "full_name",
    "email",
    "first_joined_at",
    "presence_seconds",
    "presence_pct",
    "messages_count",
    "questions_count",
    "rating",
    "flags",
]


@pytest.mark.parametrize("paid", [False, True])
def test_pdf_columns_exactly(paid):
    def keys(**kw):
        return [col.key for col in c.pdf_columns(paid=paid, **kw)]

    assert keys(engagement=False) == PDF_SESSION_KEYS
    with_activity = PDF_SESSION_KEYS[:-2] + ["active_pct", "rating", "flags"]
    assert keys(engagement=True) == with_activity
    # hosts and admins: their role, no rating or flags; no-shows: who and how they signed up
    assert keys(engagement=False, table="staff") == [
        "full_name",
        "email",
        "role",
        "first_joined_at",
        "presence_seconds",
        "presence_pct",
        "messages_count",
        "questions_count",
    ]
    assert keys(engagement=True, table="no_shows") == [
        "full_name",
        "email",
        "registration_status",
        "registered_at",
        "invited_at",
    ]


def test_pdf_headers_are_short():
    ru = [col.short_header("ru") for col in c.pdf_columns(paid=True, engagement=True)]
    en = [col.short_header("en") for col in c.pdf_columns(paid=True, engagement=True)]
    assert ru == [
        "Участник",
        "E-mail",
        "Вход",
        "Присутствие",
        "% прис.",
        "Сообщ.",
        "Вопр.",
        "% актив.",
        "Рейтинг",
        "Отметки",
    ]
    assert en == [
        "Participant",
        "E-mail",
        "Joined",
        "Presence",
        "Pres. %",
        "Msgs",
        "Qs",
        "Act. %",
        "Rating",
        "Flags",
    ]


def test_sheet_names():
    assert [
        c.sheet_name(k, "ru")
        for k in ("participants", "connections", "event", "sources", "devices")
    ] == ["Участники", "Сеансы входов", "Мероприятие", "Источники", "Устройства"]
    assert c.sheet_name("participants", "en", 2) == "Participants (2)"
    keys = [k.removeprefix("sheet.") for k in TEXTS if k.startswith("sheet.")]
    assert len(keys) == 12
    assert all(len(c.sheet_name(k, loc, 99)) <= 31 for k in keys for loc in ("ru", "en"))


def test_enum_label_falls_back_to_the_code():
    role = c.CATALOGUE["role"]
    assert role.label("host", "ru") == "Ведущий"
    assert role.label("host", "en") == "Host"
    assert role.label("moderator", "ru") == "moderator"
    assert role.label(None, "ru") is None


def test_each_column_is_defined_once():
    with pytest.raises(ValueError, match="defined twice"):
        c._catalogue(c.Column("x", "x", "x"), c.Column("x", "y", "y"))
    with pytest.raises(ValueError, match="no labels"):
        c._catalogue(c.Column("x", "x", "x", c.Kind.ENUM))
    # a sheet takes the catalogue's column as it is, unless it overrides an attribute
    assert c.CONNECTION_SHEET[2] == c.CATALOGUE["email"]
    with pytest.raises(ValueError, match="not on the sheet"):
        c.sheet("email", city={"width": 3})


def test_a_sheet_overrides_only_what_differs_on_it():
    sessions = {col.key: col for col in c.PERIOD_SESSION_SHEET}
    assert (sessions["webinar_name"].width, sessions["webinar_name"].pdf_width) == (34, 22)
    assert (c.CATALOGUE["webinar_name"].width, c.CATALOGUE["webinar_name"].pdf_width) == (30, 18)
    assert sessions["webinar_name"].header("en") == "Webinar"  # the rest is the catalogue's
    totals = {col.key: col for col in c.PERIOD_TOTAL_FIELDS}
    assert totals["participants_count"].header("ru") == "Участники (сумма по мероприятиям)"
    assert c.CATALOGUE["participants_count"].header("ru") == "Участники"
    assert [col.width for col in c.SOURCE_SHEET] == [30, 12, 10]
    assert [col.width for col in c.DEVICE_SHEET] == [18, 12, 10]


def test_every_kind_has_its_traits():
    assert set(c.KINDS) == set(c.Kind)
    assert {k for k, info in c.KINDS.items() if info.style == "text"} == {
        c.Kind.TEXT,
        c.Kind.EMAIL,
        c.Kind.ENUM,
        c.Kind.PLATFORMS,
        c.Kind.BOOL,
        c.Kind.JSON,
        c.Kind.FLAGS,
    }
    assert c.KINDS[c.Kind.DURATION].css == "num" and c.KINDS[c.Kind.DATE].css == "time"
