"""Which sessions run on a day, and who is invited to and registered for each.

Both are pure functions of (seed, day, session number): the writer recomputes a
session's roster on each of the days before it to deliver that day's invitations
and registrations, instead of keeping days of rosters in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from webstat.generate import clock
from webstat.generate import vocabulary as vocab
from webstat.generate.world import (
    COHORT_RETURN_RATE,
    SHOW_UP_RATE,
    STREAM_DAY,
    STREAM_ROSTER,
    Organization,
    Series,
    World,
    between,
    rng_for,
)

MAX_LEAD_DAYS = 5
"""Invitations and registrations happen 1 to this many days before the session day."""

_INVITATION_SOURCE = next(
    i for i, (_, utm) in enumerate(vocab.TRAFFIC_SOURCES) if utm and utm["source"] == "email"
)
_DURATIONS_MIN = (30, 45, 60, 60, 90, 90, 120, 180)
# UTC start hours: Moscow office hours (06–17 UTC = 09–20 MSK), weighted to the morning.
_HOURS = (6, 7, 7, 8, 8, 8, 9, 9, 10, 11, 11, 12, 13, 14, 15, 16, 17)


@dataclass(frozen=True, slots=True)
class SessionPlan:
    """One event session: where, when, how long and how big."""

    key: str  # "20261102-0007": the suffix of every id the session mints
    event_session_id: str
    day: int  # UTC day number of the start
    index: int
    org: Organization
    series: Series
    start_ms: int
    end_ms: int
    has_end: bool  # False: the platform never sends session.ended
    registered_attendees: int  # participants expected from the registrations
    guests: int  # open-entry guests expected


class Registrant(NamedTuple):
    """One person on a session's list, with when they were invited / registered.

    The person is named by their index in the organization's pool; callers compute
    the :class:`Person` only for the few they emit events for (it is not free).
    """

    number: int  # position on the list: names the pre-session events' ids
    pool_index: int
    invited_ms: int | None
    registered_ms: int | None
    retype: int  # -1: the form got the e-mail as is; else how it was mistyped
    source: int  # index into vocabulary.TRAFFIC_SOURCES
    paid_ms: int | None
    agreements_ms: int | None
    agreements: int  # how many of the organization's agreements they accepted


def plan_day(world: World, day: dt.date) -> list[SessionPlan]:
    """The sessions starting on ``day`` (UTC), in a stable order."""
    profile = world.profile
    n_day = clock.epoch_day(day)
    rng = rng_for(world.seed, STREAM_DAY, n_day)
    count = max(1, round(profile.sessions_per_day * rng.uniform(0.85, 1.15)))
    orgs = world.organizations
    weights = [o.weight for o in orgs]
    day_ms = n_day * clock.DAY_MS
    # Features that must show up in any few consecutive days get a fixed place in the
    # day: sessions 0-2 are one engagement, one open-entry and one paid session; every
    # second day ends with a session crossing UTC midnight; every third day has one
    # session that never sends session.ended.
    crosses_midnight = count >= 2 and day.toordinal() % 2 == 0
    no_end_index = -1
    if day.toordinal() % 3 == 1:  # not the midnight one: it must show its end the next day
        no_end_index = rng.randrange(count - 1 if crosses_midnight else count)
    # The organizers' calendars (courses, stand-ups) take the places after those three,
    # never the one crossing midnight: the day's volume stays the same.
    calendar = _on_the_calendar(world, day)[: max(0, count - 3 - crosses_midnight)]
    plans = []
    for i in range(count):
        org = rng.choices(orgs, weights)[0]
        series = org.series[i] if i < 3 else rng.choice(org.series)
        if 3 <= i < 3 + len(calendar):
            org, series = calendar[i - 3]
        if crosses_midnight and i == count - 1:
            start = day_ms + 23 * clock.HOUR_MS + rng.choice((0, 15, 30, 40)) * clock.MINUTE_MS
            duration_min = rng.randint(60, 120)
        elif series.weekdays:  # at its usual time
            start = day_ms + series.start_minute * clock.MINUTE_MS
            duration_min = series.duration_min + rng.randint(0, 10)
        else:
            # A few sessions for the Far East or Central Asia start before Moscow wakes.
            hour = rng.randint(1, 4) if rng.random() < 0.05 else rng.choice(_HOURS)
            start = day_ms + hour * clock.HOUR_MS + rng.choice((0, 30)) * clock.MINUTE_MS
            duration_min = rng.choice(_DURATIONS_MIN) + rng.randint(-3, 12)
            duration_min = max(30, min(180, duration_min))
        # The host presses "start" a little after the announced time.
        start += rng.randint(0, 180_000)
        end = start + duration_min * clock.MINUTE_MS + rng.randint(0, 59_999)
        size = profile.attendees_per_session * rng.lognormvariate(0.0, 0.35)
        guests = round(size * rng.uniform(0.3, 0.7)) if series.open_entry else 0
        key = f"{day:%Y%m%d}-{i + 1:04d}"
        plans.append(
            SessionPlan(
                key=key,
                event_session_id=f"es-{key}",
                day=n_day,
                index=i,
                org=org,
                series=series,
                start_ms=start,
                end_ms=end,
                has_end=i != no_end_index and rng.random() >= 0.01,
                registered_attendees=max(1, round(size) - guests),
                guests=guests,
            )
        )
    return plans


def _on_the_calendar(world: World, day: dt.date) -> list[tuple[Organization, Series]]:
    """The recurring series that hold a session on ``day``, by start time."""
    found = [
        (org, series)
        for org in world.organizations
        for series in org.calendar
        if day.weekday() in series.weekdays
    ]
    return sorted(found, key=lambda found: (found[1].start_minute, found[0].index))


def roster(world: World, plan: SessionPlan) -> list[Registrant]:
    """Who was invited to and who registered for ``plan``: recomputed identically each call.

    Every invitation, registration, payment and agreement lies 1-5 days before the
    session and before the session's UTC day, so the days before it deliver them.
    """
    rng = rng_for(world.seed, STREAM_ROSTER, plan.day, plan.index)
    pool = world.profile.people_per_organization
    series, org = plan.series, plan.org
    registered = max(1, round(plan.registered_attendees / SHOW_UP_RATE))
    chosen: dict[int, None] = {}
    if series.cohort:
        # A course's students, a team: most of them register for every session, and a
        # few newcomers join them.
        chosen = dict.fromkeys(i for i in series.cohort if rng.random() < COHORT_RETURN_RATE)
        registered = len(chosen) + 1 + len(series.cohort) // 10
    invited_only = round(registered * 0.25)
    wanted = min(registered + invited_only, pool // 2)
    # A skewed draw: a core of regulars comes back often, the long tail rarely.
    while len(chosen) < wanted:
        chosen[int(pool * rng.random() ** 1.7)] = None
    day0 = plan.day * clock.DAY_MS
    t0 = plan.start_ms
    lead_lo, lead_hi = clock.DAY_MS + clock.HOUR_MS, MAX_LEAD_DAYS * clock.DAY_MS
    last_ms = day0 - 30 * clock.MINUTE_MS  # nothing of this on the session's own day
    out = []
    for number, i in enumerate(chosen):
        invited_ms = registered_ms = paid_ms = agreements_ms = None
        agreements = 0
        if number >= registered:  # invited, never registered
            invited_ms = t0 - between(rng, lead_lo, lead_hi)
        elif rng.random() < 0.6:  # registered after the invitation
            invited_ms = t0 - between(rng, lead_lo, lead_hi)
            registered_ms = between(rng, invited_ms + 5 * clock.MINUTE_MS, last_ms)
        else:  # self-registered: found the page on their own
            registered_ms = min(t0 - between(rng, lead_lo, lead_hi), last_ms)
        retype = rng.randrange(4) if rng.random() < 0.08 else -1  # capitals, stray spaces
        if invited_ms is not None and registered_ms is not None and rng.random() < 0.5:
            source = _INVITATION_SOURCE  # followed the link in the invitation
        else:
            source = rng.randrange(len(vocab.TRAFFIC_SOURCES))
        if registered_ms is not None:
            if series.is_paid and rng.random() < 0.8:
                paid_ms = registered_ms + between(rng, clock.MINUTE_MS, 20 * clock.MINUTE_MS)
            if org.agreements and rng.random() < 0.9:
                agreements_ms = registered_ms + between(rng, 2_000, 15_000)
                agreements = 1 + sum(rng.random() < 0.6 for _ in org.agreements[1:])
        out.append(
            Registrant(
                number, i, invited_ms, registered_ms, retype, source, paid_ms,
                agreements_ms, agreements,
            )
        )  # fmt: skip
    return out


def typed_email(email: str, retype: int) -> str:
    """``email`` as a registrant typed it (see :attr:`Registrant.retype`)."""
    style = retype
    if style < 0:
        return email
    local, _, domain = email.partition("@")
    if style == 0:
        return f"{local.title()}@{domain.title()}"
    if style == 1:
        return email.upper()
    if style == 2:
        return f" {email}"
    return f"{local[:1].upper()}{local[1:]}@{domain} "
