"""The line validator against the raw-log contract: one bad line per rule."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from webstat.ingest import validate as v
from webstat.ingest.validate import Rejected, parse_line

BASE = {
    "event_id": "e-1",
    "event_type": "participant.joined",
    "occurred_at": "2026-11-02T10:01:10.250Z",
    "organization_id": "org-1",
    "event_session_id": "es-1",
    "webinar_id": "w-1",
    "participant_id": "u-7",
    "payload": {
        "connection_id": "c-1",
        "role": "participant",
        "platform": "web",
        "chat_name": "Анна",
        "utm": {"source": "telegram"},
    },
}

GOOD_PAYLOADS = {
    "session.started": {"webinar_name": "Вебинар", "is_paid": True},
    "session.ended": {},
    "participant.invited": {"email": "a@example.com"},
    "participant.registered": {},
    "participant.joined": BASE["payload"],
    "participant.left": {"connection_id": "c-1"},
    "chat.message_posted": {"message_id": "m-1", "text": "Привет"},
    "question.asked": {"question_id": "q-1"},
    "reaction.fire": {"count": 3},
    "attention.changed": {"connection_id": "c-1", "state": "inactive", "reason": "tab_hidden"},
    "broadcast.started": {},
    "broadcast.stopped": {},
    "payment.completed": {"amount": 990.5, "currency": "RUB"},
    "agreement.accepted": {"agreement_id": "a-1", "title": "Согласие"},
}


def line(**changes) -> bytes:
    obj = json.loads(json.dumps(BASE))
    for key, value in changes.items():
        if value is _DROP:
            obj.pop(key, None)
        else:
            obj[key] = value
    return json.dumps(obj, ensure_ascii=False).encode()


_DROP = object()


def code_of(raw: bytes) -> str:
    with pytest.raises(Rejected) as info:
        parse_line(raw)
    return info.value.code


def test_a_good_line_becomes_a_typed_event():
    ev = parse_line(line())
    assert ev.event_id == "e-1"
    assert ev.occurred_at == "2026-11-02T10:01:10.250000+00:00"
    assert ev.participant_id == "u-7"
    assert json.loads(ev.payload)["chat_name"] == "Анна"


@pytest.mark.parametrize("event_type", sorted(GOOD_PAYLOADS))
def test_every_event_type_with_its_required_payload_is_accepted(event_type):
    extra = {"participant_id": _DROP} if event_type.startswith("session.") else {}
    ev = parse_line(line(event_type=event_type, payload=GOOD_PAYLOADS[event_type], **extra))
    assert ev.event_type == event_type


def test_offsets_other_than_utc_are_kept_as_instants():
    ev = parse_line(line(occurred_at="2026-11-02T13:00:00+03:00"))
    assert ev.occurred_at == "2026-11-02T13:00:00+03:00"


def test_unknown_payload_fields_are_kept():
    payload = dict(BASE["payload"], shiny_new_field={"x": 1})
    assert json.loads(parse_line(line(payload=payload)).payload)["shiny_new_field"] == {"x": 1}


# a required payload field of the event type left out: MISSING_PAYLOAD_FIELD
MISSING_PAYLOAD_LINES = {
    "join without connection_id": line(payload={"role": "participant", "platform": "web"}),
    "join without role": line(payload={"connection_id": "c", "platform": "web"}),
    "join without platform": line(payload={"connection_id": "c", "role": "host"}),
    "left without connection_id": line(event_type="participant.left", payload={}),
    "attention without state": line(event_type="attention.changed", payload={"connection_id": "c"}),
    "session.started without webinar_name": line(event_type="session.started", payload={}),
    "message without message_id": line(event_type="chat.message_posted", payload={"text": "hi"}),
    "question without question_id": line(event_type="question.asked", payload={}),
    "agreement without agreement_id": line(event_type="agreement.accepted", payload={"title": "t"}),
    "invitation without email": line(event_type="participant.invited", payload={}),
}

BAD_LINES = {
    "invalid utf-8": (b'{"event_id":"\xff\xfe"}', v.INVALID_UTF8),
    "not json": (b"this is not json", v.INVALID_JSON),
    "truncated json": (line()[:-5], v.INVALID_JSON),
    "NaN is not JSON": (line(payload={"x": 1})[:-2] + b', "y": NaN}}', v.INVALID_JSON),
    "an array": (b"[1, 2, 3]", v.NOT_AN_OBJECT),
    "a string": (b'"event"', v.NOT_AN_OBJECT),
    "missing event_id": (line(event_id=_DROP), v.MISSING_FIELD),
    "empty event_id": (line(event_id=""), v.EMPTY_EVENT_ID),
    "event_id too long": (line(event_id="x" * 129), v.EVENT_ID_TOO_LONG),
    "event_id a number": (line(event_id=17), v.WRONG_TYPE),
    "missing event_type": (line(event_type=_DROP), v.MISSING_FIELD),
    "unknown event_type": (line(event_type="participant.teleported"), v.UNKNOWN_EVENT_TYPE),
    "missing occurred_at": (line(occurred_at=_DROP), v.MISSING_FIELD),
    "occurred_at without offset": (line(occurred_at="2026-11-02T10:00:00"), v.NO_OFFSET),
    "occurred_at not a timestamp": (line(occurred_at="yesterday"), v.BAD_TIMESTAMP),
    "occurred_at month 13": (line(occurred_at="2026-13-02T10:00:00Z"), v.BAD_TIMESTAMP),
    "occurred_at a number": (line(occurred_at=1762077600), v.WRONG_TYPE),
    "missing organization_id": (line(organization_id=_DROP), v.MISSING_FIELD),
    "missing event_session_id": (line(event_session_id=_DROP), v.MISSING_FIELD),
    "participant_id missing on a join": (line(participant_id=_DROP), v.MISSING_FIELD),
    "webinar_id a number": (line(webinar_id=5), v.WRONG_TYPE),
    "missing payload": (line(payload=_DROP), v.MISSING_FIELD),
    "payload a list": (line(payload=[]), v.WRONG_TYPE),
    **{name: (raw, v.MISSING_PAYLOAD_FIELD) for name, raw in MISSING_PAYLOAD_LINES.items()},
    "role not in list": (
        line(payload={"connection_id": "c", "role": "king", "platform": "web"}),
        v.VALUE_NOT_ALLOWED,
    ),
    "platform not in list": (
        line(payload={"connection_id": "c", "role": "host", "platform": "tv"}),
        v.VALUE_NOT_ALLOWED,
    ),
    "state not in list": (
        line(event_type="attention.changed", payload={"connection_id": "c", "state": "asleep"}),
        v.VALUE_NOT_ALLOWED,
    ),
    "is_paid a string": (
        line(event_type="session.started", payload={"webinar_name": "w", "is_paid": "yes"}),
        v.WRONG_TYPE,
    ),
    "fire count zero": (line(event_type="reaction.fire", payload={"count": 0}), v.WRONG_TYPE),
    "utm a string": (line(payload=dict(BASE["payload"], utm="telegram")), v.WRONG_TYPE),
    "occurred_at in year 1": (line(occurred_at="0001-01-01T00:00:00+05:45"), v.OUT_OF_RANGE),
    "occurred_at in 9999": (line(occurred_at="9999-12-31T23:59:59Z"), v.OUT_OF_RANGE),
    "fire count past 32 bits": (
        line(event_type="reaction.fire", payload={"count": 2**31}),
        v.WRONG_TYPE,
    ),
    "NUL in a string": (line(payload=dict(BASE["payload"], chat_name="a\u0000b")), v.NUL_CHARACTER),
    # contract v2: lengths (ids 128, names 1,000, any other string 10,000 characters)
    "event_session_id of 3,000 characters": (line(event_session_id="s" * 3000), v.STRING_TOO_LONG),
    "participant_id of 129 characters": (line(participant_id="п" * 129), v.STRING_TOO_LONG),
    "organization_id of 129 characters": (line(organization_id="o" * 129), v.STRING_TOO_LONG),
    "webinar_id of 129 characters": (line(webinar_id="w" * 129), v.STRING_TOO_LONG),
    "connection_id of 129 characters": (
        line(payload=dict(BASE["payload"], connection_id="c" * 129)),
        v.STRING_TOO_LONG,
    ),
    "chat_name of 1,001 characters": (
        line(payload=dict(BASE["payload"], chat_name="я" * 1001)),
        v.STRING_TOO_LONG,
    ),
    "webinar_name of 1,001 characters": (
        line(event_type="session.started", payload={"webinar_name": "w" * 1001}),
        v.STRING_TOO_LONG,
    ),
    "agreement title of 1,001 characters": (
        line(event_type="agreement.accepted", payload={"agreement_id": "a", "title": "t" * 1001}),
        v.STRING_TOO_LONG,
    ),
    "user_agent of 10,001 characters": (
        line(payload=dict(BASE["payload"], user_agent="u" * 10_001)),
        v.STRING_TOO_LONG,
    ),
    "a nested unknown string of 10,001 characters": (
        line(payload=dict(BASE["payload"], extra={"deep": ["x" * 10_001]})),
        v.STRING_TOO_LONG,
    ),
    # contract v2: numbers the warehouse cannot hold exactly
    "a number of 1e-20000": (
        line(payload=dict(BASE["payload"], n=1)).replace(b'"n": 1', b'"n": 1e-20000'),
        v.NUMBER_OUT_OF_RANGE,
    ),
    "a number of 1e400": (
        line(payload=dict(BASE["payload"], n=1)).replace(b'"n": 1', b'"n": 1e400'),
        v.NUMBER_OUT_OF_RANGE,
    ),
    "an integer of 4,301 digits": (
        line(payload=dict(BASE["payload"], n=1)).replace(b'"n": 1', b'"n": 1' + b"0" * 4300),
        v.NUMBER_OUT_OF_RANGE,
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_LINES))
def test_each_contract_rule_rejects_with_its_own_reason(name):
    raw, expected = BAD_LINES[name]
    assert code_of(raw) == expected


def test_the_reason_is_readable():
    with pytest.raises(Rejected) as info:
        parse_line(line(payload={"connection_id": "c", "role": "king", "platform": "web"}))
    assert str(info.value) == (
        "value_not_allowed: payload.role 'king' is not one of admin, host, participant"
    )


SCHEMA = json.loads(
    (resources.files("webstat.contracts") / "raw-event.schema.json").read_text(encoding="utf-8")
)

# Rules a JSON schema cannot express (bytes, JSON syntax, NUL, date validity).
NOT_IN_SCHEMA = {
    v.INVALID_UTF8,
    v.INVALID_JSON,
    v.NUL_CHARACTER,
    v.OUT_OF_RANGE,
    v.NUMBER_OUT_OF_RANGE,
}
# the schema names each field's limit; "any other string" has no JSON-schema spelling
SCHEMA_CANNOT_SAY = {
    "user_agent of 10,001 characters",
    "a nested unknown string of 10,001 characters",
}


@pytest.mark.parametrize("name", sorted(BAD_LINES))
def test_the_schema_copy_agrees_on_every_bad_line(name):
    raw, code = BAD_LINES[name]
    if (
        code in NOT_IN_SCHEMA
        or name in SCHEMA_CANNOT_SAY
        or name in ("occurred_at month 13", "fire count past 32 bits")
    ):
        pytest.skip("not expressible in JSON schema")
    obj = json.loads(raw)
    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(obj)


@pytest.mark.parametrize("event_type", sorted(GOOD_PAYLOADS))
def test_the_schema_copy_agrees_on_every_good_line(event_type):
    extra = {"participant_id": _DROP} if event_type.startswith("session.") else {}
    obj = json.loads(line(event_type=event_type, payload=GOOD_PAYLOADS[event_type], **extra))
    jsonschema.Draft202012Validator(SCHEMA).validate(obj)


# --- check_line: the loader's fast verdict must be parse_line's, line for line ----------

TRICKY = [
    line(occurred_at="2026-11-02t13:00:00.1234567+03:00"),  # accepted, normalised instant
    line(occurred_at="2026-11-02 10:01:10Z"),
    line(occurred_at="2000-01-01T00:30:00+01:00"),  # 1999 in UTC: out of range
    line(occurred_at="2099-12-31T23:30:00-01:00"),  # 2100 in UTC: out of range
    line(occurred_at="2026-02-30T10:00:00Z"),  # no such day
    line(occurred_at="2026-11-02T24:00:00Z"),
    line(payload={**BASE["payload"], "big": 10**40}),
    b'{"event_id":"e","event_id":"e-2","event_type":"session.ended","occurred_at":'
    b'"2026-11-02T10:00:00Z","organization_id":"o","event_session_id":"s","payload":{}}',
    json.dumps({**BASE, "payload": {**BASE["payload"], "x": "😀"}}).encode(),  # \ud83d\ude00
    json.dumps({**BASE, "extra": "\ud800"}).encode(),  # lone surrogate outside the envelope
    json.dumps({**BASE, "payload": {**BASE["payload"], "chat_name": "\ud800"}}).encode(),
    line(payload={**BASE["payload"], "n": 1e308}).replace(b"1e+308", b"1e999"),
    line(payload={**BASE["payload"], "nul": "a\u0000b"}),
    line(event_id="x" * 128),
    line(event_id="x" * 129),
    line(participant_id=None),
    line(event_type="session.started", participant_id=None, payload={"webinar_name": "w"}),
    line(event_type="session.started", participant_id=5, payload={"webinar_name": "w"}),
    line(webinar_id=""),
    line(webinar_id=7),
    line(organization_id=""),
    b"[" * 5000 + b"]" * 5000,
    b'{"event_id": "e"} trailing',
    line().replace(b'"event_type"', b'\r\n"event_type"'),
    line().replace(b'"event_type"', b'\t"event_type"'),
    "\ufeff".encode() + line(),  # a BOM inside the file (only a first line's is stripped)
    line(event_type="reaction.fire", payload={"count": True}),
    line(event_type="reaction.fire", payload={"count": 2**31}),
    line(event_type="session.started", payload={"webinar_name": "w", "is_paid": 1}),
    line(payload={**BASE["payload"], "utm": {"source": 1}}),
    # contract v2: the limits, on both sides of each
    line(event_session_id="s" * 128),
    line(event_session_id="s" * 129),
    line(participant_id="p" * 3200),
    line(payload={**BASE["payload"], "chat_name": "я" * 1000}),
    line(payload={**BASE["payload"], "chat_name": "я" * 1001}),
    line(payload={**BASE["payload"], "user_agent": "u" * 10_000}),
    line(payload={**BASE["payload"], "user_agent": "u" * 10_001}),
    line(payload={**BASE["payload"], "k" * 10_001: 1}),
    line(payload={**BASE["payload"], "n": 1}).replace(b'"n": 1', b'"n": 1e-20000'),
    line(payload={**BASE["payload"], "n": 1}).replace(b'"n": 1', b'"n": 1e-16383'),
    line(payload={**BASE["payload"], "n": 1}).replace(b'"n": 1', b'"n": 1.5e-16383'),
    line(payload={**BASE["payload"], "n": 1}).replace(b'"n": 1', b'"n": 1e-400'),
    line(payload={**BASE["payload"], "n": 10**308}),
    line(payload={**BASE["payload"], "n": 10**309}),  # an integer: held exactly
    line(payload={**BASE["payload"], "n": 1}).replace(b'"n": 1', b'"n": 1' + b"0" * 4299),
    line(payload={**BASE["payload"], "n": -(10**309)}),
    line(payload={**BASE["payload"], "n": 1}).replace(b'"n": 1', b'"n": 1' + b"0" * 5000),
    line(payload={**BASE["payload"], "digits": "9" * 400}),  # a string of digits is fine
]


@pytest.mark.parametrize(
    "raw", TRICKY + [line(event_type=t, payload=p) for t, p in GOOD_PAYLOADS.items()]
)
def test_check_line_gives_parse_lines_verdict(raw):
    try:
        event = parse_line(raw)
    except Rejected as exc:
        with pytest.raises(Rejected) as info:
            v.check_line(raw)
        assert str(info.value) == str(exc)
        return
    checked = v.check_line(raw)
    doc = json.loads(checked.doc)  # what Postgres parses: the event's own fields
    assert (
        doc["event_id"],
        doc["event_type"],
        doc["organization_id"],
        doc["event_session_id"],
        doc.get("webinar_id"),
        doc.get("participant_id"),
        json.dumps(doc["payload"], ensure_ascii=False, separators=(",", ":")),
    ) == (
        event.event_id,
        event.event_type,
        event.organization_id,
        event.event_session_id,
        event.webinar_id,
        event.participant_id,
        event.payload,
    )
    if checked.occurred_at is None:  # the line itself, whose instant Postgres reads as is
        assert checked.doc == raw
        assert v._PLAIN_INSTANT.match(doc["occurred_at"])
    else:
        assert checked.occurred_at == event.occurred_at


def test_check_line_passes_plain_lines_through_untouched():
    raw = line()
    assert v.check_line(raw) == v.Checked(raw, None)
    odd = line(occurred_at="2026-11-02 13:01:10+03:00")
    assert v.check_line(odd) == v.Checked(odd, "2026-11-02T13:01:10+03:00")
