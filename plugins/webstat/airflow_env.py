"""Airflow's settings for the embedded (single-machine) mode, set before Airflow is imported.

Airflow reads its configuration at import time, so the CLI calls
:func:`configure` first. Anything the user already set (``AIRFLOW_HOME``,
``AIRFLOW__…`` variables) wins; these are only defaults.

The metadata DB of the embedded mode is SQLite under ``WEBSTAT_HOME/airflow``:
``webstat run`` drives the DAG in-process with ``dag.test``, which needs no
scheduler and no concurrent writers, and SQLite keeps Airflow's ~100 tables out
of the warehouse. Production (docker-compose) points Airflow at Postgres.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from webstat.errors import WebstatError
from webstat.settings import Settings, ensure_home

REPO_ROOT = Path(__file__).resolve().parents[2]
DAGS_DIR = REPO_ROOT / "dags"


def configure(settings: Settings) -> None:
    """Default Airflow's environment for this process (call before importing Airflow).

    Creates ``WEBSTAT_HOME`` (owner-only) and Airflow's home under it; one line when
    either cannot be created."""
    ensure_home(settings)
    home = Path(os.environ.setdefault("AIRFLOW_HOME", str(settings.airflow_home)))
    try:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise WebstatError(
            f"AIRFLOW_HOME={home} cannot be created: {exc.strerror or exc}"
        ) from None
    defaults = {
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "AIRFLOW__OPENLINEAGE__DISABLED": "True",
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "webstat",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)


def ensure_metadata_db() -> None:
    """Create or upgrade Airflow's metadata DB once per Airflow version."""
    import airflow

    marker = Path(os.environ["AIRFLOW_HOME"]) / f".webstat-db-{airflow.__version__}"
    if marker.exists():
        return
    from airflow.utils.db import upgradedb

    upgradedb()
    marker.touch()


def load_dag(dag_id: str = "webinar_stats_daily") -> Any:
    """The real DAG object ``dag_id``, imported from its file in ``dags/`` (call
    :func:`configure` first)."""
    import importlib.util

    path = DAGS_DIR / f"{dag_id}.py"
    spec = importlib.util.spec_from_file_location(dag_id, path)
    if spec is None or spec.loader is None:
        raise WebstatError(f"cannot import the DAG file {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, dag_id)()  # the @dag function returns the DAG
