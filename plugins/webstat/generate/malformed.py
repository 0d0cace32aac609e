"""Bad lines, one per rule of the contract's "What counts as a bad line".

Each kind starts from a *valid* event of a suitable type (built from a real event
of the stream, so it points at a real organization and session) and breaks exactly
one rule, so the loader's reject reason is predictable. The writer cycles through
:data:`KINDS` in order, so every rule shows up after ``len(KINDS)`` bad lines.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Event = dict[str, Any]

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_CP1251_TEXT = "Здравствуйте, меня слышно?"


@dataclass(frozen=True, slots=True)
class Kind:
    """One way to break a line: ``base`` builds a valid event, ``breaks`` spoils it."""

    name: str
    rule: str  # the contract's wording of the rule the line breaks
    base: Callable[[Event], Event]
    breaks: Callable[[Event], Any]  # -> a JSON value to encode, or the line's bytes


def _envelope(
    template: Event, event_type: str, payload: Event, *, participant: bool = True
) -> Event:
    event: Event = {
        "event_id": f"{template['event_id']}-x",
        "event_type": event_type,
        "occurred_at": template["occurred_at"],
        "organization_id": template["organization_id"],
        "event_session_id": template["event_session_id"],
        "webinar_id": template.get("webinar_id"),
    }
    if participant:
        event["participant_id"] = template["participant_id"]
    event["payload"] = payload
    return event


def _chat(t: Event) -> Event:
    return _envelope(
        t, "chat.message_posted", {"message_id": f"{t['event_id']}-m", "text": _CP1251_TEXT}
    )


def _joined(t: Event) -> Event:
    payload = {"connection_id": f"{t['event_id']}-c", "role": "participant", "platform": "web",
               "chat_name": "Анна"}  # fmt: skip
    return _envelope(t, "participant.joined", payload)


def _left(t: Event) -> Event:
    return _envelope(t, "participant.left", {"connection_id": f"{t['event_id']}-c"})


def _attention(t: Event) -> Event:
    payload = {"connection_id": f"{t['event_id']}-c", "state": "inactive", "reason": "tab_hidden"}
    return _envelope(t, "attention.changed", payload)


def _started(t: Event) -> Event:
    payload = {"webinar_name": "Вебинар: аналитика данных"}
    return _envelope(t, "session.started", payload, participant=False)


def _question(t: Event) -> Event:
    payload = {"question_id": f"{t['event_id']}-q", "text": "Будет ли запись?"}
    return _envelope(t, "question.asked", payload)


def _agreement(t: Event) -> Event:
    payload = {"agreement_id": "agr-00-1", "title": "Согласие на обработку персональных данных"}
    return _envelope(t, "agreement.accepted", payload)


def _without(field: str) -> Callable[[Event], Event]:
    def breaks(e: Event) -> Event:
        del e[field]
        return e

    return breaks


def _set(field: str, value: Any) -> Callable[[Event], Event]:
    def breaks(e: Event) -> Event:
        e[field] = value
        return e

    return breaks


def _without_payload(field: str) -> Callable[[Event], Event]:
    def breaks(e: Event) -> Event:
        del e["payload"][field]
        return e

    return breaks


def _set_payload(field: str, value: str) -> Callable[[Event], Event]:
    def breaks(e: Event) -> Event:
        e["payload"][field] = value
        return e

    return breaks


def _truncated(e: Event) -> bytes:
    text = _dumps(e)  # cut as text, so the bytes stay valid UTF-8
    return text[: len(text) * 2 // 3].encode()


def _cp1251(e: Event) -> bytes:
    # A message saved in Windows-1251 by some upstream tool: not UTF-8.
    return _dumps(e).encode().replace(_CP1251_TEXT.encode(), _CP1251_TEXT.encode("cp1251"))


def _no_offset(e: Event) -> Event:
    ts: str = e["occurred_at"]
    e["occurred_at"] = ts.removesuffix("Z").removesuffix("+03:00")
    return e


def _russian_date(e: Event) -> Event:
    ts: str = e["occurred_at"]  # 2026-11-02T10:00:00... -> 02.11.2026 10:00:00
    e["occurred_at"] = f"{ts[8:10]}.{ts[5:7]}.{ts[:4]} {ts[11:19]}"
    return e


def _stringified_payload(e: Event) -> Event:
    e["payload"] = _dumps(e["payload"])  # encoded twice upstream: a string, not an object
    return e


# (kind, the event it breaks, the payload field it leaves out), in the order of KINDS
_MISSING_PAYLOAD_FIELDS: tuple[tuple[str, Callable[[Event], Event], str], ...] = (
    ("missing_webinar_name", _started, "webinar_name"),
    ("missing_joined_connection_id", _joined, "connection_id"),
    ("missing_role", _joined, "role"),
    ("missing_platform", _joined, "platform"),
    ("missing_left_connection_id", _left, "connection_id"),
    ("missing_attention_connection_id", _attention, "connection_id"),
    ("missing_state", _attention, "state"),
    ("missing_message_id", _chat, "message_id"),
    ("missing_question_id", _question, "question_id"),
    ("missing_agreement_id", _agreement, "agreement_id"),
)
# (the event, the payload field, a value outside the field's list): kind <field>_not_allowed
_VALUES_NOT_ALLOWED: tuple[tuple[Callable[[Event], Event], str, str], ...] = (
    (_joined, "role", "moderator"),
    (_joined, "platform", "smart_tv"),
    (_attention, "state", "away"),
)

KINDS: tuple[Kind, ...] = (
    Kind("not_json", "not a JSON object (truncated line)", _chat, _truncated),
    Kind("not_an_object", "not a JSON object (an array)", _chat, lambda e: [e]),
    Kind("invalid_utf8", "not valid UTF-8", _chat, _cp1251),
    Kind("missing_event_id", "required field missing", _chat, _without("event_id")),
    Kind("missing_event_type", "required field missing", _chat, _without("event_type")),
    Kind("missing_occurred_at", "required field missing", _chat, _without("occurred_at")),
    Kind("missing_organization_id", "required field missing", _chat, _without("organization_id")),
    Kind("missing_event_session_id", "required field missing", _chat,
         _without("event_session_id")),
    Kind("missing_participant_id", "required field missing", _chat, _without("participant_id")),
    Kind("missing_payload", "required field missing", _chat, _without("payload")),
    Kind("wrong_type_event_id", "required field of the wrong type", _chat,
         _set("event_id", 1730000000123)),
    Kind("wrong_type_organization_id", "required field of the wrong type", _chat,
         _set("organization_id", 17)),
    Kind("wrong_type_event_session_id", "required field of the wrong type", _chat,
         _set("event_session_id", 20261102)),
    Kind("wrong_type_participant_id", "required field of the wrong type", _chat,
         _set("participant_id", 100500)),
    Kind("wrong_type_payload", "required field of the wrong type", _chat, _stringified_payload),
    Kind("empty_event_id", "an empty event_id", _chat, _set("event_id", "")),
    Kind("occurred_at_without_offset", "occurred_at without an offset", _chat, _no_offset),
    Kind("occurred_at_not_a_timestamp", "occurred_at not a timestamp", _chat, _russian_date),
    Kind("unknown_event_type", "an event_type not in the table", _chat,
         _set("event_type", "poll.answered")),
    *(
        Kind(name, "required payload field missing", base, _without_payload(field))
        for name, base, field in _MISSING_PAYLOAD_FIELDS
    ),
    *(
        Kind(f"{field}_not_allowed", "a value outside its list", base, _set_payload(field, value))
        for base, field, value in _VALUES_NOT_ALLOWED
    ),
)  # fmt: skip
"""Every kind of bad line the generator writes, in the order it cycles through them."""


def bad_line(kind: Kind, template: Event) -> bytes:
    """The bytes of one bad line (no line end) of ``kind``, modelled on ``template``.

    ``template`` is a well-formed event with a ``participant_id``; it is not changed.
    """
    broken = kind.breaks(kind.base(template))
    if isinstance(broken, bytes):
        return broken
    return _dumps(broken).encode()
