"""The embedded warehouse: Postgres from the ``pgserver`` wheel under ``WEBSTAT_HOME``.

It is started with ``cleanup_mode=None`` on purpose: pgserver's default stops the
server when the last Python process that asked for it exits, which would cut
off every later ``webstat`` command, Airflow task and BI client. So the server
runs until ``webstat warehouse stop``; any later command that needs it starts
it again (≈ 0.6 s) or reuses the running one.

It listens on a Unix socket only (inside the data dir), never on a TCP port.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

from webstat.errors import WebstatError

# initdb/postgres write a lot of INFO lines through pgserver's logger
logging.getLogger("pgserver").setLevel(logging.WARNING)
# platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its fallback is fine
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

# Bulk-load friendly settings for a single-user analytics server. Losing the
# last few hundred ms of commits on a crash is acceptable: every load is
# idempotent and is simply rerun. The embedded server has no replicas and no
# point-in-time recovery (back it up with pg_dump), so its WAL is minimal: a table
# dbt creates fills without writing its rows to the WAL a second time (the 10 M-event
# day's first build: 227 -> 211 s).
SERVER_SETTINGS = {
    "synchronous_commit": "off",
    "shared_buffers": "256MB",
    "work_mem": "64MB",
    "maintenance_work_mem": "256MB",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "15min",
    "wal_level": "minimal",
    "max_wal_senders": "0",
}


def _postmaster_info(pgdata: Path):
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    return info if info is not None and info.is_running() else None


def running_uri(pgdata: Path) -> str | None:
    """The URI of the running embedded server, or None when it is not running."""
    info = _postmaster_info(pgdata)
    return info.get_uri() if info is not None else None


def start(pgdata: Path) -> str:
    """Start (or reuse) the embedded server and return its URI."""
    uri = running_uri(pgdata)
    if uri is not None:
        return uri
    import pgserver

    home = pgdata.parent
    _make_home(home)
    private = home.stat().st_mode & 0o077 == 0
    fresh = not (pgdata / "PG_VERSION").exists()
    if not fresh:
        _tune(pgdata)  # a warehouse made by an older webstat gets the settings it lacks
    try:
        server = pgserver.get_server(pgdata, cleanup_mode=None)
    except Exception as exc:
        log = pgdata / "log"
        hint = f" (see {log})" if log.exists() else ""
        raise WebstatError(
            f"could not start the embedded Postgres in {pgdata}: {exc}{hint}"
        ) from exc
    if private and home.stat().st_mode & 0o077 != 0:
        # as root, pgserver runs Postgres as the system user "pgserver" and opens every
        # folder above pgdata to g+rx,o+rx; that user needs to pass through the home,
        # nobody needs to list or read it: 0711
        os.chmod(home, 0o711)
    if fresh:
        # settings in postgresql.auto.conf take effect on a restart
        _tune(pgdata)
        _pg_ctl(pgdata, "-w", "-m", "fast", "stop")
    if fresh or running_uri(pgdata) is None:
        # pgserver keeps one handle per process and hands it back without starting
        # anything: after a stop (ours, or someone's `webstat warehouse stop`) start it
        with server._lock:
            server.ensure_postgres_running()
    return server.get_uri()


def _make_home(home: Path) -> None:
    """The folder that holds ``pgdata`` (``WEBSTAT_HOME``): created owner-only (0700).
    (pgdata itself is 0700, made by initdb.)"""
    if home.is_dir():
        return
    try:
        home.parent.mkdir(parents=True, exist_ok=True)
        home.mkdir(mode=0o700, exist_ok=True)
        os.chmod(home, 0o700)
    except OSError as exc:
        raise WebstatError(f"cannot create {home}: {exc.strerror or exc}") from None


_WAL_USES = {"wal_level", "max_wal_senders", "archive_mode"}
"""Settings that tie the WAL's level together: one set by the server's user (replicas,
archiving) and a minimal WAL added beside it would keep Postgres from starting."""


def _tune(pgdata: Path) -> None:
    """Add each of :data:`SERVER_SETTINGS` that ``postgresql.auto.conf`` does not set yet
    (one set there already, by us or by ``ALTER SYSTEM``, is left as it is); they take
    effect when the server starts."""
    conf = pgdata / "postgresql.auto.conf"
    text = conf.read_text() if conf.exists() else ""
    present = {line.split("=", 1)[0].strip() for line in text.splitlines() if "=" in line}
    missing = {k: v for k, v in SERVER_SETTINGS.items() if k not in present}
    if present & _WAL_USES:
        # its user streams or archives the WAL: a minimal one would stop the server
        missing = {k: v for k, v in missing.items() if k not in _WAL_USES}
    if not missing:
        return
    with conf.open("a") as fh:
        fh.write("# webstat: bulk-load settings (see webstat/warehouse/embedded.py)\n")
        fh.writelines(f"{k} = '{v}'\n" for k, v in missing.items())


def _pg_ctl(pgdata: Path, *args: str) -> None:
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]  # made at import

    user = "pgserver" if os.name == "posix" and os.geteuid() == 0 else None
    pg_ctl(list(args), pgdata=pgdata, user=user)


def stop(pgdata: Path) -> bool:
    """Stop the embedded server; False when it was not running."""
    if _postmaster_info(pgdata) is None:
        return False
    _pg_ctl(pgdata, "-w", "-m", "fast", "stop")
    return True
