"""Hand-made mart rows for the report unit tests: the renderers are handed rows, as the
data layer reads them (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from webstat.reports.columns import field_key
from webstat.reports.data import GROUPS, Fields, SessionReport, group_of

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def session(**over: Any) -> dict[str, Any]:
    row = {
        "event_session_id": "es-u",
        "organization_id": "org",
        "webinar_id": "w",
        "webinar_name": "Вебинар",
        "status": "ended",
        "started_at": T0,
        "ended_at": T0 + timedelta(hours=2),
        "end_inferred": False,
        "duration_seconds": 7200,
        "is_paid": False,
        "engagement_module": False,
        "invited_count": 0,
        "registered_count": 1,
        "attendees_count": 1,
        "participants_count": 1,
        "hosts_count": 0,
        "new_participants_count": 1,
        "returning_participants_count": 0,
        "guest_participants_count": 0,
        "joined_late_count": 0,
        "left_early_count": 0,
        "low_presence_count": 0,
        "no_show_count": 0,
        "messages_count": 0,
        "questions_count": 0,
        "fires_count": 0,
        "peak_concurrent_participants": 1,
        "avg_presence_pct": Decimal("50.00"),
        "host_active_started_at": None,
        "host_active_ended_at": None,
        "host_active_seconds": 0,
        "host_active_pct": None,
        "report_date": date(2026, 11, 2),
    }
    row.update(over)
    return row


def participant(i: int, **over: Any) -> dict[str, Any]:
    row = {
        "event_session_id": "es-u",
        "participant_id": f"u-{i}",
        "email": f"u{i}@example.com",
        "is_guest": False,
        "first_name": f"Имя{i}",
        "last_name": f"Фамилия{i}",
        "full_name": f"Имя{i} Фамилия{i}",
        "registration_fields": None,
        "chat_name": None,
        "role": "participant",
        "visitor_type": "new",
        "payment_status": None,
        "registration_status": "self_registered",
        "invited_at": None,
        "registered_at": T0 - timedelta(days=1),
        "referrer_source": "direct",
        "utm_source": None,
        "utm_medium": None,
        "utm_campaign": None,
        "utm_content": None,
        "utm_term": None,
        "platforms": "web",
        "primary_platform": "web",
        "webinar_name": "Вебинар",
        "report_date": date(2026, 11, 2),
        "country": None,
        "city": None,
        "last_ip": None,
        "first_joined_at": T0,
        "last_left_at": T0 + timedelta(hours=1),
        "connections_count": 1,
        "presence_seconds": 3600,
        "presence_pct": Decimal("50.00"),
        "messages_count": 0,
        "messages_pct": None,
        "questions_count": 0,
        "questions_pct": None,
        "fires_count": 0,
        "active_seconds": None,
        "active_pct": None,
        "host_window_presence_pct": Decimal("33.33"),
        "rating": Decimal("30.0"),
        "agreements": None,
        "joined_late": False,
        "left_early": True,
        "low_presence": True,
        "has_attended": True,
    }
    row.update(over)
    return row


MINUTE_COUNTS = ("joins_count", "leaves_count", "messages_count", "questions_count")


def attendance(minutes: int = 3) -> list[dict[str, Any]]:
    """One participant online each minute; a fire in each minute, no other event."""
    return [
        {
            "minute_at": T0 + timedelta(minutes=i),
            "participants_online": 1,
            **dict.fromkeys(MINUTE_COUNTS, 0),
            "fires_count": 1,
        }
        for i in range(minutes)
    ]


def people(participants: list[dict[str, Any]]) -> dict[str, Any]:
    """What the data layer reads of these participants (in report order: attendees,
    staff, no-shows), each registration field under its own key, in first-seen order."""
    labels: dict[str, None] = {}
    for p in participants:
        labels.update(dict.fromkeys(p.get("registration_fields") or {}))
    fields = Fields(tuple(labels))
    rows = [
        {
            **p,
            **{
                field_key(i): (p.get("registration_fields") or {}).get(k)
                for i, k in enumerate(labels)
            },
        }
        for p in participants
    ]
    groups = [group_of(p) for p in rows]
    return {
        "participants": iter([p for p in rows if group_of(p) != "no_shows"]),
        "no_shows": iter([p for p in rows if group_of(p) == "no_shows"]),
        "first_participants": rows[:1000],
        "group_counts": {g: groups.count(g) for g in GROUPS},
        "fields": fields,
    }


def session_report(
    session_row: dict[str, Any],
    participants: list[dict[str, Any]],
    connections: list[dict[str, Any]] | None = None,
    **over: Any,
) -> SessionReport:
    """What the data layer would read for a session with these rows (3 minutes online,
    one source, one device), as :func:`webstat.reports.data.read_session` returns it."""
    fields: dict[str, Any] = {
        **people(participants),
        "session": session_row,
        "connections": iter(connections or []),
        "attendance": attendance(),
        "sources": [
            {"referrer_source": "direct", "participants_count": 1, "share_pct": Decimal("100.00")}
        ],
        "devices": [{"platform": "web", "participants_count": 1, "share_pct": Decimal("100.00")}],
    }
    fields.update(over)
    return SessionReport(**fields)


@pytest.fixture()
def rows():
    return {
        "session": session,
        "participant": participant,
        "report": session_report,
        "people": people,
    }


@pytest.fixture()
def written(monkeypatch):
    """What the renderer hands WeasyPrint: ``written["html"]`` (and the fetcher it used),
    while the real ``write_pdf`` still writes the file."""
    seen: dict = {}
    from webstat.reports import pdf

    original = pdf.write_pdf

    def capture(html, path, fetcher=None):
        seen["html"] = html
        seen["fetcher"] = original(html, path, fetcher)
        return seen["fetcher"]

    monkeypatch.setattr(pdf, "write_pdf", capture)
    return seen


@pytest.fixture()
def pdf_text_of():
    """All text of a PDF with white space (incl. no-break spaces) collapsed."""
    import re

    from pypdf import PdfReader

    def read(path) -> str:
        text = " ".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)
        return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()

    return read
