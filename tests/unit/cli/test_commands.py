"""Each command's arguments through click's runner: what reaches the package, and the
one-line errors. The package's functions are replaced, so nothing here needs a server."""

from __future__ import annotations

import shlex
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

import webstat.cli
from webstat.cli import cli
from webstat.errors import WebstatError


@pytest.fixture
def invoke():
    runner = CliRunner()

    def run(line: str, *more: str):
        """``webstat <line> <more…>`` (``more``: arguments that hold spaces or paths)."""
        return runner.invoke(cli, [*shlex.split(line), *more], prog_name="webstat")

    return run


@pytest.fixture
def calls(monkeypatch) -> dict[str, list]:
    """The package functions the commands call, recording their arguments."""
    import webstat.generate
    import webstat.reports
    import webstat.warehouse
    import webstat.warehouse.figures
    import webstat.warehouse.transform

    seen: dict[str, list] = {}

    def record(name, result=None):
        def fake(*args, **kwargs):
            seen.setdefault(name, []).append((args, kwargs))
            return result

        return fake

    monkeypatch.setattr(webstat.cli, "run_days", record("run_days"))
    monkeypatch.setattr(webstat.cli, "ingest_days", record("ingest_days"))
    monkeypatch.setattr(webstat.generate, "generate", record("generate", "3 files"))
    monkeypatch.setattr(webstat.warehouse, "prepare", record("prepare", "postgresql://wh"))
    monkeypatch.setattr(webstat.warehouse, "connect", lambda *a, **k: nullcontext())
    monkeypatch.setattr(webstat.warehouse.transform, "run_dbt", record("run_dbt"))
    monkeypatch.setattr(  # what marts.fct_event_sessions says of the session
        webstat.warehouse.figures, "session_report_date", lambda conn, sid: date(2026, 11, 2)
    )
    for name in ("render_event_session_report", "render_period_report"):
        monkeypatch.setattr(webstat.reports, name, record(name, "file:///r/report.xlsx"))
    return seen


def _one_line(result, code: int, text: str) -> None:
    assert (result.exit_code, result.stderr) == (code, text + "\n"), result.output


# --- the group -------------------------------------------------------------------


def test_version_and_help(invoke):
    assert invoke("--version").stdout == f"webstat {webstat.__version__}\n"
    for name, command in cli.commands.items():
        for flag in ("--help", "-h"):
            result = invoke(f"{name} {flag}")
            assert result.exit_code == 0, name
            assert result.stdout.startswith(f"Usage: webstat {name} "), name
            for param in command.params:
                for opt in getattr(param, "opts", []):
                    assert opt in result.stdout or not opt.startswith("-"), (name, opt)


def test_verbose_shows_the_traceback(invoke):
    result = invoke("--verbose run --start 2025-03-05 --end 2025-03-01")
    assert isinstance(result.exception, WebstatError)
    assert result.stderr == ""
    result = invoke("run --start 2025-03-05 --end 2025-03-01")
    _one_line(result, 1, "webstat: --end 2025-03-01 is before --start 2025-03-05")


def test_an_interrupt_is_one_line_and_exit_130(invoke, monkeypatch):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(webstat.cli, "run_days", interrupted)
    _one_line(invoke("run --start 2025-03-01 --end 2025-03-01"), 130, "webstat: interrupted")


# --- generate ----------------------------------------------------------------------


def test_generate_passes_its_options(invoke, calls, tmp_path):
    options = "--seed 7 --scale 1_000 --gzip"
    result = invoke(f"generate --start 2026-11-01 --end 2026-11-02 {options} --out", str(tmp_path))
    assert result.exit_code == 0, result.output
    ((args, kwargs),) = calls["generate"]
    assert args == (date(2026, 11, 1), date(2026, 11, 2), tmp_path)
    assert kwargs["seed"] == 7 and kwargs["scale"] == 1000 and kwargs["gzip"] is True
    assert result.stdout == f"3 files -> {tmp_path}\n"


def test_generate_writes_into_a_local_landing_zone_by_default(invoke, calls, monkeypatch, tmp_path):
    monkeypatch.setenv("WEBSTAT_LANDING_URI", str(tmp_path / "landing"))
    assert invoke("generate --start 2026-11-01 --end 2026-11-01").exit_code == 0
    ((args, kwargs),) = calls["generate"]
    assert args[2] == tmp_path / "landing"
    assert (kwargs["seed"], kwargs["scale"], kwargs["gzip"]) == (42, "small", False)


def test_generate_needs_out_for_an_s3_landing_zone(invoke, calls, monkeypatch):
    monkeypatch.setenv("WEBSTAT_LANDING_URI", "s3://bucket/landing")
    result = invoke("generate --start 2026-11-01 --end 2026-11-01")
    _one_line(
        result,
        1,
        "webstat: WEBSTAT_LANDING_URI is not a local folder: give --out DIR "
        "(then upload the files to the landing zone)",
    )
    assert "generate" not in calls


def test_generate_refuses_a_reversed_range(invoke, calls, tmp_path):
    result = invoke("generate --start 2026-11-02 --end 2026-11-01 --out x")
    _one_line(result, 1, "webstat: --end 2026-11-01 is before --start 2026-11-02")


# --- run / ingest --------------------------------------------------------------------


def test_run_passes_every_day_of_the_range(invoke, calls):
    result = invoke("run --start 2025-02-27 --end 2025-03-01")
    assert result.exit_code == 0, result.output
    ((args, _),) = calls["run_days"]
    assert args[1] == [date(2025, 2, 27), date(2025, 2, 28), date(2025, 3, 1)]
    assert result.stdout == "ran webinar_stats_daily for 3 day(s): 2025-02-27 … 2025-03-01\n"


def test_run_needs_both_ends_and_yes_past_366_days(invoke, calls):
    _one_line(
        invoke("run --start 2025-03-01"),
        2,
        "webstat: missing option '--end' (see webstat run --help)",
    )
    result = invoke("run --start 2020-01-01 --end 2021-12-31")
    _one_line(
        result,
        1,
        "webstat: 2020-01-01 … 2021-12-31 is 731 days, more than 366 at "
        "once: give --yes to run them all",
    )
    assert "run_days" not in calls
    assert invoke("run --start 2020-01-01 --end 2021-12-31 --yes").exit_code == 0
    assert len(calls["run_days"][0][0][1]) == 731


def test_run_refuses_a_day_that_has_not_ended(invoke, calls):
    today = date.today() + timedelta(days=2)  # not over in any time zone
    result = invoke(f"run --start {today} --end {today}")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"webstat: refusing to run {today}: it has not ended yet")
    assert "run_days" not in calls


def test_ingest_end_defaults_to_start(invoke, calls):
    assert invoke("ingest --start 2026-11-01").exit_code == 0
    assert invoke("ingest --start 2026-11-01 --end 2026-11-02").exit_code == 0
    assert [args[1] for args, _ in calls["ingest_days"]] == [
        [date(2026, 11, 1)],
        [date(2026, 11, 1), date(2026, 11, 2)],
    ]


def test_ingest_refuses_a_reversed_or_too_long_range(invoke, calls):
    result = invoke("ingest --start 2026-11-02 --end 2026-11-01")
    _one_line(result, 1, "webstat: --end 2026-11-01 is before --start 2026-11-02")
    result = invoke("ingest --start 2020-01-01 --end 2021-12-31")
    assert result.exit_code == 1 and "is 731 days, more than 366 at once" in result.stderr
    assert "ingest_days" not in calls
    assert invoke("ingest --start 2020-01-01 --end 2021-12-31 --yes").exit_code == 0
    _one_line(
        invoke("ingest --end 2026-11-01"),
        2,
        "webstat: missing option '--start' (see webstat ingest --help)",
    )


# --- dbt -----------------------------------------------------------------------------


def test_dbt_passes_every_argument_through(invoke, calls):
    result = invoke("dbt build --full-refresh --select marts -h --help")
    assert result.exit_code == 0, result.output
    ((args, _),) = calls["run_dbt"]
    assert args[0] == ["build", "--full-refresh", "--select", "marts", "-h", "--help"]
    assert args[2] == "postgresql://wh"
    assert invoke("dbt --full-refresh build").exit_code == 0
    assert calls["run_dbt"][1][0][0] == ["--full-refresh", "build"]


def test_dbt_keeps_the_vars_it_is_given():
    """dbt keeps only the last --vars: a user's would be dropped by webstat's own."""
    from webstat.warehouse.transform import _with_vars

    args, merged = _with_vars(
        ["build", "--vars", "{late_join_grace_minutes: 10, mask_pii: true}", "--select", "x"],
        {"reporting_timezone": "UTC", "mask_pii": False},
    )
    assert args == ["build", "--select", "x"]
    assert merged == {"reporting_timezone": "UTC", "mask_pii": True, "late_join_grace_minutes": 10}
    assert _with_vars(["build", "--vars={a: 1}"], None) == (["build"], {"a": 1})
    assert _with_vars(["build"], None) == (["build"], None)
    with pytest.raises(WebstatError, match=r"^--vars '\[1\]' is not a YAML mapping"):
        _with_vars(["build", "--vars", "[1]"], None)


def test_dbt_needs_arguments(invoke, calls):
    _one_line(
        invoke("dbt"), 1, "webstat: give dbt's arguments, e.g. webstat dbt build --select marts"
    )
    assert "run_dbt" not in calls


# --- report --------------------------------------------------------------------------


def _made_by_hand(run_id: str, before: datetime) -> None:
    """``run_id`` is ``cli:`` + a UTC second between ``before`` and now."""
    made = datetime.strptime(run_id, "cli:%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before.replace(microsecond=0) <= made <= datetime.now(UTC)


def test_report_of_one_session(invoke, calls, monkeypatch):
    monkeypatch.setenv("WEBSTAT_TIMEZONE", "Europe/Moscow")
    before = datetime.now(UTC)
    result = invoke("report --event-session es-1")
    assert result.exit_code == 0, result.output
    ((args, kwargs),) = calls["render_event_session_report"]
    assert args[1] == "es-1"
    assert result.stdout == "file:///r/report.xlsx\n"
    _made_by_hand(kwargs["run_id"], before)
    # its report day, 2 Nov, in Moscow time (UTC+3): 1 Nov 21:00 to 2 Nov 21:00 UTC
    start, end = kwargs["data_interval"]
    assert (start.astimezone(UTC), end.astimezone(UTC)) == (
        datetime(2026, 11, 1, 21, tzinfo=UTC),
        datetime(2026, 11, 2, 21, tzinfo=UTC),
    )
    assert start.isoformat() == "2026-11-02T00:00:00+03:00"


def test_report_of_a_period(invoke, calls):
    before = datetime.now(UTC)
    result = invoke("report --start 2026-11-01 --end 2026-11-30 --webinar Py")
    assert result.exit_code == 0, result.output
    ((args, kwargs),) = calls["render_period_report"]
    assert args[1:4] == (date(2026, 11, 1), date(2026, 11, 30), "Py")
    _made_by_hand(kwargs["run_id"], before)


@pytest.mark.parametrize(
    ("argv", "code", "line"),
    [
        ((), 1, "webstat: give --event-session ID, or --start and --end for a period report"),
        (("--start", "2026-11-01"), 1, "webstat: a period report needs --end as well as --start"),
        (
            ("--start", "2026-11-30", "--end", "2026-11-01"),
            1,
            "webstat: --end 2026-11-01 is before --start 2026-11-30",
        ),
        (
            ("--start", "30.11.2026"),
            2,
            "webstat: invalid value for '--start': '30.11.2026' is not "
            "a date (YYYY-MM-DD) (see webstat report --help)",
        ),
    ],
)
def test_report_refuses_what_it_cannot_render(invoke, calls, argv, code, line):
    _one_line(invoke("report", *argv), code, line)
    assert not calls.get("render_period_report")


# --- warehouse -----------------------------------------------------------------------


def test_warehouse_url_and_status(invoke, monkeypatch, tmp_path):
    import webstat.warehouse
    from webstat.warehouse import embedded

    monkeypatch.setattr(webstat.warehouse, "warehouse_url", lambda settings: "postgresql://u@h/d")
    assert invoke("warehouse url").stdout == "postgresql://u@h/d\n"
    monkeypatch.setattr(embedded, "running_uri", lambda pgdata: None)
    result = invoke("warehouse status")
    assert result.exit_code == 3
    assert result.stdout.endswith("pgdata: not running\n")


def test_warehouse_psql_passes_its_arguments_through(invoke, calls, monkeypatch):
    called = []
    monkeypatch.setattr(webstat.cli.subprocess, "call", lambda argv: called.append(argv) or 5)
    result = invoke("warehouse psql -h x -c", "select 1")
    assert result.exit_code == 5  # psql's own exit status
    ((exe, url, *rest),) = called
    assert Path(exe).name == "psql" and url == "postgresql://wh"
    assert rest == ["-h", "x", "-c", "select 1"]


def test_warehouse_stop_leaves_an_external_server_alone(invoke, monkeypatch):
    monkeypatch.setenv("WEBSTAT_WAREHOUSE_URL", "postgresql://u@127.0.0.1:1/d")
    _one_line(
        invoke("warehouse stop"),
        1,
        "webstat: WEBSTAT_WAREHOUSE_URL is set: webstat does not manage that server",
    )


def test_warehouse_needs_an_action(invoke):
    result = invoke("warehouse")
    assert result.exit_code == 2
    assert result.stderr.startswith("webstat: missing argument 'ACTION'")


# --- demo ----------------------------------------------------------------------------


def test_demo_needs_a_local_landing_zone_and_a_numeric_seed(invoke, calls, monkeypatch):
    _one_line(
        invoke("demo --seed x"),
        2,
        "webstat: invalid value for '--seed': 'x' is not a valid integer (see webstat demo --help)",
    )
    monkeypatch.setenv("WEBSTAT_LANDING_URI", "s3://bucket/landing")
    _one_line(
        invoke("demo"), 1, "webstat: the demo writes a sample week into a local WEBSTAT_LANDING_URI"
    )
    assert "generate" not in calls and "run_days" not in calls
