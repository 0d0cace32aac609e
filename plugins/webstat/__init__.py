"""webstat: an open-source data warehouse for webinar analytics.

Raw platform logs -> Postgres (``raw``) -> dbt (``staging`` -> ``intermediate`` ->
``marts``) -> XLSX / PDF reports in object storage, orchestrated by Airflow.
"""

__version__ = "0.1.0"
