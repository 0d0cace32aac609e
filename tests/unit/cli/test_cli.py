"""The `webstat` command through its parser and entry point."""

from __future__ import annotations

import pytest

from webstat.cli import build_parser, main


def _subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices


def test_every_command_has_help_text():
    for name, sub in _subcommands().items():
        assert sub.description, f"{name} has no description"
        for action in sub._actions:
            if action.dest != "help":
                assert action.help, f"{name} {action.dest} has no help"
    assert set(_subcommands()) >= {"generate", "run", "report", "warehouse", "demo"}


@pytest.mark.parametrize(
    "argv",
    [["generate", "--start", "2026-11-01"], ["run", "--start", "nope", "--end", "2026-11-02"],
     ["generate", "--start", "2026-11-01", "--end", "2026-11-02", "--scale", "huge"],
     ["warehouse", "explode"], []],
)  # fmt: skip
def test_bad_arguments_exit_non_zero(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "error:" in capsys.readouterr().err


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


def test_an_unreachable_warehouse_is_one_line_and_exit_1(capsys, monkeypatch):
    monkeypatch.setenv("WEBSTAT_WAREHOUSE_URL", "postgresql://u:secret@127.0.0.1:1/db")
    assert main(["warehouse", "status"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("webstat: cannot connect to the warehouse:") and err.count("\n") == 1
    assert "secret" not in err
