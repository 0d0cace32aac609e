"""Each kind of bad line breaks exactly one rule of the raw-log contract."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from webstat.generate.malformed import KINDS, Kind, bad_line

TEMPLATE: dict[str, Any] = {
    "event_id": "ev-20261102-0001-000042",
    "event_type": "reaction.fire",
    "occurred_at": "2026-11-02T10:05:00.250Z",
    "organization_id": "org-01",
    "event_session_id": "es-20261102-0001",
    "webinar_id": "w-01-01",
    "participant_id": "u-01-000007",
    "payload": {"count": 3},
}
VALIDATOR = jsonschema.Draft202012Validator(
    json.loads(
        (resources.files("webstat.contracts") / "raw-event.schema.json").read_text(encoding="utf-8")
    )
)


def _differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Paths where two JSON values differ (objects compared key by key)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in a.keys() | b.keys():
            if key not in a or key not in b:
                out.append(f"{path}/{key}")
            else:
                out += _differences(a[key], b[key], f"{path}/{key}")
        return out
    return [] if a == b and type(a) is type(b) else [path or "/"]


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_kind_breaks_one_rule_of_a_valid_event(kind: Kind) -> None:
    base = kind.base(TEMPLATE)
    assert VALIDATOR.is_valid(base), list(VALIDATOR.iter_errors(base))
    raw = bad_line(kind, TEMPLATE)
    assert b"\n" not in raw
    assert TEMPLATE["event_id"] == "ev-20261102-0001-000042"  # the template is not changed
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        assert kind.name == "invalid_utf8"
        # apart from the encoding, it is the valid event
        assert json.loads(raw.decode("cp1251", errors="strict")) is not None
        return
    except ValueError:
        assert kind.name == "not_json"
        return
    if not isinstance(value, dict):
        assert kind.name == "not_an_object"
        assert value == [base]
        return
    assert not VALIDATOR.is_valid(value)
    assert len(_differences(base, value)) == 1, _differences(base, value)


def test_every_rule_of_the_contract_has_a_kind() -> None:
    names = {k.name for k in KINDS}
    assert {"not_json", "not_an_object", "invalid_utf8", "empty_event_id"} <= names
    assert {"occurred_at_without_offset", "occurred_at_not_a_timestamp"} <= names
    assert {"unknown_event_type", "role_not_allowed", "platform_not_allowed"} <= names
    assert "state_not_allowed" in names
    for field in ("event_id", "event_type", "occurred_at", "organization_id", "event_session_id",
                  "participant_id", "payload"):  # fmt: skip
        assert f"missing_{field}" in names
    assert {n for n in names if n.startswith("wrong_type_")}
    # every payload field the contract lists as required
    for field in ("webinar_name", "role", "platform", "state", "message_id", "question_id",
                  "agreement_id", "joined_connection_id", "left_connection_id",
                  "attention_connection_id"):  # fmt: skip
        assert f"missing_{field}" in names
    assert len(names) == len(KINDS)
