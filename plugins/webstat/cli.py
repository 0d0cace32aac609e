"""The ``webstat`` command: parses arguments and calls the package.

Errors a user can act on print as one line on stderr with exit status 1
(tracebacks only with ``--verbose``).
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from webstat import __version__
from webstat.errors import WebstatError
from webstat.settings import Settings, load_settings


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _scale(text: str) -> str | int:
    if text in ("small", "medium", "large"):
        return text
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: use small, medium, large or a number of events per day"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError("the number of events per day must be at least 1")
    return value


MAX_DAYS = 366
"""The longest range ``webstat run`` / ``webstat ingest`` start without ``--yes``."""


def _days(start: date, end: date) -> list[date]:
    if end < start:
        raise WebstatError(f"--end {end} is before --start {start}")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _limit(days: list[date], yes: bool) -> list[date]:
    """``days`` unless they are more than :data:`MAX_DAYS` and ``--yes`` was not given."""
    if len(days) > MAX_DAYS and not yes:
        raise WebstatError(
            f"{days[0]} … {days[-1]} is {len(days):,} days, more than {MAX_DAYS} at once: "
            "give --yes to run them all"
        )
    return days


def _say(msg: str) -> None:
    print(msg, flush=True)


# --- generate ---------------------------------------------------------------


def cmd_generate(args: argparse.Namespace, settings: Settings) -> int:
    from webstat.generate import generate

    out = args.out
    if out is None:
        if not settings.landing_uri.startswith("file://"):
            raise WebstatError(
                "WEBSTAT_LANDING_URI is not a local folder: give --out DIR "
                "(then upload the files to the landing zone)"
            )
        out = Path(settings.landing_uri.removeprefix("file://"))
    _days(args.start, args.end)
    summary = generate(
        args.start, args.end, Path(out), seed=args.seed, scale=args.scale, gzip=args.gzip,
        progress=_say,
    )  # fmt: skip
    _say(f"{summary} -> {out}")
    return 0


# --- run / ingest / dbt ------------------------------------------------------


def _prepare_airflow(settings: Settings) -> None:
    from webstat.airflow_env import ensure_metadata_db

    ensure_metadata_db()


def load_dag(dag_id: str = "webinar_stats_daily"):
    """The real DAG object ``dag_id``, imported from its file in ``dags/``."""
    import importlib.util

    from webstat.airflow_env import DAGS_DIR

    path = DAGS_DIR / f"{dag_id}.py"
    spec = importlib.util.spec_from_file_location(dag_id, path)
    if spec is None or spec.loader is None:
        raise WebstatError(f"cannot import the DAG file {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, dag_id)()  # the @dag function returns the DAG


def run_days(settings: Settings, days: list[date]) -> None:
    """Drive the real daily DAG with ``dag.test`` once per day, in order."""
    import fcntl

    from webstat.ingest.landing import check_landing_zone
    from webstat.warehouse import prepare

    _check_days_run(days)
    check_landing_zone(settings.landing_uri, settings.s3_conn_id)
    url = prepare(settings)
    # one `webstat run` per WEBSTAT_HOME at a time: two dag.test runs would share (and
    # clear each other's rows in) the embedded Airflow metadata DB
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    # closed on every way out: a lock left open by a failed run (its file object kept
    # alive by a traceback) would block the next run in the same process for good
    with (settings.airflow_home / ".webstat-run.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _say("another webstat run is using this WEBSTAT_HOME: waiting for it to finish …")
            fcntl.flock(lock, fcntl.LOCK_EX)
        _run_locked(settings, days, url)


def _run_locked(settings: Settings, days: list[date], url: str) -> None:
    from webstat.tasks.daily import check_day_processed

    _prepare_airflow(settings)
    dag = load_dag("webinar_stats_daily")
    first = days[0]
    if dag.start_date is not None and datetime.combine(first, datetime.min.time(), UTC) < (
        dag.start_date
    ):  # the DAG file and webstat.tasks.daily.FIRST_DAY disagree: never run a day it would skip
        raise WebstatError(f"{first} is before webinar_stats_daily's start_date {dag.start_date}")
    for number, day in enumerate(days, start=1):
        started = time.monotonic()
        since = datetime.now(UTC)
        _say(f"[{number}/{len(days)}] {day}: running webinar_stats_daily …")
        # the run for day D has logical date D + 1 day: its interval ends there
        logical = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
        dagrun = dag.test(logical_date=logical)
        check_day_processed(dagrun, day)
        _say(
            f"[{number}/{len(days)}] {day}: done in {time.monotonic() - started:.0f} s; "
            + _day_figures(url, since)
        )


def _check_days_run(days: list[date]) -> None:
    """One line for the first day of ``days`` the daily DAG would skip (before
    :data:`webstat.tasks.daily.FIRST_DAY`, or not over yet): nothing is run then."""
    from webstat.tasks.daily import day_the_dag_skips

    for day in (days[0], days[-1]):  # a range: its ends are the days to check
        why = day_the_dag_skips(day)
        if why:
            raise WebstatError(f"refusing to run {day}: {why}")


def _day_figures(url: str, since: datetime) -> str:
    """One line on what the run loaded: files of the ledger written since it started."""
    from webstat.warehouse import connect

    with connect(url=url) as conn:
        row = conn.execute(
            """
            select count(*) filter (where status = 'loaded'), coalesce(sum(rows_loaded), 0),
                   coalesce(sum(rows_duplicate), 0), coalesce(sum(rows_rejected), 0),
                   count(*) filter (where status = 'failed')
            from raw.loaded_files where loaded_at >= %s
            """,
            (since,),
        ).fetchone()
    assert row is not None  # an aggregate without group by: always one row
    files, loaded, dups, rejected, failed = row
    text = (
        f"{files} file(s): {loaded:,} events loaded, {dups:,} duplicates dropped, "
        f"{rejected:,} lines rejected"
    )
    if failed:
        text += f"; {failed} file(s) FAILED to load (see raw.loaded_files)"
    return text


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    days = _days(args.start, args.end)
    _check_days_run(days)  # first: --yes would not help
    run_days(settings, _limit(days, args.yes))
    _say(f"ran webinar_stats_daily for {len(days)} day(s): {days[0]} … {days[-1]}")
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from webstat.ingest import ingest_day
    from webstat.ingest.landing import check_landing_zone
    from webstat.warehouse import connect, prepare

    days = _limit(_days(args.start, args.end or args.start), args.yes)
    check_landing_zone(settings.landing_uri, settings.s3_conn_id)
    url = prepare(settings)
    failed: dict[str, None] = {}
    with connect(settings, url=url) as conn:
        for day in days:
            summary = ingest_day(
                conn, settings.landing_uri, day, lookback_days=settings.late_file_lookback_days,
                conn_id=settings.s3_conn_id, progress=_say,
                connect=lambda: connect(settings, url=url),
            )  # fmt: skip
            _say(str(summary))
            failed.update(dict.fromkeys(f.uri for f in summary.failed_files))
    if failed:
        names = list(failed)
        more = f" and {len(names) - 5} more" if len(names) > 5 else ""
        raise WebstatError(
            f"{len(names)} file(s) FAILED to load: {', '.join(names[:5])}{more} "
            "(errors in raw.loaded_files; the next ingest retries them)"
        )
    return 0


def cmd_dbt(args: argparse.Namespace, settings: Settings) -> int:
    from webstat.warehouse import prepare
    from webstat.warehouse.transform import dbt_vars, run_dbt

    if not args.dbt_args:
        raise WebstatError("give dbt's arguments, e.g. webstat dbt build --select marts")
    url = prepare(settings)
    run_dbt(list(args.dbt_args), settings, url, dbt_vars(settings))
    return 0


# --- report --------------------------------------------------------------------


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from webstat import reports
    from webstat.warehouse import connect

    if args.event_session is None and args.start is None:
        raise WebstatError("give --event-session ID, or --start and --end for a period report")
    with connect(settings) as conn:
        if args.event_session is not None:
            result = reports.render_event_session_report(conn, args.event_session, settings)
        else:
            if args.end is None:
                raise WebstatError("a period report needs --end as well as --start")
            _days(args.start, args.end)
            result = reports.render_period_report(
                conn, args.start, args.end, args.webinar, settings
            )
    _say(str(result))
    return 0


# --- warehouse -------------------------------------------------------------------


def cmd_warehouse(args: argparse.Namespace, settings: Settings) -> int:
    from webstat.warehouse import connect, embedded, prepare, warehouse_url

    action = args.action
    if action == "start":
        if not settings.embedded:
            _say("WEBSTAT_WAREHOUSE_URL is set: using that server, nothing to start")
        url = prepare(settings)
        _say(f"warehouse ready: {_redact(url)}")
    elif action == "stop":
        if not settings.embedded:
            raise WebstatError("WEBSTAT_WAREHOUSE_URL is set: webstat does not manage that server")
        _say("stopped" if embedded.stop(settings.pgdata) else "not running")
    elif action == "status":
        if settings.embedded:
            uri = embedded.running_uri(settings.pgdata)
            if uri is None:
                _say(f"embedded warehouse in {settings.pgdata}: not running")
                return 3
            _say(f"embedded warehouse in {settings.pgdata}: running at {uri}")
        else:
            with connect(settings) as conn:
                version = conn.execute("show server_version").fetchone() or ("?",)
            _say(
                f"external warehouse {_redact(settings.warehouse_url)}: up (Postgres {version[0]})"
            )
    elif action == "url":
        _say(warehouse_url(settings))
    elif action == "psql":
        return _psql(prepare(settings), args.psql_args)
    return 0


def _redact(url: str | None) -> str:
    from webstat.settings import mask_url

    return mask_url(url) if url else ""


def _psql(url: str, extra: list[str]) -> int:
    import shutil

    from pgserver._commands import POSTGRES_BIN_PATH

    psql = POSTGRES_BIN_PATH / "psql"
    exe = str(psql) if psql.exists() else shutil.which("psql")
    if exe is None:
        raise WebstatError("no psql found")
    return subprocess.call([exe, url, *extra])


# --- demo ------------------------------------------------------------------------


DEMO_START = date(2026, 11, 2)
DEMO_DAYS = 7


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from webstat.generate import generate

    if not settings.landing_uri.startswith("file://"):
        raise WebstatError("the demo writes a sample week into a local WEBSTAT_LANDING_URI")
    landing = Path(settings.landing_uri.removeprefix("file://"))
    start, end = DEMO_START, DEMO_START + timedelta(days=DEMO_DAYS - 1)
    _say(f"1/3 generating a sample week ({start} … {end}) into {landing}")
    summary = generate(start, end, landing, seed=args.seed, scale="small", progress=_say)
    _say(f"    {summary}")
    where = settings.pgdata if settings.embedded else _redact(settings.warehouse_url)
    _say(f"2/3 running webinar_stats_daily for each day (warehouse: {where})")
    run_days(settings, [start + timedelta(days=i) for i in range(DEMO_DAYS)])
    _say("3/3 done.")
    from webstat.warehouse import connect

    with connect(settings) as conn:
        counts = conn.execute(
            "select (select count(*) from raw.platform_events),"
            " (select count(*) from raw.rejected_lines),"
            " (select count(*) filter (where status = 'ended') from marts.fct_event_sessions),"
            " (select count(*) from marts.fct_event_sessions)"
        ).fetchone()
        assert counts is not None  # a select without from: always one row
        events, rejects, *sessions = counts
        reports = [
            r[0]
            for r in conn.execute(
                "select uri from raw.published_reports order by published_at, event_session_id"
            )
        ]
    _say(
        f"    warehouse: {events:,} events in raw.platform_events, "
        f"{rejects:,} bad lines kept in raw.rejected_lines"
    )
    _say(
        f"    marts: {sessions[1]} event sessions ({sessions[0]} ended) in marts.fct_event_sessions"
    )
    _say(f"    reports: {len(reports)} event sessions (report.xlsx, report.pdf, manifest.json):")
    for uri in reports[:5]:
        _say(f"      {uri}/report.pdf")
    if len(reports) > 5:
        _say(f"      … and {len(reports) - 5} more under {settings.artifacts_uri}/events/")
    _say('    next: .venv/bin/webstat warehouse psql -c "select * from marts.fct_event_sessions"')
    return 0


# --- parser ----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="webstat",
        description="webstat: a data warehouse for webinar analytics (raw logs, marts, reports).",
    )
    parser.add_argument("--version", action="version", version=f"webstat {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show tracebacks and debug logs"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "generate",
        help="write synthetic raw logs into the landing zone",
        description="Write realistic, deterministic raw platform logs "
        "(date=YYYY-MM-DD/*.ndjson) for a date range.",
    )
    p.add_argument("--start", type=_date, required=True, help="first delivery day (YYYY-MM-DD)")
    p.add_argument("--end", type=_date, required=True, help="last delivery day (YYYY-MM-DD)")
    p.add_argument("--out", type=Path, help="folder to write into (default: WEBSTAT_LANDING_URI)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument(
        "--scale",
        type=_scale,
        default="small",
        help="small | medium | large | N events per day (default small)",
    )
    p.add_argument("--gzip", action="store_true", help="write .ndjson.gz files")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser(
        "run",
        help="run the daily DAG once per day, in order",
        description="Drive the real webinar_stats_daily DAG (dag.test) for each "
        "UTC day from --start to --end: days from 2000-01-01 that have ended, "
        f"at most {MAX_DAYS} at once without --yes.",
    )
    p.add_argument("--start", type=_date, required=True, help="first day (YYYY-MM-DD)")
    p.add_argument("--end", type=_date, required=True, help="last day (YYYY-MM-DD)")
    p.add_argument("--yes", action="store_true", help=f"run a range of more than {MAX_DAYS} days")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "ingest",
        help="load landed files into raw (without dbt or reports)",
        description="Load the landing partitions of the given delivery days "
        "(and late files of the lookback window) into raw.",
    )
    p.add_argument("--start", type=_date, required=True, help="first delivery day")
    p.add_argument("--end", type=_date, help="last delivery day (default: --start)")
    p.add_argument("--yes", action="store_true", help=f"load a range of more than {MAX_DAYS} days")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser(
        "dbt",
        help="run dbt against the warehouse (e.g. webstat dbt build)",
        description="Run any dbt command on dbt_project/ with the warehouse's "
        "connection, e.g. `webstat dbt build --full-refresh`.",
    )
    p.add_argument("dbt_args", nargs=argparse.REMAINDER, help="arguments passed to dbt")
    p.set_defaults(func=cmd_dbt)

    p = sub.add_parser(
        "report",
        help="(re)render a session's or a period's reports",
        description="Render XLSX + PDF reports into WEBSTAT_ARTIFACTS_URI.",
    )
    p.add_argument("--event-session", metavar="ID", help="one event session's reports")
    p.add_argument("--start", type=_date, help="period start (YYYY-MM-DD)")
    p.add_argument("--end", type=_date, help="period end (YYYY-MM-DD)")
    p.add_argument(
        "--webinar", metavar="NAME", help="only sessions whose webinar name contains NAME"
    )
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "warehouse",
        help="the embedded Postgres: start|stop|status|url|psql",
        description="Manage the embedded warehouse (or show the external one).",
    )
    p.add_argument(
        "action",
        choices=["start", "stop", "status", "url", "psql"],
        help="start, stop, status, url, or psql [psql arguments]",
    )
    p.add_argument("psql_args", nargs=argparse.REMAINDER, help="arguments passed to psql")
    p.set_defaults(func=cmd_warehouse)

    p = sub.add_parser(
        "demo",
        help="what `make demo` runs: a sample week end to end",
        description="Generate a sample week, run the daily DAG for each day and "
        "print where the results are.",
    )
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        # progress comes from webstat's own lines; dbt and Airflow speak up on problems
        os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
        if args.command != "dbt":
            os.environ.setdefault("DBT_LOG_LEVEL", "warn")
            os.environ.setdefault("DBT_LOG_LEVEL_FILE", "info")
    try:
        settings = load_settings()
        # before anything imports Airflow (ObjectStoragePath, the DAG): its home and DB
        from webstat.airflow_env import configure

        configure(settings)
        return args.func(args, settings)
    except WebstatError as exc:
        if args.verbose:
            raise
        print(f"webstat: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("webstat: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
