"""webstat's glyph loop writes the PDF WeasyPrint's own would, byte for byte."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest
import weasyprint
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from weasyprint.draw import text as weasyprint_text

from webstat.reports import glyphs, pdf

pytestmark = pytest.mark.skipif(
    weasyprint.__version__ != glyphs.FOR_WEASYPRINT,
    reason=f"webstat's glyph loop is for WeasyPrint {glyphs.FOR_WEASYPRINT}",
)


@contextlib.contextmanager
def _drawn_by(which: str) -> Iterator[dict[str, int]]:
    """Lines drawn by ``"webstat"`` or ``"weasyprint"``; counts WeasyPrint's own calls."""
    assert glyphs.install()
    own = glyphs._weasyprint_draw_first_line
    calls = {"weasyprint": 0}

    def counted(*args, **kwargs):
        calls["weasyprint"] += 1
        return own(*args, **kwargs)

    before = (weasyprint_text.draw_first_line, glyphs._weasyprint_draw_first_line)
    glyphs._weasyprint_draw_first_line = counted
    weasyprint_text.draw_first_line = glyphs.draw_first_line if which == "webstat" else counted
    try:
        yield calls
    finally:
        weasyprint_text.draw_first_line, glyphs._weasyprint_draw_first_line = before


def _pdf(html: str, path: Path, which: str) -> tuple[bytes, int]:
    with _drawn_by(which) as calls:
        pdf.write_pdf(html, path)
    return path.read_bytes(), calls["weasyprint"]


def _doc(body: str, css: str = "") -> str:
    return (
        "<html><head><meta charset='utf-8'><style>@page { size: A5 }"
        f" html {{ font-family: 'DejaVu Sans'; font-size: 9pt }} {css}</style></head>"
        f"<body>{body}</body></html>"
    )


_STYLES = [
    "",
    "p { font-kerning: none; font-variant-ligatures: none; white-space: pre }",
    "p { font-weight: bold; letter-spacing: 0.7px; word-spacing: 3px }",
    "p { font-variant: small-caps; text-align: justify }",
    "p { font-family: 'DejaVu Serif'; font-size: 13.7px; font-style: italic }",
    "p { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; width: 30mm }",
]

_TEXT = st.text(
    alphabet=st.sampled_from(
        list("Иванов Пётр Ёжиков №42 ivan.petrov@example.ru AVAWTo fi ffl")
        + list("\u2003\u2007\u2002\u2004\u2005\u2009\u2006\u200a\u200b\u00a0\t\n")
        + list("\u0301\u0308")  # combining marks: offsets, a rise
        + list("مرحبا שלום")  # right to left
        + list("汉字\U0001f600\u0378")  # other fonts, no font at all, unassigned
        + list("ᾯǅΩ€™")
    ),
    max_size=60,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(_TEXT, min_size=1, max_size=4), style=st.sampled_from(_STYLES))
@example(texts=["a\tb\tв\u00adг\u200eд"], style=_STYLES[1])  # empty glyphs with widths
@example(texts=["о\u0301\u0308 e\u0302\u0323"], style="")  # stacked marks: a rise
def test_any_text_in_any_style_makes_the_same_pdf_as_weasyprints_loop(tmp_path, texts, style):
    html = _doc("".join(f"<p>{escape(t)}</p>" for t in texts), style)
    ours, _ = _pdf(html, tmp_path / "webstat.pdf", "webstat")
    theirs, _ = _pdf(html, tmp_path / "weasyprint.pdf", "weasyprint")
    assert ours == theirs


def test_a_session_report_is_the_same_pdf_as_with_weasyprints_loop(tmp_path, rows):
    """The whole report: first page (charts' SVG text, kerned titles), rosters with
    their fillers and wrapped e-mails, no-shows, notes, footers."""
    people = [rows["participant"](i) for i in range(120)]
    report = rows["report"](rows["session"](webinar_name="Открытый урок «AVAWA»"), people)
    written = {}
    for which in ("webstat", "weasyprint"):
        with _drawn_by(which):
            pdf.render_session_pdf(report, tmp_path / f"{which}.pdf")
        written[which] = (tmp_path / f"{which}.pdf").read_bytes()
    assert written["webstat"] == written["weasyprint"]


def test_roster_lines_never_need_weasyprints_loop(tmp_path):
    """The lines a report is made of (Cyrillic, Latin, digits, the fillers, zero-width
    spaces in e-mails) all take webstat's loop: if a WeasyPrint or Pango change sent
    them back to the slow one, this fails (the PDF would still be right, only slower)."""
    line = (
        "12\u2003\u2003Иванова Мария Петровна\u2003\u2002\u2009maria.ivanova@\u200b"
        "example\u200b.ru\u2003\u2003 12:04\u2003\u2004 1:31:12\u2003 87 %\u2003Chrome"
    )
    html = _doc(
        "".join(f"<p>{escape(line)}</p>" for _ in range(30)),
        "p { white-space: pre; font-kerning: none; font-variant-ligatures: none }"
        " p:nth-child(2n) { font-weight: bold }",
    )
    ours, fallbacks = _pdf(html, tmp_path / "webstat.pdf", "webstat")
    assert fallbacks == 0
    theirs, _ = _pdf(html, tmp_path / "weasyprint.pdf", "weasyprint")
    assert ours == theirs


def test_another_weasyprint_keeps_its_own_loop(monkeypatch):
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    glyphs.install.cache_clear()
    try:
        before = weasyprint_text.draw_first_line
        assert glyphs.install() is False
        assert weasyprint_text.draw_first_line is before
    finally:
        glyphs.install.cache_clear()
