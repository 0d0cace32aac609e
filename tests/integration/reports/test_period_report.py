"""The period report ("Статистика"): every ended session in a date range, optional name filter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest

from webstat.errors import WebstatError
from webstat.reports import render_period_report

pytestmark = pytest.mark.integration

MARCH = datetime(2027, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def march(marts):
    """Two ended sessions in March 2027, one still running, one in April."""
    marts.insert_worked_example(
        "es-m1", started_at=MARCH, report_date=date(2027, 3, 2), webinar_name="Вебинар: аналитика"
    )
    marts.insert_worked_example(
        "es-m2",
        started_at=MARCH + timedelta(days=7),
        report_date=date(2027, 3, 9),
        webinar_name="Маркетинг в Telegram",
        is_paid=True,
    )
    marts.insert(
        "fct_event_sessions",
        [
            marts.session_row(
                "es-m3",
                status="in_progress",
                started_at=MARCH + timedelta(days=9),
                report_date=date(2027, 3, 11),
                webinar_name="Маркетинг live",
            ),
            marts.session_row(
                "es-m4",
                started_at=MARCH + timedelta(days=40),
                report_date=date(2027, 4, 11),
                webinar_name="Маркетинг апрель",
            ),
        ],
    )
    return ["es-m1", "es-m2"]


def local(uri: str) -> Path:
    return Path(urlsplit(uri).path)


def test_period_workbook_and_pdf(marts, march, settings_for, sheet_table, pdf_text):
    with marts.connect() as conn:
        result = render_period_report(
            conn, date(2027, 3, 1), date(2027, 3, 31), None, settings_for(), run_id="manual__p"
        )
    assert result.uri.endswith("/periods/2027-03-01_2027-03-31")
    assert result.manifest["event_session_ids"] == march
    assert result.manifest["kind"] == "period" and result.manifest["run_id"] == "manual__p"
    # the period's report days in Moscow time (UTC+3 all year): 1 March 00:00 to 1 April 00:00
    assert result.manifest["data_interval"] == {
        "start": "2027-03-01T00:00:00+03:00",
        "end": "2027-04-01T00:00:00+03:00",
    }
    wb = openpyxl.load_workbook(local(result.files["report.xlsx"]))
    assert " | ".join(wb.sheetnames) == (
        "Мероприятия | Люди | Воронка | Серии | Участники | Не пришли | Сеансы входов | Итоги"
        " | Источники | Устройства | Пояснения"
    )
    assert "Статистика за 01.03.2027 – 31.03.2027" in wb["Мероприятия"]["A1"].value
    assert "Время: Europe/Moscow (UTC+03:00)" in wb["Мероприятия"]["A1"].value

    sessions = sheet_table(wb["Мероприятия"])
    assert [s["Вебинар"].value for s in sessions] == ["Вебинар: аналитика", "Маркетинг в Telegram"]
    assert sessions[0]["Начало"].value == datetime(2027, 3, 2, 13, 0)
    assert sessions[0]["Длительность"].value == timedelta(hours=2)
    assert sessions[0]["Средний % присутствия"].value == pytest.approx(0.5)

    people = sheet_table(wb["Участники"])
    # each session's three attendees, then each session's host; Vera twice on «Не пришли»
    assert len(people) == 8
    assert [p["Роль"].value for p in people] == ["Участник"] * 6 + ["Ведущий"] * 2
    assert [p["Имя"].value for p in sheet_table(wb["Не пришли"])] == ["Вера", "Вера"]
    assert {p["Вебинар"].value for p in people} == {"Вебинар: аналитика", "Маркетинг в Telegram"}
    assert "Статус оплаты" in [c.value for c in wb["Участники"][2]]  # one session is paid

    totals = {r[0].value: r[1].value for r in wb["Итоги"].iter_rows(min_row=3)}
    assert totals["Мероприятий"] == 2
    assert totals["Общая длительность"] == timedelta(hours=4)
    assert totals["Участники (сумма по мероприятиям)"] == 6
    assert totals["Уникальных людей"] == 3  # the same three people came twice
    assert totals["Средний % присутствия"] == pytest.approx(0.5)
    assert totals["Сообщения"] == 20
    assert totals["Не пришли"] == 2 and totals["Опоздали"] == 4  # 1 + 1, 2 + 2
    assert totals["Ушли раньше"] == 2 and totals["Мало присутствовали"] == 6

    sources = sheet_table(wb["Источники"])
    assert [(s["Источник"].value, s["Участники"].value) for s in sources] == [
        ("Прямой заход", 4),
        ("t.me", 2),
    ]
    assert sources[0]["Доля"].value == pytest.approx(0.6667)

    text = pdf_text(local(result.files["report.pdf"]))
    assert "Статистика за 01.03.2027 – 31.03.2027" in text
    assert "Маркетинг в Telegram" in text and "Анна Иванова" in text
    assert "мероприятий: 2" in text
    assert "пришли: 6 · не пришли: 2" in text
    # people, not session rows: Anna and Boris came to both sessions, the guest is counted
    assert "Люди 2 Людей: 2. Гости без e-mail — посещений: 2" in text
    assert text.index("Анна Иванова") < text.index("Борис Петров")  # 2 sessions each, 74 > 32
    assert "Пояснения" in text


def test_name_filter_is_a_case_insensitive_part(marts, march, settings_for, sheet_table):
    with marts.connect() as conn:
        result = render_period_report(
            conn, date(2027, 3, 1), date(2027, 3, 31), "  МАРКЕТ ", settings_for()
        )
    assert result.uri.endswith("/periods/2027-03-01_2027-03-31_market")
    assert result.manifest["event_session_ids"] == ["es-m2"]  # es-m3 is still running
    assert result.manifest["webinar"] == "МАРКЕТ"
    wb = openpyxl.load_workbook(local(result.files["report.xlsx"]))
    assert len(sheet_table(wb["Мероприятия"])) == 1
    assert len(sheet_table(wb["Участники"])) == 4
    assert len(sheet_table(wb["Не пришли"])) == 1


def test_empty_or_reversed_period_is_refused(marts, march, settings_for):
    with marts.connect() as conn:
        with pytest.raises(WebstatError, match="no ended event session between"):
            render_period_report(
                conn, date(2027, 3, 1), date(2027, 3, 31), "нет такого", settings_for()
            )
        with pytest.raises(WebstatError, match="is before start"):
            render_period_report(conn, date(2027, 3, 31), date(2027, 3, 1), None, settings_for())


def test_the_per_day_chart_has_every_day_of_the_period(marts, march):
    """Sessions on 2 and 9 March: the chart of 1–10 March has ten columns, eight at 0."""
    from webstat.reports import data
    from webstat.reports.pdf import _per_day
    from webstat.reports.values import Context

    with marts.connect() as conn, data.snapshot(conn):
        period = data.fetch_period(conn, date(2027, 3, 1), date(2027, 3, 10))
    days = _per_day(period, Context("ru"))
    assert [label for label, _ in days] == [f"{d:02d}.03" for d in range(1, 11)]
    assert [n for _, n in days] == [0, 3, 0, 0, 0, 0, 0, 0, 3, 0]
