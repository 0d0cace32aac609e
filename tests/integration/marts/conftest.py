"""Fixtures of the marts tests: a throw-away warehouse fed day by day as the daily DAG
feeds it (``daily.ingest`` + ``daily.transform``), from raw-log lines written here."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from webstat.settings import Settings, load_settings
from webstat.tasks import daily
from webstat.warehouse import prepare
from webstat.warehouse.transform import dbt_vars, run_dbt


class Landing:
    """A warehouse of its own and a landing folder; ``run_day`` lands a day's files and
    runs the day, ``full_refresh`` rebuilds every model at a day's clock."""

    def __init__(self, url: str, root: Path) -> None:
        self.url = url
        self.root = root
        self.settings: Settings = load_settings(
            {
                "WEBSTAT_WAREHOUSE_URL": url,
                "WEBSTAT_HOME": str(root / "home"),
                "WEBSTAT_LANDING_URI": str(root / "landing"),
            }
        )

    @staticmethod
    def interval(day: date) -> tuple[datetime, datetime]:
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return start, start + timedelta(days=1)

    def run_day(self, day: date, files: dict[str, list[dict]]) -> None:
        folder = self.root / "landing" / f"date={day}"
        folder.mkdir(parents=True, exist_ok=True)
        for name, events in files.items():
            text = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events)
            (folder / name).write_text(text, encoding="utf-8")
        start, end = self.interval(day)
        daily.ingest(start, self.settings)
        daily.transform(start, end, self.settings)

    def full_refresh(self, day: date) -> None:
        _, end = self.interval(day)
        settings = self.settings
        run_dbt(["run", "--full-refresh"], settings, prepare(settings), dbt_vars(settings), end)


@pytest.fixture(scope="module")
def landing(pg_server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Landing]:
    """A new database on the session's server (dropped afterwards) with its landing zone."""
    name = f"marts_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    yield Landing(pg_server_url.replace("/postgres?", f"/{name}?"), tmp_path_factory.mktemp("m"))
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="module")
def query(landing: Landing) -> Iterator[Callable[..., list[tuple]]]:
    """``query(sql, *params)``: every row ([] for a statement that returns none), on an
    autocommit connection to the warehouse."""
    with psycopg.connect(landing.url, autocommit=True) as conn:

        def rows(sql: str, *params: object) -> list[tuple]:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

        yield rows
