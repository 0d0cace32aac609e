"""The `webstat` command through its entry point: errors a user can act on."""

from __future__ import annotations

import click
import pytest

from webstat.cli import cli, main


def test_every_command_has_help_text():
    assert cli.help
    for name, command in cli.commands.items():
        assert command.help and command.short_help, f"{name} has no help"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.name} has no help"
    assert set(cli.commands) >= {"generate", "run", "report", "warehouse", "demo"}


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["generate", "--start", "2026-11-01"],
            "webstat: missing option '--end' (see webstat generate --help)\n",
        ),
        (
            ["run", "--start", "nope", "--end", "2026-11-02"],
            "webstat: invalid value for '--start': 'nope' is not a date (YYYY-MM-DD)"
            " (see webstat run --help)\n",
        ),
        (
            ["generate", "--start", "2026-11-01", "--end", "2026-11-02", "--scale", "huge"],
            "webstat: invalid value for '--scale': 'huge': use small, medium, large or a number"
            " of events per day (see webstat generate --help)\n",
        ),
        (
            ["generate", "--start", "2026-11-01", "--end", "2026-11-02", "--scale", "0"],
            "webstat: invalid value for '--scale': the number of events per day must be at least 1"
            " (see webstat generate --help)\n",
        ),
        (
            ["warehouse", "explode"],
            "webstat: invalid value for 'ACTION': 'explode' is not one of 'start', 'stop',"
            " 'status', 'url', 'psql' (see webstat warehouse --help)\n",
        ),
        (["explode"], "webstat: no such command 'explode' (see webstat --help)\n"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(argv, line, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err == line


def test_no_command_shows_the_help_and_exits_2(capsys):
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Usage: webstat [OPTIONS] COMMAND [ARGS]...")
    assert all(name in err for name in cli.commands)


def test_end_before_start_is_one_line(capsys):
    assert main(["run", "--start", "2026-11-07", "--end", "2026-11-01"]) == 1
    err = capsys.readouterr().err
    assert err == "webstat: --end 2026-11-01 is before --start 2026-11-07\n"


def test_a_wrong_setting_is_one_line_and_exit_1(capsys, monkeypatch):
    monkeypatch.setenv("WEBSTAT_LOCALE", "fr")
    assert main(["warehouse", "status"]) == 1
    assert capsys.readouterr().err == "webstat: WEBSTAT_LOCALE='fr' must be one of: ru, en\n"


def test_a_missing_landing_zone_is_one_line_and_exit_1(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("WEBSTAT_LANDING_URI", str(tmp_path / "missing"))
    assert main(["run", "--start", "2026-11-01", "--end", "2026-11-01"]) == 1
    err = capsys.readouterr().err
    assert err == f"webstat: landing zone file://{tmp_path}/missing does not exist\n"
    # ingest checks it first too (an unreachable S3 landing zone: one line, not a traceback)
    assert main(["ingest", "--start", "2026-11-01"]) == 1
    assert capsys.readouterr().err == err


def test_an_unreachable_warehouse_is_one_line_and_exit_1(capsys, monkeypatch):
    monkeypatch.setenv("WEBSTAT_WAREHOUSE_URL", "postgresql://u:secret@127.0.0.1:1/db")
    assert main(["warehouse", "status"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("webstat: cannot connect to the warehouse:") and err.count("\n") == 1
    assert "secret" not in err


def test_a_url_with_a_stray_percent_never_shows_its_password(capsys, monkeypatch):
    monkeypatch.setenv("WEBSTAT_WAREHOUSE_URL", "postgresql://bob:s3cr%zzet@127.0.0.1:1/wh")
    assert main(["warehouse", "status"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "webstat: WEBSTAT_WAREHOUSE_URL=postgresql://bob:***@127.0.0.1:1/wh cannot be parsed: "
        'invalid percent-encoded token: "***" (write a % in the password as %25)\n'
    )


def test_a_day_before_2000_is_refused_before_anything_runs(capsys, monkeypatch, tmp_path):
    """The DAG's start_date is 2000-01-01: it would skip 1999-12-31 (exit 0, nothing
    loaded). Refused before the landing zone is even looked at (it does not exist here)."""
    monkeypatch.setenv("WEBSTAT_LANDING_URI", str(tmp_path / "missing"))
    assert main(["run", "--start", "1999-12-31", "--end", "2000-01-05"]) == 1
    assert capsys.readouterr().err == (
        "webstat: refusing to run 1999-12-31: it is before 2000-01-01, "
        "the first day webinar_stats_daily processes\n"
    )
    # 1900 … 2100: --yes does not help, the first day is refused all the same
    assert main(["run", "--start", "1900-01-01", "--end", "2100-01-01", "--yes"]) == 1
    assert capsys.readouterr().err.startswith("webstat: refusing to run 1900-01-01: it is before")


def test_a_day_that_has_not_ended_is_refused(capsys, monkeypatch, tmp_path):
    from datetime import UTC, datetime, timedelta

    monkeypatch.setenv("WEBSTAT_LANDING_URI", str(tmp_path / "missing"))
    today = datetime.now(UTC).date()
    yesterday = today - timedelta(days=1)
    assert main(["run", "--start", str(yesterday), "--end", str(today)]) == 1
    assert capsys.readouterr().err.startswith(
        f"webstat: refusing to run {today}: it has not ended yet (UTC)"
    )
    # yesterday is over: it passes the guard and stops at the missing landing zone
    assert main(["run", "--start", str(yesterday), "--end", str(yesterday)]) == 1
    assert (
        capsys.readouterr().err
        == f"webstat: landing zone file://{tmp_path}/missing does not exist\n"
    )


def test_a_range_past_366_days_needs_yes(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("WEBSTAT_LANDING_URI", str(tmp_path / "missing"))
    missing = f"webstat: landing zone file://{tmp_path}/missing does not exist\n"
    # 2020 (a leap year, 366 days) + 2021 (365): 731 days
    assert main(["run", "--start", "2020-01-01", "--end", "2021-12-31"]) == 1
    assert capsys.readouterr().err == (
        "webstat: 2020-01-01 … 2021-12-31 is 731 days, more than 366 at once: "
        "give --yes to run them all\n"
    )
    assert main(["ingest", "--start", "2020-01-01", "--end", "2021-12-31"]) == 1
    assert "is 731 days, more than 366 at once" in capsys.readouterr().err
    # exactly 366 days, or more with --yes: on to the next check (the landing zone)
    assert main(["run", "--start", "2020-01-01", "--end", "2020-12-31"]) == 1
    assert capsys.readouterr().err == missing
    assert main(["run", "--start", "2020-01-01", "--end", "2021-12-31", "--yes"]) == 1
    assert capsys.readouterr().err == missing


def test_a_dotenv_that_is_not_utf8_is_one_line(capsys, monkeypatch, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_bytes(b"WEBSTAT_LOCALE=\xff\n")  # byte 15
    monkeypatch.setenv("WEBSTAT_ENV_FILE", str(env_file))
    assert main(["warehouse", "status"]) == 1
    assert capsys.readouterr().err == (
        f"webstat: {env_file} is not UTF-8 text (byte 0xff at offset 15): save it as UTF-8\n"
    )


def test_an_unwritable_home_is_one_line(capsys, monkeypatch, tmp_path):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("WEBSTAT_HOME", str(tmp_path / "file" / "home"))
    assert main(["warehouse", "status"]) == 1
    assert capsys.readouterr().err == (
        f"webstat: WEBSTAT_HOME={tmp_path}/file/home cannot be created or written: "
        f"{tmp_path}/file is not a folder\n"
    )


def test_a_new_home_is_owner_only(capsys, monkeypatch, tmp_path):
    home = tmp_path / "new" / "home"
    monkeypatch.setenv("WEBSTAT_HOME", str(home))
    monkeypatch.setenv("WEBSTAT_LANDING_URI", str(tmp_path / "missing"))
    assert main(["run", "--start", "2026-11-02", "--end", "2026-11-02"]) == 1
    assert home.stat().st_mode & 0o777 == 0o700
