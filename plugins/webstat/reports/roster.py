"""The PDF's long lists of people set as a roster: one line of text a row, not a table row.

WeasyPrint lays a table cell out as a block of its own, and that is most of a
participants table's cost (~7 ms a row of ten cells here, the engine's floor for a
table). A line of text costs about a quarter of that. The roster keeps the table's look
(the same columns, widths, header, zebra bands and alignment) by setting each row as
one line of ``white-space: pre`` text whose columns are placed by the font's own
advance widths:

* the widths come from the TrueType file fontconfig gives for the PDF's family
  (DejaVu Sans, regular and bold), read with fontTools (a WeasyPrint dependency);
* kerning and ligatures are off in the roster (CSS), so a text is exactly as wide as
  the sum of its characters' advances — the same sums Pango makes;
* the space between a cell's text and the next column is filled with Unicode spaces
  of known widths (em spaces, then the fewest of the narrower ones), to within a fifth
  of a pixel and never past it;
* a text too wide for its column wraps within it (at spaces, after ``@``, before
  ``.``, else anywhere): the row takes more lines, every column keeps its place.

A row whose text the roster cannot measure for sure (a character outside the font or
outside the scripts it shapes one by one: Latin, Greek, Cyrillic and punctuation) is
set as a one-row table of the same columns instead: it costs a table row, and only it.
Without the font file (no fontconfig, no DejaVu) :func:`metrics` is ``None`` and the
PDF sets its tables as tables.
"""

from __future__ import annotations

import functools
import glob
import logging
import shutil
import subprocess
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

log = logging.getLogger(__name__)

FAMILY = "DejaVu Sans"
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
"""Searched (recursively) for DejaVu Sans when fontconfig's ``fc-match`` is missing."""

_EM = "\u2003"
_FILLERS = (
    "\u2003",  # em space
    "\u2007",  # figure space
    "\u2002",  # en space
    "\u2004",  # three-per-em space
    "\u0020",  # space
    "\u2005",  # four-per-em space
    "\u2009",  # thin space
    "\u2006",  # six-per-em space
    "\u200a",  # hair space
)
"""What fills a gap: em spaces for its bulk, then the fewest of these for the rest (each
is a glyph the PDF draws: the fewer, the cheaper)."""
_MEASURABLE = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x02FF),  # Latin-1, Latin Extended, IPA, spacing modifiers
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x052F),  # Cyrillic and its supplement
    (0x1E00, 0x1FFF),  # Latin Extended Additional, Greek Extended
    (0x2000, 0x206F),  # General Punctuation
    (0x20A0, 0x20CF),  # currency signs
    (0x2100, 0x214F),  # letterlike symbols (№)
)
"""Scripts whose letters Pango sets one advance each (no contextual shaping)."""


def _measurable(ch: str) -> bool:
    code = ord(ch)
    if unicodedata.category(ch) in ("Mn", "Me", "Cc", "Cf") and ch not in _FILLERS:
        return False  # marks combine, controls and format characters vary
    return any(low <= code <= high for low, high in _MEASURABLE)


@dataclass(frozen=True, eq=False)  # hashed by identity (a cache key)
class Face:
    """One font file's advance widths, in font units, of the characters the roster can
    measure for sure (the font has them, and Pango sets them one advance each)."""

    advances: dict[str, int]
    units_per_em: int
    _known: dict[str, int | None] = field(default_factory=dict, repr=False)
    """Texts measured before: a roster's times, percentages, counts and fillers repeat,
    and a cell is measured again when its line is set."""

    def units(self, text: str) -> int | None:
        """The advance of ``text`` in font units, ``None`` if a character is not sure."""
        known = self._known.get(text, _UNKNOWN)
        if known is not _UNKNOWN:
            return known  # type: ignore[return-value]
        try:
            units: int | None = sum(map(self.advances.__getitem__, text))
        except KeyError:
            units = None
        if len(self._known) >= _KNOWN_MAX:
            self._known.clear()  # a long-lived process stays bounded
        self._known[text] = units
        return units


_UNKNOWN = object()
_KNOWN_MAX = 50_000


def _font_file(style: str) -> str | None:
    """The file fontconfig picks for the family in ``style`` (what Pango will use)."""
    if shutil.which("fc-match"):
        try:
            out = subprocess.run(
                ["fc-match", "--format=%{file}", f"{FAMILY}:style={style}"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out:
            return out
    name = "DejaVuSans.ttf" if style == "Book" else "DejaVuSans-Bold.ttf"
    for folder in FONT_DIRS:
        found = sorted(glob.glob(f"{folder}/**/{name}", recursive=True))
        if found:
            return found[0]
    return None


def _face(style: str) -> Face | None:
    path = _font_file(style)
    if path is None:
        return None
    try:
        from fontTools.ttLib import TTFont

        font = TTFont(path, lazy=True, fontNumber=0)
        if font["name"].getDebugName(1) != FAMILY:  # a substitute: Pango may pick another
            log.info("the roster is off: %s is not %s", path, FAMILY)
            return None
        hmtx = font["hmtx"]
        advances = {
            chr(code): hmtx[glyph][0]
            for code, glyph in font.getBestCmap().items()
            if _measurable(chr(code))
        }
        return Face(advances, int(font["head"].unitsPerEm))
    except Exception as exc:  # noqa: BLE001 - any unreadable font: no roster
        log.warning("the roster is off, %s is not readable: %s", path, exc)
        return None


@functools.cache
def metrics() -> tuple[Face, Face] | None:
    """The regular and bold faces of the PDF's family, or ``None`` (then: tables)."""
    regular, bold = _face("Book"), _face("Bold")
    if regular is None or bold is None:
        return None
    return regular, bold


@dataclass(frozen=True)
class Font:
    """A face at a size: widths in CSS pixels."""

    face: Face
    size_px: float

    @functools.cached_property
    def scale(self) -> float:
        return self.size_px / self.face.units_per_em

    def width(self, text: str) -> float | None:
        units = self.face.units(text)
        return None if units is None else units * self.scale

    def fill(self, gap_px: float) -> str:
        """Fillers as wide as ``gap_px`` or up to a fifth of a pixel less, never more
        (em spaces, then the finer ones)."""
        return _fill(round(gap_px / self.scale - 0.5), self.face)


def _fill(gap_units: int, face: Face) -> str:
    if gap_units <= 0:
        return ""
    em = face.advances[_EM]
    ems = max(gap_units // em - 1, 0)  # the bulk; the last one or two ems are filled finer
    return _EM * ems + _finer(face)[gap_units - ems * em]


@functools.cache
def _finer(face: Face) -> tuple[str, ...]:
    """For each width ``u`` below two ems (font units): the fillers of a sum ``<= u``
    and short of the widest such sum by at most ``_SLACK``, the fewest glyphs — a
    knapsack over the small spaces, once per face."""
    limit = 2 * face.advances[_EM]
    widths = [face.advances[ch] for ch in _FILLERS]
    fewest: list[tuple[int, ...] | None] = [None] * limit  # exact sum -> counts
    fewest[0] = (0,) * len(widths)
    for total in range(1, limit):
        for i, width in enumerate(widths):
            before = fewest[total - width] if total >= width else None
            if before is None:
                continue
            counts = (*before[:i], before[i] + 1, *before[i + 1 :])
            if fewest[total] is None or sum(counts) < sum(fewest[total]):  # type: ignore[arg-type]
                fewest[total] = counts
    out, last = [], 0
    for total in range(limit):
        if fewest[total] is not None:
            last = total
        # the fewest glyphs within _SLACK below the widest
        near = [t for t in range(max(last - _SLACK, 0), last + 1) if fewest[t] is not None]
        pick = min(near, key=lambda t: (sum(fewest[t] or ()), -t))
        out.append("".join(ch * n for ch, n in zip(_FILLERS, fewest[pick] or (), strict=True)))
    return tuple(out)


_SLACK = 30
"""Font units a gap may be left short by: 0.14 px at 7.3 pt (and at most 4 fillers
after the em spaces, ~3 on average, for DejaVu Sans)."""


@dataclass(frozen=True)
class Layout:
    """A table's geometry: each column's left edge and width (px), and its alignment."""

    lefts: tuple[float, ...]
    widths: tuple[float, ...]
    right: tuple[bool, ...]
    padding: float = 3.0

    @classmethod
    def of(
        cls,
        shares: Sequence[float],
        right: Sequence[bool],
        total_px: float,
    ) -> Layout:
        """Columns taking ``shares`` (fractions of ``total_px``) side by side."""
        lefts, x = [], 0.0
        for share in shares:
            lefts.append(x)
            x += share * total_px
        widths = tuple(share * total_px for share in shares)
        return cls(tuple(lefts), widths, tuple(right))

    def room(self, index: int) -> float:
        return self.widths[index] - 2 * self.padding


_BREAK_AFTER = " @-/_,;"
_BREAK_BEFORE = "."


def wrap(text: str, font: Font, room: float) -> list[str] | None:
    """``text`` in lines no wider than ``room`` px (``None`` when it cannot be measured).

    Breaks after a space (which is dropped), after ``@ - / _ , ;`` or before a ``.``;
    a part still too wide breaks between any two characters."""
    width = font.width(text)
    if width is None:
        return None
    if width <= room:
        return [text]
    lines: list[str] = []
    rest = text
    while rest:
        cut = _last_fit(rest, font, room)
        head, rest = rest[:cut].rstrip(" "), rest[cut:].lstrip(" ")
        lines.append(head)
    return lines


def _last_fit(text: str, font: Font, room: float) -> int:
    """Where to cut ``text`` so its head fits ``room``: the last break place that fits,
    else as many characters as fit (at least one)."""
    fits, width, best = 0, 0.0, 0
    for i, ch in enumerate(text):
        width += font.width(ch) or 0.0
        if width > room + 1e-6:
            if ch == " ":
                return i  # the space that overflows is the break
            break
        fits = i + 1
        if ch in _BREAK_AFTER or (i + 1 < len(text) and text[i + 1] in _BREAK_BEFORE):
            best = i + 1
    if fits >= len(text):
        return len(text)
    return best or max(fits, 1)


def row_lines(cells: Sequence[str], layout: Layout, font: Font) -> Markup | None:
    """The row's text: each cell in its column, wrapped within it; ``None`` when a cell
    cannot be measured or a number does not fit (the row is then set as a table)."""
    wrapped: list[list[str]] = []
    for i, text in enumerate(cells):
        room = layout.room(i)
        if layout.right[i]:
            width = font.width(text)
            if width is None or width > room:
                return None
            wrapped.append([text])
        else:
            parts = wrap(text, font, room)
            if parts is None:
                return None
            wrapped.append(parts)
    return _compose(wrapped, layout, font)


def header_lines(headers: Sequence[str], layout: Layout, font: Font) -> Markup | None:
    """The header row's text: each header wrapped within its column (numbers' headers
    too), set on the bottom line as a table's header cells are; ``None`` if a header
    cannot be measured."""
    wrapped = [wrap(text, font, layout.room(i)) for i, text in enumerate(headers)]
    if any(parts is None for parts in wrapped):
        return None
    height = max(len(parts or ()) for parts in wrapped)
    bottom = [[""] * (height - len(p or ())) + (p or []) for p in wrapped]
    return _compose(bottom, layout, font)


def _compose(wrapped: Sequence[Sequence[str]], layout: Layout, font: Font) -> Markup:
    height = max(len(parts) for parts in wrapped)
    lines = [
        _line([p[n] if n < len(p) else "" for p in wrapped], layout, font) for n in range(height)
    ]
    return Markup("\n").join(lines)


def _line(texts: Sequence[str], layout: Layout, font: Font) -> Markup:
    """One line: each text at its column's left edge (or ending at its right edge),
    after fillers as wide as the gap. Every text is escaped here (the result is markup,
    but plain text: an inline element a row would cost a third of the row)."""
    pieces, x = [], 0.0
    for i, text in enumerate(texts):
        if not text:
            continue
        width = font.width(text) or 0.0
        start = layout.lefts[i] + layout.padding
        if layout.right[i]:
            start = layout.lefts[i] + layout.widths[i] - layout.padding - width
        filler = font.fill(start - x)
        pieces += [filler, text]
        x += (font.width(filler) or 0.0) + width
    return escape("".join(pieces))
