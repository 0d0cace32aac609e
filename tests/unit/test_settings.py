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
