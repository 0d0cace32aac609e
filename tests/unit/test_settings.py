"""Settings: defaults from the interface contract, and one clear line for a bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from webstat.errors import WebstatError
from webstat.settings import load_settings


def test_defaults_are_the_documented_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings({})
    assert s.warehouse_url is None and s.embedded
    assert s.home == tmp_path / ".webstat"
    assert s.landing_uri == f"file://{tmp_path}/data/landing"
    assert s.artifacts_uri == f"file://{tmp_path}/data/artifacts"
    assert (s.timezone, s.locale, s.s3_conn_id) == ("Europe/Moscow", "ru", "webstat_s3")
    assert s.late_file_lookback_days == 3
    assert s.max_reject_pct == 5.0
    assert s.mask_pii is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/data/landing", "file:///data/landing"),
        ("file:///data/landing/", "file:///data/landing"),
        ("file:///data/my%20landing", "file:///data/my landing"),
        ("s3://bucket/raw/webinar-platform/", "s3://bucket/raw/webinar-platform"),
        ("s3://bucket", "s3://bucket"),
    ],
)
def test_landing_uris_are_normalised(value, expected):
    assert load_settings({"WEBSTAT_LANDING_URI": value}).landing_uri == expected


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WEBSTAT_TIMEZONE": "Mars/Olympus"}, "WEBSTAT_TIMEZONE='Mars/Olympus' is not an IANA"),
        ({"WEBSTAT_LOCALE": "de"}, "WEBSTAT_LOCALE='de' must be one of: ru, en"),
        ({"WEBSTAT_LANDING_URI": "ftp://x/y"}, "unsupported scheme 'ftp'"),
        ({"WEBSTAT_ARTIFACTS_URI": "s3://"}, "needs a bucket"),
        ({"WEBSTAT_WAREHOUSE_URL": "mysql://u@h/db"}, "must look like postgresql://"),
        ({"WEBSTAT_LATE_FILE_LOOKBACK_DAYS": "three"}, "is not a whole number"),
        ({"WEBSTAT_MAX_REJECT_PCT": "150"}, "must be between 0 and 100"),
        ({"WEBSTAT_MASK_PII": "maybe"}, "WEBSTAT_MASK_PII='maybe' must be true or false"),
    ],
)
def test_a_bad_value_names_the_variable(env, message):
    with pytest.raises(WebstatError, match=message.replace("(", r"\(")) as info:
        load_settings(env)
    assert "\n" not in str(info.value)


def test_a_dotenv_file_is_read_and_the_environment_wins(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("WEBSTAT_LOCALE=en\nWEBSTAT_TIMEZONE=UTC\n")
    monkeypatch.setenv("WEBSTAT_ENV_FILE", str(env_file))
    monkeypatch.setenv("WEBSTAT_TIMEZONE", "Asia/Yekaterinburg")
    monkeypatch.delenv("WEBSTAT_LOCALE", raising=False)
    s = load_settings()
    assert (s.locale, s.timezone) == ("en", "Asia/Yekaterinburg")
    monkeypatch.delenv("WEBSTAT_LOCALE", raising=False)  # load_dotenv set it for this process


def test_home_expands_user(monkeypatch):
    s = load_settings({"WEBSTAT_HOME": "~/ws"})
    assert s.home == Path("~/ws").expanduser()


def test_network_bounds_have_documented_defaults_and_limits():
    s = load_settings({})
    assert (s.connect_timeout, s.s3_read_timeout, s.s3_max_attempts) == (10, 60, 3)
    s = load_settings(
        {
            "WEBSTAT_CONNECT_TIMEOUT": "2",
            "WEBSTAT_S3_READ_TIMEOUT": "5",
            "WEBSTAT_S3_MAX_ATTEMPTS": "1",
        }
    )
    assert (s.connect_timeout, s.s3_read_timeout, s.s3_max_attempts) == (2, 5, 1)
    with pytest.raises(
        WebstatError, match=r"WEBSTAT_CONNECT_TIMEOUT='0' must be between 1 and 300"
    ):
        load_settings({"WEBSTAT_CONNECT_TIMEOUT": "0"})
    with pytest.raises(
        WebstatError, match=r"WEBSTAT_S3_MAX_ATTEMPTS='11' must be between 1 and 10"
    ):
        load_settings({"WEBSTAT_S3_MAX_ATTEMPTS": "11"})


def test_a_url_with_a_stray_percent_is_one_line_with_the_password_masked():
    """psycopg's own error quotes the token it could not decode: the password itself."""
    import traceback

    url = "postgresql://bob:s3cr%zzet@db.example:5432/wh"
    with pytest.raises(WebstatError) as info:
        load_settings({"WEBSTAT_WAREHOUSE_URL": url})
    assert str(info.value) == (
        "WEBSTAT_WAREHOUSE_URL=postgresql://bob:***@db.example:5432/wh cannot be parsed: "
        'invalid percent-encoded token: "***" (write a % in the password as %25)'
    )
    # what an Airflow task log would print: the whole chain, and nothing of the secret
    printed = "".join(traceback.format_exception(info.value))
    assert "s3cr" not in printed and "zzet" not in printed
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql://bob:pw@h:5432/db", "postgresql://bob:***@h:5432/db"),
        ("postgresql://bob:p@ss@h/db", "postgresql://bob:***@h/db"),  # an unescaped @
        ("postgresql://bob@h/db", "postgresql://bob@h/db"),
        ("postgresql://postgres:@/postgres?host=/x", "postgresql://postgres:@/postgres?host=/x"),
    ],
)
def test_mask_url_hides_every_character_of_the_password(url, masked):
    from webstat.settings import mask_url

    assert mask_url(url) == masked


def test_a_dotenv_file_that_is_not_utf8_is_one_line(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    # "WEBSTAT_LOCALE=en\n" is 18 bytes, "# caf" 5 more: the Latin-1 é is byte 23
    env_file.write_bytes(b"WEBSTAT_LOCALE=en\n# caf\xe9\n")
    monkeypatch.setenv("WEBSTAT_ENV_FILE", str(env_file))
    with pytest.raises(WebstatError) as info:
        load_settings()
    assert (
        str(info.value)
        == f"{env_file} is not UTF-8 text (byte 0xe9 at offset 23): save it as UTF-8"
    )


def test_the_home_is_created_owner_only(tmp_path):
    from webstat.settings import ensure_home

    home = ensure_home(load_settings({"WEBSTAT_HOME": str(tmp_path / "a" / "home")}))
    assert home.stat().st_mode & 0o777 == 0o700


def test_a_home_that_cannot_be_created_is_one_line(tmp_path):
    from webstat.settings import ensure_home

    (tmp_path / "file").write_text("x")
    with pytest.raises(WebstatError) as info:
        ensure_home(load_settings({"WEBSTAT_HOME": str(tmp_path / "file" / "home")}))
    assert str(info.value) == (
        f"WEBSTAT_HOME={tmp_path}/file/home cannot be created or written: "
        f"{tmp_path}/file is not a folder"
    )
