"""The data tests' scope for the models that recompute only the touched sessions
(``meta.rebuild_scope: touched``): they run beside ``int_sessions_to_rebuild``, not after
it, so their tests look at this run's touched sessions, never at that list (which may be
mid-rebuild, or last run's, when they run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from webstat.settings import load_settings

pytestmark = pytest.mark.integration

TOUCHED = {
    "int_participant_identity",
    "int_connections",
    "int_host_windows",
    "int_connection_active_intervals",
    "int_participant_presence",
    "int_session_engagement",
    "fct_connections",
}


def _settings(warehouse_url, tmp_path):
    from webstat.warehouse import prepare

    settings = load_settings(
        {
            "WEBSTAT_WAREHOUSE_URL": warehouse_url,
            "WEBSTAT_HOME": str(tmp_path / "home"),
            "WEBSTAT_LANDING_URI": str(tmp_path / "landing"),
        }
    )
    return settings, prepare(settings)


def _compile(call: str, settings, url: str) -> str:
    from webstat.warehouse.transform import dbt_vars, run_dbt

    compiled = run_dbt(["compile", "--inline", call], settings, url, dbt_vars(settings))
    return compiled.result.results[0].node.compiled_code.strip()


def test_touched_models_do_not_wait_for_the_rebuild_list(warehouse_url, tmp_path):
    """In the manifest: exactly these models are touched-scope, and none of them
    depends on int_sessions_to_rebuild (directly)."""
    settings, url = _settings(warehouse_url, tmp_path)
    _compile("select 1", settings, url)
    manifest = json.loads((Path(settings.home) / "dbt" / "target" / "manifest.json").read_text())
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    touched = {
        name for name, n in models.items() if n["config"]["meta"].get("rebuild_scope") == "touched"
    }
    assert touched == TOUCHED
    rebuild_list = "model.webstat.int_sessions_to_rebuild"
    waiting = [name for name in touched if rebuild_list in models[name]["depends_on"]["nodes"]]
    assert waiting == []


def test_a_touched_models_tests_look_at_this_runs_touched_sessions(warehouse_url, tmp_path):
    from webstat.warehouse import connect

    settings, url = _settings(warehouse_url, tmp_path)
    with connect(url=url) as conn:
        conn.execute("create schema if not exists intermediate")
        conn.execute(
            "create table intermediate.int_event_sessions"
            " (event_session_id text, rebuilt_invocation_id text)"
        )
    which = _compile(
        "{{ rebuilds_touched_only(ref('int_connections')) }}"
        " {{ rebuilds_touched_only(ref('fct_participants')) }}",
        settings,
        url,
    )
    assert which.split() == ["True", "False"]

    # the predicate: the sessions int_event_sessions stamped with this invocation's id
    predicate = _compile(
        "select s from (values ('es-1'), ('es-2'), ('es-3')) as t (event_session_id), "
        "lateral (select event_session_id as s) as x "
        "where {{ test_scope_predicate('__touched_sessions__') }} "
        "-- {{ invocation_id }}",
        settings,
        url,
    )
    invocation = predicate.rsplit("-- ", 1)[1]
    with connect(url=url) as conn:
        conn.execute(
            "insert into intermediate.int_event_sessions values"
            " ('es-1', %s), ('es-2', 'an-earlier-run'), ('es-3', %s)",
            (invocation, invocation),
        )
        rows = conn.execute(predicate.rsplit("-- ", 1)[0] + " order by s").fetchall()
    assert rows == [("es-1",), ("es-3",)]
    assert "int_sessions_to_rebuild" not in predicate
