"""A session of a series: its place, the returning and the new on the event sheet and in
the PDF's header line, in both locales (fct_webinar_series rows built by hand)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest

from webstat.reports import render_event_session_report

pytestmark = pytest.mark.integration


def _series_row(sid: str, webinar: str, n: int, persons: int, first: int, back: int | None):
    return {
        "event_session_id": sid,
        "organization_id": "org-1",
        "webinar_id": webinar,
        "session_number": n,
        "persons_count": persons,
        "first_time_count": first,
        "from_previous_count": back,
        "retained_to_next_count": None,
        "retained_to_next_pct": None,
    }


def _event_values(path: Path, sheet: str) -> dict:
    ws = openpyxl.load_workbook(path)[sheet]
    # the value column is wide enough for the series line (~50 characters) when it has one
    series = any(row[0].value in ("Серия", "Series") for row in ws.iter_rows(min_row=3))
    assert ws.column_dimensions["B"].width == (52 if series else 30)
    return {row[0].value: row[1].value for row in ws.iter_rows(min_row=3) if row[0].value}


@pytest.mark.parametrize(
    ("locale", "sheet", "label", "line"),
    [
        ("ru", "Мероприятие", "Серия", "занятие 3 из 3 · 21 вернулся со 2-го · 4 новых"),
        ("en", "Event", "Series", "lesson 3 of 3 · 21 came back from lesson 2 · 4 new"),
    ],
)
def test_third_lesson_of_three(marts, settings_for, pdf_text, locale, sheet, label, line):
    # lessons 1 and 2 of the series only exist in fct_webinar_series; the report is of
    # lesson 3: 25 persons, 21 of them were at lesson 2, 4 came for the first time
    sid = marts.insert_worked_example(f"es-series-3-{locale}", webinar_id=f"w-series-{locale}")
    marts.insert(
        "fct_webinar_series",
        [
            _series_row(f"es-series-1-{locale}", f"w-series-{locale}", 1, 30, 30, None),
            _series_row(f"es-series-2-{locale}", f"w-series-{locale}", 2, 28, 3, 25),
            _series_row(sid, f"w-series-{locale}", 3, 25, 4, 21),
        ],
    )
    with marts.connect() as conn:
        result = render_event_session_report(conn, sid, settings_for(locale=locale))
    files = {k: Path(urlsplit(v).path) for k, v in result.files.items()}
    assert _event_values(files["report.xlsx"], sheet)[label] == line
    assert line in pdf_text(files["report.pdf"])


def test_first_lesson_and_a_series_of_one(marts, settings_for, pdf_text):
    first = marts.insert_worked_example("es-series-first", webinar_id="w-series-first")
    alone = marts.insert_worked_example("es-series-alone", webinar_id="w-series-alone")
    marts.insert(
        "fct_webinar_series",
        [
            _series_row(first, "w-series-first", 1, 1, 1, None),
            _series_row("es-series-first-2", "w-series-first", 2, 11, 11, 0),
            _series_row(alone, "w-series-alone", 1, 2, 2, None),
        ],
    )
    with marts.connect() as conn:
        one = render_event_session_report(conn, first, settings_for())
        single = render_event_session_report(conn, alone, settings_for())
    path = Path(urlsplit(one.files["report.xlsx"]).path)
    # lesson 1 has no one coming back; "1 новый" is the singular
    assert _event_values(path, "Мероприятие")["Серия"] == "занятие 1 из 2 · 1 новый"
    assert "занятие 1 из 2 · 1 новый" in pdf_text(Path(urlsplit(one.files["report.pdf"]).path))
    # a webinar with one session is no series: no line at all
    path = Path(urlsplit(single.files["report.xlsx"]).path)
    assert "Серия" not in _event_values(path, "Мероприятие")
    # (the notes explain «занятие 3 из 8»; a header line would read "… · N новых")
    single_pdf = pdf_text(Path(urlsplit(single.files["report.pdf"]).path))
    assert re.search(r"занятие \d+ из \d+ ·", single_pdf) is None
