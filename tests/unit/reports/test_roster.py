"""The roster: long tables set a line of text a row, columns placed by font advances.

The placement is checked against WeasyPrint itself: it measures each line's text up to
a cell, and the cell must start where the column says (left edge + 3 px padding), to
within a third of a pixel — the widths the roster adds up are the ones Pango lays out.
"""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webstat.reports import pdf, roster

pytestmark = pytest.mark.skipif(roster.metrics() is None, reason="no DejaVu Sans here")

PX = 7.3 * 4 / 3
GAP = re.compile(r"[ \u2002-\u200a]{2,}|[\u2002-\u200a]+")
MARK = "|"


def _font() -> roster.Font:
    regular, _ = roster.metrics()
    return roster.Font(regular, PX)


def _laid_out(body: str, css: str, kind: str):
    """Every box of type ``kind`` (``LineBox``, ``TextBox``) of ``body`` as WeasyPrint
    lays it out with the report's own stylesheet plus ``css``, in document order."""
    from weasyprint import HTML

    style = (pdf.TEMPLATES_DIR / "report.css").read_text() + css
    page = HTML(string=f"<style>{style}</style>{body}").render().pages[0]

    def boxes(box):
        if type(box).__name__ == kind:
            yield box
        for child in getattr(box, "children", ()):
            yield from boxes(child)

    return list(boxes(page._page_box))


def _weasy_widths(texts: list[str]) -> list[float]:
    """Each text's width as WeasyPrint lays out a roster row (the report's own stylesheet:
    ``white-space: pre``, no kerning, no ligatures; 7.3 pt as in ``table.roster``),
    measured as ``text + "|"`` less ``"|"`` so trailing spaces count."""
    body = "".join(f'<div class="r">{html.escape(t)}{MARK}</div>' for t in ["", *texts])
    css = " .r { float: left; clear: left; font-size: 7.3pt; padding: 0 }"
    lines = _laid_out(body, css, "LineBox")
    widths = [sum(child.width for child in line.children) for line in lines]
    return [w - widths[0] for w in widths[1:]]


# A table of five columns on 600 px: the №, a name, an e-mail, a number, a text.
SHARES = (0.06, 0.3, 0.3, 0.14, 0.2)
RIGHT = (True, False, False, True, False)
LAYOUT = roster.Layout.of(SHARES, RIGHT, 600)
LEFTS = (0.0, 36.0, 216.0, 396.0, 480.0)  # by hand: cumulative shares × 600
WIDTHS = (36.0, 180.0, 180.0, 84.0, 120.0)

letters = st.text(
    alphabet=st.sampled_from(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЖЩЯabcdefilxyzWAVTo.-'"
    ),  # fi, fl, AV, To: no ligature, no kerning
    min_size=1,
    max_size=12,
)
names = st.lists(letters, min_size=1, max_size=3).map(" ".join)
numbers = st.integers(0, 9_999).map(str)  # a wider one is a table row (below)


def test_a_face_remembers_what_it_measured_and_stays_bounded(monkeypatch):
    """Measured texts are remembered (a roster measures its times and fillers again and
    again), the unmeasurable too, and the memory never holds more than its bound."""
    face = roster.Face({"a": 600, "b": 700, " ": 300}, 1000)
    assert face.units("ab a") == 600 + 700 + 300 + 600
    assert face.units("ab a") == 2200  # remembered, the same
    assert face.units("aé") is None and face.units("aé") is None  # é not in this face
    monkeypatch.setattr(roster, "_KNOWN_MAX", 3)
    for text in ("a", "b", "aa", "bb", "ab"):
        assert face.units(text) == sum({"a": 600, "b": 700}[c] for c in text)
        assert len(face._known) <= 3


def test_the_layout_is_the_shares_of_the_width():
    assert LAYOUT.lefts == pytest.approx(LEFTS)
    assert LAYOUT.widths == pytest.approx(WIDTHS)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(number=numbers, name=names, local=letters, amount=numbers, note=names)
def test_each_cell_starts_where_weasyprint_puts_its_column(number, name, local, amount, note):
    email = f"{local}@mail.example.org"
    cells = [number, name, email, amount, note]
    text = roster.row_lines(cells, LAYOUT, _font())
    assert text is not None
    first = html.unescape(str(text)).split("\n")[0]
    # where each cell's text begins in the line, found in order
    starts, at = [], 0
    for _cell, parts in zip(
        cells,
        (roster.wrap(c, _font(), LAYOUT.room(i)) for i, c in enumerate(cells)),
        strict=True,
    ):
        head = parts[0]
        at = first.index(head, at)
        starts.append((at, head))
        at += len(head)
    prefixes = [first[:i] for i, _ in starts] + [first[: i + len(h)] for i, h in starts]
    measured = _weasy_widths(prefixes)
    begin, end = measured[: len(cells)], measured[len(cells) :]
    for i in range(len(cells)):
        if RIGHT[i]:  # a number ends at its column's right edge less the padding
            assert end[i] == pytest.approx(LEFTS[i] + WIDTHS[i] - 3, abs=0.34), cells[i]
        else:  # a text begins at its column's left edge plus the padding
            assert begin[i] == pytest.approx(LEFTS[i] + 3, abs=0.34), cells[i]
        assert end[i] <= LEFTS[i] + WIDTHS[i] - 3 + 0.01  # and never runs into the next


@given(gap=st.floats(6, 1500))
def test_fillers_are_never_wider_than_the_gap_and_short_of_it_by_under_a_fifth_of_a_pixel(gap):
    for font in (_font(), roster.Font(roster.metrics()[1], 6.8 * 4 / 3)):
        width = font.width(font.fill(gap))
        assert gap - 0.2 < width <= gap + 1e-9


def test_a_long_name_wraps_inside_its_column_at_its_spaces():
    name = "Константинопольская-Щербатова Александра Вячеславовна"
    lines = roster.wrap(name, _font(), 130.0)
    # after the hyphen or at a space (dropped), never inside a word
    assert lines[0] == "Константинопольская-"
    assert " ".join(lines[1:]) == "Щербатова Александра Вячеславовна"
    # as WeasyPrint measures them: each line fits, and none could have taken the next word
    words = [lines[0], *" ".join(lines[1:]).split(" ")]
    fits = _weasy_widths(
        [*lines, *(f"{a} {b.split()[0]}" for a, b in zip(lines, lines[1:], strict=False))]
    )
    assert all(w <= 130.0 for w in fits[: len(lines)])
    assert all(w > 130.0 for w in fits[len(lines) + 1 :])  # the first is a hyphen's break
    assert len(words) == 4


def test_an_email_wraps_after_its_at_or_before_a_dot():
    email = "alexandra.konstantinopolskaya@mail.example.com"
    lines = roster.wrap(email, _font(), 120.0)
    assert "".join(lines) == email and len(lines) >= 2
    for before, after in zip(lines, lines[1:], strict=False):
        assert before.endswith("@") or after.startswith("."), lines
    assert all(w <= 120.0 for w in _weasy_widths(lines))


def test_a_word_wider_than_its_column_breaks_between_letters():
    lines = roster.wrap("Ш" * 40, _font(), 50.0)
    assert "".join(lines) == "Ш" * 40 and len(lines) > 1
    assert all(w <= 50.0 for w in _weasy_widths(lines))


def test_a_header_wraps_and_sits_on_the_bottom_line():
    bold = roster.Font(roster.metrics()[1], 6.8 * 4 / 3)
    text = roster.header_lines(
        ["№", "Участник", "E-mail", "Очень длинный заголовок", "Х"], LAYOUT, bold
    )
    lines = html.unescape(str(text)).split("\n")
    top, bottom = lines[0], lines[-1]
    assert [c for c in GAP.split(top) if c] == ["Очень"]  # 84 px: a word a line
    assert [c for c in GAP.split(lines[1]) if c] == ["длинный"]
    assert [c for c in GAP.split(bottom) if c] == ["№", "Участник", "E-mail", "заголовок", "Х"]


@pytest.mark.parametrize(
    "name",
    ["王小明", "Zoe\u0308 Ли", "Анна\u200bИванова", "مريم"],
    ids=["no-glyph", "combining-mark", "format-character", "contextual-script"],
)
def test_a_row_it_cannot_measure_is_a_table_row_and_only_it(name, tmp_path, rows, written):
    people = [rows["participant"](i) for i in range(1, 4)]
    people[1]["full_name"] = name
    pdf.render_session_pdf(rows["report"](rows["session"](), people), tmp_path / "r.pdf")
    html = written["html"]
    assert html.count('<table class="data one">') == 1
    assert len(re.findall(r'<div class="r(?: [a-z]+)*">', html)) == 2
    one = html.split('<table class="data one">', 1)[1].split("</table>", 1)[0]
    assert '<td class="idx">2</td>' in one
    assert (tmp_path / "r.pdf").stat().st_size > 0


def test_roster_text_is_escaped(tmp_path, rows, written):
    hostile = rows["participant"](1, full_name="<b>x</b> & «y»")
    pdf.render_session_pdf(rows["report"](rows["session"](), [hostile]), tmp_path / "r.pdf")
    assert "&lt;b&gt;x&lt;/b&gt; &amp; «y»" in written["html"]
    assert "<b>x</b>" not in written["html"]


def test_without_the_fonts_metrics_a_table_is_a_table(
    monkeypatch, tmp_path, rows, written, pdf_text_of
):
    """Without DejaVu Sans' metrics the tables are tables of cells, shaded in the same
    bands: of seven participants, rows 4–6."""
    monkeypatch.setattr(roster, "metrics", lambda: None)
    people = [rows["participant"](i) for i in range(1, 8)]
    pdf.render_session_pdf(rows["report"](rows["session"](), people), tmp_path / "r.pdf")
    html = written["html"]
    assert '<table class="data">' in html and 'class="roster"' not in html
    assert "Имя1 Фамилия1" in pdf_text_of(tmp_path / "r.pdf")
    table = html.rsplit('<table class="data">', 1)[1]
    assert re.findall(r'<tr class="z"><td class="idx">(\d+)</td>', table) == ["4", "5", "6"]


def test_the_rosters_geometry_is_the_stylesheets():
    """pdf.py places the roster's columns for the page and fonts report.css sets: A4
    landscape less 12 mm margins is 273 mm = 1,031.8 px; 7.3 pt cells = 9.733 px,
    6.8 pt headers = 9.067 px. A change to one side alone fails here."""
    css = (pdf.TEMPLATES_DIR / "report.css").read_text()
    assert re.search(r"size: A4 landscape;\s*margin: 13mm 12mm 15mm 12mm;", css)
    assert re.search(r"table\.roster \{[^}]*font-size: 7\.3pt", css)
    assert re.search(r"\nth \{[^}]*font-size: 6\.8pt", css)
    assert pdf.TABLE_WIDTH_PX == pytest.approx(1031.81, abs=0.01)
    assert pdf.TABLE_FONT_PX == pytest.approx(9.733, abs=0.001)
    assert pdf.HEADER_FONT_PX == pytest.approx(9.067, abs=0.001)


def _baselines(body: str) -> list[float]:
    """The baseline of each line of ``body`` as WeasyPrint lays it out with report.css
    (7.3 pt, as in a roster)."""
    texts = _laid_out(body, " body { font-size: 7.3pt }", "TextBox")
    return [text.position_y + text.baseline for text in texts]


def test_a_bands_block_sets_its_rows_where_rows_alone_would_sit():
    """A block of a band's one-line rows (``.r.b``) is drawn as rows alone (``.r``, with
    their padding) would be: the same baselines, 18.34 px apart (1.35 × 7.3 pt + 2 × 2.6 px)."""
    alone = _baselines('<div class="r">А</div><div class="r z">Б</div><div class="r">В</div>')
    block = _baselines('<div class="r b">А\nБ\nВ</div>')
    assert block == pytest.approx(alone, abs=0.01)
    assert [alone[1] - alone[0], alone[2] - alone[1]] == pytest.approx([18.34, 18.34], abs=0.01)


def test_rows_are_shaded_in_bands_of_three_a_bands_one_line_rows_one_block(tmp_path, rows, written):
    """Eight participants, the fifth with a name that wraps: bands 1–3, 4–6 (shaded), 7–8.
    A band's one-line rows are one block; the wrapped row is a block of its own, in its
    band's shade."""
    people = [rows["participant"](i) for i in range(1, 9)]
    people[4]["full_name"] = "Анна-Мария Константинопольская-Преображенская " * 2
    pdf.render_session_pdf(rows["report"](rows["session"](), people), tmp_path / "r.pdf")
    table = written["html"].rsplit('<table class="roster">', 1)[1].split("</table>", 1)[0]

    def numbers(text: str) -> list[int]:  # a line's first cell is its row's № (or a wrap)
        firsts = [[c for c in GAP.split(line) if c][0] for line in text.split("\n")]
        return [int(f) for f in firsts if f.isdigit()]

    blocks = re.findall(r'<div class="(r(?: [a-z]+)*)">(.*?)</div>', table, re.S)
    assert [(c, numbers(t)) for c, t in blocks] == [
        ("r b", [1, 2, 3]),
        ("r b z", [4]),
        ("r z", [5]),
        ("r b z", [6]),
        ("r b", [7, 8]),
    ]
    assert blocks[2][1].count("\n") >= 1  # the fifth row wrapped
