"""The asset list and the dbt marts folder name the same nine marts (those of docs/marts.md)."""

from webstat.airflow_env import REPO_ROOT
from webstat.tasks.assets import MARTS


def test_every_dbt_mart_is_an_asset_and_back():
    models = {p.stem for p in (REPO_ROOT / "dbt_project" / "models" / "marts").glob("*.sql")}
    assert models == set(MARTS)
    assert len(MARTS) == 9
