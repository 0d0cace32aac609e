"""A half-built warehouse: incremental readers of int_people_to_rebuild missing.

int_people_to_rebuild (the person keys a run recomputes) is left empty, without being
computed, when no incremental model that reads it exists yet and the run touched every
session (a first build). This checks the cases where that would be wrong: the three
days of test_incremental_parity's files, with marts.dim_people dropped before day 2
(one reader missing: int_person_attendance still reads the list) and both readers
(int_person_attendance, dim_people) dropped before day 3 (no reader, but es-3 is not
touched on day 3 and must still be rebuilt: u-3's new address makes u-4, dave.old, new
there, which int_sessions_to_rebuild finds through the list). Every mart must equal a
full refresh, ``EXCEPT ALL`` both ways (the parity test's own checks, reused).
"""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path

import psycopg
import pytest

from webstat.settings import load_settings
from webstat.tasks import daily
from webstat.warehouse import prepare
from webstat.warehouse.transform import dbt_vars, run_dbt

pytestmark = pytest.mark.integration

_spec = importlib.util.spec_from_file_location(
    "parity_days",
    Path(__file__).parents[1] / "pipeline" / "test_incremental_parity.py",
)
assert _spec and _spec.loader
parity = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(parity)

# dropped before the day's run (schemas: intermediate, marts)
DROPPED = {
    parity.DAYS[1]: ["marts.dim_people"],
    parity.DAYS[2]: ["intermediate.int_person_attendance", "marts.dim_people"],
}


def test_a_half_built_warehouse_builds_the_marts_of_a_full_refresh(pg_server_url, tmp_path):
    name = f"half_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    url = pg_server_url.replace("/postgres?", f"/{name}?")
    settings = load_settings({"WEBSTAT_WAREHOUSE_URL": url, "WEBSTAT_HOME": str(tmp_path / "h"),
                              "WEBSTAT_LANDING_URI": str(tmp_path / "landing"),
                              "WEBSTAT_MAX_REJECT_PCT": "100"})  # fmt: skip
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            for day, day_files in parity.files().items():
                folder = tmp_path / "landing" / f"date={day}"
                folder.mkdir(parents=True)
                for file_name, lines in day_files.items():
                    (folder / file_name).write_text("\n".join(lines) + "\n", encoding="utf-8")
            for day in parity.DAYS:
                for relation in DROPPED.get(day, []):
                    conn.execute(f"drop table {relation} cascade")
                start, end = parity.window(day)
                daily.ingest(start, settings)
                daily.transform(start, end, settings)
            relations = parity.mart_relations(conn)
            # the parity test's checks read the marts built day by day from this schema
            conn.execute("create schema parity_incremental")
            for t in relations:
                conn.execute(f"create table parity_incremental.{t} as table marts.{t}")
            _, end = parity.window(parity.DAYS[-1])
            run_dbt(["run", "--full-refresh"], settings, prepare(settings), dbt_vars(settings),
                    end)  # fmt: skip
            built = {"conn": conn, "relations": relations}
            parity.test_every_mart_equals_a_full_refresh(built)
            # by hand: u-3's new address (day 3) makes u-4 (dave.old) new in es-3, a session
            # day 3 did not touch
            parity.test_a_late_registration_leaves_no_guest_row_and_a_changed_address_moves(built)
    finally:
        with psycopg.connect(pg_server_url, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')
