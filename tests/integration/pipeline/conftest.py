"""Shared set-up of the dbt checks that run on a bare migrated warehouse (no build)."""

from __future__ import annotations

import pytest

from webstat.settings import load_settings


@pytest.fixture
def migrated(warehouse_url, tmp_path):
    """Settings on the test's database and its URL, raw migrated (its keys and NOT NULLs)."""
    from webstat.warehouse import prepare

    settings = load_settings(
        {
            "WEBSTAT_WAREHOUSE_URL": warehouse_url,
            "WEBSTAT_HOME": str(tmp_path / "home"),
            "WEBSTAT_LANDING_URI": str(tmp_path / "landing"),
        }
    )
    return settings, prepare(settings)


@pytest.fixture
def compile_inline(migrated):
    """dbt's compiled SQL of an inline Jinja/SQL text, on the migrated warehouse."""
    from webstat.warehouse.transform import dbt_vars, run_dbt

    settings, url = migrated

    def compile_(call: str) -> str:
        compiled = run_dbt(["compile", "--inline", call], settings, url, dbt_vars(settings))
        return compiled.result.results[0].node.compiled_code.strip()

    return compile_
