"""Run the dbt project (``dbt_project/``) in process with ``dbtRunner``.

The warehouse's URI becomes the ``WEBSTAT_PG_*`` variables that
``dbt_project/profiles.yml`` reads; dbt's target and logs go under
``WEBSTAT_HOME/dbt`` so the repository stays clean.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from webstat.errors import WebstatError
from webstat.settings import Settings
from webstat.warehouse import dbt_env
from webstat.warehouse.locks import DBT_BUILD, advisory_lock

DBT_PROJECT_DIR = Path(
    os.environ.get("WEBSTAT_DBT_PROJECT_DIR", Path(__file__).resolve().parents[3] / "dbt_project")
)


def dbt_vars(settings: Settings) -> dict[str, str | bool]:
    """The vars every run passes to dbt (they change only with the settings)."""
    return {"reporting_timezone": settings.timezone, "mask_pii": settings.mask_pii}


def run_dbt(
    args: list[str],
    settings: Settings,
    url: str,
    dbt_vars_: dict | None = None,
    data_interval_end: datetime | None = None,
):
    """Invoke dbt with ``args`` (e.g. ``["build"]``); raise WebstatError naming what failed.

    The run's clock (``data_interval_end``) goes to dbt as the environment variable
    ``WEBSTAT_DATA_INTERVAL_END``, not as a var: a var that changes every day makes dbt
    re-parse the whole project (~9 s), an env var only the models that read it.
    """
    from dbt.cli.main import dbtRunner

    os.environ.update(dbt_env(url))
    if data_interval_end is not None:
        os.environ["WEBSTAT_DATA_INTERVAL_END"] = data_interval_end.isoformat()
    else:
        os.environ.pop("WEBSTAT_DATA_INTERVAL_END", None)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    work = settings.home / "dbt"
    full = [*args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    full += ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    if dbt_vars_:
        full += ["--vars", json.dumps(dbt_vars_)]
    # One dbt invocation at a time per warehouse (a backfill's parallel runs, a run and a
    # hand-typed `webstat dbt build`): concurrent builds of the same incremental models
    # collide ("relation already exists") or rebuild sessions from a half-written state.
    from webstat.warehouse import connect

    with connect(url=url) as lock_conn, advisory_lock(lock_conn, DBT_BUILD):
        result = dbtRunner().invoke(full)
    if not result.success:
        failed = []
        for node in getattr(result.result, "results", None) or []:
            if str(getattr(node, "status", "")) in ("error", "fail"):
                failed.append(node.node.name)
        what = f": {', '.join(failed[:10])}" if failed else ""
        cause = f" ({result.exception})" if result.exception else ""
        raise WebstatError(f"dbt {args[0]} failed{what}{cause}")
    return result
