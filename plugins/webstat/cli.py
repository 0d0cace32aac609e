"""The ``webstat`` command: parses arguments and calls the package.

Errors a user can act on print as one line on stderr (``webstat: …``) with exit
status 1, bad arguments as one line with exit status 2; tracebacks only with
``--verbose``.
"""

from __future__ import annotations

import functools
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from webstat import __version__
from webstat.dates import days_interval, days_of, parse_date, parse_period
from webstat.errors import WebstatError
from webstat.settings import Settings, load_settings

MAX_DAYS = 366
"""The longest range ``webstat run`` / ``webstat ingest`` start without ``--yes``."""

DEMO_START = date(2026, 11, 2)
DEMO_DAYS = 7


def _say(msg: str) -> None:
    """Progress and notes: on stderr, so stdout holds only what a command produces."""
    click.echo(msg, err=True)


def _out(msg: str) -> None:
    """What a command produces (written URIs, the warehouse's URL, a summary): on stdout."""
    click.echo(msg)


# --- what the options accept ----------------------------------------------------


class _Date(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        try:
            return parse_date(value, param.name if param and param.name else "date")
        except WebstatError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)


class _Scale(click.ParamType):
    name = "small|medium|large|N"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> str | int:
        if isinstance(value, int) or value in ("small", "medium", "large"):
            return value
        try:
            number = int(str(value).replace("_", ""))
        except ValueError:
            self.fail(
                f"{value!r}: use small, medium, large or a number of events per day", param, ctx
            )
        if number < 1:
            self.fail("the number of events per day must be at least 1", param, ctx)
        return number


DATE = _Date()

_Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def date_range(
    first: str,
    last: str,
    *,
    start_required: bool = True,
    end_required: bool = True,
    yes: str | None = None,
) -> _Decorator:
    """The shared ``--start``/``--end`` options (help texts ``first``/``last``) and, when
    ``yes`` names what it allows (``"run"``), ``--yes`` for more than :data:`MAX_DAYS`
    days (checked by :func:`_limit`)."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        if yes:
            f = click.option(
                "--yes", is_flag=True, help=f"{yes} a range of more than {MAX_DAYS} days"
            )(f)
        f = click.option("--end", type=DATE, required=end_required, help=last)(f)
        return click.option("--start", type=DATE, required=start_required, help=first)(f)

    return decorate


def _days(start: date, end: date) -> list[date]:
    """The days of ``--start`` … ``--end``; one line when the range is reversed."""
    return days_of(*parse_period(start, end, names=("--start", "--end")))


def _limit(days: list[date], yes: bool) -> list[date]:
    """``days`` unless they are more than :data:`MAX_DAYS` and ``--yes`` was not given."""
    if len(days) > MAX_DAYS and not yes:
        raise WebstatError(
            f"{days[0]} … {days[-1]} is {len(days):,} days, more than {MAX_DAYS} at once: "
            "give --yes to run them all"
        )
    return days


def _with_settings(f: Callable[..., int]) -> Callable[..., int]:
    """Call ``f(settings, **options)`` with the settings loaded (once the command's
    arguments are parsed) and Airflow's environment set, before anything imports Airflow."""

    @functools.wraps(f)
    def wrapper(**options: Any) -> int:
        from webstat.airflow_env import configure

        settings = load_settings()
        configure(settings)
        return f(settings, **options)

    return wrapper


# --- the group: options before the command, errors as one line ------------------


class _Webstat(click.Group):
    """The group, printing what a user can act on as one line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WebstatError as exc:
            if ctx.params.get("verbose"):
                raise
            click.echo(f"webstat: {exc}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("webstat: interrupted", err=True)
            ctx.exit(130)

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> int:
        """Run the command; its exit status is returned (``standalone_mode=False``) or
        exited with."""
        try:
            code = super().main(
                args, prog_name or "webstat", complete_var, standalone_mode=False, **extra
            )
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.format_message(), err=True)
            code = exc.exit_code
        except click.UsageError as exc:
            click.echo(f"webstat: {_usage_line(exc)}", err=True)
            code = exc.exit_code
        except click.ClickException as exc:
            click.echo(f"webstat: {exc.format_message()}", err=True)
            code = exc.exit_code
        except click.Abort:
            click.echo("webstat: interrupted", err=True)
            code = 130
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def _usage_line(exc: click.UsageError) -> str:
    """click's message as one line, with where to read the usage."""
    message = " ".join(exc.format_message().split()).rstrip(".")
    where = exc.ctx.command_path if exc.ctx else "webstat"
    return f"{message[:1].lower()}{message[1:]} (see {where} --help)"


@click.group(
    cls=_Webstat,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="webstat: a data warehouse for webinar analytics (raw logs, marts, reports).",
)
@click.version_option(__version__, "--version", prog_name="webstat", message="%(prog)s %(version)s")
@click.option("-v", "--verbose", is_flag=True, help="show tracebacks and debug logs")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        # progress comes from webstat's own lines; dbt and Airflow speak up on problems
        os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
        if ctx.invoked_subcommand != "dbt":
            os.environ.setdefault("DBT_LOG_LEVEL", "warn")
            os.environ.setdefault("DBT_LOG_LEVEL_FILE", "info")


def main(argv: Sequence[str] | None = None) -> int:
    """``webstat`` with ``argv`` (default: the process's arguments); its exit status."""
    return cli.main(argv, prog_name="webstat", standalone_mode=False)


# --- generate ---------------------------------------------------------------


@cli.command(
    "generate",
    short_help="write synthetic raw logs into the landing zone",
    help="Write realistic, deterministic raw platform logs "
    "(date=YYYY-MM-DD/*.ndjson) for a date range.",
)
@date_range("first delivery day (YYYY-MM-DD)", "last delivery day (YYYY-MM-DD)")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="folder to write into (default: WEBSTAT_LANDING_URI)",
)
@click.option("--seed", type=int, default=42, help="random seed (default 42)")
@click.option(
    "--scale",
    type=_Scale(),
    default="small",
    help="small | medium | large | N events per day (default small)",
)
@click.option("--gzip", is_flag=True, help="write .ndjson.gz files")
@_with_settings
def generate_command(
    settings: Settings,
    start: date,
    end: date,
    out: Path | None,
    seed: int,
    scale: str | int,
    gzip: bool,
) -> int:
    from webstat.generate import generate

    if out is None:
        if not settings.landing_uri.startswith("file://"):
            raise WebstatError(
                "WEBSTAT_LANDING_URI is not a local folder: give --out DIR "
                "(then upload the files to the landing zone)"
            )
        out = Path(settings.landing_uri.removeprefix("file://"))
    _days(start, end)
    summary = generate(start, end, out, seed=seed, scale=scale, gzip=gzip, progress=_say)
    _out(f"{summary} -> {out}")
    return 0


# --- run / ingest / dbt ------------------------------------------------------


@cli.command(
    "run",
    short_help="run the daily DAG once per day, in order",
    help="Drive the real webinar_stats_daily DAG (dag.test) for each "
    "UTC day from --start to --end: days from 2000-01-01 that have ended, "
    f"at most {MAX_DAYS} at once without --yes.",
)
@date_range("first day (YYYY-MM-DD)", "last day (YYYY-MM-DD)", yes="run")
@_with_settings
def run_command(settings: Settings, start: date, end: date, yes: bool) -> int:
    days = _days(start, end)
    _check_days_run(days)  # first: --yes would not help
    run_days(settings, _limit(days, yes))
    _out(f"ran webinar_stats_daily for {len(days)} day(s): {days[0]} … {days[-1]}")
    return 0


def run_days(settings: Settings, days: list[date]) -> None:
    """Drive the real daily DAG with ``dag.test`` once per day, in order."""
    import fcntl

    from webstat.ingest.landing import check_landing_zone
    from webstat.warehouse import prepare
    from webstat.warehouse.transform import check_settings

    _check_days_run(days)
    check_landing_zone(settings.landing_uri, settings.s3_conn_id)
    url = prepare(settings)
    # the transform task would stop on it after loading the day: say it before, in one line
    check_settings(settings, url)
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
        _run_locked(days, url)


def _run_locked(days: list[date], url: str) -> None:
    from webstat.airflow_env import ensure_metadata_db, load_dag
    from webstat.tasks.daily import check_day_processed

    ensure_metadata_db()
    dag = load_dag("webinar_stats_daily")
    first = days[0]
    if dag.start_date is not None and datetime.combine(first, datetime.min.time(), UTC) < (
        dag.start_date
    ):  # the DAG file and webstat.tasks.daily.FIRST_DAY disagree: never run a day it skips
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
    from webstat.warehouse.figures import loaded_since

    with connect(url=url) as conn:
        loaded = loaded_since(conn, since)
    text = (
        f"{loaded.files} file(s): {loaded.events:,} events loaded, "
        f"{loaded.duplicates:,} duplicates dropped, {loaded.rejected:,} lines rejected"
    )
    if loaded.failed:
        text += f"; {loaded.failed} file(s) FAILED to load (see raw.loaded_files)"
    return text


@cli.command(
    "ingest",
    short_help="load landed files into raw (without dbt or reports)",
    help="Load the landing partitions of the given delivery days "
    "(and late files of the lookback window) into raw.",
)
@date_range(
    "first delivery day", "last delivery day (default: --start)", end_required=False, yes="load"
)
@_with_settings
def ingest_command(settings: Settings, start: date, end: date | None, yes: bool) -> int:
    ingest_days(settings, _limit(_days(start, end or start), yes))
    return 0


def ingest_days(settings: Settings, days: list[date]) -> None:
    """Load the landing partitions of ``days`` into raw; one line naming the files that
    failed to load (the others are loaded)."""
    from webstat.ingest.landing import check_landing_zone
    from webstat.tasks.daily import load_partition
    from webstat.warehouse import connect, prepare

    check_landing_zone(settings.landing_uri, settings.s3_conn_id)
    url = prepare(settings)
    failed: dict[str, None] = {}
    with connect(settings, url=url) as conn:
        for day in days:
            summary = load_partition(conn, settings, url, day, progress=_say)
            _out(str(summary))
            failed.update(dict.fromkeys(f.uri for f in summary.failed_files))
    if failed:
        names = list(failed)
        more = f" and {len(names) - 5} more" if len(names) > 5 else ""
        raise WebstatError(
            f"{len(names)} file(s) FAILED to load: {', '.join(names[:5])}{more} "
            "(errors in raw.loaded_files; the next ingest retries them)"
        )


_PASS_THROUGH = {"ignore_unknown_options": True, "allow_interspersed_args": False}
"""Everything after the command's first argument goes to the tool as is."""


@cli.command(
    "dbt",
    short_help="run dbt against the warehouse (e.g. webstat dbt build)",
    help="Run any dbt command on dbt_project/ with the warehouse's "
    "connection, e.g. `webstat dbt build --full-refresh`.",
    context_settings=_PASS_THROUGH,
)
@click.argument("dbt_args", nargs=-1, type=click.UNPROCESSED, metavar="[DBT ARGS]...")
@_with_settings
def dbt_command(settings: Settings, dbt_args: tuple[str, ...]) -> int:
    from webstat.warehouse import prepare
    from webstat.warehouse.transform import dbt_vars, run_dbt

    if not dbt_args:
        raise WebstatError("give dbt's arguments, e.g. webstat dbt build --select marts")
    url = prepare(settings)
    run_dbt(list(dbt_args), settings, url, dbt_vars(settings), logs_to_stderr=False)
    return 0


@cli.command(
    "rebuild",
    short_help="rebuild every mart (and changed reports) under the current settings",
    help="Recompute every mart from raw under the current settings (dbt build "
    "--full-refresh at the warehouse's run clock), then re-render the reports whose data "
    "changed. Needed after changing WEBSTAT_TIMEZONE, WEBSTAT_MASK_PII or a var the "
    "marts depend on: until then, runs stop with one line naming the change.",
)
@_with_settings
def rebuild_command(settings: Settings) -> int:
    from webstat.tasks.daily import rebuild
    from webstat.tasks.publish_sessions import render_sessions, sessions_to_report

    _say("rebuilding every mart from raw under the current settings …")
    built = rebuild(settings)
    run_id = cli_run_id()
    rendered: list[str] = []
    batches = sessions_to_report(settings)
    for number, batch in enumerate(batches, start=1):
        _say(f"rendering reports: batch {number} of {len(batches)} ({len(batch)} sessions) …")
        rendered += render_sessions(batch, run_id=run_id, settings=settings)
    _out(
        f"rebuilt the marts at the run clock {built['clock']}; "
        f"{len(rendered)} event session report(s) re-rendered"
    )
    return 0


# --- report --------------------------------------------------------------------


@cli.command(
    "report",
    short_help="(re)render a session's or a period's reports",
    help="Render XLSX + PDF reports into WEBSTAT_ARTIFACTS_URI.",
)
@click.option("--event-session", metavar="ID", help="one event session's reports")
@date_range(
    "period start (YYYY-MM-DD)",
    "period end (YYYY-MM-DD)",
    start_required=False,
    end_required=False,
)
@click.option("--webinar", metavar="NAME", help="only sessions whose webinar name contains NAME")
@_with_settings
def report_command(
    settings: Settings,
    event_session: str | None,
    start: date | None,
    end: date | None,
    webinar: str | None,
) -> int:
    from webstat import reports
    from webstat.warehouse import connect
    from webstat.warehouse.figures import session_report_date

    if event_session is None:
        if start is None:
            raise WebstatError("give --event-session ID, or --start and --end for a period report")
        if end is None:
            raise WebstatError("a period report needs --end as well as --start")
        _days(start, end)
    run_id = cli_run_id()
    with connect(settings) as conn:
        if event_session is not None:
            day = session_report_date(conn, event_session)
            result = reports.render_event_session_report(
                conn,
                event_session,
                settings,
                run_id=run_id,
                data_interval=days_interval(day, day, settings.tz) if day else None,
            )
        else:
            assert start is not None and end is not None  # checked above
            result = reports.render_period_report(
                conn, start, end, webinar, settings, run_id=run_id
            )
    _out(str(result))
    return 0


def cli_run_id(now: datetime | None = None) -> str:
    """The ``run_id`` of what the command does by hand: ``cli:`` + the UTC time to the
    second (``cli:2026-12-04T12:40:05Z``)."""
    return "cli:" + (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- warehouse -------------------------------------------------------------------


def _redact(url: str | None) -> str:
    from webstat.settings import mask_url

    return mask_url(url) if url else ""


def _warehouse_start(settings: Settings, psql_args: Sequence[str]) -> int:
    from webstat.warehouse import prepare

    if not settings.embedded:
        _say("WEBSTAT_WAREHOUSE_URL is set: using that server, nothing to start")
    _out(f"warehouse ready: {_redact(prepare(settings))}")
    return 0


def _warehouse_stop(settings: Settings, psql_args: Sequence[str]) -> int:
    from webstat.warehouse import embedded

    if not settings.embedded:
        raise WebstatError("WEBSTAT_WAREHOUSE_URL is set: webstat does not manage that server")
    _out("stopped" if embedded.stop(settings.pgdata) else "not running")
    return 0


def _warehouse_status(settings: Settings, psql_args: Sequence[str]) -> int:
    from webstat.warehouse import connect, embedded
    from webstat.warehouse.figures import server_version

    if settings.embedded:
        uri = embedded.running_uri(settings.pgdata)
        if uri is None:
            _out(f"embedded warehouse in {settings.pgdata}: not running")
            return 3
        _out(f"embedded warehouse in {settings.pgdata}: running at {uri}")
        return 0
    with connect(settings) as conn:
        version = server_version(conn)
    _out(f"external warehouse {_redact(settings.warehouse_url)}: up (Postgres {version})")
    return 0


def _warehouse_url(settings: Settings, psql_args: Sequence[str]) -> int:
    from webstat.warehouse import warehouse_url

    _out(warehouse_url(settings))
    return 0


def _warehouse_psql(settings: Settings, psql_args: Sequence[str]) -> int:
    import shutil

    from pgserver._commands import POSTGRES_BIN_PATH

    from webstat.warehouse import prepare

    url = prepare(settings)
    psql = POSTGRES_BIN_PATH / "psql"
    exe = str(psql) if psql.exists() else shutil.which("psql")
    if exe is None:
        raise WebstatError("no psql found")
    return subprocess.call([exe, url, *psql_args])


_WAREHOUSE_ACTIONS: dict[str, Callable[[Settings, Sequence[str]], int]] = {
    "start": _warehouse_start,
    "stop": _warehouse_stop,
    "status": _warehouse_status,
    "url": _warehouse_url,
    "psql": _warehouse_psql,
}


@cli.command(
    "warehouse",
    short_help="the embedded Postgres: start|stop|status|url|psql",
    help="Manage the embedded warehouse (or show the external one). ACTION is start, "
    "stop, status (exit status 3 when the embedded one is not running), url, or "
    "psql [psql arguments].",
    context_settings=_PASS_THROUGH,
)
@click.argument("action", metavar="ACTION", type=click.Choice(list(_WAREHOUSE_ACTIONS)))
@click.argument("psql_args", nargs=-1, type=click.UNPROCESSED, metavar="[PSQL ARGS]...")
@_with_settings
def warehouse_command(settings: Settings, action: str, psql_args: tuple[str, ...]) -> int:
    return _WAREHOUSE_ACTIONS[action](settings, psql_args)


# --- demo ------------------------------------------------------------------------


@cli.command(
    "demo",
    short_help="what `make demo` runs: a sample week end to end",
    help="Generate a sample week, run the daily DAG for each day and print where the results are.",
)
@click.option("--seed", type=int, default=42, help="random seed (default 42)")
@_with_settings
def demo_command(settings: Settings, seed: int) -> int:
    from webstat.generate import generate

    if not settings.landing_uri.startswith("file://"):
        raise WebstatError("the demo writes a sample week into a local WEBSTAT_LANDING_URI")
    landing = Path(settings.landing_uri.removeprefix("file://"))
    start, end = DEMO_START, DEMO_START + timedelta(days=DEMO_DAYS - 1)
    _say(f"1/3 generating a sample week ({start} … {end}) into {landing}")
    summary = generate(start, end, landing, seed=seed, scale="small", progress=_say)
    _say(f"    {summary}")
    where = settings.pgdata if settings.embedded else _redact(settings.warehouse_url)
    _say(f"2/3 running webinar_stats_daily for each day (warehouse: {where})")
    run_days(settings, days_of(start, end))
    _say("3/3 done.")
    _show_where_the_demo_is(settings)
    return 0


def _show_where_the_demo_is(settings: Settings) -> None:
    from webstat.warehouse import connect
    from webstat.warehouse.figures import published_report_uris, totals

    with connect(settings) as conn:
        counts = totals(conn)
        reports = published_report_uris(conn)
    _out(
        f"    warehouse: {counts.events:,} events in raw.platform_events, "
        f"{counts.rejected_lines:,} bad lines kept in raw.rejected_lines"
    )
    _out(
        f"    marts: {counts.sessions} event sessions ({counts.ended_sessions} ended) "
        "in marts.fct_event_sessions"
    )
    _out(f"    reports: {len(reports)} event sessions (report.xlsx, report.pdf, manifest.json):")
    for uri in reports[:5]:
        _out(f"      {uri}/report.pdf")
    if len(reports) > 5:
        _out(f"      … and {len(reports) - 5} more under {settings.artifacts_uri}/events/")
    _out('    next: .venv/bin/webstat warehouse psql -c "select * from marts.fct_event_sessions"')


if __name__ == "__main__":
    sys.exit(main())
