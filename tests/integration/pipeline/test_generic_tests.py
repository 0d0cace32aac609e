"""The project's own generic tests that check several columns in one scan
(``not_null_columns``, ``accepted_values_columns``): compiled by dbt over a small inline
table and run on Postgres, their failing rows worked out by hand."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

ROWS = """(values
    ('c-1', 'web', 'host', 1),
    ('c-2', 'tv', 'host', 2),
    ('c-3', null, 'owner', null),
    ('c-4', 'ios', null, 4),
    ('c-5', 'it''s', 'admin', 5)
) as t (connection_id, platform, role, duration_seconds)"""
"""c-1 and c-4 pass both tests (NULL is an accepted value, as in dbt's accepted_values);
c-2 has an unknown platform; c-3 an unknown role and two NULLs; c-5 a platform with a
quote in it."""


def _failing_rows(migrated, compile_inline, call: str) -> list[tuple]:
    """``call`` (a generic test's macro over ROWS) compiled by dbt, then run: its rows'
    first column and connection_id, in connection order."""
    from webstat.warehouse import connect

    sql = compile_inline(call)
    with connect(url=migrated[1]) as conn:
        rows = conn.execute(f"select * from ({sql}) as failing order by connection_id").fetchall()
    return [(row[0], row[1]) for row in rows]


def test_accepted_values_columns_names_each_unexpected_value(migrated, compile_inline):
    call = (
        "{{ test_accepted_values_columns(model='" + ROWS.replace("'", "\\'") + "', "
        "columns={'platform': ['web', 'ios', 'android', \"it's\"], "
        "'role': ['admin', 'host', 'participant']}) }}"
    )
    assert _failing_rows(migrated, compile_inline, call) == [
        ("platform = tv", "c-2"),
        ("role = owner", "c-3"),
    ]


def test_not_null_columns_names_each_null_column(migrated, compile_inline):
    call = (
        "{{ test_not_null_columns(model='" + ROWS.replace("'", "\\'") + "', "
        "columns=['platform', 'role', 'duration_seconds']) }}"
    )
    assert _failing_rows(migrated, compile_inline, call) == [
        ("platform, duration_seconds", "c-3"),
        ("role", "c-4"),
    ]
