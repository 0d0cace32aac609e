"""One raw log line -> an accepted event or a reject with its reason.

The rules are those of the raw-log contract (docs/raw-log-format.md); the JSON
schema beside it (``webstat/contracts/raw-event.schema.json``) says the same in
machine form and the unit tests check both agree. This is hand-written rather
than a generic JSON-schema validator because it runs once per line of a day's
logs (millions) and each reject needs one precise, stable reason.

A reason is ``"<code>: <detail>"``; the codes are the constants below.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec

INVALID_UTF8 = "invalid_utf8"
INVALID_JSON = "invalid_json"
NOT_AN_OBJECT = "not_an_object"
MISSING_FIELD = "missing_field"
WRONG_TYPE = "wrong_type"
EMPTY_EVENT_ID = "empty_event_id"
EVENT_ID_TOO_LONG = "event_id_too_long"
NO_OFFSET = "occurred_at_without_offset"
BAD_TIMESTAMP = "occurred_at_not_a_timestamp"
UNKNOWN_EVENT_TYPE = "unknown_event_type"
MISSING_PAYLOAD_FIELD = "missing_payload_field"
VALUE_NOT_ALLOWED = "value_not_allowed"
NUL_CHARACTER = "nul_character"
OUT_OF_RANGE = "occurred_at_out_of_range"
STRING_TOO_LONG = "string_too_long"
NUMBER_OUT_OF_RANGE = "number_out_of_range"

# Instants outside this window are not webinar events but broken clocks: a session
# "started" in year 1 would ask for a billion attendance minutes.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_FIRE_COUNT = 2_147_483_647  # sums of counts stay within bigint

# Length limits (contract v2), in characters: ids, names, and any other string (keys too).
MAX_ID_LENGTH = 128
MAX_NAME_LENGTH = 1_000
MAX_STRING_LENGTH = 10_000
ENVELOPE_IDS = ("organization_id", "event_session_id", "webinar_id", "participant_id")
PAYLOAD_IDS = ("connection_id", "message_id", "question_id", "agreement_id")
PAYLOAD_NAMES = ("webinar_name", "first_name", "last_name", "title", "chat_name")
# Numbers (contract v2). A number with a fraction or an exponent must be a finite double
# (every JSON reader holds it as one: 1e400 is refused) with at most 16,383 digits after the
# decimal point (Postgres' numeric, which jsonb uses: 1e-20000 is refused). An integer is
# held exactly, up to 4,300 digits (Python's own limit for converting one; numeric's is far
# above it).
MAX_NUMBER_SCALE = 16_383
MAX_INTEGER_DIGITS = 4_300

EVENT_TYPES = frozenset(
    {
        "session.started",
        "session.ended",
        "participant.invited",
        "participant.registered",
        "participant.joined",
        "participant.left",
        "chat.message_posted",
        "question.asked",
        "reaction.fire",
        "attention.changed",
        "broadcast.started",
        "broadcast.stopped",
        "payment.completed",
        "agreement.accepted",
    }
)
SESSION_TYPES = frozenset({"session.started", "session.ended"})

# payload fields the contract marks required, per event type (non-empty strings)
REQUIRED_PAYLOAD: dict[str, tuple[str, ...]] = {
    "session.started": ("webinar_name",),
    "participant.invited": ("email",),
    "participant.joined": ("connection_id", "role", "platform"),
    "participant.left": ("connection_id",),
    "chat.message_posted": ("message_id",),
    "question.asked": ("question_id",),
    "attention.changed": ("connection_id", "state"),
    "agreement.accepted": ("agreement_id", "title"),
}
ALLOWED_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("participant.joined", "role"): ("admin", "host", "participant"),
    ("participant.joined", "platform"): ("web", "ios", "android"),
    ("attention.changed", "state"): ("active", "inactive"),
}
BOOLEAN_PAYLOAD = {"session.started": ("is_paid", "engagement_module", "open_entry")}
UTM_KEYS = ("source", "medium", "campaign", "content", "term")
# fields whose emptiness the contract tolerates (title may be "", email any string)
MAY_BE_EMPTY = {("agreement.accepted", "title"), ("participant.invited", "email")}

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_LOCAL_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?$")


class Rejected(Exception):
    """A line that breaks the contract; ``str(exc)`` is the reason stored in rejects."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code


@dataclass(frozen=True, slots=True)
class Event:
    """The typed envelope of an accepted line, ready for ``COPY``."""

    event_id: str
    event_type: str
    occurred_at: str  # ISO 8601 with offset, normalised for Postgres
    organization_id: str
    event_session_id: str
    webinar_id: str | None
    participant_id: str | None
    payload: str  # JSON text of the payload object


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class _NumberOutOfRange(ValueError):
    """A JSON number the warehouse cannot hold exactly (raised while decoding)."""


def _json_number(text: str) -> float:
    """A JSON number with a fraction or exponent: refused beyond the contract's limits."""
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _NumberOutOfRange(f"number {text[:40]} is beyond ±1.8e308")
    if len(text) > 24 or "e" in text or "E" in text:  # only then can the scale be large
        exponent = Decimal(text).as_tuple().exponent
        if isinstance(exponent, int) and exponent < -MAX_NUMBER_SCALE:
            raise _NumberOutOfRange(
                f"number {text[:40]} has more than {MAX_NUMBER_SCALE:,} digits after the point"
            )
    return value


def _json_int(text: str) -> int:
    """A JSON integer: held exactly, up to ``MAX_INTEGER_DIGITS`` digits (checked before
    converting, so a huge one costs nothing)."""
    digits = len(text) - (text[0] == "-")
    if digits > MAX_INTEGER_DIGITS:
        raise _NumberOutOfRange(
            f"an integer of {digits:,} digits (max {MAX_INTEGER_DIGITS:,}): {text[:40]}…"
        )
    return int(text)


_decoder = json.JSONDecoder(
    parse_constant=_no_constants, parse_float=_json_number, parse_int=_json_int
)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _string(obj: dict, name: str, *, required: bool, min_length: int = 1) -> str | None:
    if name not in obj or obj[name] is None:
        if required:
            raise Rejected(MISSING_FIELD, f"required field '{name}' is missing")
        return None
    value = obj[name]
    if not isinstance(value, str):
        raise Rejected(WRONG_TYPE, f"field '{name}' must be a string, got {type(value).__name__}")
    if len(value) < min_length:
        if name == "event_id":
            raise Rejected(EMPTY_EVENT_ID, "event_id is empty")
        raise Rejected(MISSING_FIELD, f"required field '{name}' is empty")
    return value


def _timestamp(value: Any) -> str:
    if value is None:
        raise Rejected(MISSING_FIELD, "required field 'occurred_at' is missing")
    if not isinstance(value, str):
        raise Rejected(WRONG_TYPE, "field 'occurred_at' must be a string")
    if not _TIMESTAMP.match(value):
        if _LOCAL_TIMESTAMP.match(value):
            raise Rejected(NO_OFFSET, f"occurred_at {value!r} has no UTC offset")
        raise Rejected(BAD_TIMESTAMP, f"occurred_at {value[:60]!r} is not an RFC 3339 timestamp")
    try:
        parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise Rejected(BAD_TIMESTAMP, f"occurred_at {value!r} is not a valid date/time") from None
    try:
        instant = parsed.astimezone(UTC)
    except OverflowError:
        instant = None
    if instant is None or not EARLIEST <= instant < LATEST:
        raise Rejected(OUT_OF_RANGE, f"occurred_at {value!r} is not between 2000 and 2100")
    return parsed.isoformat()


# C901: one pass over the contract's payload rules, run for every line of a day (the
# loader's measured hot path: a call per rule would cost more than the checks themselves)
def _check_payload(event_type: str, payload: dict) -> None:  # noqa: C901
    for name in REQUIRED_PAYLOAD.get(event_type, ()):
        value = payload.get(name)
        if value is None:
            raise Rejected(MISSING_PAYLOAD_FIELD, f"payload.{name} is required for {event_type}")
        if not isinstance(value, str):
            raise Rejected(WRONG_TYPE, f"payload.{name} must be a string")
        if not value and (event_type, name) not in MAY_BE_EMPTY:
            raise Rejected(MISSING_PAYLOAD_FIELD, f"payload.{name} is empty for {event_type}")
        allowed = ALLOWED_VALUES.get((event_type, name))
        if allowed and value not in allowed:
            raise Rejected(
                VALUE_NOT_ALLOWED,
                f"payload.{name} {value[:40]!r} is not one of {', '.join(allowed)}",
            )
    for name in BOOLEAN_PAYLOAD.get(event_type, ()):
        if name in payload and not isinstance(payload[name], bool):
            raise Rejected(WRONG_TYPE, f"payload.{name} must be true or false")
    if event_type == "reaction.fire" and "count" in payload:
        count = payload["count"]
        if (
            not isinstance(count, int)
            or isinstance(count, bool)
            or not 1 <= count <= MAX_FIRE_COUNT
        ):
            raise Rejected(
                WRONG_TYPE, f"payload.count must be an integer from 1 to {MAX_FIRE_COUNT}"
            )
    if event_type in ("participant.registered", "participant.joined") and "utm" in payload:
        utm = payload["utm"]
        if utm is not None:
            if not isinstance(utm, dict):
                raise Rejected(WRONG_TYPE, "payload.utm must be an object")
            for key in UTM_KEYS:
                if utm.get(key) is not None and not isinstance(utm[key], str):
                    raise Rejected(WRONG_TYPE, f"payload.utm.{key} must be a string")


def _too_long(where: str, value: str, limit: int) -> Rejected:
    return Rejected(STRING_TOO_LONG, f"{where} has {len(value):,} characters (max {limit:,})")


def _longest_string(value: Any, where: str) -> None:
    """Raise :class:`Rejected` for the first string (key or value) over the general limit."""
    if isinstance(value, str):
        if len(value) > MAX_STRING_LENGTH:
            raise _too_long(where, value, MAX_STRING_LENGTH)
    elif isinstance(value, dict):
        for key, item in value.items():
            if len(key) > MAX_STRING_LENGTH:
                raise _too_long(f"a key of {where or 'the line'}", key, MAX_STRING_LENGTH)
            _longest_string(item, f"{where}.{key[:40]}" if where else key[:40])
    elif isinstance(value, list):
        for item in value:
            _longest_string(item, f"{where}[]" if where else "[]")


def _check_lengths(obj: dict, payload: dict, size: int | None, envelope: bool = True) -> None:
    """The contract's length limits. ``size`` is the line's length in bytes (None: unknown):
    no string of a line can have more characters than the line has bytes, so the walks over
    names and over every string are skipped for short lines."""
    for name in ENVELOPE_IDS if envelope else ():
        value = obj.get(name)
        if type(value) is str and len(value) > MAX_ID_LENGTH:
            raise _too_long(f"field '{name}'", value, MAX_ID_LENGTH)
    get = payload.get
    for name in PAYLOAD_IDS:
        value = get(name)
        if type(value) is str and len(value) > MAX_ID_LENGTH:
            raise _too_long(f"payload.{name}", value, MAX_ID_LENGTH)
    if size is not None and size <= MAX_NAME_LENGTH:
        return
    for name in PAYLOAD_NAMES:
        value = payload.get(name)
        if type(value) is str and len(value) > MAX_NAME_LENGTH:
            raise _too_long(f"payload.{name}", value, MAX_NAME_LENGTH)
    if size is not None and size <= MAX_STRING_LENGTH:
        return
    _longest_string(obj, "")


def _decode(raw: bytes) -> dict:
    """The exact decoder: the line's JSON object, or :class:`Rejected` with the reason."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(INVALID_UTF8, f"byte {exc.start} is not valid UTF-8") from None
    try:
        obj = _decoder.decode(text)
    except _NumberOutOfRange as exc:
        raise Rejected(NUMBER_OUT_OF_RANGE, str(exc)) from None
    except (ValueError, RecursionError) as exc:
        detail = str(exc) if not isinstance(exc, RecursionError) else "nested too deeply"
        raise Rejected(INVALID_JSON, detail[:200]) from None
    if not isinstance(obj, dict):
        raise Rejected(NOT_AN_OBJECT, f"a JSON {type(obj).__name__}, not an object")
    if "\\u0000" in text and _has_nul(obj):
        # Postgres text and jsonb cannot hold U+0000: keep the line in rejects, intact.
        raise Rejected(NUL_CHARACTER, "contains \\u0000, which the warehouse cannot store")
    return obj


def _fields(obj: dict, size: int | None = None) -> tuple:
    """The contract's checks on a decoded line: its typed envelope, or :class:`Rejected`.

    ``size`` is the line's length in bytes, when known (see :func:`_check_lengths`)."""
    event_id = _string(obj, "event_id", required=True)
    assert event_id is not None
    if len(event_id) > 128:
        raise Rejected(EVENT_ID_TOO_LONG, f"event_id has {len(event_id)} characters (max 128)")
    event_type = _string(obj, "event_type", required=True)
    assert event_type is not None
    if event_type not in EVENT_TYPES:
        raise Rejected(UNKNOWN_EVENT_TYPE, f"event_type {event_type[:60]!r} is not in the contract")
    occurred_at = _timestamp(obj.get("occurred_at"))
    organization_id = _string(obj, "organization_id", required=True)
    event_session_id = _string(obj, "event_session_id", required=True)
    webinar_id = _string(obj, "webinar_id", required=False, min_length=0)
    participant_id = _string(obj, "participant_id", required=event_type not in SESSION_TYPES)
    if "payload" not in obj or obj["payload"] is None:
        raise Rejected(MISSING_FIELD, "required field 'payload' is missing")
    payload = obj["payload"]
    if not isinstance(payload, dict):
        raise Rejected(WRONG_TYPE, "field 'payload' must be an object")
    _check_payload(event_type, payload)
    _check_lengths(obj, payload, size)
    return (
        event_id,
        event_type,
        occurred_at,
        organization_id,
        event_session_id,
        webinar_id,
        participant_id,
        payload,
    )


def _utf8(value: str) -> bytes:
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise Rejected(INVALID_UTF8, "contains an unpaired surrogate escape (\\ud8xx)") from None


def parse_line(raw: bytes) -> Event:
    """Validate one line (without its line end) and return the event, or raise :class:`Rejected`."""
    fields = _fields(_decode(raw), len(raw))
    payload_json = json.dumps(fields[7], ensure_ascii=False, separators=(",", ":"))
    _utf8(payload_json)
    for value in fields[:7]:
        if value is not None:
            _utf8(value)
    return Event(*fields[:7], payload_json)  # type: ignore[call-arg]


# --- the loader's path: the same verdicts, at C speed for the lines that pass -------------

# An instant written like this means the same to Postgres' timestamptz input as to
# Python; any other accepted spelling travels normalised next to the line.
_PLAIN_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)\Z")
_ENVELOPE = (
    "event_id",
    "event_type",
    "occurred_at",
    "organization_id",
    "event_session_id",
    "webinar_id",
    "participant_id",
    "payload",
)


# msgspec (C, an Airflow dependency too): any error it raises sends the line to the
# exact decoder, which gives the reason
_fast_decode = msgspec.json.Decoder(float_hook=_json_number).decode
_FAST_ERRORS = (msgspec.DecodeError, UnicodeDecodeError, ValueError, RecursionError)
# msgspec decodes integers of any size (no hook): a line with a run of more digits than an
# integer may have takes the exact path (only lines that long are searched)
_LONG_DIGITS = re.compile(rb"[0-9]{%d}" % (MAX_INTEGER_DIGITS + 1))


@dataclass(frozen=True, slots=True)
class Checked:
    """An accepted line as the loader sends it to Postgres, which extracts the columns."""

    doc: bytes  # JSON text of the event (the line itself whenever that is safe)
    occurred_at: str | None  # the normalised instant, when the line's own spelling is unusual


def _plainly_good(obj: dict, size: int) -> bool:
    """The common case of :func:`_fields` in one expression: True only for a line it accepts
    with a plainly written instant well inside the allowed years (False: ask it)."""
    get = obj.get
    event_id, event_type, instant = get("event_id"), get("event_type"), get("occurred_at")
    participant_id, webinar_id, payload = get("participant_id"), get("webinar_id"), get("payload")
    organization_id, event_session_id = get("organization_id"), get("event_session_id")
    if not (
        type(event_id) is str
        and 0 < len(event_id) <= 128
        and type(event_type) is str
        and event_type in EVENT_TYPES
        and type(organization_id) is str
        and 0 < len(organization_id) <= 128
        and type(event_session_id) is str
        and 0 < len(event_session_id) <= 128
        and (webinar_id is None or (type(webinar_id) is str and len(webinar_id) <= 128))
        and (
            (type(participant_id) is str and 0 < len(participant_id) <= 128)
            or (participant_id is None and event_type in SESSION_TYPES)
        )
        and type(payload) is dict
        and type(instant) is str
        and "2001" <= instant[:4] <= "2098"
        and _PLAIN_INSTANT.match(instant)
    ):
        return False
    try:
        datetime.fromisoformat(instant)  # a real date and time (no 30 February)
        _check_payload(event_type, payload)
        _check_lengths(obj, payload, size, envelope=False)  # the envelope's ids: above
    except (ValueError, Rejected):
        return False
    return True


def check_line(raw: bytes) -> Checked:
    """The verdict of :func:`parse_line` (same acceptance, same reject reasons), fast.

    Lines are decoded by msgspec (C); only a line it refuses, a line holding
    ``\\u0000``, or a line the checks reject goes through the exact decoder, so each
    reason is the one :func:`parse_line` gives. An accepted line travels as is: every
    string in it is valid UTF-8 without lone surrogates, every number finite, which is
    what Postgres' ``jsonb`` takes.
    """
    obj = None
    if b"\\u0000" not in raw and (len(raw) <= MAX_INTEGER_DIGITS or not _LONG_DIGITS.search(raw)):
        try:
            obj = _fast_decode(raw)
        except _FAST_ERRORS:
            obj = None
    if type(obj) is dict:
        if _plainly_good(obj, len(raw)):
            return Checked(raw, None)
        try:
            fields = _fields(obj, len(raw))
        except Rejected:
            pass  # the exact path below gives the reason
        else:
            return Checked(raw, None if _PLAIN_INSTANT.match(obj["occurred_at"]) else fields[2])
    fields = _fields(_decode(raw), len(raw))  # raises Rejected, with the reason
    envelope = dict(zip(_ENVELOPE, fields, strict=True))  # occurred_at normalised
    doc = _utf8(json.dumps(envelope, ensure_ascii=False, separators=(",", ":")))
    return Checked(doc, fields[2])
