"""The fast cell writer: each kind's cell XML worked out by hand, fast paths = slow path."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from webstat.reports import cells
from webstat.reports.cells import Styles, batch_writer, column_letter, text_cell
from webstat.reports.columns import CATALOGUE, Column, Kind
from webstat.reports.values import Context

ST = Styles(
    title=1,
    title_quoted=2,
    note=3,
    header=4,
    label=5,
    quoted=6,
    header_quoted=14,
    wrap=15,
    formats={
        "text": 0,
        "datetime": 7,
        "date": 8,
        "duration": 9,
        "pct": 10,
        "int": 11,
        "number": 12,
        "minute": 13,
    },
)
RU = Context("ru", "Europe/Moscow")


def write(key: str, values: list, ctx: Context = RU, r0: int = 3, **extra) -> list[str]:
    """The cells of column ``key`` (letter B) for rows holding ``values``, from row ``r0``."""
    rows = [{key: v, **extra} for v in values]
    return batch_writer(CATALOGUE[key], ctx, ST, "B")(rows, r0)


def test_column_letters():
    assert [column_letter(i) for i in (1, 26, 27, 52, 53, 702, 703)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://evil","x")', "@SUM(1+1)", "+1", "-1", "\t=1", "\r=1"]
)
def test_formula_leads_get_a_quote_prefix(text):
    xml = text_cell("A1", text, 0, 7)
    assert ' s="7" t="inlineStr"' in xml and "<f>" not in xml


def test_text_cell_escapes_xml_and_excel_escapes():
    assert text_cell("A1", "a<b>&c", 0, 1) == (
        '<c r="A1" t="inlineStr"><is><t>a&lt;b&gt;&amp;c</t></is></c>'
    )
    assert "_x005F_x0041_" in text_cell("A1", "_x0041_", 0, 1)
    assert "&#13;" in text_cell("A1", "a\rb", 0, 1)
    assert "\ufffd" in text_cell("A1", "a\x01b", 0, 1)
    assert 'xml:space="preserve"' in text_cell("A1", " padded ", 0, 1)
    assert text_cell("A1", "", 0, 1) == ""
    long = text_cell("A1", "я" * 40_000, 0, 1)
    assert long.count("я") == 32_766 and "…" in long


def test_text_column_plain_batch():
    assert write("city", ["Казань", None, "", "=1+1", " Уфа"]) == [
        '<c r="B3" t="inlineStr"><is><t>Казань</t></is></c>',
        "",
        "",
        '<c r="B6" s="6" t="inlineStr"><is><t>=1+1</t></is></c>',
        '<c r="B7" t="inlineStr"><is><t xml:space="preserve"> Уфа</t></is></c>',
    ]


TRICKY = [
    "plain",
    "a&b",
    "<b>",
    "x>y",
    "_x0041_",
    "_x",
    "a\x07b",
    "a\rb",
    "\tTab",
    "trailing ",
    " leading",
    "=1+1",
    "@SUM(A1)",
    "+7 999",
    "-5",
    "я" * 40_000,
    "\ud800",
    "ok",
]


@pytest.mark.parametrize("split", [False, True])
def test_text_column_fast_paths_equal_the_slow_one(split):
    """Whichever path a batch takes (one check for all, or per cell), each cell is what
    :func:`cells._text` makes of its value."""
    values = ["a", "b", "c", TRICKY[0]] if not split else TRICKY
    got = write("city", values, r0=10)
    assert got == [cells._text("B", 10 + i, v, "", ' s="6"') for i, v in enumerate(values)]


def test_text_column_takes_any_value_as_its_text():
    assert write("city", [5, Decimal("1.5")]) == [
        '<c r="B3" t="inlineStr"><is><t>5</t></is></c>',
        '<c r="B4" t="inlineStr"><is><t>1.5</t></is></c>',
    ]


def test_numbers():
    assert write("messages_count", [1234, None, Decimal("7")]) == [
        '<c r="B3" s="11"><v>1234</v></c>',
        "",
        '<c r="B5" s="11"><v>7</v></c>',
    ]
    # a percentage is stored as a fraction, exactly from the Decimal
    assert write("presence_pct", [Decimal("33.33"), Decimal("75.00"), 50.0, None]) == [
        '<c r="B3" s="10"><v>0.3333</v></c>',
        '<c r="B4" s="10"><v>0.7500</v></c>',
        '<c r="B5" s="10"><v>0.5</v></c>',
        "",
    ]
    assert write("presence_pct", [Decimal("NaN"), float("inf")]) == ["", ""]
    assert write("rating", [Decimal("74.0"), 30.5]) == [
        '<c r="B3" s="12"><v>74.0</v></c>',
        '<c r="B4" s="12"><v>30.5</v></c>',
    ]
    # 5,400 s = 1.5 h = 0.0625 of a day
    assert write("presence_seconds", [5400, None]) == ['<c r="B3" s="9"><v>0.0625</v></c>', ""]


def test_datetimes_in_the_report_zone():
    # 2026-11-02 is day 46,328 after 1899-12-30; 10:00 UTC is 13:00 in Moscow = 13/24 day
    assert write("first_joined_at", [datetime(2026, 11, 2, 10, tzinfo=UTC), None]) == [
        '<c r="B3" s="7"><v>46328.54166666667</v></c>',
        "",
    ]
    # before 1900 Excel has no dates: readable text (Moscow's local mean time then, +2:30:17)
    assert write("first_joined_at", [datetime(1899, 6, 1, tzinfo=UTC)]) == [
        '<c r="B3" t="inlineStr"><is><t>1899-06-01 02:30:17</t></is></c>'
    ]
    assert write("report_date", [date(2026, 11, 2), date(1812, 9, 7), None]) == [
        '<c r="B3" s="8"><v>46328</v></c>',
        '<c r="B4" t="inlineStr"><is><t>1812-09-07</t></is></c>',
        "",
    ]


def test_guest_email():
    col = CATALOGUE["email"]
    rows = [
        {"email": None, "is_guest": True},
        {"email": None, "is_guest": False},
        {"email": "a@b.c", "is_guest": False},
        {"email": None},  # a connection of nobody known: a guest
    ]
    assert batch_writer(col, RU, ST, "C")(rows, 3) == [
        '<c r="C3" t="inlineStr"><is><t>гость</t></is></c>',
        "",
        '<c r="C5" t="inlineStr"><is><t>a@b.c</t></is></c>',
        '<c r="C6" t="inlineStr"><is><t>гость</t></is></c>',
    ]


def test_codes_are_words_and_each_is_encoded_once():
    got = write("role", ["host", "moderator", None, "host"])
    assert got == [
        '<c r="B3" t="inlineStr"><is><t>Ведущий</t></is></c>',
        '<c r="B4" t="inlineStr"><is><t>moderator</t></is></c>',
        "",
        '<c r="B6" t="inlineStr"><is><t>Ведущий</t></is></c>',
    ]
    # only a payment is marked: NULL is an empty cell, never "not paid"
    assert write("payment_status", ["paid", None], Context("en")) == [
        '<c r="B3" t="inlineStr"><is><t>Paid</t></is></c>',
        "",
    ]
    assert write("left_early", [True, False, None]) == [
        '<c r="B3" t="inlineStr"><is><t>да</t></is></c>',
        '<c r="B4" t="inlineStr"><is><t>нет</t></is></c>',
        "",
    ]
    assert write("platforms", ["android, web"]) == [
        '<c r="B3" t="inlineStr"><is><t>Android, Браузер</t></is></c>'
    ]


def test_jsonb_text():
    fields = json.dumps({"Компания": "ООО «Ромашка»", "n": 3}, ensure_ascii=False)
    assert write("registration_fields", [fields, None, "[]"]) == [
        '<c r="B3" t="inlineStr"><is><t>Компания: ООО «Ромашка»; n: 3</t></is></c>',
        "",
        "",
    ]


def test_every_kind_has_a_writer_and_an_encoder():
    assert set(cells._BATCH_WRITERS) == set(Kind)
    for kind in Kind:
        col = Column("x", "x", "x", kind, labels={} if kind is Kind.ENUM else None)
        assert batch_writer(col, RU, ST, "A")([{"x": None, "is_guest": False}], 3) == [""]
