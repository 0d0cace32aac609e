"""The marts as Airflow assets: the daily DAG's transform task lists them as outlets,
so a BI refresh DAG can be scheduled on them (``schedule=mart_assets()``, or on one:
``schedule=[mart_assets()[0]]``, ``fct_event_sessions``)."""

from __future__ import annotations

MARTS = (
    "fct_event_sessions",
    "fct_participants",
    "fct_connections",
    "fct_traffic_sources",
    "fct_devices",
    "fct_attendance_minutes",
    "dim_people",
    "fct_data_quality",
    "fct_webinar_series",
)


def mart_assets() -> list:
    """One ``Asset`` per mart, named ``webstat.marts.<mart>``."""
    from airflow.sdk import Asset

    return [Asset(name=f"webstat.marts.{m}", uri=f"webstat://warehouse/marts/{m}") for m in MARTS]
