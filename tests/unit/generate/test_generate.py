"""The synthetic raw-log generator: contract conformance, determinism, features, arguments."""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from webstat.errors import WebstatError
from webstat.generate import GenerateSummary, generate

START, END = dt.date(2026, 11, 2), dt.date(2026, 11, 4)  # three days: every feature cycles


@dataclass(frozen=True)
class Line:
    partition: dt.date
    file: str
    raw: bytes
    event: dict[str, Any] | None  # None: malformed

    @property
    def day(self) -> dt.date:
        assert self.event is not None
        return _utc(self.event["occurred_at"]).date()


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def _validator() -> jsonschema.Draft202012Validator:
    schema_file = resources.files("webstat.contracts") / "raw-event.schema.json"
    return jsonschema.Draft202012Validator(json.loads(schema_file.read_text(encoding="utf-8")))


def _read(out: Path) -> list[Line]:
    validator = _validator()
    lines = []
    for path in sorted(out.glob("date=*/*.ndjson*")):
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        assert data.endswith(b"\n")
        partition = dt.date.fromisoformat(path.parent.name.removeprefix("date="))
        for raw in data.split(b"\n")[:-1]:
            event = None
            try:
                obj = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                obj = None
            if isinstance(obj, dict) and validator.is_valid(obj):
                event = obj
            lines.append(Line(partition, path.name, raw, event))
    return lines


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[GenerateSummary, list[Line], Path]:
    out = tmp_path_factory.mktemp("landing")
    messages: list[str] = []
    summary = generate(START, END, out, seed=42, scale="small", progress=messages.append)
    assert len(messages) >= 3
    return summary, _read(out), out


@pytest.fixture(scope="module")
def events(run: tuple[GenerateSummary, list[Line], Path]) -> list[dict[str, Any]]:
    """The well-formed events, each once (duplicates dropped)."""
    seen: dict[str, dict[str, Any]] = {}
    for line in run[1]:
        if line.event is not None:
            seen.setdefault(line.event["event_id"], line.event)
    return list(seen.values())


def _by_type(events: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    return [e for e in events if e["event_type"] == event_type]


def _started(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["event_session_id"]: e for e in _by_type(events, "session.started")}


# -- the contract ---------------------------------------------------------------------


def test_counts_match_the_summary(run: tuple[GenerateSummary, list[Line], Path]) -> None:
    summary, lines, out = run
    good = [line for line in lines if line.event is not None]
    assert len(lines) - len(good) == summary.malformed_lines
    assert len(good) == summary.events + summary.duplicate_lines
    assert len({line.event["event_id"] for line in good if line.event}) == summary.events
    assert summary.files == len(list(out.glob("date=*/*.ndjson")))
    assert summary.days == 3
    # ~4 000 events a day, ~0.3 % malformed, ~0.5 % duplicated
    assert 8_000 < summary.events < 20_000
    assert 0.0015 < summary.malformed_lines / summary.events < 0.006
    assert 0.003 < summary.duplicate_lines / summary.events < 0.01


def test_every_day_has_several_files_and_bad_lines(
    run: tuple[GenerateSummary, list[Line], Path],
) -> None:
    _, lines, _ = run
    for day in (START, START + dt.timedelta(days=1), END):
        files = {line.file for line in lines if line.partition == day}
        bad = [line for line in lines if line.partition == day and line.event is None]
        assert len(files) >= 2, day
        assert len(bad) >= 3, day


def test_malformed_lines_cover_every_kind(run: tuple[GenerateSummary, list[Line], Path]) -> None:
    from webstat.generate import MALFORMED_KINDS

    summary, lines, _ = run
    # The writer cycles through the kinds in order, so this many lines use them all.
    assert summary.malformed_lines >= len(MALFORMED_KINDS)
    bad = [line.raw for line in lines if line.event is None]
    assert any(_not_utf8(raw) for raw in bad)
    assert any(raw.startswith(b"[") for raw in bad)


def _not_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def test_lines_are_utf8_json_with_literal_cyrillic(
    run: tuple[GenerateSummary, list[Line], Path],
) -> None:
    _, lines, _ = run
    good = [line.raw for line in lines if line.event is not None]
    assert all(b"\\u04" not in raw for raw in good)  # ensure_ascii=False
    assert any("Россия".encode() in raw for raw in good)
    assert all(raw.startswith(b'{"event_id":') for raw in good)


def test_timestamps_have_offsets_mostly_utc_with_millis(events: list[dict[str, Any]]) -> None:
    stamps = [e["occurred_at"] for e in events]
    utc = [s for s in stamps if s.endswith("Z")]
    moscow = [s for s in stamps if s.endswith("+03:00")]
    assert len(utc) + len(moscow) == len(stamps)
    assert len(utc) > 0.8 * len(stamps)
    assert moscow
    assert all(len(s) == len("2026-11-02T10:00:00.250Z") for s in utc)


def test_event_ids_are_unique_per_content(run: tuple[GenerateSummary, list[Line], Path]) -> None:
    _, lines, _ = run
    content: dict[str, bytes] = {}
    for line in lines:
        if line.event is not None:
            assert content.setdefault(line.event["event_id"], line.raw) == line.raw


# -- partitions and delivery -----------------------------------------------------------


def test_every_event_is_in_the_partition_of_its_delivery_day(
    run: tuple[GenerateSummary, list[Line], Path],
) -> None:
    _, lines, _ = run
    placed: dict[str, bool] = defaultdict(bool)
    for line in lines:
        if line.event is None:
            continue
        delivery = max(line.day, START)
        expected = delivery + dt.timedelta(days=1) if line.file.startswith("late-") else delivery
        # a repeated line may sit anywhere else; its first delivery must follow the rule
        placed[line.event["event_id"]] |= line.partition == expected
    assert all(placed.values())
    assert max(line.partition for line in lines) <= END + dt.timedelta(days=1)


def test_a_late_file_holds_the_previous_days_events(
    run: tuple[GenerateSummary, list[Line], Path],
) -> None:
    _, lines, _ = run
    late = [line for line in lines if line.file.startswith("late-") and line.event is not None]
    assert late
    assert all(line.day < line.partition for line in late)
    # named after the day it belongs to: late-2026-11-03-01.ndjson in date=2026-11-04
    for line in late:
        assert dt.date.fromisoformat(line.file[5:15]) == line.partition - dt.timedelta(days=1)


def test_registrations_come_days_before_the_session(events: list[dict[str, Any]]) -> None:
    started = _started(events)
    pre = [
        e for e in events if e["event_type"] in ("participant.invited", "participant.registered")
    ]
    assert pre
    for e in pre:
        session = started.get(e["event_session_id"])
        assert session is not None
        lead = _utc(session["occurred_at"]).date() - _utc(e["occurred_at"]).date()
        assert dt.timedelta(days=1) <= lead <= dt.timedelta(days=5)


def test_duplicates_repeat_a_line_in_another_file(
    run: tuple[GenerateSummary, list[Line], Path],
) -> None:
    _, lines, _ = run
    files: dict[str, set[tuple[dt.date, str]]] = defaultdict(set)
    for line in lines:
        if line.event is not None:
            files[line.event["event_id"]].add((line.partition, line.file))
    repeated = [where for where in files.values() if len(where) > 1]
    assert repeated
    for where in repeated:
        days = sorted(p for p, _ in where)
        assert (days[-1] - days[0]).days <= 1


# -- what the data exercises --------------------------------------------------------


def test_sessions_have_names_flags_and_sizes(events: list[dict[str, Any]]) -> None:
    started = _started(events)
    per_day = Counter(_utc(e["occurred_at"]).date() for e in started.values())
    assert all(8 <= n <= 14 for n in per_day.values()), per_day
    assert len({e["organization_id"] for e in started.values()}) >= 3
    names = {e["payload"]["webinar_name"] for e in started.values()}
    assert "Вебинар: аналитика данных" in names or len(names) > 5
    assert len({e["webinar_id"] for e in started.values()}) > 5


def test_durations_are_half_an_hour_to_three_hours(events: list[dict[str, Any]]) -> None:
    started = _started(events)
    for end in _by_type(events, "session.ended"):
        begin = started[end["event_session_id"]]
        length = _utc(end["occurred_at"]) - _utc(begin["occurred_at"])
        assert dt.timedelta(minutes=30) <= length <= dt.timedelta(hours=3, minutes=1)


def test_a_session_without_end(events: list[dict[str, Any]]) -> None:
    ended = {e["event_session_id"] for e in _by_type(events, "session.ended")}
    assert set(_started(events)) - ended


def test_a_session_crossing_utc_midnight(run: tuple[GenerateSummary, list[Line], Path]) -> None:
    _, lines, _ = run
    started = {
        line.event["event_session_id"]: line.day
        for line in lines
        if line.event is not None and line.event["event_type"] == "session.started"
    }
    later = [
        line
        for line in lines
        if line.event is not None
        and line.event["event_type"] == "session.ended"
        and line.day > started[line.event["event_session_id"]]
    ]
    assert later
    assert any(line.partition == line.day for line in later)  # delivered the next day


def test_open_entry_guests(events: list[dict[str, Any]]) -> None:
    open_sessions = {
        sid for sid, e in _started(events).items() if e["payload"].get("open_entry") is True
    }
    registered = {
        (e["event_session_id"], e["participant_id"])
        for e in events
        if e["event_type"] in ("participant.registered", "participant.invited")
    }
    guests = {
        e["participant_id"]
        for e in _by_type(events, "participant.joined")
        if e["event_session_id"] in open_sessions
        and e["payload"]["role"] == "participant"
        and (e["event_session_id"], e["participant_id"]) not in registered
    }
    assert guests
    all_sessions = Counter(
        e["participant_id"]
        for e in _by_type(events, "participant.joined")
        if e["participant_id"] in guests
    )
    assert all(n <= 3 for n in all_sessions.values())  # fresh id per guest, a device or two


def test_engagement_attention_events(events: list[dict[str, Any]]) -> None:
    started = _started(events)
    attention = _by_type(events, "attention.changed")
    assert attention
    assert {e["payload"]["state"] for e in attention} == {"active", "inactive"}
    assert {e["payload"].get("reason") for e in attention} >= {"tab_hidden", "window_blur"}
    assert all(started[e["event_session_id"]]["payload"]["engagement_module"] for e in attention)


def test_paid_sessions_payments_and_agreements(events: list[dict[str, Any]]) -> None:
    started = _started(events)
    payments = _by_type(events, "payment.completed")
    assert payments
    assert all(e["payload"]["currency"] == "RUB" and e["payload"]["amount"] > 0 for e in payments)
    assert all(
        started[e["event_session_id"]]["payload"]["is_paid"]
        for e in payments
        if e["event_session_id"] in started
    )
    agreements = _by_type(events, "agreement.accepted")
    assert any(
        e["payload"]["title"] == "Согласие на обработку персональных данных" for e in agreements
    )


def test_registration_kinds_and_payloads(events: list[dict[str, Any]]) -> None:
    invited = {
        (e["event_session_id"], e["participant_id"])
        for e in _by_type(events, "participant.invited")
    }
    registrations = _by_type(events, "participant.registered")
    registered = {(e["event_session_id"], e["participant_id"]) for e in registrations}
    joined = {
        (e["event_session_id"], e["participant_id"]) for e in _by_type(events, "participant.joined")
    }
    assert invited - registered  # invited, never registered
    assert registered - invited  # self-registered
    assert registered & invited  # registered by invitation
    assert registered - joined  # registered, never came
    payload = registrations[0]["payload"]
    assert {"email", "first_name", "last_name", "fields"} <= payload.keys()
    assert "Компания" in payload["fields"]
    referrers = {
        e["payload"].get("referrer", "").split("/")[2]
        for e in registrations
        if "referrer" in e["payload"]
    }
    assert {"t.me", "www.google.com", "vk.com", "yandex.ru"} <= referrers
    assert any("referrer" not in e["payload"] for e in registrations)
    assert any("utm" in e["payload"] for e in registrations)


def test_emails_differ_only_in_case_or_spaces_across_sessions(
    events: list[dict[str, Any]],
) -> None:
    spellings: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if e["event_type"] in ("participant.registered", "participant.invited"):
            spellings[e["participant_id"]].add(e["payload"]["email"])
    varied = [s for s in spellings.values() if len(s) > 1]
    assert varied
    assert all(len({x.strip().lower() for x in s}) == 1 for s in varied)
    # one person, one address: participant_id and normalised e-mail go together
    owner: dict[str, str] = {}
    for pid, emails in spellings.items():
        for email in emails:
            assert owner.setdefault(email.strip().lower(), pid) == pid


def test_people_come_back_across_days(events: list[dict[str, Any]]) -> None:
    days: dict[tuple[str, str], set[dt.date]] = defaultdict(set)
    for e in _by_type(events, "participant.joined"):
        if e["participant_id"].startswith("u-") and e["payload"]["role"] == "participant":
            days[(e["organization_id"], e["participant_id"])].add(_utc(e["occurred_at"]).date())
    assert sum(len(d) > 1 for d in days.values()) >= 5


def test_the_calendar_repeats_webinars_and_their_people_come_back(
    events: list[dict[str, Any]],
) -> None:
    """Courses and stand-ups recur on their weekdays at their usual UTC time (the host
    presses start within 3 minutes), and most of their people come back: a series to
    follow. Monday to Wednesday hold each organization's daily stand-up at 06:00 UTC."""
    sessions: dict[str, list[tuple[dt.datetime, str, str]]] = defaultdict(list)
    for e in _by_type(events, "session.started"):
        start = _utc(e["occurred_at"])
        sessions[e["webinar_id"]].append(
            (start, e["event_session_id"], e["payload"]["webinar_name"])
        )
    attended: dict[str, set[str]] = defaultdict(set)
    for e in _by_type(events, "participant.joined"):
        if e["payload"]["role"] == "participant":
            attended[e["event_session_id"]].add(e["participant_id"])
    recurring = {}
    for webinar, held in sessions.items():
        held.sort()
        minutes = [t.hour * 60 + t.minute for t, _, _ in held]
        days = {t.date() for t, _, _ in held}
        if len(held) >= 3 and len(days) == len(held) and max(minutes) - min(minutes) <= 3:
            recurring[webinar] = held
    standups = [h for h in recurring.values() if h[0][2] == "Ежедневная планёрка"]
    assert len(standups) >= 2
    assert all(len(h) == 3 and h[0][0].hour == 6 for h in standups)
    assert any(h[0][2].startswith("Курс «") for h in recurring.values())
    for held in recurring.values():
        for (_, a, _), (_, b, _) in itertools.pairwise(held):
            # more than a third of a session's people come to the next one
            assert 3 * len(attended[a] & attended[b]) > len(attended[a]), (a, b)


def test_hosts_broadcast_some_until_the_end(events: list[dict[str, Any]]) -> None:
    roles = Counter(e["payload"]["role"] for e in _by_type(events, "participant.joined"))
    assert roles["host"] and roles["admin"] and roles["participant"]
    starts = Counter(
        (e["event_session_id"], e["participant_id"]) for e in _by_type(events, "broadcast.started")
    )
    stops = Counter(
        (e["event_session_id"], e["participant_id"]) for e in _by_type(events, "broadcast.stopped")
    )
    assert any(stops[k] < n for k, n in starts.items())  # on air until the end
    assert any(n > 1 for n in starts.values())  # a pause


def _connections(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    conns: dict[str, dict[str, Any]] = {}
    for e in _by_type(events, "participant.joined"):
        conns[e["payload"]["connection_id"]] = {"join": e, "leave": None}
    for e in _by_type(events, "participant.left"):
        if e["payload"]["connection_id"] in conns:
            conns[e["payload"]["connection_id"]]["leave"] = e
    return conns


def test_connections_joins_and_leaves(events: list[dict[str, Any]]) -> None:
    started = _started(events)
    conns = _connections(events)
    joins = _by_type(events, "participant.joined")
    assert len(conns) == len(joins)  # connection ids are unique
    assert {e["payload"]["platform"] for e in joins} == {"web", "ios", "android"}
    assert any(c["leave"] is None for c in conns.values())  # a missing leave
    orphans = [
        e
        for e in _by_type(events, "participant.left")
        if e["payload"]["connection_id"] not in conns
    ]
    assert orphans
    early = [
        e
        for e in joins
        if e["payload"]["role"] == "participant"
        and _utc(e["occurred_at"]) < _utc(started[e["event_session_id"]]["occurred_at"])
    ]
    assert early
    payload = next(
        e["payload"]
        for e in joins
        if "city" in e["payload"] and e["payload"]["role"] == "participant"
    )
    assert {"chat_name", "ip", "country", "city", "user_agent"} <= payload.keys()
    assert payload["ip"].startswith(("203.0.113.", "198.51.100.", "192.0.2."))
    assert any("utm" in e["payload"] for e in joins)


def test_reconnects_and_overlapping_devices(events: list[dict[str, Any]]) -> None:
    stays: dict[tuple[str, str], list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for c in _connections(events).values():
        if c["leave"] is not None:
            join = c["join"]
            key = (join["event_session_id"], join["participant_id"])
            stays[key].append((_utc(join["occurred_at"]), _utc(c["leave"]["occurred_at"])))
    overlapping = gapped = 0
    for intervals in stays.values():
        intervals.sort()
        for (_, end1), (start2, _) in itertools.pairwise(intervals):
            overlapping += start2 < end1
            gapped += start2 > end1
    assert overlapping and gapped


def test_chat_questions_and_fire(events: list[dict[str, Any]]) -> None:
    messages = _by_type(events, "chat.message_posted")
    assert len({e["payload"]["message_id"] for e in messages}) == len(messages)
    assert any("Спасибо" in e["payload"].get("text", "") for e in messages)
    assert _by_type(events, "question.asked")
    counts = {e["payload"].get("count", 1) for e in _by_type(events, "reaction.fire")}
    assert counts == {1, 2, 3, 4, 5}


# -- determinism, gzip, progress -------------------------------------------------------


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.ndjson*"))}


def test_same_arguments_same_bytes(tmp_path: Path) -> None:
    day = dt.date(2026, 11, 3)
    a = generate(day, day + dt.timedelta(days=1), tmp_path / "a")
    b = generate(day, day + dt.timedelta(days=1), tmp_path / "b")
    assert a == b
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    generate(day, day + dt.timedelta(days=1), tmp_path / "c", seed=7)
    assert _files(tmp_path / "c") != _files(tmp_path / "a")


def test_gzip_is_byte_stable_and_holds_the_same_lines(tmp_path: Path) -> None:
    day = dt.date(2026, 11, 3)
    plain = generate(day, day, tmp_path / "plain")
    one = generate(day, day, tmp_path / "one", gzip=True)
    two = generate(day, day, tmp_path / "two", gzip=True)
    assert plain == one == two
    gz = _files(tmp_path / "one")
    assert gz == _files(tmp_path / "two")
    assert all(name.endswith(".ndjson.gz") for name in gz)
    unzipped = {name.removesuffix(".gz"): gzip.decompress(data) for name, data in gz.items()}
    assert unzipped == _files(tmp_path / "plain")


def test_progress_once_per_day_and_a_one_line_summary(tmp_path: Path) -> None:
    messages: list[str] = []
    summary = generate(START, END, tmp_path, progress=messages.append)
    assert [m[:10] for m in messages[:3]] == ["2026-11-02", "2026-11-03", "2026-11-04"]
    assert all("events in" in m and "\n" not in m for m in messages)
    text = str(summary)
    assert "\n" not in text and "events" in text and "malformed" in text


@pytest.mark.parametrize("scale", ["medium", 20_000, "20000"])
def test_scales(tmp_path: Path, scale: str | int) -> None:
    from webstat.generate import events_per_day
    from webstat.generate.world import profile_for

    per_day = events_per_day(scale)
    profile = profile_for(per_day)
    assert profile.sessions_per_day * profile.attendees_per_session > 0
    if per_day <= 20_000:
        summary = generate(START, START, tmp_path, scale=scale)
        assert 0.6 * per_day < summary.events < 1.6 * per_day


def test_tiny_scale_still_writes_a_session(tmp_path: Path) -> None:
    summary = generate(START, START, tmp_path, scale=1)
    assert summary.sessions >= 1 and summary.events > 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": END, "end": START}, "before"),
        ({"scale": "huge"}, "scale"),
        ({"scale": 0}, "at least 1"),
        ({"scale": -5}, "at least 1"),
        ({"scale": True}, "scale"),
        ({"scale": 2.5}, "scale"),
        ({"start": "2026-11-02"}, "date"),
        ({"seed": "42"}, "seed"),
    ],
)
def test_bad_arguments(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"start": START, "end": END, "out_dir": tmp_path, **kwargs}
    with pytest.raises(WebstatError, match=message) as info:
        generate(**args)
    assert "\n" not in str(info.value)
    assert not list(tmp_path.iterdir())  # nothing written


def test_an_unwritable_folder_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(WebstatError, match="cannot write") as info:
        generate(START, START, blocker / "landing")
    assert "\n" not in str(info.value)
