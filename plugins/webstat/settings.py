"""Every ``WEBSTAT_*`` setting, read and validated in one place.

Settings come from the environment; a ``.env`` file in the working directory is
read too (the environment wins). A bad value raises :class:`WebstatError` with
one line naming the variable and what is expected.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from webstat.errors import WebstatError

LOCALES = ("ru", "en")

DEFAULTS: dict[str, str] = {
    "WEBSTAT_HOME": "./.webstat",
    "WEBSTAT_LANDING_URI": "./data/landing",
    "WEBSTAT_ARTIFACTS_URI": "./data/artifacts",
    "WEBSTAT_TIMEZONE": "Europe/Moscow",
    "WEBSTAT_LOCALE": "ru",
    "WEBSTAT_S3_CONN_ID": "webstat_s3",
    "WEBSTAT_LATE_FILE_LOOKBACK_DAYS": "3",
    "WEBSTAT_MAX_REJECT_PCT": "5",
    "WEBSTAT_MASK_PII": "false",
}
"""Defaults of the settings (``WEBSTAT_WAREHOUSE_URL`` has none: unset means embedded)."""


@dataclass(frozen=True)
class Settings:
    """The validated settings of one process."""

    warehouse_url: str | None
    home: Path
    landing_uri: str
    artifacts_uri: str
    timezone: str
    locale: str
    s3_conn_id: str
    late_file_lookback_days: int
    max_reject_pct: float
    mask_pii: bool

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def embedded(self) -> bool:
        """True when webstat runs its own Postgres under ``WEBSTAT_HOME``."""
        return self.warehouse_url is None

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"


def _load_dotenv() -> None:
    env_file = Path(os.environ.get("WEBSTAT_ENV_FILE", ".env"))
    if env_file.is_file():
        from dotenv import load_dotenv

        load_dotenv(env_file, override=False)


def normalize_uri(value: str, name: str) -> str:
    """A folder, ``file://`` or ``s3://`` URI -> an absolute ``file://`` or ``s3://`` URI."""
    value = value.strip()
    if not value:
        raise WebstatError(f"{name} is empty: give a folder, file:// or s3://bucket/prefix URI")
    parts = urlsplit(value)
    if parts.scheme in ("", "file") or re.match(r"^[A-Za-z]:[\\/]", value):
        path = unquote(parts.path) if parts.scheme == "file" else value
        if parts.scheme == "file" and parts.netloc not in ("", "localhost"):
            raise WebstatError(f"{name}={value!r}: file:// URIs must be local (file:///path)")
        # not Path.as_uri(): object storage paths take the path as is, unescaped
        return f"file://{Path(path).expanduser().resolve()}"
    if parts.scheme == "s3":
        if not parts.netloc:
            raise WebstatError(f"{name}={value!r}: an S3 URI needs a bucket (s3://bucket/prefix)")
        return f"s3://{parts.netloc}/{parts.path.strip('/')}".rstrip("/")
    raise WebstatError(
        f"{name}={value!r}: unsupported scheme {parts.scheme!r} (use a folder, file:// or s3://)"
    )


def _int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise WebstatError(f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise WebstatError(f"{name}={raw!r} must be between {low} and {high}")
    return value


def _float(name: str, raw: str, low: float, high: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise WebstatError(f"{name}={raw!r} is not a number") from None
    if not low <= value <= high:
        raise WebstatError(f"{name}={raw!r} must be between {low:g} and {high:g}")
    return value


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise WebstatError(f"{name}={raw!r} must be true or false")


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read and validate the settings from ``environ`` (default: ``os.environ`` + ``.env``)."""
    if environ is None:
        _load_dotenv()
        environ = dict(os.environ)

    def get(name: str) -> str:
        return environ.get(name) or DEFAULTS[name]

    url = (environ.get("WEBSTAT_WAREHOUSE_URL") or "").strip() or None
    if url is not None:
        scheme = urlsplit(url).scheme
        if scheme not in ("postgresql", "postgres"):
            raise WebstatError(
                "WEBSTAT_WAREHOUSE_URL must look like postgresql://user:pass@host:port/db"
            )

    tz = get("WEBSTAT_TIMEZONE")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise WebstatError(
            f"WEBSTAT_TIMEZONE={tz!r} is not an IANA time zone (e.g. Europe/Moscow, UTC)"
        ) from None

    locale = get("WEBSTAT_LOCALE").lower()
    if locale not in LOCALES:
        raise WebstatError(f"WEBSTAT_LOCALE={locale!r} must be one of: {', '.join(LOCALES)}")

    return Settings(
        warehouse_url=url,
        home=Path(get("WEBSTAT_HOME")).expanduser().resolve(),
        landing_uri=normalize_uri(get("WEBSTAT_LANDING_URI"), "WEBSTAT_LANDING_URI"),
        artifacts_uri=normalize_uri(get("WEBSTAT_ARTIFACTS_URI"), "WEBSTAT_ARTIFACTS_URI"),
        timezone=tz,
        locale=locale,
        s3_conn_id=get("WEBSTAT_S3_CONN_ID"),
        late_file_lookback_days=_int(
            "WEBSTAT_LATE_FILE_LOOKBACK_DAYS", get("WEBSTAT_LATE_FILE_LOOKBACK_DAYS"), 0, 365
        ),
        max_reject_pct=_float("WEBSTAT_MAX_REJECT_PCT", get("WEBSTAT_MAX_REJECT_PCT"), 0, 100),
        mask_pii=_bool("WEBSTAT_MASK_PII", get("WEBSTAT_MASK_PII")),
    )
