"""Run the dbt project (``dbt_project/``) in process with ``dbtRunner``.

The warehouse's URI becomes the ``WEBSTAT_PG_*`` variables that
``dbt_project/profiles.yml`` reads; dbt's target and logs go under
``WEBSTAT_HOME/dbt`` so the repository stays clean.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

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


class SettingsChangedError(WebstatError):
    """The build's settings differ from the ones the marts were built with
    (``intermediate.int_build_settings``): only a full rebuild may change them."""


SETTINGS_CHANGED = "the marts were built with other settings"
"""How the line of ``check_build_settings`` (dbt_project/macros/build_settings.sql) starts."""


def run_dbt(
    args: list[str],
    settings: Settings,
    url: str,
    dbt_vars_: dict | None = None,
    data_interval_end: datetime | None = None,
    *,
    logs_to_stderr: bool = True,
):
    """Invoke dbt with ``args`` (e.g. ``["build"]``); raise WebstatError naming what failed.

    The run's clock (``data_interval_end``) goes to dbt as the environment variable
    ``WEBSTAT_DATA_INTERVAL_END``, not as a var: a var that changes every day makes dbt
    re-parse the whole project (~9 s), an env var only the models that read it.

    dbt's console log goes to stderr (``logs_to_stderr``; ``webstat dbt`` keeps it on
    stdout, where e.g. ``dbt ls`` prints its answer). A build under other settings than
    the marts' raises :class:`SettingsChangedError` with the line that says which.
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
    args, dbt_vars_ = _with_vars(args, dbt_vars_)
    full = [*args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    full += ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    if dbt_vars_:
        full += ["--vars", json.dumps(dbt_vars_)]
    # One dbt invocation at a time per warehouse (a backfill's parallel runs, a run and a
    # hand-typed `webstat dbt build`): concurrent builds of the same incremental models
    # collide ("relation already exists") or rebuild sessions from a half-written state.
    from webstat.warehouse import connect

    console = contextlib.redirect_stdout(sys.stderr) if logs_to_stderr else contextlib.nullcontext()
    said: list[str] = []  # dbt's messages that name changed settings (a hook's or an operation's)

    def listen(event: Any) -> None:
        text = str(getattr(event.info, "msg", "") or "")
        if SETTINGS_CHANGED in text:
            said.append(text)

    with connect(url=url) as lock_conn, advisory_lock(lock_conn, DBT_BUILD), console:
        result = dbtRunner(callbacks=[listen]).invoke(full)
    if not result.success:
        for text in [*said, str(result.exception or "")]:
            _raise_settings_changed(text)
        failed = []
        for node in getattr(result.result, "results", None) or []:
            if str(getattr(node, "status", "")) in ("error", "fail"):
                failed.append(getattr(getattr(node, "node", None), "name", None) or "?")
        what = f": {', '.join(failed[:10])}" if failed else ""
        cause = f" ({result.exception})" if result.exception else ""
        raise WebstatError(f"dbt {args[0]} failed{what}{cause}")
    return result


def check_settings(settings: Settings, url: str) -> None:
    """Raise :class:`SettingsChangedError` (one line naming the change) when the marts were
    built with other settings than ``settings``' (and the project's vars), without building
    anything: dbt's ``check_build_settings`` as a run-operation."""
    run_dbt(
        # its one line is the error this raises: no console log (the file log keeps it)
        [
            "run-operation",
            "check_build_settings",
            "--args",
            "{always: true}",
            "--log-level",
            "none",
        ],
        settings,
        url,
        dbt_vars(settings),
    )


def _raise_settings_changed(message: str) -> None:
    """Raise :class:`SettingsChangedError` with the settings line of ``message`` (a failed
    node's or dbt's own message), if it holds one."""
    for line in message.splitlines():
        line = line.strip()
        if line.startswith(SETTINGS_CHANGED):
            raise SettingsChangedError(line)


def _with_vars(args: list[str], dbt_vars_: dict | None) -> tuple[list[str], dict | None]:
    """``args`` without their ``--vars``, and ``dbt_vars_`` updated with those vars (the
    caller's win): dbt keeps only the last ``--vars`` it is given, so passing both would
    drop one set."""
    import yaml

    rest: list[str] = []
    merged = dict(dbt_vars_ or {})
    items = iter(args)
    for arg in items:
        if arg == "--vars" or arg.startswith("--vars="):
            text = arg.partition("=")[2] if "=" in arg else next(items, "")
            try:
                value = yaml.safe_load(text) or {}
            except yaml.YAMLError:
                value = None
            if not isinstance(value, dict):
                raise WebstatError(f"--vars {text!r} is not a YAML mapping, e.g. '{{key: value}}'")
            merged.update(value)
        else:
            rest.append(arg)
    return rest, merged or None
