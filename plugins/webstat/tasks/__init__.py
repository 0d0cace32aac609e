"""What the DAGs call: one module per DAG (or per step of one), plain functions of
their data interval or params, tested without a scheduler.

* :mod:`~webstat.tasks.daily` — ingest and transform of ``webinar_stats_daily``
* :mod:`~webstat.tasks.publish_sessions` — which session reports a run renders, and rendering them
* :mod:`~webstat.tasks.period` — ``webinar_stats_period``'s period report
* :mod:`~webstat.tasks.assets` — the marts as Airflow assets (the transform task's outlets)

The DAG files in ``dags/`` only wire these together.
"""
