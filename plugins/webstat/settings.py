"""Every ``WEBSTAT_*`` setting, read and validated in one place.

Settings come from the environment; a ``.env`` file in the working directory is
read too (the environment wins). A bad value raises :class:`WebstatError` with
one line naming the variable and what is expected.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from webstat.errors import WebstatError

LOCALES = ("ru", "en")

N = TypeVar("N", int, float)

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
    "WEBSTAT_CONNECT_TIMEOUT": "10",
    "WEBSTAT_S3_READ_TIMEOUT": "60",
    "WEBSTAT_S3_MAX_ATTEMPTS": "3",
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
    connect_timeout: int = 10
    """Seconds to wait for a warehouse or S3 connection (psycopg, botocore)."""
    s3_read_timeout: int = 60
    """Seconds an S3 call may wait for the next bytes of an answer."""
    s3_max_attempts: int = 3
    """Tries of one S3 call (the first one included) before it fails."""

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

        try:
            load_dotenv(env_file, override=False, encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise WebstatError(
                f"{env_file} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                f"{exc.start}): save it as UTF-8"
            ) from None
        except OSError as exc:
            raise WebstatError(f"cannot read {env_file}: {exc.strerror or exc}") from None


# the password runs to the LAST "@" (an unescaped "@" in it is a typical mistake too);
# masking too much of a query string is harmless, showing part of a password is not
_URL_PASSWORD = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:@/?#]*:)(?P<pw>.*)@", re.S)


def mask_url(url: str) -> str:
    """``url`` with its password (``scheme://user:PASSWORD@…``) shown as ``***``.

    Works on URLs that do not parse too (a stray ``%``), which is exactly when
    an error message wants to show one."""
    return _URL_PASSWORD.sub(lambda m: f"{m['head']}***@" if m["pw"] else m[0], url, count=1)


def scrub(text: str, url: str | None) -> str:
    """``text`` with every form of ``url``'s password replaced by ``***`` (for error messages
    of libraries that quote what they could not parse)."""
    if not url:
        return text
    found = _URL_PASSWORD.match(url)
    secrets = set()
    if found and found["pw"]:
        secrets.add(found["pw"])
        try:
            secrets.add(unquote(found["pw"], errors="strict"))
        except UnicodeDecodeError:
            pass
    try:
        from psycopg.conninfo import conninfo_to_dict

        password = conninfo_to_dict(url).get("password")
    except Exception:  # noqa: BLE001 - an unparseable URL: the regex's guess above
        password = None
    if password:
        secrets.add(str(password))
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "***")
    return text


def check_warehouse_url(url: str) -> None:
    """One line (password masked, no chained traceback) when ``url`` is not a usable
    ``postgresql://`` URI."""
    if urlsplit(url).scheme not in ("postgresql", "postgres"):
        raise WebstatError(
            "WEBSTAT_WAREHOUSE_URL must look like postgresql://user:pass@host:port/db"
        )
    from psycopg.conninfo import conninfo_to_dict

    try:
        conninfo_to_dict(url)
    except Exception as exc:  # noqa: BLE001 - psycopg.ProgrammingError and friends
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise WebstatError(
            f"WEBSTAT_WAREHOUSE_URL={mask_url(url)} cannot be parsed: {scrub(reason, url)} "
            "(write a % in the password as %25)"
        ) from None


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


def _number(
    name: str, raw: str, low: float, high: float, parse: Callable[[str], N], what: str
) -> N:
    """``raw`` read by ``parse`` (``what`` it must be, for the error) within
    ``low``…``high``; one line naming ``name`` otherwise."""
    try:
        value = parse(raw)
    except ValueError:
        raise WebstatError(f"{name}={raw!r} is not {what}") from None
    if not low <= value <= high:
        raise WebstatError(f"{name}={raw!r} must be between {low:g} and {high:g}")
    return value


def _int(name: str, raw: str, low: int, high: int) -> int:
    return _number(name, raw, low, high, int, "a whole number")


def _float(name: str, raw: str, low: float, high: float) -> float:
    return _number(name, raw, low, high, float, "a number")


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
        check_warehouse_url(url)

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
        connect_timeout=_int("WEBSTAT_CONNECT_TIMEOUT", get("WEBSTAT_CONNECT_TIMEOUT"), 1, 300),
        s3_read_timeout=_int("WEBSTAT_S3_READ_TIMEOUT", get("WEBSTAT_S3_READ_TIMEOUT"), 1, 3600),
        s3_max_attempts=_int("WEBSTAT_S3_MAX_ATTEMPTS", get("WEBSTAT_S3_MAX_ATTEMPTS"), 1, 10),
    )


def ensure_home(settings: Settings) -> Path:
    """Create ``WEBSTAT_HOME`` owner-only (0700: it holds the warehouse, Airflow's DB and
    dbt's logs) when it is missing; one line when it cannot be created or written."""
    home = settings.home
    try:
        if not home.is_dir():
            home.parent.mkdir(parents=True, exist_ok=True)
            try:
                home.mkdir(mode=0o700)
            except FileExistsError:  # another process was first (or a file is in the way)
                pass
            else:
                os.chmod(home, 0o700)  # whatever the umask
        probe = home / f".webstat-write-test-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        in_the_way = next((p for p in (home, *home.parents) if p.exists() and not p.is_dir()), None)
        why = f"{in_the_way} is not a folder" if in_the_way else (exc.strerror or str(exc))
        raise WebstatError(f"WEBSTAT_HOME={home} cannot be created or written: {why}") from None
    return home
