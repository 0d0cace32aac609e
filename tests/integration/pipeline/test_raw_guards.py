"""The raw layer's guards that dbt checks instead of re-counting: event_id's primary key and
the envelope's NOT NULL columns."""

from __future__ import annotations

import pytest

from webstat.errors import WebstatError
from webstat.settings import load_settings

pytestmark = pytest.mark.integration


def test_the_event_id_check_passes_with_the_primary_key_and_fails_without(warehouse_url, tmp_path):
    from webstat.warehouse import connect, prepare
    from webstat.warehouse.transform import dbt_vars, run_dbt

    settings = load_settings(
        {
            "WEBSTAT_WAREHOUSE_URL": warehouse_url,
            "WEBSTAT_HOME": str(tmp_path / "home"),
            "WEBSTAT_LANDING_URI": str(tmp_path / "landing"),
        }
    )
    url = prepare(settings)  # migrations: raw.platform_events with its primary key
    check = ["test", "--select", "assert_raw_event_id_is_primary_key"]
    result = run_dbt(check, settings, url, dbt_vars(settings))
    tests = [r for r in result.result.results if r.node.resource_type == "test"]
    assert [(r.node.name, str(r.status)) for r in tests] == [
        ("assert_raw_event_id_is_primary_key", "pass")
    ]

    with connect(url=url) as conn:
        conn.execute("alter table raw.platform_events drop constraint platform_events_pkey")
        conn.execute("alter table raw.platform_events add primary key (event_id, file_id)")
    with pytest.raises(WebstatError, match="assert_raw_event_id_is_primary_key"):
        run_dbt(check, settings, url, dbt_vars(settings))


def test_the_envelope_check_passes_when_declared_not_null_and_names_a_nullable_column(
    warehouse_url, tmp_path
):
    """assert_raw_event_envelope_is_not_null stands in for a not_null test per column:
    it passes on the migrated raw table and fails, naming the column, once one of the
    envelope's columns may hold NULL."""
    from webstat.warehouse import connect, prepare
    from webstat.warehouse.transform import dbt_vars, run_dbt

    settings = load_settings(
        {
            "WEBSTAT_WAREHOUSE_URL": warehouse_url,
            "WEBSTAT_HOME": str(tmp_path / "home"),
            "WEBSTAT_LANDING_URI": str(tmp_path / "landing"),
        }
    )
    url = prepare(settings)
    check = ["test", "--select", "assert_raw_event_envelope_is_not_null"]
    result = run_dbt(check, settings, url, dbt_vars(settings))
    tests = [r for r in result.result.results if r.node.resource_type == "test"]
    assert [(r.node.name, str(r.status)) for r in tests] == [
        ("assert_raw_event_envelope_is_not_null", "pass")
    ]

    with connect(url=url) as conn:
        conn.execute("alter table raw.platform_events alter column event_session_id drop not null")
    with pytest.raises(WebstatError, match="assert_raw_event_envelope_is_not_null"):
        run_dbt(check, settings, url, dbt_vars(settings))
