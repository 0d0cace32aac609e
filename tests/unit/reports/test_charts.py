"""The PDF's SVG charts: well-formed, labels escaped, sensible when empty."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest

from webstat.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(SVG + "text")]


def test_line_chart_marks_the_peak_and_the_time_axis():
    start = datetime(2026, 11, 2, 13, 0)
    points = [(start + timedelta(minutes=i), v) for i, v in enumerate([1, 3, 7, 4, 2])]
    root = parse(charts.line_chart(points))
    labels = texts(root)
    assert "13:00" in labels and "7" in labels
    assert len(list(root.iter(SVG + "polyline"))) == 1


def test_single_point_and_all_zero_lines_do_not_break():
    parse(charts.line_chart([(datetime(2026, 1, 1), 0)]))
    parse(charts.line_chart([(datetime(2026, 1, 1), 0), (datetime(2026, 1, 1, 0, 1), 0)]))


def test_bars_escape_labels_and_sum_the_tail():
    items = [(f"<b>src{i}</b>&", 10 - i, f"{10 - i}") for i in range(10)]
    svg = charts.bar_chart(items, max_items=4, other="другие")
    assert "<b>" not in svg and "&lt;b&gt;src0&lt;/b&gt;&amp;" in svg
    labels = texts(parse(svg))
    assert "другие" in labels and "<b>src0</b>&" in labels


def test_donut_with_one_slice_is_a_ring():
    root = parse(charts.donut_chart([("web", 5, "5 · 100 %")], center="5"))
    assert list(root.iter(SVG + "circle"))
    assert "web" in texts(root)


def test_empty_charts_say_so():
    for svg in (
        charts.line_chart([], empty="Нет данных"),
        charts.bar_chart([], empty="Нет данных"),
        charts.donut_chart([("web", 0, "")], empty="Нет данных"),
        charts.column_chart([], empty="Нет данных"),
    ):
        assert "Нет данных" in texts(parse(svg))


def test_column_chart():
    root = parse(charts.column_chart([("02.03", 3), ("09.03", 0), ("10.03", 5)]))
    assert "02.03" in texts(root)


def test_a_long_value_label_never_overlaps_its_bar():
    """«1 481 · 52,5 %» is 14 characters: at 9.5 pt in DejaVu Sans it is 4 digits (0.636 em)
    + 2 spaces, a dot, a middle dot, 3 more digits, a comma, a no-break space and % ≈ 81 pt,
    wider than the 62 pt the value column used to have. Every bar ends before its text."""
    text = "1\u00a0481 · 52,5\u00a0%"
    assert charts.text_width(text, 9.5) == 9.5 * (7 * 0.636 + 6 * 0.318 + 0.95)
    items = [("google.com", 1481, text), ("direct", 900, "900 · 31,9\u00a0%")]
    root = parse(charts.bar_chart(items, width=470))
    bars = [r for r in root.iter(SVG + "rect") if r.get("fill") == charts.BRAND]
    tracks = [r for r in root.iter(SVG + "rect") if r.get("fill") == "#F1F4F8"]
    value_right = 470 - 4  # the values are right-aligned there
    for bar, track in zip(bars, tracks, strict=True):
        track_end = float(track.get("x")) + float(track.get("width"))
        assert float(bar.get("x")) + float(bar.get("width")) <= track_end
        assert track_end + 4 <= value_right - charts.text_width(text, 9.5)


def test_timeline_bars_stack_under_the_line_with_a_legend():
    start = datetime(2026, 11, 2, 13, 0)
    points = [(start + timedelta(minutes=i), v) for i, v in enumerate([1, 2, 2])]
    # minute 0: 1 message; minute 1: 2 messages, 1 question, 1 fire; minute 2: nothing
    bars = [(1, 0, 0), (2, 1, 1), (0, 0, 0)]
    labels = ["Онлайн", "Сообщения", "Вопросы", "«Огоньки»"]
    root = parse(charts.line_chart(points, bars=bars, bar_labels=labels))
    assert [t for t in texts(root) if t in labels] == labels
    assert "4" in texts(root)  # the band's largest minute: 2 + 1 + 1
    # one path a colour, a closed rectangle a minute: (colour, x, y, height)
    rects = [
        (p.get("fill"), *map(float, (x, y, h)))
        for p in root.iter(SVG + "path")
        if p.get("fill") in charts.TIMELINE_COLORS
        for x, y, h in re.findall(r"M([\d.]+) ([\d.]+)h[\d.]+v([\d.]+)h-[\d.]+Z", p.get("d"))
    ]
    # the band is 48 - 8 = 40 high for 4 events: 10 per event, stacked messages first
    assert [(fill, h) for fill, _, _, h in rects] == [
        (charts.TIMELINE_COLORS[0], 10.0),
        (charts.TIMELINE_COLORS[0], 20.0),
        (charts.TIMELINE_COLORS[1], 10.0),
        (charts.TIMELINE_COLORS[2], 10.0),
    ]
    # the second minute's question sits on its messages, in the same column
    m, q = rects[1], rects[2]
    assert q[1] == m[1]
    assert q[2] + q[3] == pytest.approx(m[2], abs=0.11)
