"""The events one session produces, handed one by one to a sink (never collected).

Two passes per session: :func:`emit_registrations` for what happens on the days
before it (invitations, registrations, payments, agreements) and
:func:`emit_session` for the session itself (joins, leaves, chat, broadcast, …).

Lines are built as JSON text directly: the envelope and the ids are ASCII the
generator mints itself, so only payload values that come from the vocabulary go
through the JSON encoder (and those are encoded once and reused). Encoding a dict
per event would cost more than everything else together.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from webstat.generate import clock
from webstat.generate import vocabulary as vocab
from webstat.generate.schedule import Registrant, SessionPlan, typed_email
from webstat.generate.world import (
    STREAM_LIVE,
    Person,
    Staff,
    World,
    between,
    person,
    rng_for,
)

Sink = Callable[[int, str, bool], None]
"""Receives (occurred_at in epoch milliseconds, the JSON line without its end,
whether the event has a participant_id)."""

_MIN = clock.MINUTE_MS
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_PLACES = tuple((c, city) for c, city, w in vocab.PLACES for _ in range(w))
_GUEST_SOURCES: tuple[tuple[str | None, dict[str, str | None] | None], ...] = (
    ("https://t.me/analytics_ru", {"source": "telegram", "medium": "social"}),
    ("https://vk.com/club_webinars", None),
    (None, None),
)
_GUEST_NAMES = tuple(name for name, _ in vocab.FEMALE_FIRST + vocab.MALE_FIRST)
_CHAT_NAME_STYLES: tuple[Callable[[Person], str], ...] = (
    lambda p: p.first_name,
    lambda p: f"{p.first_name} {p.last_name[0]}.",
    lambda p: f"{p.first_name} {p.last_name}",
    lambda p: f"{p.first_name} {p.last_name}",
)
"""How a registrant signs in the chat, by a draw of ``randrange(4)``: full names are twice
as common."""


@lru_cache(maxsize=4096)
def _json(value: Any) -> str:
    """JSON text of a hashable vocabulary value (a string), encoded once."""
    return _encode(value)


def _members(fields: dict[str, Any]) -> str:
    """``"a":1,"b":2`` — an object's members without braces, to splice into a line."""
    return _encode(fields)[1:-1]


def _other_device(platform: str) -> str:
    """The device of a second connection: a phone next to the laptop, or the reverse."""
    return "android" if platform == "web" else "web"


def _first_click(referrer: str | None, utm: dict[str, str | None] | None) -> dict[str, Any]:
    """The referrer and utm members of a participant's first join (only those set)."""
    extra: dict[str, Any] = {"referrer": referrer} if referrer else {}
    if utm:
        extra["utm"] = utm
    return extra


def emit_registrations(
    world: World,
    plan: SessionPlan,
    registrants: list[Registrant],
    sink: Sink,
    *,
    delivery_day: int,
    first_day: int,
) -> int:
    """Emit the pre-session events of ``plan`` that are delivered on ``delivery_day``.

    An event is delivered on its own UTC day, or on ``first_day`` when it happened
    before the generated range. Returns how many events were emitted.
    """
    org = plan.org
    fmt = clock.moscow if org.local_time_registrations else clock.utc
    head = _members(
        {
            "organization_id": org.organization_id,
            "event_session_id": plan.event_session_id,
            "webinar_id": plan.series.webinar_id,
        }
    )
    count = 0

    def due(ms: int | None) -> bool:
        return ms is not None and max(ms // clock.DAY_MS, first_day) == delivery_day

    for r in registrants:
        if not any(due(ms) for ms in _pre_session_times(r)):
            continue  # nothing of this person's is delivered today: skip the person lookup
        p = person(world.seed, org.index, r.pool_index)
        for ms, suffix, event_type, payload in _pre_session_events(plan, r, p, due):
            count += 1
            line = (
                f'{{"event_id":"ev-{plan.key}-r{suffix}","event_type":"{event_type}",'
                f'"occurred_at":"{fmt(ms)}",{head},"participant_id":"{p.participant_id}",'
                f'"payload":{_encode(payload)}}}'
            )
            sink(ms, line, True)
    return count


def _pre_session_times(r: Registrant) -> tuple[int | None, ...]:
    """When ``r``'s pre-session events happened (None: not at all); the first and
    last agreement stand for all of them."""
    last_agreement_ms = None
    if r.agreements_ms is not None:
        last_agreement_ms = r.agreements_ms + 1_000 * (r.agreements - 1)
    return (r.invited_ms, r.registered_ms, r.paid_ms, r.agreements_ms, last_agreement_ms)


def _pre_session_events(
    plan: SessionPlan, r: Registrant, p: Person, due: Callable[[int | None], bool]
) -> Iterator[tuple[int, str, str, dict[str, Any]]]:
    """(occurred_at, event_id suffix, event_type, payload) of ``r``'s due events, in order."""
    n = f"{r.number:05d}"
    if r.invited_ms is not None and due(r.invited_ms):
        yield r.invited_ms, f"{n}i", "participant.invited", _invited_payload(r, p)
    if r.registered_ms is not None and due(r.registered_ms):
        yield r.registered_ms, f"{n}g", "participant.registered", _registered_payload(r, p)
    if r.paid_ms is not None and due(r.paid_ms):
        payload = {"amount": plan.series.price, "currency": "RUB"}
        yield r.paid_ms, f"{n}p", "payment.completed", payload
    if r.agreements_ms is not None:
        for a, (agreement_id, title) in enumerate(plan.org.agreements[: r.agreements]):
            at = r.agreements_ms + a * 1_000
            if due(at):
                payload = {"agreement_id": agreement_id, "title": title}
                yield at, f"{n}a{a + 1}", "agreement.accepted", payload


def _invited_payload(r: Registrant, p: Person) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "email": p.email,
        "first_name": p.first_name,
        "last_name": p.last_name,
    }
    if r.number % 3 == 0:
        payload["fields"] = {"Компания": p.company}
    return payload


def _registered_payload(r: Registrant, p: Person) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "email": typed_email(p.email, r.retype),
        "first_name": p.first_name,
        "last_name": p.last_name,
        "fields": {"Компания": p.company, "Должность": p.position, "Город": p.city},
    }
    referrer, utm = vocab.TRAFFIC_SOURCES[r.source]
    if referrer:
        payload["referrer"] = referrer
    if utm:
        payload["utm"] = utm
    return payload


def emit_session(world: World, plan: SessionPlan, registrants: list[Registrant], sink: Sink) -> int:
    """Emit everything that happens in the session itself. Returns the number of events."""
    live = _Live(world, plan, sink)
    live.run(registrants)
    return live.events


class _Live:
    """The state of one session while its events are emitted: counters for its ids."""

    def __init__(self, world: World, plan: SessionPlan, sink: Sink) -> None:
        self.world = world
        self.plan = plan
        self.sink = sink
        self.rng = rng_for(world.seed, STREAM_LIVE, plan.day, plan.index)
        self.key = plan.key
        self.head = _members(
            {
                "organization_id": plan.org.organization_id,
                "event_session_id": plan.event_session_id,
                "webinar_id": plan.series.webinar_id,
            }
        )
        self.t0 = plan.start_ms
        self.t1 = plan.end_ms
        self.engagement = plan.series.engagement_module
        self.events = 0
        self.connections = 0
        self.messages = 0
        self.questions = 0

    # -- the session -------------------------------------------------------------

    def run(self, registrants: list[Registrant]) -> None:
        self.session_started()
        self.staff()
        attendees = self.registrants_attend(registrants)
        attendees += self.guests_attend()
        self.orphan_leave(attendees)
        if self.plan.has_end:
            self.emit(self.t1, "session.ended", None, "{}")

    def session_started(self) -> None:
        series = self.plan.series
        started: dict[str, Any] = {"webinar_name": series.name}
        # The platform omits false flags now and then: both spellings must load.
        for flag, value in (
            ("is_paid", series.is_paid),
            ("engagement_module", series.engagement_module),
            ("open_entry", series.open_entry),
        ):
            if value or self.rng.random() < 0.5:
                started[flag] = value
        self.emit(self.t0, "session.started", None, _encode(started))

    def staff(self) -> None:
        """The main host, now and then other staff, sometimes the owner."""
        rng, staff = self.rng, self.plan.org.staff
        self.staff_member(staff[1], main=True)
        for s in staff[2:]:
            if rng.random() < 0.3:
                self.staff_member(s, main=False)
        if rng.random() < 0.5:
            self.staff_member(staff[0], main=False)

    def registrants_attend(self, registrants: list[Registrant]) -> list[str]:
        """The registrants who show up; returns their participant_ids."""
        rng, plan = self.rng, self.plan
        attendees: list[str] = []
        for r in registrants:
            if r.registered_ms is None or rng.random() >= plan.series.show_up_rate:
                continue  # invited only, or registered and never came
            p = person(self.world.seed, plan.org.index, r.pool_index)
            chat_name = _CHAT_NAME_STYLES[rng.randrange(4)](p)
            referrer, utm = vocab.TRAFFIC_SOURCES[r.source] if rng.random() < 0.3 else (None, None)
            self.attend(
                p.participant_id, chat_name, p.platform, (p.country, p.city), p.ip, referrer, utm
            )
            attendees.append(p.participant_id)
        return attendees

    def guests_attend(self) -> list[str]:
        """The guests (open entry, no registration); returns their participant_ids."""
        rng = self.rng
        attendees: list[str] = []
        for g in range(self.plan.guests):
            pid = f"g-{self.key}-{g + 1:05d}"
            if rng.random() < 0.5:
                chat_name = f"Гость {between(rng, 100, 9999)}"
            else:
                chat_name = rng.choice(_GUEST_NAMES)
            platform = "web" if rng.random() < 0.8 else rng.choice(("android", "ios"))
            ip = f"{rng.choice(vocab.IP_PREFIXES)}{between(rng, 1, 254)}"
            referrer, utm = rng.choice(_GUEST_SOURCES)
            self.attend(pid, chat_name, platform, rng.choice(_PLACES), ip, referrer, utm)
            attendees.append(pid)
        return attendees

    def orphan_leave(self, attendees: list[str]) -> None:
        """Now and then a leave whose join the platform never sent (lost on its side)."""
        rng = self.rng
        if attendees and rng.random() < 0.3:
            self.connections += 1
            cid = f"c-{self.key}-{self.connections:05d}"
            at = between(rng, self.t0, self.t1)
            self.emit(at, "participant.left", rng.choice(attendees), f'{{"connection_id":"{cid}"}}')

    # -- people ------------------------------------------------------------------

    def staff_member(self, staff: Staff, *, main: bool) -> None:
        """A host or admin: joins early, goes on air (hosts), posts a few notices."""
        rng, t0, t1 = self.rng, self.t0, self.t1
        pid = staff.participant_id
        if main:
            joined = t0 - between(rng, 2 * _MIN, 15 * _MIN)
        else:
            joined = between(rng, t0 - 10 * _MIN, t0 + 20 * _MIN)
        left = t1 + between(rng, 10_000, 3 * _MIN)
        details = _members(
            {
                "chat_name": staff.chat_name,
                "ip": "198.51.100.10",
                "country": "Россия",
                "city": "Москва",
            }
        )
        cid = self.join(pid, staff.role, "web", details, joined)
        if rng.random() >= 0.08:
            self.emit(left, "participant.left", pid, f'{{"connection_id":"{cid}"}}')
        if staff.role == "host":
            if main:
                on = t0 + between(rng, 0, 60_000)
            else:
                on = min(max(joined, t0) + between(rng, _MIN, 20 * _MIN), t1 - _MIN)
            self.emit(on, "broadcast.started", pid, "{}")
            if rng.random() < 0.2 and t1 - on > 30 * _MIN:  # a pause: off air, then back
                off = between(rng, on + 5 * _MIN, on + 20 * _MIN)
                self.emit(off, "broadcast.stopped", pid, "{}")
                on = off + between(rng, _MIN, 5 * _MIN)
                self.emit(on, "broadcast.started", pid, "{}")
            if rng.random() >= 0.3:  # the rest stay on air until the session ends
                off = max(on + _MIN, t1 - between(rng, 0, 5 * _MIN))
                self.emit(off, "broadcast.stopped", pid, "{}")
        for _ in range(rng.randrange(4)):
            at = between(rng, max(joined, t0 - 5 * _MIN), t1)
            self.chat(pid, at, rng.choice(vocab.HOST_LINES))

    def attend(
        self,
        pid: str,
        chat_name: str,
        platform: str,
        place: tuple[str, str],
        ip: str,
        referrer: str | None,
        utm: dict[str, str | None] | None,
    ) -> None:
        """One participant's stay: connections (reconnects, a second device), activity."""
        joined = self.arrival()
        left = self.departure(joined)
        stays = self.stays(joined, left, platform)
        plain = self.join_details(chat_name, place, ip)
        for n, (a, b, device) in enumerate(stays):
            members = plain
            if n == 0 and (referrer or utm):  # where the first click came from
                members = f"{plain},{_members(_first_click(referrer, utm))}"
            self.connection(pid, device, members, a, b)

        present_to = max(min(left, self.t1), joined + 1)
        self.chatter(pid, joined, present_to)
        self.ask(pid, joined, present_to)
        self.react(pid, joined, present_to)

    def arrival(self) -> int:
        """When a participant joins: mostly in the first minutes, some early, some late."""
        rng, t0 = self.rng, self.t0
        r = rng.random()
        if r < 0.04:  # in the room before the host pressed start
            return t0 - between(rng, _MIN, 8 * _MIN)
        if r < 0.8:
            return t0 + min(int(rng.expovariate(1 / (3 * _MIN))), 20 * _MIN)
        return t0 + int((self.t1 - t0) * rng.uniform(0.1, 0.7))  # came late

    def departure(self, joined: int) -> int:
        rng, t1 = self.rng, self.t1
        if rng.random() < 0.6:  # stayed to the end (the leave comes a little after it)
            return t1 + between(rng, 0, 90_000)
        return between(rng, joined + 2 * _MIN, t1) if joined + 2 * _MIN < t1 else t1

    def stays(self, joined: int, left: int, platform: str) -> list[tuple[int, int, str]]:
        """The connections (from, to, device) of one stay from ``joined`` to ``left``."""
        rng = self.rng
        stays = [(joined, left, platform)]
        if rng.random() < 0.12 and left - joined > 10 * _MIN:  # dropped, came back
            cut = between(rng, joined + _MIN, left - 5 * _MIN)
            back = cut + between(rng, 20_000, 8 * _MIN)
            if back < left - _MIN:
                stays = [
                    (joined, cut, platform),
                    (back, left, platform if rng.random() < 0.7 else _other_device(platform)),
                ]
        if rng.random() < 0.05 and left - joined > 10 * _MIN:  # a phone next to the laptop
            a = between(rng, joined, joined + (left - joined) // 2)
            b = between(rng, a + _MIN, left)
            stays.append((a, b, _other_device(platform)))
        return stays

    def join_details(self, chat_name: str, place: tuple[str, str], ip: str) -> str:
        """The join payload's chat_name, ip and geo members (ip and geo missing at times)."""
        details = {"chat_name": chat_name}
        r = self.rng.random()
        if r >= 0.02:
            details["ip"] = ip
        if r >= 0.04:  # geo lookups fail now and then
            details["country"], details["city"] = place
        return _members(details)

    def connection(self, pid: str, device: str, members: str, a: int, b: int) -> None:
        """One connection from ``a`` to ``b``: its join, its leave, its attention."""
        cid = self.join(pid, "participant", device, members, a)
        if self.rng.random() >= 0.05:  # else the leave never arrives
            self.emit(b, "participant.left", pid, f'{{"connection_id":"{cid}"}}')
        if self.engagement:
            self.attention(pid, cid, a, min(b, self.t1))

    def chatter(self, pid: str, joined: int, present_to: int) -> None:
        rng = self.rng
        if rng.random() >= 0.45:
            for _ in range(1 + int(rng.expovariate(0.5))):
                self.chat(pid, between(rng, joined, present_to), rng.choice(vocab.CHAT_LINES))

    def ask(self, pid: str, joined: int, present_to: int) -> None:
        rng = self.rng
        if rng.random() < 0.12:
            for _ in range(1 + (rng.random() < 0.3)):
                self.questions += 1
                qid = f"q-{self.key}-{self.questions:05d}"
                text = _json(rng.choice(vocab.QUESTIONS))
                at = between(rng, joined, present_to)
                self.emit(at, "question.asked", pid, f'{{"question_id":"{qid}","text":{text}}}')

    def react(self, pid: str, joined: int, present_to: int) -> None:
        rng = self.rng
        if rng.random() < 0.3:
            for _ in range(1 + rng.randrange(4)):
                count = between(rng, 1, 5)
                # count defaults to 1: the platform often leaves it out then
                payload = "{}" if count == 1 and rng.random() < 0.5 else f'{{"count":{count}}}'
                self.emit(between(rng, joined, present_to), "reaction.fire", pid, payload)

    def join(self, pid: str, role: str, platform: str, members: str, at: int) -> str:
        """Emit a participant.joined and return its new connection_id.

        ``members``: the payload's other members as JSON text (chat_name, ip, …).
        """
        self.connections += 1
        cid = f"c-{self.key}-{self.connections:05d}"
        agents = vocab.USER_AGENTS[platform]
        agent = _json(agents[self.connections % len(agents)])
        payload = (
            f'{{"connection_id":"{cid}","role":"{role}","platform":"{platform}",'
            f'{members},"user_agent":{agent}}}'
        )
        self.emit(at, "participant.joined", pid, payload)
        return cid

    def attention(self, pid: str, cid: str, joined: int, left: int) -> None:
        """Spans of inactivity on one connection (it starts active, as the contract says)."""
        rng = self.rng
        t = joined
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            start = t + between(rng, _MIN, 20 * _MIN)
            if start >= left:
                return
            reason = "tab_hidden" if rng.random() < 0.7 else "window_blur"
            payload = f'{{"connection_id":"{cid}","state":"inactive","reason":"{reason}"}}'
            self.emit(start, "attention.changed", pid, payload)
            back = start + between(rng, 10_000, 8 * _MIN)
            if back >= left or rng.random() < 0.1:
                return  # inactive until the connection ends
            payload = f'{{"connection_id":"{cid}","state":"active"}}'
            self.emit(back, "attention.changed", pid, payload)
            t = back

    def chat(self, pid: str, at: int, text: str) -> None:
        self.messages += 1
        mid = f"m-{self.key}-{self.messages:05d}"
        self.emit(at, "chat.message_posted", pid, f'{{"message_id":"{mid}","text":{_json(text)}}}')

    def emit(self, ms: int, event_type: str, pid: str | None, payload: str) -> None:
        self.events += 1
        # A few events come in Moscow time, as some platform services write them.
        ts = clock.moscow(ms) if self.rng.random() < 0.02 else clock.utc(ms)
        who = f'"participant_id":"{pid}",' if pid is not None else ""
        line = (
            f'{{"event_id":"ev-{self.key}-{self.events:06d}","event_type":"{event_type}",'
            f'"occurred_at":"{ts}",{self.head},{who}"payload":{payload}}}'
        )
        self.sink(ms, line, pid is not None)
