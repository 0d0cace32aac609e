"""Small SVG charts for the PDF: attendance over time, bars, a donut.

Each function returns an SVG document as a string; every label from the data is
XML-escaped here, so the template may insert the result as markup. No scripts,
no external references: WeasyPrint draws them as vector graphics.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape
from typing import Any

PALETTE = (
    "#1F4E79",
    "#2E86C1",
    "#48C9B0",
    "#F5B041",
    "#EC7063",
    "#AF7AC5",
    "#5D6D7E",
    "#A9CCE3",
)
BRAND = PALETTE[0]
TIMELINE_COLORS = (PALETTE[3], PALETTE[2], PALETTE[4])
"""The engagement timeline's bars: messages, questions, fires (the PDF's and the workbook's)."""
GRID = "#E3E8EF"
INK = "#2B2F36"
MUTED = "#6B7280"
FONT = "DejaVu Sans, Noto Sans, Liberation Sans, Arial, sans-serif"


# Advance widths of DejaVu Sans (the PDF's font), in thousandths of an em: printable
# ASCII (32-126) from the font's hmtx table, and the few other characters the charts
# print; any other character is taken as a wide letter.
_ASCII_ADVANCE = (
    "318,401,460,838,636,950,780,275,390,390,500,838,318,361,318,337,636,636,636,636,636,"
    "636,636,636,636,636,337,337,838,838,838,531,1000,684,686,698,770,632,575,775,752,295,"
    "295,656,557,863,748,787,603,787,695,635,611,732,684,989,685,611,685,390,337,390,838,"
    "500,500,613,635,550,635,615,352,635,634,278,278,579,278,974,634,612,635,635,411,521,"
    "392,634,592,818,592,592,525,636,337,636,838"
)
_ADVANCE = {
    **{chr(32 + i): int(w) / 1000 for i, w in enumerate(_ASCII_ADVANCE.split(","))},
    **dict.fromkeys("\u00a0\u202f·", 0.318),
    "–": 0.5,
    "—": 1.0,
}
_WIDE = 0.72


def text_width(text: str, size: float) -> float:
    """The width of ``text`` at font ``size`` in the charts' font: exact for ASCII (kerning
    aside), a wide letter's for a character outside the table."""
    return size * sum(_ADVANCE.get(ch, _WIDE) for ch in text)


def _esc(text: object) -> str:
    return escape(str(text), quote=True)


def _nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5, 5 × 10^n) giving about ``ticks`` intervals over ``span``."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * power:
            return max(mult * power, 1.0)
    return 10 * power  # pragma: no cover


def _svg(width: float, height: float, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}">{body}</svg>'
    )


def _empty(width: float, height: float, message: str) -> str:
    return _svg(
        width,
        height,
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" rx="6" '
        f'fill="#F7F9FC" stroke="{GRID}"/>'
        f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" font-size="11" '
        f'fill="{MUTED}">{_esc(message)}</text>',
    )


_TICK_MINUTES = (1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 360, 720, 1440)


def line_chart(
    points: Sequence[tuple[datetime, int]],
    *,
    width: float = 1000,
    height: float = 210,
    empty: str = "—",
    bars: Sequence[Sequence[int]] = (),
    bar_labels: Sequence[str] = (),
) -> str:
    """Participants online per minute: an area under a line, with round time ticks.

    ``points`` are (local naive time, count), in time order; x is proportional to
    time, so a missing minute does not squeeze the axis. ``bars`` (one tuple of counts
    per point, e.g. messages, questions, fires) are drawn stacked in a band beneath
    the line on the same time axis, in :data:`TIMELINE_COLORS`, with a legend of
    ``bar_labels`` and the band's own peak written at its left.
    """
    if not points:
        return _empty(width, height, empty)
    left, right, top, bottom = 40, 12, 10, 26
    band = 0.0
    if bars:
        band = 48.0
        top = 22
    plot_w, plot_h = width - left - right, height - top - bottom - band
    peak = max(v for _, v in points)
    step = _nice_step(peak or 1, 4)
    y_max = step * math.ceil((peak or 1) / step)
    t0, t1 = points[0][0], points[-1][0]
    span = max((t1 - t0).total_seconds(), 60.0)

    def x(t: datetime) -> float:
        return left + plot_w * (t - t0).total_seconds() / span

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / y_max

    parts = []
    tick = 0.0
    while tick <= y_max + 1e-9:
        yy = y(tick)
        parts.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{yy + 3.5:.1f}" text-anchor="end" '
            f'font-size="9" fill="{MUTED}">{int(tick)}</text>'
        )
        tick += step
    coords = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in points)
    base = y(0)
    parts.append(
        f'<polygon points="{x(t0):.1f},{base:.1f} {coords} {x(t1):.1f},{base:.1f}" '
        f'fill="{BRAND}" fill-opacity="0.12" stroke="none"/>'
    )
    parts.append(
        f'<polyline points="{coords}" fill="none" stroke="{BRAND}" stroke-width="2" '
        f'stroke-linejoin="round" stroke-linecap="round"/>'
    )
    if bars:
        parts.append(_timeline_band(points, bars, bar_labels, x, base, band, left, width - right))
        base += band
    # time ticks on round minutes, about eight of them
    minutes = span / 60
    every = next((m for m in _TICK_MINUTES if minutes / m <= 10), _TICK_MINUTES[-1])
    start_of_day = t0.replace(hour=0, minute=0, second=0, microsecond=0)
    first = math.ceil((t0 - start_of_day).total_seconds() / 60 / every) * every
    tick_t = start_of_day + timedelta(minutes=first)
    while tick_t <= t1:
        xx = x(tick_t)
        parts.append(
            f'<line x1="{xx:.1f}" y1="{base:.1f}" x2="{xx:.1f}" y2="{base + 4:.1f}" '
            f'stroke="{MUTED}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{xx:.1f}" y="{base + 15:.1f}" text-anchor="middle" '
            f'font-size="9" fill="{MUTED}">{tick_t:%H:%M}</text>'
        )
        tick_t += timedelta(minutes=every)
    t_peak = next(t for t, v in points if v == peak)
    parts.append(f'<circle cx="{x(t_peak):.1f}" cy="{y(peak):.1f}" r="3.5" fill="{BRAND}"/>')
    anchor = "end" if x(t_peak) > left + plot_w * 0.8 else "start"
    dx = -6 if anchor == "end" else 6
    parts.append(
        f'<text x="{x(t_peak) + dx:.1f}" y="{max(y(peak) - 5, top + 9):.1f}" '
        f'text-anchor="{anchor}" font-size="9.5" font-weight="bold" '
        f'fill="{INK}">{peak}</text>'
    )
    return _svg(width, height, "".join(parts))


def _timeline_band(
    points: Sequence[tuple[datetime, int]],
    bars: Sequence[Sequence[int]],
    labels: Sequence[str],
    x: Any,
    top: float,
    band: float,
    left: float,
    right: float,
) -> str:
    """The stacked per-minute bars under the online line (``top`` .. ``top + band``), the
    band's largest minute (its bars' sum) at its left and the legend above the plot:
    ``labels`` are the line's, then each bar's."""
    gap = 8.0
    base, height = top + band, band - gap
    most = max((sum(counts) for counts in bars), default=0)
    peak = most or 1
    span = (x(points[-1][0]) - x(points[0][0])) / max(len(points) - 1, 1)
    bar_w = max(min(span * 0.8, 12.0), 0.6)
    parts = [
        f'<line x1="{left}" y1="{base:.1f}" x2="{right}" y2="{base:.1f}" '
        f'stroke="{GRID}" stroke-width="1"/>'
    ]
    if most:  # the band's scale: its largest minute at its top
        parts.append(
            f'<text x="{left - 6}" y="{base - height + 7:.1f}" text-anchor="end" '
            f'font-size="9" fill="{MUTED}">{most}</text>'
        )
    # one path a colour, a closed rectangle a minute: a drawn element costs the renderer
    # about as much as a table cell, and a long session has hundreds of bars
    shapes: list[list[str]] = [[] for _ in TIMELINE_COLORS]
    for (t, _), counts in zip(points, bars, strict=True):
        y = base
        for value, shape in zip(counts, shapes, strict=False):
            if not value:
                continue
            h = height * value / peak
            shape.append(f"M{x(t) - bar_w / 2:.1f} {y - h:.1f}h{bar_w:.1f}v{h:.1f}h{-bar_w:.1f}Z")
            y -= h
    for shape, color in zip(shapes, TIMELINE_COLORS, strict=True):
        if shape:
            parts.append(f'<path d="{"".join(shape)}" fill="{color}"/>')
    # the legend: the online line, then each bar's colour
    lx = left
    for label, color in [(labels[0], BRAND), *zip(labels[1:], TIMELINE_COLORS, strict=False)]:
        parts.append(f'<rect x="{lx:.1f}" y="4" width="10" height="10" rx="2" fill="{color}"/>')
        parts.append(
            f'<text x="{lx + 14:.1f}" y="12.5" font-size="9.5" fill="{INK}">{_esc(label)}</text>'
        )
        lx += 14 + text_width(label, 9.5) + 16
    return "".join(parts)


def bar_chart(
    items: Sequence[tuple[str, int, str]],
    *,
    width: float = 470,
    empty: str = "—",
    max_items: int = 8,
    other: str = "other",
) -> str:
    """Horizontal bars: (label, value, value text) largest first; the tail is summed."""
    items = list(items)
    if len(items) > max_items:
        rest = items[max_items - 1 :]
        items = items[: max_items - 1] + [(other, sum(v for _, v, _ in rest), "")]
    if not items or not any(v for _, v, _ in items):
        return _empty(width, 80, empty)
    row_h, gap, label_w = 18, 7, 120
    # the value column as wide as its longest text ("1 481 · 52,5 %"), so no bar runs under it
    value_w = max(text_width(text or str(value), 9.5) for _, value, text in items) + 8
    height = len(items) * (row_h + gap) + 4
    bar_max = round(max(width - label_w - value_w - 4, 40), 1)
    top_value = max(v for _, v, _ in items) or 1
    parts = []
    for i, (label, value, text) in enumerate(items):
        y = 2 + i * (row_h + gap)
        w = max(bar_max * value / top_value, 1.5 if value else 0)
        shown = label if len(label) <= 22 else label[:21] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + row_h / 2 + 3.5}" text-anchor="end" '
            f'font-size="9.5" fill="{INK}">{_esc(shown)}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{bar_max}" height="{row_h}" rx="3" '
            f'fill="#F1F4F8"/>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row_h}" rx="3" fill="{BRAND}"/>'
        )
        value_text = text or str(value)
        parts.append(
            f'<text x="{width - 4}" y="{y + row_h / 2 + 3.5}" text-anchor="end" '
            f'font-size="9.5" fill="{INK}">{_esc(value_text)}</text>'
        )
    return _svg(width, height, "".join(parts))


def donut_chart(
    items: Sequence[tuple[str, int, str]], *, width: float = 470, empty: str = "—", center: str = ""
) -> str:
    """A donut of shares with a legend: (label, value, value text)."""
    total = sum(v for _, v, _ in items)
    if not items or total <= 0:
        return _empty(width, 80, empty)
    size = 120
    r_out, r_in = 56, 34
    cx = cy = size / 2
    parts = []
    angle = -math.pi / 2
    for i, (_, value, _) in enumerate(items):
        if value <= 0:
            continue
        color = PALETTE[i % len(PALETTE)]
        sweep = 2 * math.pi * value / total
        if sweep >= 2 * math.pi - 1e-6:  # one slice: a full ring
            parts.append(
                f'<circle cx="{cx}" cy="{cy}" r="{(r_out + r_in) / 2}" fill="none" '
                f'stroke="{color}" stroke-width="{r_out - r_in}"/>'
            )
            break
        end = angle + sweep
        large = 1 if sweep > math.pi else 0
        p1 = (cx + r_out * math.cos(angle), cy + r_out * math.sin(angle))
        p2 = (cx + r_out * math.cos(end), cy + r_out * math.sin(end))
        p3 = (cx + r_in * math.cos(end), cy + r_in * math.sin(end))
        p4 = (cx + r_in * math.cos(angle), cy + r_in * math.sin(angle))
        parts.append(
            f'<path d="M{p1[0]:.2f},{p1[1]:.2f} A{r_out},{r_out} 0 {large} 1 {p2[0]:.2f},'
            f"{p2[1]:.2f} L{p3[0]:.2f},{p3[1]:.2f} A{r_in},{r_in} 0 {large} 0 {p4[0]:.2f},"
            f'{p4[1]:.2f} Z" fill="{color}" stroke="#FFFFFF" stroke-width="1.5"/>'
        )
        angle = end
    if center:
        parts.append(
            f'<text x="{cx}" y="{cy + 5}" text-anchor="middle" font-size="15" '
            f'font-weight="bold" fill="{INK}">{_esc(center)}</text>'
        )
    legend_x = size + 30
    for i, (label, _, text) in enumerate(items[:8]):
        y = 22 + i * 20
        color = PALETTE[i % len(PALETTE)]
        shown = label if len(label) <= 20 else label[:19] + "…"
        parts.append(
            f'<rect x="{legend_x}" y="{y - 9}" width="11" height="11" rx="2" fill="{color}"/>'
        )
        parts.append(
            f'<text x="{legend_x + 17}" y="{y}" font-size="9.5" fill="{INK}">{_esc(shown)}</text>'
        )
        parts.append(
            f'<text x="{width - 4}" y="{y}" text-anchor="end" font-size="9.5" '
            f'fill="{INK}">{_esc(text)}</text>'
        )
    height = max(size, 22 + min(len(items), 8) * 20)
    return _svg(width, height, "".join(parts))


def _y_grid(
    left: float, right: float, top: float, plot_h: float, y_max: float, step: float
) -> list[str]:
    """Horizontal grid lines every ``step`` from 0 to ``y_max``, each value at the left."""
    parts = []
    tick = 0.0
    while tick <= y_max + 1e-9:
        yy = top + plot_h - plot_h * tick / y_max
        parts.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{right}" y2="{yy:.1f}" stroke="{GRID}"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{yy + 3.5:.1f}" text-anchor="end" font-size="9" '
            f'fill="{MUTED}">{int(tick)}</text>'
        )
        tick += step
    return parts


def column_chart(
    items: Sequence[tuple[str, int]], *, width: float = 1000, height: float = 200, empty: str = "—"
) -> str:
    """Vertical columns (e.g. participants per day of a period), labels under them."""
    if not items or not any(v for _, v in items):
        return _empty(width, height, empty)
    left, right, top, bottom = 40, 10, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(v for _, v in items)
    step = _nice_step(peak, 4)
    y_max = step * math.ceil(peak / step)
    n = len(items)
    slot = plot_w / n
    bar_w = max(min(slot * 0.68, 38), 1.0)
    parts = _y_grid(left, width - right, top, plot_h, y_max, step)
    every = max(1, math.ceil(n / 16))
    for i, (label, value) in enumerate(items):
        h = plot_h * value / y_max
        x = left + slot * i + (slot - bar_w) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" '
            f'height="{h:.1f}" rx="2" fill="{BRAND}"/>'
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14:.1f}" '
                f'text-anchor="middle" font-size="8.5" fill="{MUTED}">'
                f"{_esc(label)}</text>"
            )
    return _svg(width, height, "".join(parts))


def retention_chart(
    lessons: Sequence[tuple[int, int, int | None]],
    *,
    legend: Sequence[str] = ("persons", "came to the next"),
    axis: str = "",
    width: float = 470,
    height: float = 170,
    empty: str = "—",
) -> str:
    """A series' lessons as pairs of columns: (lesson number, persons, of them retained to
    the next lesson, None for the last), each column with its value above it; the lesson
    numbers under them, the legend above."""
    if not lessons or not any(p for _, p, _ in lessons):
        return _empty(width, height, empty)
    left, right, top, bottom = 30, 8, 24, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(max(p, r or 0) for _, p, r in lessons)
    step = _nice_step(peak, 4)
    y_max = step * math.ceil(peak / step) or 1.0
    slot = plot_w / len(lessons)
    col_w = max(min(slot * 0.36, 26), 1.0)
    colors = (PALETTE[7], BRAND)
    parts = _y_grid(left, width - right, top, plot_h, y_max, step)
    labels_fit = slot >= 2 * col_w + 2 and col_w >= 9
    for i, (number, persons, retained) in enumerate(lessons):
        x0 = left + slot * i + (slot - 2 * col_w - 2) / 2
        for j, value in enumerate((persons, retained)):
            if value is None:
                continue
            h = plot_h * value / y_max
            x = x0 + j * (col_w + 2)
            y = top + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{col_w:.1f}" height="{h:.1f}" rx="1.5" '
                f'fill="{colors[j]}"/>'
            )
            if labels_fit:
                parts.append(
                    f'<text x="{x + col_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                    f'font-size="8" fill="{INK}">{int(value)}</text>'
                )
        parts.append(
            f'<text x="{left + slot * i + slot / 2:.1f}" y="{top + plot_h + 13:.1f}" '
            f'text-anchor="middle" font-size="8.5" fill="{MUTED}">{int(number)}</text>'
        )
    if axis:
        parts.append(
            f'<text x="{width - right}" y="{height - 2}" text-anchor="end" font-size="8" '
            f'fill="{MUTED}">{_esc(axis)}</text>'
        )
    lx = float(left)
    for label, color in zip(legend, colors, strict=False):
        parts.append(f'<rect x="{lx:.1f}" y="3" width="9" height="9" rx="2" fill="{color}"/>')
        parts.append(
            f'<text x="{lx + 13:.1f}" y="11.5" font-size="8.5" fill="{INK}">{_esc(label)}</text>'
        )
        lx += 13 + text_width(label, 8.5) + 14
    return _svg(width, height, "".join(parts))
