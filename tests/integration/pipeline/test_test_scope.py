"""The data tests' scope for the models that recompute only the touched sessions
(``meta.rebuild_scope: touched``): they run beside ``int_sessions_to_rebuild``, not after
it, so their tests look at this run's touched sessions, never at that list (which may be
mid-rebuild, or last run's, when they run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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


def test_touched_models_do_not_wait_for_the_rebuild_list(migrated, compile_inline):
    """In the manifest: exactly these models are touched-scope, and none of them
    depends on int_sessions_to_rebuild (directly)."""
    settings, _url = migrated
    compile_inline("select 1")  # parses the project: writes the manifest
    manifest = json.loads((Path(settings.home) / "dbt" / "target" / "manifest.json").read_text())
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    touched = {
        name for name, n in models.items() if n["config"]["meta"].get("rebuild_scope") == "touched"
    }
    assert touched == TOUCHED
    rebuild_list = "model.webstat.int_sessions_to_rebuild"
    waiting = [name for name in touched if rebuild_list in models[name]["depends_on"]["nodes"]]
    assert waiting == []


def test_a_touched_models_tests_look_at_this_runs_touched_sessions(migrated, compile_inline):
    from webstat.warehouse import connect

    _settings, url = migrated
    with connect(url=url) as conn:
        conn.execute("create schema if not exists intermediate")
        conn.execute(
            "create table intermediate.int_event_sessions"
            " (event_session_id text, rebuilt_invocation_id text)"
        )
    which = compile_inline(
        "{{ rebuilds_touched_only(ref('int_connections')) }}"
        " {{ rebuilds_touched_only(ref('fct_participants')) }}"
    )
    assert which.split() == ["True", "False"]

    # the predicate: the sessions int_event_sessions stamped with this invocation's id
    predicate = compile_inline(
        "select s from (values ('es-1'), ('es-2'), ('es-3')) as t (event_session_id), "
        "lateral (select event_session_id as s) as x "
        "where {{ test_scope_predicate('__touched_sessions__') }} "
        "-- {{ invocation_id }}"
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
