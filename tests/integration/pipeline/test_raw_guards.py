"""The raw layer's guards that dbt checks instead of re-counting: event_id's primary key and
the envelope's NOT NULL columns."""

from __future__ import annotations

import pytest

from webstat.errors import WebstatError

pytestmark = pytest.mark.integration


def _check(name: str, settings, url: str) -> list[tuple[str, str]]:
    """Run the singular test ``name``: its (name, status); raises when it fails."""
    from webstat.warehouse.transform import dbt_vars, run_dbt

    result = run_dbt(["test", "--select", name], settings, url, dbt_vars(settings))
    tests = [r for r in result.result.results if r.node.resource_type == "test"]
    return [(r.node.name, str(r.status)) for r in tests]


def test_the_event_id_check_passes_with_the_primary_key_and_fails_without(migrated):
    from webstat.warehouse import connect

    settings, url = migrated
    name = "assert_raw_event_id_is_primary_key"
    assert _check(name, settings, url) == [(name, "pass")]

    with connect(url=url) as conn:
        conn.execute("alter table raw.platform_events drop constraint platform_events_pkey")
        conn.execute("alter table raw.platform_events add primary key (event_id, file_id)")
    with pytest.raises(WebstatError, match=name):
        _check(name, settings, url)


def test_the_envelope_check_passes_when_declared_not_null_and_names_a_nullable_column(
    migrated,
):
    """assert_raw_event_envelope_is_not_null stands in for a not_null test per column:
    it passes on the migrated raw table and fails once one of the envelope's columns may
    hold NULL, its failing row naming that column."""
    from webstat.warehouse import connect
    from webstat.warehouse.transform import dbt_vars, run_dbt

    settings, url = migrated
    name = "assert_raw_event_envelope_is_not_null"
    assert _check(name, settings, url) == [(name, "pass")]

    with connect(url=url) as conn:
        conn.execute("alter table raw.platform_events alter column event_session_id drop not null")
    with pytest.raises(WebstatError, match=name):
        _check(name, settings, url)
    compiled = run_dbt(["compile", "--select", name], settings, url, dbt_vars(settings))
    sql = compiled.result.results[0].node.compiled_code
    with connect(url=url) as conn:
        problems = conn.execute(sql).fetchall()
    assert problems == [("raw.platform_events.event_session_id may be NULL",)]
