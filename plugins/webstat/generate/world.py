"""The synthetic platform's fixed cast: organizations, webinar series, staff and people.

Everything is derived from the seed alone, never from the date range, so that the
same person keeps the same ``participant_id`` and e-mail in every run and every
day. People are not stored: person ``i`` of an organization is recomputed from a
hash of (seed, organization, i), which keeps memory flat at any scale.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from webstat.generate import vocabulary as vocab

SCALES: dict[str, int] = {"small": 4_000, "medium": 100_000, "large": 1_000_000}
"""Named scales -> approximate events per day."""

# Measured average of lines a participant attendee brings (joins, chat, attention,
# registration, its share of hosts and no-shows): turns events/day into attendees.
EVENTS_PER_ATTENDEE = 10.0
SHOW_UP_RATE = 0.62  # registered people who attend (a typical webinar's turnout)
COHORT_RETURN_RATE = 0.85  # a course's / team's own people who register for each session

_MASK = (1 << 64) - 1


def mix(*parts: int) -> int:
    """A 64-bit hash of integers (splitmix64 chained): stable across runs and Pythons."""
    h = 0x9E3779B97F4A7C15
    for part in parts:
        h = (h ^ (part & _MASK)) + 0x9E3779B97F4A7C15 & _MASK
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9 & _MASK
        h = (h ^ (h >> 27)) * 0x94D049BB133111EB & _MASK
        h ^= h >> 31
    return h


def rng_for(*parts: int) -> random.Random:
    """An independent, reproducible random stream named by integers."""
    return random.Random(mix(*parts))


def between(rng: random.Random, low: int, high: int) -> int:
    """A random integer in [low, high]: ``randint`` without its overhead (hot path)."""
    return low + int(rng.random() * (high - low + 1))


# Stream names, so that two uses of the same (seed, day, session) never share a stream.
STREAM_WORLD, STREAM_DAY, STREAM_ROSTER, STREAM_LIVE, STREAM_PERSON, STREAM_DELIVERY = range(1, 7)
STREAM_CALENDAR = 7


@dataclass(frozen=True, slots=True)
class Profile:
    """How big one day is: derived from the approximate number of events per day."""

    events_per_day: int
    sessions_per_day: int
    attendees_per_session: int
    organizations: int
    people_per_organization: int
    shards: int


def profile_for(events_per_day: int) -> Profile:
    """Sessions grow with the square root of the volume, and so does their size."""
    per_session = min(20_000.0, max(60.0, 400.0 * math.sqrt(events_per_day / 4_000)))
    sessions = max(1, round(events_per_day / per_session))
    attendees = max(2, round(per_session / EVENTS_PER_ATTENDEE))
    organizations = max(4, min(40, round(4 * (events_per_day / 4_000) ** 0.3)))
    registrants_per_org_day = sessions * attendees / SHOW_UP_RATE / organizations
    # About four days of registrations: people come back often, but not always.
    people = max(150, round(registrants_per_org_day * 4))
    shards = max(3, min(16, round(math.sqrt(events_per_day) / 200)))
    return Profile(events_per_day, sessions, attendees, organizations, people, shards)


class Person(NamedTuple):
    """A registered user of the platform (stable across sessions)."""

    participant_id: str
    first_name: str
    last_name: str
    email: str  # canonical: lower case, no spaces
    company: str
    position: str
    country: str
    city: str
    platform: str  # the device they usually use
    ip: str


_PLACES = tuple((c, city) for c, city, w in vocab.PLACES for _ in range(w))


@lru_cache(maxsize=16_384)  # regulars come back session after session; bounded memory
def person(seed: int, org_index: int, i: int) -> Person:
    """Person ``i`` of organization ``org_index``: pure function of its arguments."""
    h = mix(seed, STREAM_PERSON, org_index, i)
    female = h & 1
    first, first_lat = (vocab.FEMALE_FIRST if female else vocab.MALE_FIRST)[
        (h >> 1) % len(vocab.FEMALE_FIRST)
    ]
    last, last_lat = vocab.LAST[(h >> 6) % len(vocab.LAST)]
    if female:
        last, last_lat = vocab.female_last(last, last_lat)
    domain = vocab.EMAIL_DOMAINS[(h >> 12) % len(vocab.EMAIL_DOMAINS)]
    style = (h >> 16) % 3
    # The person's index ends the local part, so two namesakes never share an address.
    if style == 0:
        local = f"{first_lat}.{last_lat}{i}"
    elif style == 1:
        local = f"{first_lat[0]}{last_lat}{i}"
    else:
        local = f"{last_lat}.{first_lat}{i}"
    country, city = _PLACES[(h >> 20) % len(_PLACES)]
    p = (h >> 28) % 100
    platform = "web" if p < 68 else ("android" if p < 87 else "ios")
    prefix = vocab.IP_PREFIXES[(h >> 36) % len(vocab.IP_PREFIXES)]
    return Person(
        participant_id=f"u-{org_index:02d}-{i:06d}",
        first_name=first,
        last_name=last,
        email=f"{local}@{domain}",
        company=vocab.COMPANIES[(h >> 40) % len(vocab.COMPANIES)],
        position=vocab.POSITIONS[(h >> 46) % len(vocab.POSITIONS)],
        country=country,
        city=city,
        platform=platform,
        ip=f"{prefix}{(h >> 52) % 254 + 1}",
    )


@dataclass(frozen=True, slots=True)
class Series:
    """A webinar series (``webinar_id``): its sessions share name and settings."""

    webinar_id: str
    name: str
    is_paid: bool
    engagement_module: bool
    open_entry: bool
    price: int  # RUB, 0 when free
    # A series on the organizer's calendar: the weekdays it runs on (0 = Monday), its UTC
    # start (minutes after midnight) and length, and the people who keep coming (indices
    # into the organization's pool). Empty for a webinar held now and then.
    weekdays: tuple[int, ...] = ()
    start_minute: int = 0
    duration_min: int = 0
    cohort: tuple[int, ...] = ()
    show_up_rate: float = SHOW_UP_RATE  # of the registered (a course's students come more)


@dataclass(frozen=True, slots=True)
class Staff:
    """An organizer's employee who runs sessions (role host or admin)."""

    participant_id: str
    chat_name: str
    role: str


@dataclass(frozen=True, slots=True)
class Organization:
    """A platform account: its series, staff, branding agreements and habits."""

    index: int
    organization_id: str
    weight: float
    series: tuple[Series, ...]  # held now and then: any day's sessions draw from these
    calendar: tuple[Series, ...]  # recurring: a session on each of their weekdays
    staff: tuple[Staff, ...]
    agreements: tuple[tuple[str, str], ...]  # (agreement_id, title)
    local_time_registrations: bool  # its CRM sends registrations in +03:00


@dataclass(frozen=True, slots=True)
class World:
    """Everything fixed for a run: the seed, the volume and the organizations."""

    seed: int
    profile: Profile
    organizations: tuple[Organization, ...]


def build_world(seed: int, profile: Profile) -> World:
    """The organizations of ``profile``, each with series of every kind and its staff."""
    rng = rng_for(seed, STREAM_WORLD)
    orgs = []
    for k in range(1, profile.organizations + 1):
        topics = rng.sample(vocab.WEBINAR_TOPICS, rng.randint(3, 6))
        series = []
        for j, topic in enumerate(topics):
            # The first three series are one of each kind, so every organization can show
            # every feature; the rest are drawn.
            engagement = j == 0 or (j > 2 and rng.random() < 0.4)
            open_entry = j == 1 or (j > 2 and rng.random() < 0.15)
            paid = j == 2 or (j > 2 and not open_entry and rng.random() < 0.2)
            series.append(
                Series(
                    webinar_id=f"w-{k:02d}-{j + 1:02d}",
                    name=topic,
                    is_paid=paid,
                    engagement_module=engagement,
                    open_entry=open_entry,
                    price=rng.choice((490, 990, 1490, 2990, 4990)) if paid else 0,
                )
            )
        staff = []
        for s in range(rng.randint(2, 4)):
            female = rng.random() < 0.5
            first, _ = rng.choice(vocab.FEMALE_FIRST if female else vocab.MALE_FIRST)
            last, last_lat = rng.choice(vocab.LAST)
            if female:
                last, _ = vocab.female_last(last, last_lat)
            staff.append(
                Staff(
                    participant_id=f"u-{k:02d}-h{s + 1:02d}",
                    chat_name=f"{first} {last} (ведущий)" if s else f"Модератор {first}",
                    role="admin" if s == 0 else "host",
                )
            )
        agreements: tuple[tuple[str, str], ...] = ()
        if k % 2 == 1:  # half of the accounts set up extra agreements in their branding
            n = 1 + (k % 4 == 1)
            agreements = tuple((f"agr-{k:02d}-{a + 1}", vocab.AGREEMENTS[a]) for a in range(n))
        orgs.append(
            Organization(
                index=k,
                organization_id=f"org-{k:02d}",
                weight=1.0 / k**0.6,
                series=tuple(series),
                calendar=_calendar(seed, profile, k, len(series)),
                staff=tuple(staff),
                agreements=agreements,
                local_time_registrations=k % 3 == 2,
            )
        )
    return World(seed=seed, profile=profile, organizations=tuple(orgs))


def _calendar(seed: int, profile: Profile, k: int, numbered: int) -> tuple[Series, ...]:
    """Organization ``k``'s recurring webinars (ids after its ``numbered`` others): a course
    with 2-4 lessons a week on fixed weekdays at a fixed hour, and at every other
    organization a daily stand-up at 09:00 Moscow time, Monday to Friday; each with the
    people who keep coming. Its own random stream, so the rest of the world is unchanged."""
    rng = rng_for(seed, STREAM_CALENDAR, k)
    pool = profile.people_per_organization
    # a course as big as a usual session: its students come more often (show_up_rate)
    course_size = min(pool // 2, max(4, round(profile.attendees_per_session / 0.8)))
    course = Series(
        webinar_id=f"w-{k:02d}-{numbered + 1:02d}",
        name=rng.choice(vocab.COURSES),
        is_paid=False,
        engagement_module=True,
        open_entry=False,
        price=0,
        weekdays=tuple(sorted(rng.sample(range(5), rng.randint(2, 4)))),
        start_minute=rng.choice((7, 8, 12, 15)) * 60 + rng.choice((0, 30)),
        duration_min=90,
        cohort=tuple(rng.sample(range(pool), course_size)),
        show_up_rate=0.8,
    )
    if k % 2 == 0:
        return (course,)
    standup = Series(
        webinar_id=f"w-{k:02d}-{numbered + 2:02d}",
        name=vocab.STANDUP,
        is_paid=False,
        engagement_module=False,
        open_entry=False,
        price=0,
        weekdays=(0, 1, 2, 3, 4),
        start_minute=6 * 60,
        duration_min=30,
        cohort=tuple(rng.sample(range(pool), min(pool // 2, 12))),
        show_up_rate=0.95,
    )
    return (course, standup)
