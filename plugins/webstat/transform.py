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

DBT_PROJECT_DIR = Path(
    os.environ.get("WEBSTAT_DBT_PROJECT_DIR", Path(__file__).resolve().parents[2] / "dbt_project")
)


def dbt_vars(
    settings: Settings, data_interval_start: datetime | None, data_interval_end: datetime | None
) -> dict[str, str]:
    """The vars a run passes to dbt: its data interval and the reporting time zone."""
    out = {"reporting_timezone": settings.timezone}
    if data_interval_start is not None:
        out["data_interval_start"] = data_interval_start.isoformat()
    if data_interval_end is not None:
        out["data_interval_end"] = data_interval_end.isoformat()
    return out


def run_dbt(args: list[str], settings: Settings, url: str, dbt_vars_: dict | None = None):
    """Invoke dbt with ``args`` (e.g. ``["build"]``); raise WebstatError naming what failed."""
    from dbt.cli.main import dbtRunner

    os.environ.update(dbt_env(url))
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    work = settings.home / "dbt"
    full = [
        *args,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(work / "target"),
        "--log-path", str(work / "logs"),
    ]  # fmt: skip
    if dbt_vars_:
        full += ["--vars", json.dumps(dbt_vars_)]
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
