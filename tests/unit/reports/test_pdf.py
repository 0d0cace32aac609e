"""The PDF renderer: a URL fetcher that serves only the package's assets; escaped values."""

from __future__ import annotations

import html as html_lib
import logging
import re
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webstat.reports import pdf


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:1/x.png",
        "https://example.com/x.css",
        "ftp://example.com/x",
        "webstat-asset:../../../../etc/passwd",
        "webstat-asset:/etc/passwd",
        "webstat-asset:missing.svg",
    ],
)
def test_fetcher_refuses_everything_but_own_assets(url):
    fetcher = pdf.url_fetcher()
    with pytest.raises(pdf.RefusedURLError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_serves_assets_and_inline_data():
    fetcher = pdf.url_fetcher()
    logo = fetcher.fetch("webstat-asset:logo.svg")
    assert logo.content_type == "image/svg+xml" and b"<svg" in logo.read()
    inline = fetcher.fetch("data:text/plain;base64,aGk=")
    assert inline.read() == b"hi"
    assert fetcher.refused == []


def test_a_local_file_in_markup_is_not_read(tmp_path, pdf_text_of):
    secret = tmp_path / "secret.html"
    secret.write_text("<p>TOP-SECRET</p>")
    html = (
        f'<html><body><p>before</p><img src="{secret.as_uri()}">'
        f'<iframe src="{secret.as_uri()}"></iframe>'
        f'<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><p>after</p></body></html>'
    )
    fetcher = pdf.write_pdf(html, tmp_path / "x.pdf")
    assert secret.as_uri() in fetcher.refused
    assert "http://127.0.0.1:9/x.css" in fetcher.refused
    text = pdf_text_of(tmp_path / "x.pdf")
    assert "before" in text and "after" in text and "TOP-SECRET" not in text


def test_session_pdf_escapes_every_value(tmp_path, rows, written, pdf_text_of, in_runs):
    hostile = rows["participant"](
        1, full_name='<img src="file:///etc/passwd">', email="<script>alert(1)</script>@x"
    )
    session = rows["session"](webinar_name="Курс <b>жирный</b> & «кавычки»")
    counts = pdf.render_session_pdf(rows["report"](session, [hostile]), tmp_path / "r.pdf")
    assert counts == {"pdf_participants": 1, "participants": 1}
    html = written["html"]
    assert '<img src="file:///etc/passwd">' not in html
    # escaped (wrapped over two lines of its column in the roster)
    assert "&lt;img src=" in html and "passwd&#34;&gt;" in html
    assert "<script>" not in html and "<b>жирный</b>" not in html
    assert written["fetcher"].requested == ["webstat-asset:logo.svg"]
    text = pdf_text_of(tmp_path / "r.pdf")
    assert "Курс <b>жирный</b> & «кавычки»" in text
    assert in_runs(re.sub(r"\s", "", '<img src="file:///etc/passwd">'), re.sub(r"\s", "", text))


def test_pdf_caps_rows_and_says_where_the_rest_is(tmp_path, rows, pdf_text_of):
    report = rows["report"](rows["session"](), [rows["participant"](i) for i in range(5)])
    counts = pdf.render_session_pdf(report, tmp_path / "r.pdf", locale="en", max_rows=3)
    assert counts == {"pdf_participants": 3, "participants": 5}
    text = pdf_text_of(tmp_path / "r.pdf")
    assert "The first 3 of 5 rows are shown. The full list is in report.xlsx." in text
    assert "Имя2 Фамилия2" in text and "Имя3 Фамилия3" not in text


def test_session_kpis(tmp_path, rows, pdf_text_of):
    session = rows["session"](
        participants_count=1234,
        registered_count=2000,
        host_active_pct=None,
        host_active_seconds=None,
        end_inferred=True,
        duration_seconds=int(timedelta(hours=1, minutes=5).total_seconds()),
    )
    pdf.render_session_pdf(rows["report"](session, [rows["participant"](1)]), tmp_path / "r.pdf")
    text = pdf_text_of(tmp_path / "r.pdf")
    assert "1 234" in text and "зарегистрировано: 2 000" in text
    assert "1:05:00" in text
    assert "принято время последнего события" in text  # the inferred end is said


def test_every_page_ends_with_its_footer(tmp_path, rows):
    """One footer box a page (a box costs WeasyPrint ~1 ms a page): the title, the
    credit, and "page i of n", n the PDF's own page count."""
    from pypdf import PdfReader

    session = rows["session"](webinar_name="Открытый урок")
    report = rows["report"](session, [rows["participant"](i) for i in range(80)])
    pdf.render_session_pdf(report, tmp_path / "r.pdf")
    pages = [p.extract_text() for p in PdfReader(str(tmp_path / "r.pdf")).pages]
    assert len(pages) >= 4  # the cover, three pages of 80 rows, the notes
    for i, text in enumerate(pages, 1):
        last = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
        assert last.endswith(f"Открытый урок · Сформировано webstat · стр. {i} из {len(pages)}")


def test_pdf_streams_are_compressed_at_level_6(tmp_path, rows):
    """pydyf asks zlib for level 9, ~4x the CPU of level 6 for ~6 % less size; the
    reports' streams carry level 6's zlib header (78 9C; level 9 writes 78 DA)."""
    report = rows["report"](rows["session"](), [rows["participant"](i) for i in range(40)])
    pdf.render_session_pdf(report, tmp_path / "r.pdf")
    body = (tmp_path / "r.pdf").read_bytes()
    headers = re.findall(rb"/FlateDecode.*?>>\nstream\n(..)", body)
    assert len(headers) == body.count(b"\nstream\n") >= 5  # every stream, the pages' too
    assert set(headers) == {b"\x78\x9c"}


def test_the_font_subsetter_is_named_once_a_process_never_a_font_a_pdf(tmp_path, rows, caplog):
    """Without HarfBuzz's subsetter WeasyPrint warns once a font a PDF; webstat drops
    those and says it once a process, with the package to install; with it, nothing."""
    pdf._subsetter_notice.cache_clear()
    report = rows["report"](rows["session"](), [rows["participant"](i) for i in range(5)])
    with caplog.at_level(logging.INFO):
        for n in range(2):
            pdf.render_session_pdf(report, tmp_path / f"r{n}.pdf")
    said = [r.getMessage() for r in caplog.records]
    assert not [m for m in said if "instead of HarfBuzz-Subset" in m]
    notices = [m for m in said if "libharfbuzz-subset0" in m]
    assert len(notices) == (1 if pdf.font_subsetter() == "fontTools" else 0)


_GAP = re.compile(r"[ \u2002-\u200a]{2,}|[\u2002-\u200a]+")
"""What separates two cells of a roster line: fillers (a gap is at least 6 px, two
characters or more); a text's own spaces are single."""


def _roster_cells(line: str) -> list[str]:
    text = html_lib.unescape(re.sub(r"</?span[^>]*>", "", line))
    return [cell for cell in _GAP.split(text) if cell]


def _table_of(html: str) -> tuple[list[str], list[list[str]]]:
    """The participants table's headers and rows (cell texts) in the PDF's HTML: the
    last roster's header line and its rows, each line's cells split at the fillers (a
    block of a band's one-line rows, ``.b``, holds a row a line)."""
    table = html.rsplit('<table class="roster">', 1)[1]
    headers = _roster_cells(re.search(r'<div class="rh">(.*?)</div>', table, re.S)[1])
    rows = []
    for classes, text in re.findall(r'<div class="(r(?: [a-z]+)*)">(.*?)</div>', table, re.S):
        lines = text.split("\n") if "b" in classes.split() else [text]
        rows += [_roster_cells(line) for line in lines]
    return headers, rows


def test_an_email_breaks_only_after_the_at_and_before_a_dot():
    zw = "\u200b"
    assert pdf.breakable_email("anna.iv@mail.example.com") == (
        f"anna{zw}.iv@{zw}mail{zw}.example{zw}.com"
    )
    assert pdf.breakable_email("гость") == "гость"
    # plain text, not markup: the template escapes it as any other cell
    assert type(pdf.breakable_email("<b>@x.y")) is str


@given(st.text(alphabet=st.characters(blacklist_characters="\u200b"), max_size=80))
def test_an_email_is_unchanged_but_for_its_break_opportunities(text):
    """Any text: taking the zero-width spaces out gives it back, and there is one at
    exactly the places right after an «@» or right before a «.»."""
    broken = pdf.breakable_email(text)
    assert broken.replace("\u200b", "") == text
    places = [
        p
        for p in range(len(text) + 1)
        if (p > 0 and text[p - 1] == "@") or (p < len(text) and text[p] == ".")
    ]
    expected = "".join("\u200b" * (p in places) + ch for p, ch in enumerate(text))
    assert broken == expected + "\u200b" * (len(text) in places)


def test_no_shows_are_a_table_of_their_own_columns(tmp_path, rows, written, pdf_text_of):
    """Two no-shows: the invited one says when she was invited, the registered one when he
    registered and was invited (10:00 UTC = 13:00 in Moscow); no columns of zeros."""
    from datetime import timedelta

    from tests.unit.reports.conftest import T0

    gone = {"has_attended": False, "connections_count": 0, "role": None}
    vera = rows["participant"](
        1,
        **gone,
        full_name="Вера Павлова",
        registration_status="invited",
        invited_at=T0 - timedelta(days=2),
        registered_at=None,
    )
    ivan = rows["participant"](
        2,
        **gone,
        full_name="Иван Ли",
        registration_status="registered_by_invitation",
        invited_at=T0 - timedelta(days=3),
        registered_at=T0 - timedelta(days=1),
    )
    report = rows["report"](rows["session"](), [rows["participant"](3), vera, ivan])
    pdf.render_session_pdf(report, tmp_path / "r.pdf")
    headers, body = _table_of(written["html"])  # the last table: the no-shows'
    assert headers == [
        "№",
        "Участник",
        "E-mail",
        "Статус регистрации",
        "Дата регистрации",
        "Дата приглашения",
    ]
    assert body == [
        ["1", "Вера Павлова", "u1@example.com", "Приглашён, не зарегистрирован", "31.10 13:00"],
        [
            "2",
            "Иван Ли",
            "u2@example.com",
            "Зарегистрирован по приглашению",
            "01.11 13:00",
            "30.10 13:00",
        ],
    ]
    text = pdf_text_of(tmp_path / "r.pdf")
    assert "Не пришли 2" in text and "Вера Павлова u1@example.com" in text


@pytest.mark.parametrize("engagement", [False, True])
def test_session_pdf_table_columns_and_cells(tmp_path, rows, written, pdf_text_of, engagement):
    """The PDF table's exact column set and one row worked out by hand."""
    from decimal import Decimal

    anna = rows["participant"](
        7,
        presence_seconds=5400,
        presence_pct=Decimal("75.00"),
        messages_count=1234,
        questions_count=2,
        active_pct=Decimal("33.33"),
        rating=Decimal("74.0"),
        city="Казань",  # in the workbook only
    )
    session = rows["session"](is_paid=True, engagement_module=engagement)
    pdf.render_session_pdf(rows["report"](session, [anna]), tmp_path / "r.pdf")
    headers, body = _table_of(written["html"])
    activity = " | % актив." if engagement else ""
    assert " | ".join(headers) == (
        f"№ | Участник | E-mail | Вход | Присутствие | % прис. | Сообщ. | Вопр.{activity}"
        " | Рейтинг | Отметки"
    )
    # T0 = 10:00 UTC = 13:00 in Moscow; 5,400 s = 1:30:00; 1234 with a no-break space
    activity_cell = ["33,3\u00a0%"] if engagement else []
    assert body == [
        [
            "1",
            "Имя7 Фамилия7",
            "u7@example.com",  # the roster wraps an e-mail itself, between its parts
            "02.11 13:00",
            "1:30:00",
            "75,0\u00a0%",  # one decimal, always
            "1\u00a0234",
            "2",
            *activity_cell,
            "74,0",
            "ушёл раньше, мало присутствовал",  # left_early and low_presence, not late
        ]
    ]
    text = pdf_text_of(tmp_path / "r.pdf")
    assert "Имя7 Фамилия7" in text and "u7@example.com" in text
    assert "Казань" not in text and "Город" not in text
