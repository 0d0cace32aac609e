"""The period report about people: the «Люди» sheet, the funnel per webinar, the series and
the period's join sessions, and the PDF's list of people and retention charts.

Hand-built marts for May 2027 (the values below are worked from the rows, not read back):

* webinar w-a «Курс A»: lessons a1 (3 May), a2 (10 May), a3 (17 May) — a series of three;
  webinar w-b «Вебинар B»: one session, b1 (5 May) — not a series.
* Anna attends a1 (50 %, rating 40, new), b1 (75 %, 60), a2 (100 %, 80): 3 sessions,
  2 webinars, 1:00 + 1:30 + 2:00 = 4:30:00, mean presence 75 %, mean rating 60.0.
* Dina attends a1 (rating 70) and a2 (rating 50): 2 sessions, mean 60.0.
* Gleb attends b1 without registering (rating 55); Boris attends a1 (rating 20).
  Order: most sessions, then mean rating: Anna, Dina, Gleb, Boris.
* Vera: invited and registered to a1, invited to b1, never came (a no-show, no person).
* Guests g-1 (a2) and g-2 (b1): 2 visits, nobody in the list. The host attends every
  session and is invited to a1: staff, in no list and no funnel.

Funnel (persons, each once per webinar): w-a invited Anna, Vera, Dina = 3; registered
Anna, Boris, Vera, Dina = 4; attended Anna, Boris, Dina = 3; of the invited 3 registered
(100 %); of the registered 3 attended (75 %). w-b invited Vera = 1, registered Anna = 1,
attended Anna, Gleb = 2: of the invited 0 registered (0 %), of the registered 1 attended
(100 %), Gleb without registration. Total: 4 sessions, 4 / 5 / 5, 3 of 4 = 75 %, 4 of 5 =
80 %, 1 unregistered.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest

from webstat.reports import render_period_report

pytestmark = pytest.mark.integration

MAY = date(2027, 5, 1)
SESSIONS = {  # id: (webinar_id, name, day of May)
    "es-p-a1": ("w-a", "Курс A", 3),
    "es-p-b1": ("w-b", "Вебинар B", 5),
    "es-p-a2": ("w-a", "Курс A", 10),
    "es-p-a3": ("w-a", "Курс A", 17),
}
INVITED = datetime(2027, 4, 20, 9, 0, tzinfo=UTC)
REGISTERED = datetime(2027, 4, 21, 9, 0, tzinfo=UTC)


def _person(name: str, email: str, **over):
    first, last = name.split()
    return {
        "person_key": email,
        "email": email,
        "is_guest": False,
        "first_name": first,
        "last_name": last,
        **over,
    }


def _came(pct: int, rating: int, **over):
    """An attending participant: ``pct`` % of the 2-hour session, ``rating``."""
    return {
        "connections_count": 1,
        "presence_seconds": 72 * pct,
        "presence_pct": Decimal(pct),
        "rating": Decimal(rating),
        **over,
    }


@pytest.fixture(scope="module")
def may(marts):
    rows = marts.participant_row
    marts.insert(
        "fct_event_sessions",
        [
            marts.session_row(
                sid,
                webinar_id=webinar,
                webinar_name=name,
                started_at=datetime(2027, 5, day, 10, 0, tzinfo=UTC),
                report_date=date(2027, 5, day),
            )
            for sid, (webinar, name, day) in SESSIONS.items()
        ],
    )
    anna = _person("Анна Иванова", "anna@example.com")
    dina = _person("Дина Орлова", "dina@example.com")
    vera = _person("Вера Павлова", "vera@example.com")
    invited_registered = {"invited_at": INVITED, "registered_at": REGISTERED}
    marts.insert(
        "fct_participants",
        [
            rows("es-p-a1", "u-anna", **anna, **_came(50, 40, is_new=True), **invited_registered),
            rows(
                "es-p-b1", "u-anna", **anna, **_came(75, 60, is_new=False), registered_at=REGISTERED
            ),
            rows("es-p-a2", "u-anna", **anna, **_came(100, 80, is_new=False)),
            rows("es-p-a1", "u-dina", **dina, **_came(90, 70, is_new=True), **invited_registered),
            rows("es-p-a2", "u-dina", **dina, **_came(60, 50, is_new=False)),
            rows(
                "es-p-b1",
                "u-gleb",
                **_person("Глеб Котов", "gleb@example.com"),
                **_came(70, 55, is_new=False),
            ),
            rows(
                "es-p-a1",
                "u-boris",
                **_person("Борис Петров", "boris@example.com"),
                **_came(25, 20, is_new=False),
                registered_at=REGISTERED,
            ),
            rows("es-p-a1", "u-vera", **vera, role=None, **invited_registered),
            rows("es-p-b1", "u-vera", **vera, role=None, invited_at=INVITED),
            rows("es-p-a2", "g-1", chat_name="Гость", **_came(40, 30)),
            rows("es-p-b1", "g-2", chat_name="Гость 2", **_came(40, 30)),
            *(
                rows(
                    sid,
                    "h-1",
                    **_person("Ведущая Смирнова", "host@example.com", role="host"),
                    **_came(100, 60),
                    invited_at=INVITED if sid == "es-p-a1" else None,
                )
                for sid in SESSIONS
            ),
        ],
    )
    marts.insert(
        "fct_connections",
        [
            {
                "event_session_id": sid,
                "participant_id": "u-anna",
                "connection_id": f"c-{sid}",
                "joined_at": datetime(2027, 5, day, 10, 0, tzinfo=UTC),
                "left_at": datetime(2027, 5, day, 11, 0, tzinfo=UTC),
                "left_inferred": False,
                "duration_seconds": 3600,
                "role": "participant",
                "platform": "web",
            }
            for sid, (_, _, day) in SESSIONS.items()
            if sid in ("es-p-a1", "es-p-b1")
        ],
    )
    series = [  # lesson, persons, first time, from the previous, retained to the next
        ("es-p-a1", "w-a", 1, 3, 3, None, 2, Decimal("66.67")),
        ("es-p-a2", "w-a", 2, 2, 0, 2, 0, Decimal("0.00")),
        ("es-p-a3", "w-a", 3, 0, 0, 0, None, None),
        ("es-p-b1", "w-b", 1, 2, 2, None, None, None),  # a series of one: not shown
    ]
    keys = (
        "event_session_id",
        "webinar_id",
        "session_number",
        "persons_count",
        "first_time_count",
        "from_previous_count",
        "retained_to_next_count",
        "retained_to_next_pct",
    )
    marts.insert(
        "fct_webinar_series",
        [{"organization_id": "org-1", **dict(zip(keys, r, strict=True))} for r in series],
    )


def _render(marts, settings):
    with marts.connect() as conn:
        return render_period_report(conn, MAY, date(2027, 5, 31), None, settings)


def _local(uri: str) -> Path:
    return Path(urlsplit(uri).path)


def test_people_funnel_series_and_connections_sheets(marts, may, settings_for, sheet_table):
    result = _render(marts, settings_for())
    wb = openpyxl.load_workbook(_local(result.files["report.xlsx"]))
    assert wb.sheetnames[:4] == ["Мероприятия", "Люди", "Воронка", "Серии"]
    assert "Сеансы входов" in wb.sheetnames

    people = sheet_table(wb["Люди"])
    assert [p["Участник"].value for p in people] == [
        "Анна Иванова",
        "Дина Орлова",
        "Глеб Котов",
        "Борис Петров",
    ]
    anna = people[0]
    assert anna["E-mail"].value == "anna@example.com"
    assert anna["Посетил мероприятий"].value == 3
    assert anna["Разных вебинаров"].value == 2
    assert anna["Общее время присутствия"].value == timedelta(hours=4, minutes=30)
    assert anna["Средний % присутствия"].value == pytest.approx(0.75)
    assert anna["Средний рейтинг"].value == pytest.approx(60.0)
    assert anna["Первое посещение"].value == datetime(2027, 5, 3)
    assert anna["Последнее посещение"].value == datetime(2027, 5, 10)
    assert anna["Первый вебинар периода"].value == "Курс A"
    assert [p["Новый / повторный (на первом мероприятии периода)"].value for p in people] == [
        "Новый",
        "Новый",
        "Повторный",
        "Повторный",
    ]
    # the guests are counted in the title line, not listed
    assert "гости без e-mail — посещений: 2" in wb["Люди"]["A1"].value

    funnel = sheet_table(wb["Воронка"])
    as_tuples = [
        (
            f["Вебинар"].value,
            f["Мероприятий"].value,
            f["Приглашено, чел."].value,
            f["Зарегистрировались, чел."].value,
            f["Пришли, чел."].value,
            f["% зарегистрировались из приглашённых"].value,
            f["% пришли из зарегистрированных"].value,
            f["Пришли без регистрации, чел."].value,
        )
        for f in funnel
    ]
    assert as_tuples == [
        ("Курс A", 3, 3, 4, 3, pytest.approx(1.0), pytest.approx(0.75), 0),
        ("Вебинар B", 1, 1, 1, 2, pytest.approx(0.0), pytest.approx(1.0), 1),
        ("Итого", 4, 4, 5, 5, pytest.approx(0.75), pytest.approx(0.8), 1),
    ]

    series = sheet_table(wb["Серии"])
    assert [
        (
            s["Вебинар"].value,
            s["Занятие №"].value,
            s["Занятий в серии"].value,
            s["Людей"].value,
            s["С прошлого занятия"].value,
            s["Пришли на следующее"].value,
        )
        for s in series
    ] == [
        ("Курс A", 1, 3, 3, None, 2),
        ("Курс A", 2, 3, 2, 2, 0),
        ("Курс A", 3, 3, 0, 0, None),
    ]
    assert series[0]["% удержания"].value == pytest.approx(0.6667)

    connections = sheet_table(wb["Сеансы входов"])
    assert [(c["Вебинар"].value, c["ID подключения"].value) for c in connections] == [
        ("Курс A", "c-es-p-a1"),
        ("Вебинар B", "c-es-p-b1"),
    ]


def test_the_pdf_lists_people_and_charts_the_series(marts, may, settings_for, pdf_text):
    result = _render(marts, settings_for())
    text = pdf_text(_local(result.files["report.pdf"]))
    # the people, best first, under their count, with the guests' line
    assert "Люди 4 Людей: 4." in text
    assert "Гости без e-mail — посещений: 2" in text
    order = [text.index(n) for n in ("Анна Иванова", "Дина Орлова", "Глеб Котов", "Борис Петров")]
    assert order == sorted(order)
    assert "Вера Павлова" not in text and "Ведущая Смирнова" not in text
    # the funnel's total row: 4 sessions, 4 / 5 / 5, 75,0 % and 80,0 %, 1 unregistered
    assert "Итого 4 4 5 5 75,0 % 80,0 % 1" in text
    # one retention chart, of the series of three; the single session is no series
    assert "Серии 1" in text
    assert "Курс A · занятий: 3 · 03.05.2027 – 17.05.2027" in text
    assert "Вебинар B · занятий" not in text
    # the notes explain the new measures
    notes = text.rsplit("Пояснения", 1)[1]
    assert all(heading in notes for heading in ("Люди", "Воронка", "Серии"))


def test_english_sheet_names_and_the_funnel_total(marts, may, settings_for, sheet_table):
    result = _render(marts, settings_for(locale="en"))
    wb = openpyxl.load_workbook(_local(result.files["report.xlsx"]))
    assert wb.sheetnames[:4] == ["Event sessions", "People", "Funnel", "Series"]
    assert sheet_table(wb["Funnel"])[-1]["Webinar"].value == "Total"
    assert "guests without an e-mail — visits: 2" in wb["People"]["A1"].value
