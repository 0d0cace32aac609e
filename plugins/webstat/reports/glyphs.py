"""WeasyPrint's loop that writes a line's glyphs into the PDF, without its per-glyph cost.

WeasyPrint (``weasyprint.draw.text.draw_first_line``) writes each glyph of a line as
hex in a ``TJ`` string, reading its id, width and offsets through cffi one field at a
time and working out its kerning entry again for every glyph. On a report's rosters
that loop was ~23 % of a render process's CPU (1.5 µs a glyph, ~140 glyphs a line).

:func:`draw_first_line` writes the same bytes for the lines it knows: it reads a run's
glyph table in one copy and keeps, per font and glyph (id, width, offset), the text
the loop would write — a roster's thousands of lines use a few hundred such glyphs.
Every other line is handed to WeasyPrint's own function unchanged: an ellipsis, a
vertical offset (``rise``), an unknown glyph (``.notdef``), right-to-left text, a
bitmap, SVG, PNG or COLR font — whatever needs the emoji list or the text's rise.

It is installed (:func:`install`) only over the WeasyPrint version it was written
against (:data:`FOR_WEASYPRINT`); with another version WeasyPrint keeps its own. A
test renders the same documents both ways and compares the PDFs byte for byte.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

log = logging.getLogger(__name__)

FOR_WEASYPRINT = "70.0"
"""The WeasyPrint whose ``draw_first_line`` this one reproduces (read line by line)."""

_FIELDS = 5
"""A ``PangoGlyphInfo`` as 32-bit ints: glyph, width, x_offset, y_offset, attributes."""


@functools.cache
def install() -> bool:
    """Put :func:`draw_first_line` in WeasyPrint's place (once a process); ``False``
    when WeasyPrint is not the version it reproduces (then nothing is changed)."""
    import weasyprint
    from weasyprint.draw import text

    if weasyprint.__version__ != FOR_WEASYPRINT:
        log.info(
            "WeasyPrint %s draws its own glyphs (webstat's faster loop is for %s)",
            weasyprint.__version__,
            FOR_WEASYPRINT,
        )
        return False
    global _weasyprint_draw_first_line
    if text.draw_first_line is not draw_first_line:  # never over itself
        _weasyprint_draw_first_line = text.draw_first_line
        text.draw_first_line = draw_first_line
    return True


_weasyprint_draw_first_line: Any = None


def draw_first_line(
    stream: Any, textbox: Any, text_overflow: str, block_ellipsis: Any, matrix: Any
) -> list[Any]:
    """``weasyprint.draw.text.draw_first_line`` with the same arguments, effects and
    output; lines outside its plain case go to WeasyPrint's own."""
    from weasyprint.text.ffi import pango

    original = _weasyprint_draw_first_line
    if text_overflow == "ellipsis" or block_ellipsis != "none":
        return original(stream, textbox, text_overflow, block_ellipsis, matrix)
    if not textbox.text.strip():
        return []
    style_font_size = textbox.style["font_size"]
    if style_font_size < 1e-6:
        return []

    pango.pango_layout_set_single_paragraph_mode(textbox.pango_layout.layout, True)
    first_line, _ = textbox.pango_layout.get_first_line()
    runs = _plain_runs(stream, first_line)
    if runs is None:
        return original(stream, textbox, text_overflow, block_ellipsis, matrix)

    stream.set_text_matrix(*matrix.values)
    old_pango = pango.pango_version() < 14802
    previous_pango_font = None
    parts: list[str] = []
    font: Any = None
    font_size = 0.0
    for glyph_item, (font_of_run, size_of_run), ids, widths, x_offsets in runs:
        pango_font = glyph_item.item.analysis.font
        if pango_font != previous_pango_font:
            previous_pango_font = pango_font
            font, font_size = font_of_run, size_of_run
            if old_pango:
                font_size = style_font_size
            string = "".join(parts)
            if string:
                stream.show_text(string)
            parts = []
            stream.set_font_size(font.hash, font_size)
        pieces = _pieces(stream, font, font_size, glyph_item, textbox, ids, widths, x_offsets)
        # the run's glyphs between < and >, as WeasyPrint closes them
        written = "<" + "".join(pieces)
        parts.append(written[:-1] if written.endswith("<") else written + ">")
    stream.show_text("".join(parts))
    return []


_Run = tuple[Any, tuple[Any, float], memoryview, memoryview, memoryview]


def _plain_runs(stream: Any, first_line: Any) -> list[_Run] | None:
    """The line's runs as (glyph item, (font, size), glyph ids, widths, x offsets), read
    from Pango's glyph tables in one copy each; ``None`` when one is not plain (then the
    whole line is WeasyPrint's): right to left, a rise, a glyph the font lacks, or a font
    that is a bitmap or has SVG, PNG or COLR glyphs."""
    from weasyprint.text.ffi import ffi, pango

    unknown = pango.PANGO_GLYPH_UNKNOWN_FLAG  # above PANGO_GLYPH_EMPTY; real ids < 65,536
    info_size = ffi.sizeof("PangoGlyphInfo")
    runs = []
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        if glyph_item.item.analysis.level % 2:  # right to left
            return None
        glyphs = glyph_item.glyphs
        raw = ffi.buffer(glyphs.glyphs, glyphs.num_glyphs * info_size)
        ids = memoryview(raw).cast("I")[0::_FIELDS]  # PangoGlyph: guint32
        geometry = memoryview(raw).cast("i")  # PangoGlyphUnit: gint32
        if any(geometry[3::_FIELDS]) or (len(ids) and max(ids) >= unknown):
            return None
        font = stream.add_font(glyph_item.item.analysis.font)  # (font, size), as WeasyPrint
        if font[0].bitmap or font[0].svg or font[0].png or font[0].colr:
            return None
        runs.append((glyph_item, font, ids, geometry[1::_FIELDS], geometry[2::_FIELDS]))
    return runs


def _pieces(
    stream: Any,
    font: Any,
    font_size: float,
    glyph_item: Any,
    textbox: Any,
    ids: memoryview,
    widths: memoryview,
    x_offsets: memoryview,
) -> list[str]:
    """What WeasyPrint writes for each glyph of a run: looked up (in C) among the pieces
    this font wrote before, the others worked out in order (:func:`_piece`)."""
    known = _known(font, font_size)
    pieces: list[str | None] = list(map(known.get, zip(ids, widths, x_offsets, strict=True)))
    if None in pieces:
        pango_font = glyph_item.item.analysis.font
        for i, piece in enumerate(pieces):
            if piece is None:
                key = (ids[i], widths[i], x_offsets[i])
                piece = known.get(key)  # seen earlier in this run
                if piece is None:
                    piece = known[key] = _piece(
                        stream, font, font_size, glyph_item, pango_font, textbox, i, *key
                    )
                pieces[i] = piece
    return pieces  # type: ignore[return-value]


def _known(font: Any, font_size: float) -> dict[tuple[int, int, int], str]:
    """The pieces written for ``font`` at ``font_size`` (the font object lives as long as
    its PDF: so does this)."""
    by_size: dict[float, dict[tuple[int, int, int], str]] = font.__dict__.setdefault(
        "_webstat_pieces", {}
    )
    return by_size.setdefault(font_size, {})


def _piece(
    stream: Any,
    font: Any,
    font_size: float,
    glyph_item: Any,
    pango_font: Any,
    textbox: Any,
    i: int,
    glyph_id: int,
    width: int,
    x_offset: int,
) -> str:
    """What WeasyPrint writes for one glyph without a rise: an empty glyph's advance, or
    its x offset, its id and its kerning entry; and what it records on the way (the
    glyph's text for ToUnicode, its width)."""
    from weasyprint.text.ffi import FROM_UNITS, pango

    if glyph_id == pango.PANGO_GLYPH_EMPTY:
        return f">{-width / font_size}<"

    if glyph_id not in font.to_unicode:  # the glyph's text, for the PDF's ToUnicode map
        clusters = glyph_item.glyphs.log_clusters
        start = clusters[i]
        last = i == glyph_item.glyphs.num_glyphs - 1
        end = glyph_item.item.length if last else clusters[i + 1]
        utf8 = textbox.pango_layout.text.encode()
        offset = glyph_item.item.offset
        font.to_unicode[glyph_id] = utf8[offset + start : offset + end].decode()
    offset = x_offset / font_size
    piece = f">{-offset}<" if offset else ""
    piece += f"{glyph_id:04x}"
    if glyph_id in font.widths:
        logical_width = font.widths[glyph_id]
    else:
        pango.pango_font_get_glyph_extents(
            pango_font, glyph_id, stream.ink_rect, stream.logical_rect
        )
        logical_width = font.widths[glyph_id] = round(
            stream.logical_rect.width * 1000 * FROM_UNITS / font_size
        )
    kerning = logical_width + offset - width * 1000 * FROM_UNITS / font_size
    if kerning:
        piece += f">{int(kerning)}<"
    return piece
