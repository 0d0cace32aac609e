"""The engagement timeline: the event sheet's minutes carry the minute's joins, leaves,
messages, questions and fires; the workbook's chart draws online as a line over them and
the chat events as bars; the PDF draws the same picture (hand-built minutes)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest

from webstat.reports import render_event_session_report

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def timeline(marts, tmp_path_factory):
    """The worked example (120 minutes from 13:00 Moscow) with every kind of event in the
    minute 13:30 and a message in 14:59, rendered in ru and en."""
    from webstat.settings import load_settings

    sid = marts.insert_worked_example("es-timeline")
    marts.execute(
        "update marts.fct_attendance_minutes set joins_count = 1, leaves_count = 1,"
        " messages_count = 4, questions_count = 2, fires_count = 3"
        " where event_session_id = %s and minute_at = '2026-11-02T10:30:00Z'",
        (sid,),
    )
    marts.execute(
        "update marts.fct_attendance_minutes set messages_count = 1"
        " where event_session_id = %s and minute_at = '2026-11-02T11:59:00Z'",
        (sid,),
    )
    out = {}
    for locale in ("ru", "en"):
        settings = load_settings(
            {
                "WEBSTAT_ARTIFACTS_URI": str(tmp_path_factory.mktemp(f"timeline-{locale}")),
                "WEBSTAT_TIMEZONE": "Europe/Moscow",
                "WEBSTAT_LOCALE": locale,
            }
        )
        with marts.connect() as conn:
            result = render_event_session_report(conn, sid, settings)
        out[locale] = {k: Path(urlsplit(v).path) for k, v in result.files.items()}
    return out


def test_the_minutes_columns(timeline):
    ws = openpyxl.load_workbook(timeline["ru"]["report.xlsx"])["Мероприятие"]
    assert [c.value for c in ws[2]][3:10] == [
        "Время (Europe/Moscow)",
        "Онлайн",
        "Входы",
        "Выходы",
        "Сообщения",
        "Вопросы",
        "«Огоньки»",
    ]
    minutes = {
        r[3].value: [c.value for c in r[4:10]] for r in ws.iter_rows(min_row=3) if r[3].value
    }
    assert len(minutes) == 120
    # 13:30 Moscow = 10:30 UTC: Anna joins as Boris leaves; the example has 1 online till 14:00
    assert minutes[datetime(2026, 11, 2, 13, 30)] == [1, 1, 1, 4, 2, 3]
    assert minutes[datetime(2026, 11, 2, 14, 59)] == [2, 0, 0, 1, 0, 0]
    assert minutes[datetime(2026, 11, 2, 13, 0)] == [1, 0, 0, 0, 0, 0]


def test_the_workbook_chart_is_a_line_over_bars(timeline):
    ws = openpyxl.load_workbook(timeline["en"]["report.xlsx"])["Event"]
    (chart,) = ws._charts
    kinds = {type(c).__name__: c for c in [chart, *chart._charts]}
    assert set(kinds) == {"LineChart", "BarChart"}
    line, bars = kinds["LineChart"], kinds["BarChart"]
    # minutes in rows 3..122; the header row (2) names each series
    assert [s.val.numRef.f for s in line.series] == ["'Event'!$E$3:$E$122"]
    assert [s.tx.strRef.f for s in line.series] == ["'Event'!E2"]
    assert [s.val.numRef.f for s in bars.series] == [
        "'Event'!$H$3:$H$122",
        "'Event'!$I$3:$I$122",
        "'Event'!$J$3:$J$122",
    ]
    assert line.series[0].cat.numRef.f == "'Event'!$D$3:$D$122"
    assert bars.y_axis.axId != line.y_axis.axId  # the events' own scale


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("ru", ["Участники онлайн и события чата по минутам", "Онлайн", "Вопросы", "«Огоньки»"]),
        ("en", ["Participants online and chat events, per minute", "Online", "Questions", "Fires"]),
    ],
)
def test_the_pdf_draws_the_timeline(timeline, pdf_text, locale, words):
    text = pdf_text(timeline[locale]["report.pdf"])
    for word in words:
        assert word in text
