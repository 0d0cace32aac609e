"""The one catalogue of report columns: each mart column defined once, sheets as lists of keys.

Both the workbook and the PDF read their headers, value kinds and widths from
here; nothing else in the reports spells a header. :data:`CATALOGUE` defines
every column once (header in both locales, kind, width, words for codes, its
narrow PDF header); a sheet or table is :func:`sheet` of keys, with the few
attributes that differ on it given as overrides. ``ru`` headers follow the
platform's own export wording, ``en`` headers are their twins.

A column's :class:`Kind` says how its value is shown; :data:`KINDS` is the one
table of what a kind means to the renderers (the workbook's cell style, the PDF
cell's class), and each renderer keeps its per-kind functions in a mapping keyed
by :class:`Kind`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from webstat.reports import texts
from webstat.reports.texts import Labels, Pair


class Kind(StrEnum):
    """How a value is shown."""

    TEXT = "text"
    """Free text from the data (formula-neutralised in the workbook)."""
    EMAIL = "email"
    """An e-mail; NULL for a guest reads «гость» / "guest"."""
    ENUM = "enum"
    """A code shown as words (``labels``; a value not in them is shown as is)."""
    PLATFORMS = "platforms"
    """Comma-joined platform codes shown as words."""
    DATETIME = "datetime"
    """``timestamptz`` shown in ``WEBSTAT_TIMEZONE``."""
    DATE = "date"
    """A calendar date."""
    DURATION = "duration"
    """Whole seconds shown ``[h]:mm:ss``."""
    PCT = "pct"
    """0-100 ``numeric`` shown as a percentage."""
    INT = "int"
    """A count."""
    NUMBER = "number"
    """A decimal (the rating)."""
    BOOL = "bool"
    """Yes / no."""
    JSON = "json"
    """``jsonb`` shown as readable text (fields, agreements)."""
    FLAGS = "flags"
    """The three flags of a participant as words, in one cell (the PDF's narrow table)."""


@dataclass(frozen=True)
class KindInfo:
    """What a kind means to the renderers."""

    style: str
    """The workbook cell's type and number format: ``text`` (a string cell) or a
    number format of the workbook (``datetime``, ``date``, ``duration``, ``pct``, …)."""
    css: str
    """The class of the PDF table's cells: ``num`` (right-aligned), ``time``, ``tag``."""


KINDS: dict[Kind, KindInfo] = {
    Kind.TEXT: KindInfo(style="text", css=""),
    Kind.EMAIL: KindInfo(style="text", css="email"),
    Kind.ENUM: KindInfo(style="text", css="tag"),
    Kind.PLATFORMS: KindInfo(style="text", css=""),
    Kind.BOOL: KindInfo(style="text", css="tag"),
    Kind.JSON: KindInfo(style="text", css=""),
    Kind.FLAGS: KindInfo(style="text", css=""),
    Kind.DATETIME: KindInfo(style="datetime", css="time"),
    Kind.DATE: KindInfo(style="date", css="time"),
    Kind.DURATION: KindInfo(style="duration", css="num"),
    Kind.PCT: KindInfo(style="pct", css="num"),
    Kind.INT: KindInfo(style="int", css="num"),
    Kind.NUMBER: KindInfo(style="number", css="num"),
}


@dataclass(frozen=True)
class Column:
    """One column of a report: where its value comes from and how it reads."""

    key: str
    """The mart column (or a field the data layer derives under this name)."""
    ru: str
    en: str
    kind: Kind = Kind.TEXT
    width: float = 14
    """Width in the workbook, in characters."""
    labels: Labels | None = None
    """Words for the codes of an ``enum``."""
    requires: str | None = None
    """``paid``: only for paid webinars; ``engagement``: only with the engagement module."""
    short: Pair | None = None
    """Narrow header for the PDF's tables (defaults to the full one)."""
    pdf_width: float | None = None
    """Relative width in the PDF's tables (defaults to ``width``)."""
    wide: bool = False
    """A long text column of the PDF's tables (names, e-mails, webinars)."""
    fit: bool = False
    """The workbook widens it to its longest value (up to a cap): e-mails, fields."""

    def header(self, locale: str) -> str:
        return texts.pick((self.ru, self.en), locale)

    def short_header(self, locale: str) -> str:
        return texts.pick(self.short, locale) if self.short else self.header(locale)

    def label(self, value: object, locale: str) -> str | None:
        """The words for an ``enum`` value (the code itself when unknown)."""
        assert self.labels is not None
        pair = self.labels.get(value)
        if pair is None:
            return None if value is None else str(value)
        return texts.pick(pair, locale)


def _catalogue(*columns: Column) -> dict[str, Column]:
    out: dict[str, Column] = {}
    for col in columns:
        if col.key in out:
            raise ValueError(f"column {col.key!r} is defined twice")
        if col.kind is Kind.ENUM and not col.labels:
            raise ValueError(f"enum column {col.key!r} has no labels")
        out[col.key] = col
    return out


K = Kind

CATALOGUE: dict[str, Column] = _catalogue(
    # --- a participant (marts.fct_participants; full_name and visitor_type derived) ---------
    Column("full_name", "Участник", "Participant", width=26, pdf_width=15, wide=True),
    Column("first_name", "Имя", "First name", width=16),
    Column("last_name", "Фамилия", "Last name", width=18),
    Column("email", "E-mail", "E-mail", K.EMAIL, width=24, pdf_width=18, wide=True, fit=True),
    Column("registration_fields", "Дополнительные поля", "Additional fields", K.JSON, width=30),
    Column("chat_name", "Имя в чате", "Chat name", width=18),
    Column("role", "Роль", "Role", K.ENUM, labels=texts.ROLE),
    Column(
        "visitor_type",
        "Новый / повторный",
        "New / returning",
        K.ENUM,
        labels=texts.VISITOR_TYPE,
        short=("Тип", "Type"),
    ),
    Column(
        "payment_status",
        "Статус оплаты",
        "Payment status",
        K.ENUM,
        labels=texts.PAYMENT_STATUS,
        requires="paid",
    ),
    Column(
        "registration_status",
        "Статус регистрации",
        "Registration status",
        K.ENUM,
        width=30,
        labels=texts.REGISTRATION_STATUS,
    ),
    Column("registered_at", "Дата регистрации", "Registered at", K.DATETIME, width=19),
    Column("invited_at", "Дата приглашения", "Invited at", K.DATETIME, width=19),
    Column("referrer_source", "Источник", "Source", K.ENUM, width=18, labels=texts.SOURCE),
    Column("utm_source", "UTM source", "UTM source"),
    Column("utm_medium", "UTM medium", "UTM medium"),
    Column("utm_campaign", "UTM campaign", "UTM campaign", width=16),
    Column("utm_content", "UTM content", "UTM content"),
    Column("utm_term", "UTM term", "UTM term"),
    Column("platforms", "Платформа", "Platform", K.PLATFORMS, width=16),
    Column(
        "primary_platform", "Основная платформа", "Primary platform", K.ENUM, labels=texts.PLATFORM
    ),
    Column("country", "Страна", "Country"),
    Column("city", "Город", "City"),
    Column("last_ip", "IP", "IP", width=16),
    Column(
        "first_joined_at",
        "Время входа",
        "First joined",
        K.DATETIME,
        width=19,
        short=("Вход", "Joined"),
        pdf_width=8,
    ),
    Column(
        "last_left_at", "Время выхода", "Last left", K.DATETIME, width=19, short=("Выход", "Left")
    ),
    Column("connections_count", "Входов", "Connections", K.INT, width=9),
    Column(
        "presence_seconds",
        "Время присутствия",
        "Presence time",
        K.DURATION,
        width=12,
        short=("Присутствие", "Presence"),
        pdf_width=8,
    ),
    Column(
        "presence_pct",
        "% присутствия",
        "Presence %",
        K.PCT,
        width=12,
        short=("% прис.", "Pres. %"),
        pdf_width=6.5,
    ),
    Column("messages_pct", "% сообщений", "Messages %", K.PCT, width=12),
    Column("questions_pct", "% вопросов", "Questions %", K.PCT, width=11),
    Column(
        "active_seconds",
        "Фактическая активность",
        "Actual activity",
        K.DURATION,
        width=13,
        requires="engagement",
    ),
    Column(
        "active_pct",
        "% активности",
        "Activity %",
        K.PCT,
        width=12,
        requires="engagement",
        short=("% актив.", "Act. %"),
        pdf_width=6.5,
    ),
    Column("rating", "Рейтинг", "Rating", K.NUMBER, width=9, pdf_width=6),
    Column("agreements", "Соглашения", "Agreements", K.JSON, width=30),
    Column(
        "host_window_presence_pct",
        "% присутствия от активного времени ведущих",
        "Presence in hosts' active time %",
        K.PCT,
        width=16,
    ),
    Column("joined_late", "Опоздал", "Joined late", K.BOOL, width=10),
    Column("left_early", "Ушёл раньше", "Left early", K.BOOL, width=10),
    Column("low_presence", "Мало присутствовал", "Low presence", K.BOOL, width=15),
    Column("flags", "Отметки", "Flags", K.FLAGS, width=20, pdf_width=19),
    Column("participant_id", "ID участника", "Participant ID", width=16),
    # --- a connection (marts.fct_connections) -----------------------------------------------
    Column("session_started_at", "Начало мероприятия", "Event start", K.DATETIME, width=19),
    Column("session_ended_at", "Окончание мероприятия", "Event end", K.DATETIME, width=19),
    Column("joined_at", "Время входа", "Joined at", K.DATETIME, width=19),
    Column("left_at", "Время выхода", "Left at", K.DATETIME, width=19),
    Column("left_inferred", "Выход не зафиксирован", "Leave inferred", K.BOOL, width=12),
    Column("platform", "Платформа", "Platform", K.ENUM, width=12, labels=texts.PLATFORM),
    Column("ip", "IP", "IP", width=16),
    Column("user_agent", "User-Agent", "User agent", width=40),
    Column("connection_id", "ID подключения", "Connection ID", width=16),
    # --- an event session (marts.fct_event_sessions); also what a period sums --------------
    Column("event_session_id", "ID мероприятия", "Event session ID", width=18),
    Column("webinar_id", "ID вебинара", "Webinar ID", width=18),
    Column("webinar_name", "Вебинар", "Webinar", width=30, pdf_width=18, wide=True),
    Column(
        "report_date",
        "Дата мероприятия",
        "Event date",
        K.DATE,
        width=12,
        short=("Дата", "Date"),
        pdf_width=7.5,
    ),
    Column("started_at", "Начало", "Start", K.DATETIME, width=19, pdf_width=7.5),
    Column("ended_at", "Окончание", "End", K.DATETIME, width=19, pdf_width=7.5),
    Column("end_inferred", "Окончание по последнему событию", "End inferred", K.BOOL),
    Column(
        "duration_seconds",
        "Длительность",
        "Duration",
        K.DURATION,
        width=12,
        short=("Длит.", "Dur."),
        pdf_width=5.5,
    ),
    Column("is_paid", "Платный вебинар", "Paid webinar", K.BOOL),
    Column("engagement_module", "Модуль вовлечённости", "Engagement module", K.BOOL),
    Column(
        "invited_count",
        "Приглашено",
        "Invited",
        K.INT,
        width=11,
        short=("Пригл.", "Inv."),
        pdf_width=5,
    ),
    Column(
        "registered_count",
        "Зарегистрировано",
        "Registered",
        K.INT,
        width=12,
        short=("Зарег.", "Reg."),
        pdf_width=5,
    ),
    Column("attendees_count", "Зрителей (все роли)", "Attendees (all roles)", K.INT),
    Column(
        "participants_count",
        "Участники",
        "Participants",
        K.INT,
        width=11,
        short=("Участн.", "Part."),
        pdf_width=5.5,
    ),
    Column("new_participants_count", "Новые", "New", K.INT, width=9, pdf_width=5),
    Column(
        "returning_participants_count",
        "Повторные",
        "Returning",
        K.INT,
        width=10,
        short=("Повт.", "Ret."),
        pdf_width=5,
    ),
    Column("guest_participants_count", "Гости", "Guests", K.INT, width=9, pdf_width=5),
    Column("hosts_count", "Ведущие и администраторы", "Hosts and admins", K.INT),
    Column(
        "peak_concurrent_participants",
        "Пик онлайн",
        "Peak online",
        K.INT,
        width=10,
        short=("Пик", "Peak"),
        pdf_width=4.5,
    ),
    Column(
        "avg_presence_pct",
        "Средний % присутствия",
        "Average presence %",
        K.PCT,
        width=12,
        short=("% прис.", "Pres. %"),
        pdf_width=5.5,
    ),
    Column("joined_late_count", "Опоздали", "Joined late", K.INT),
    Column("left_early_count", "Ушли раньше", "Left early", K.INT),
    Column("low_presence_count", "Мало присутствовали", "Low presence", K.INT),
    Column("no_show_count", "Не пришли", "No-shows", K.INT),
    Column(
        "messages_count",
        "Сообщения",
        "Messages",
        K.INT,
        width=12,
        short=("Сообщ.", "Msgs"),
        pdf_width=6.5,
    ),
    Column(
        "questions_count",
        "Вопросы",
        "Questions",
        K.INT,
        width=10,
        short=("Вопр.", "Qs"),
        pdf_width=6,
    ),
    Column(
        "fires_count",
        "«Огоньки»",
        "Fires",
        K.INT,
        width=12,
        short=("Огоньки", "Fires"),
        pdf_width=5.5,
    ),
    Column("host_active_started_at", "Начало эфира ведущих", "Hosts on air from", K.DATETIME),
    Column("host_active_ended_at", "Окончание эфира ведущих", "Hosts on air until", K.DATETIME),
    Column("host_active_seconds", "Активное время ведущих", "Hosts' active time", K.DURATION),
    Column(
        "host_active_pct",
        "% активного времени ведущих",
        "Hosts' active time %",
        K.PCT,
        width=12,
        short=("% эфира", "On air %"),
        pdf_width=5.5,
    ),
    # --- sources, devices, minutes (fct_traffic_sources, fct_devices, fct_attendance_minutes)
    Column("share_pct", "Доля", "Share", K.PCT, width=10),
    Column("minute_at", "Время", "Time", K.DATETIME, width=17),
    Column("participants_online", "Онлайн", "Online", K.INT, width=10),
    Column("joins_count", "Входы", "Joins", K.INT, width=9),
    Column("leaves_count", "Выходы", "Leaves", K.INT, width=9),
    # --- a period's totals ------------------------------------------------------------------
    Column("sessions_count", "Мероприятий", "Event sessions", K.INT),
    Column("total_duration_seconds", "Общая длительность", "Total duration", K.DURATION),
    Column("unique_people_count", "Уникальных людей", "Unique people", K.INT),
    # --- a person of a period (marts.fct_participants, by person_key) -----------------------
    Column("sessions_attended", "Посетил мероприятий", "Sessions attended", K.INT, width=12),
    Column("webinars_count", "Разных вебинаров", "Different webinars", K.INT, width=12),
    Column("avg_rating", "Средний рейтинг", "Average rating", K.NUMBER, width=11),
    Column("first_report_date", "Первое посещение", "First attended", K.DATE, width=12),
    Column("last_report_date", "Последнее посещение", "Last attended", K.DATE, width=12),
    Column("first_webinar_name", "Первый вебинар периода", "First webinar of the period", width=30),
    # --- the funnel of a webinar (persons: participants with an e-mail) ---------------------
    Column("invited_persons", "Приглашено, чел.", "Invited, persons", K.INT, width=12),
    Column("registered_persons", "Зарегистрировались, чел.", "Registered, persons", K.INT),
    Column("attended_persons", "Пришли, чел.", "Attended, persons", K.INT, width=11),
    Column(
        "registered_of_invited_pct",
        "% зарегистрировались из приглашённых",
        "Registered of invited %",
        K.PCT,
        width=16,
    ),
    Column(
        "attended_of_registered_pct",
        "% пришли из зарегистрированных",
        "Attended of registered %",
        K.PCT,
        width=16,
    ),
    Column(
        "attended_unregistered_persons",
        "Пришли без регистрации, чел.",
        "Attended unregistered, persons",
        K.INT,
    ),
    # --- a session's place in its series (marts.fct_webinar_series) -------------------------
    Column("session_number", "Занятие №", "Lesson no.", K.INT, width=10),
    Column("series_sessions_count", "Занятий в серии", "Lessons in the series", K.INT, width=11),
    Column("persons_count", "Людей", "Persons", K.INT, width=9),
    Column("first_time_count", "Впервые в серии", "First time in the series", K.INT, width=11),
    Column("from_previous_count", "С прошлого занятия", "From the previous lesson", K.INT),
    Column("retained_to_next_count", "Пришли на следующее", "Came to the next", K.INT),
    Column("retained_to_next_pct", "% удержания", "Retained %", K.PCT, width=11),
)
"""Every column of every report, once."""


def sheet(*keys: str, **overrides: dict[str, Any]) -> tuple[Column, ...]:
    """The catalogue's columns ``keys`` in order, with this sheet's ``overrides`` by key."""
    unknown = set(overrides) - set(keys)
    if unknown:
        raise ValueError(f"overrides for columns not on the sheet: {sorted(unknown)}")
    return tuple(replace(CATALOGUE[key], **overrides.get(key, {})) for key in keys)


def applicable(columns: tuple[Column, ...], *, paid: bool, engagement: bool) -> list[Column]:
    """The columns that apply to a report of a (paid?) webinar (with the engagement module?)."""
    out = []
    for col in columns:
        if col.requires == "paid" and not paid:
            continue
        if col.requires == "engagement" and not engagement:
            continue
        out.append(col)
    return out


# --- the workbook's tables ----------------------------------------------------------------
# Runs of keys that several tables share, spelled once.

_PERSON = ("first_name", "last_name", "email", "registration_fields")
_ATTRIBUTION = (
    "referrer_source",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
)
_SESSION_OF_ROW = ("webinar_name", "report_date")
_VISITORS = (
    "participants_count",
    "new_participants_count",
    "returning_participants_count",
    "guest_participants_count",
)
_CHAT = ("messages_count", "questions_count", "fires_count")
_FLAG_COUNTS = ("joined_late_count", "left_early_count", "low_presence_count")

PARTICIPANT_SHEET = sheet(
    *_PERSON,
    "chat_name",
    "role",
    "visitor_type",
    "payment_status",
    "registration_status",
    "registered_at",
    "invited_at",
    *_ATTRIBUTION,
    "platforms",
    "primary_platform",
    *_SESSION_OF_ROW,
    "country",
    "city",
    "last_ip",
    "first_joined_at",
    "last_left_at",
    "connections_count",
    "presence_seconds",
    "presence_pct",
    "messages_count",
    "messages_pct",
    "questions_count",
    "questions_pct",
    "fires_count",
    "active_seconds",
    "active_pct",
    "rating",
    "agreements",
    "host_window_presence_pct",
    "joined_late",
    "left_early",
    "low_presence",
    "participant_id",
)
"""Participants sheet («Участники»): the attendees, then the hosts and admins (one row
each, with the session's name and date); the no-shows are on :data:`NO_SHOW_SHEET`."""

NO_SHOW_SHEET = sheet(
    *_PERSON,
    "payment_status",
    "registration_status",
    "invited_at",
    "registered_at",
    *_ATTRIBUTION,
    *_SESSION_OF_ROW,
    "participant_id",
)
"""No-shows sheet («Не пришли»): invited or registered, never joined — who they are and
how they signed up, without the attendance columns that would all be empty or zero."""

CONNECTION_SHEET = sheet(
    *_PERSON[:3],
    "chat_name",
    "role",
    "session_started_at",
    "session_ended_at",
    "joined_at",
    "left_at",
    "left_inferred",
    "duration_seconds",
    "platform",
    "ip",
    "country",
    "city",
    "user_agent",
    "connection_id",
    "participant_id",
)
"""Join-sessions sheet («Сеансы входов»), one row per connection."""

EVENT_FIELDS = sheet(
    "webinar_name",
    "event_session_id",
    "report_date",
    "started_at",
    "ended_at",
    "end_inferred",
    "duration_seconds",
    "is_paid",
    "engagement_module",
    "invited_count",
    "registered_count",
    "attendees_count",
    *_VISITORS,
    "hosts_count",
    "no_show_count",
    "peak_concurrent_participants",
    "avg_presence_pct",
    *_FLAG_COUNTS,
    *_CHAT,
    "host_active_started_at",
    "host_active_ended_at",
    "host_active_seconds",
    "host_active_pct",
)
"""Event sheet («Мероприятие»): one label / value row per field."""

SOURCE_SHEET = sheet(
    "referrer_source",
    "participants_count",
    "share_pct",
    referrer_source={"width": 30},
    participants_count={"width": 12},
)
DEVICE_SHEET = sheet(
    "platform",
    "participants_count",
    "share_pct",
    platform={"width": 18},
    participants_count={"width": 12},
)
ATTENDANCE_COLUMNS = sheet(
    "minute_at",
    "participants_online",
    "joins_count",
    "leaves_count",
    "messages_count",
    "questions_count",
    "fires_count",
)
"""The event sheet's minutes: time, participants online, then the minute's joins and
leaves of participants' connections and chat messages, questions and fires (the
engagement timeline's bars)."""
TIMELINE_BARS = ("messages_count", "questions_count", "fires_count")
"""The minute counts the engagement timeline draws as bars under the online line."""

PERIOD_SESSION_SHEET = sheet(
    "report_date",
    "webinar_name",
    "started_at",
    "ended_at",
    "duration_seconds",
    *_VISITORS,
    "invited_count",
    "registered_count",
    "peak_concurrent_participants",
    "avg_presence_pct",
    "host_active_pct",
    *_CHAT,
    "event_session_id",
    report_date={"pdf_width": 7},
    webinar_name={"width": 34, "pdf_width": 22},
    messages_count={"pdf_width": 5},
    questions_count={"pdf_width": 4.5},
)
"""Sessions sheet («Мероприятия») of the period report, one row per event session; the
PDF's sessions table is the same without the id."""

PERIOD_TOTAL_FIELDS = sheet(
    "sessions_count",
    "total_duration_seconds",
    "participants_count",
    "unique_people_count",
    *_VISITORS[1:],
    "invited_count",
    "registered_count",
    "no_show_count",
    "avg_presence_pct",
    *_FLAG_COUNTS,
    *_CHAT,
    participants_count={
        "ru": "Участники (сумма по мероприятиям)",
        "en": "Participants (sum over sessions)",
    },
)
"""Totals sheet («Итоги») of the period report."""

_PERSON_OF_PERIOD = (
    "full_name",
    "email",
    "sessions_attended",
    "webinars_count",
    "presence_seconds",
    "avg_presence_pct",
    "avg_rating",
    "first_report_date",
    "last_report_date",
)
PEOPLE_SHEET = sheet(
    *_PERSON_OF_PERIOD,
    "first_webinar_name",
    "visitor_type",
    presence_seconds={"ru": "Общее время присутствия", "en": "Total presence time"},
    visitor_type={
        "ru": "Новый / повторный (на первом мероприятии периода)",
        "en": "New / returning (at the first session of the period)",
        "width": 22,
    },
)
"""People sheet («Люди») of the period report: one row per person (participants with an
e-mail, by person_key), most sessions first, then by average rating."""

FUNNEL_SHEET = sheet(
    "webinar_name",
    "sessions_count",
    "invited_persons",
    "registered_persons",
    "attended_persons",
    "registered_of_invited_pct",
    "attended_of_registered_pct",
    "attended_unregistered_persons",
    "webinar_id",
    webinar_name={"width": 34, "pdf_width": 24},
    sessions_count={"short": ("Меропр.", "Sessions"), "pdf_width": 6, "width": 12},
    invited_persons={"short": ("Пригл.", "Invited"), "pdf_width": 6},
    registered_persons={"short": ("Зарег.", "Registered"), "pdf_width": 6, "width": 14},
    attended_persons={"short": ("Пришли", "Attended"), "pdf_width": 6},
    registered_of_invited_pct={"short": ("% рег. из пригл.", "Reg. of inv. %"), "pdf_width": 7},
    attended_of_registered_pct={"short": ("% пришли из рег.", "Att. of reg. %"), "pdf_width": 7},
    attended_unregistered_persons={"short": ("Без рег.", "Unreg."), "pdf_width": 6, "width": 14},
)
"""Funnel sheet («Воронка»): invited → registered → attended, in persons, per webinar of
the period and in total (the last row)."""

SERIES_SHEET = sheet(
    "webinar_name",
    "session_number",
    "series_sessions_count",
    "report_date",
    "started_at",
    "persons_count",
    "first_time_count",
    "from_previous_count",
    "retained_to_next_count",
    "retained_to_next_pct",
    "event_session_id",
    "webinar_id",
    webinar_name={"width": 34},
)
"""Series sheet («Серии»): each session of the period that belongs to a series of two or
more sessions, its place and its persons (marts.fct_webinar_series)."""

PERIOD_CONNECTION_SHEET = sheet(*_SESSION_OF_ROW, *(c.key for c in CONNECTION_SHEET))
"""Join-sessions sheet of the period report: the session's name and date first."""

# --- the PDF's participants tables ----------------------------------------------------------
# Who, their e-mail, when they came, how long they stayed, how much they took part, the
# rating: WeasyPrint's time is linear in the table's cells (docs/reports.md), the workbook
# has every column.

_PDF_TAKING_PART = (
    "presence_seconds",
    "presence_pct",
    "messages_count",
    "questions_count",
    "active_pct",
)


def _pdf_widths(**widths: float) -> dict[str, dict[str, Any]]:
    """``key=width`` -> the ``sheet`` overrides giving those columns these PDF widths."""
    return {key: {"pdf_width": width} for key, width in widths.items()}


PDF_PARTICIPANTS = sheet(
    "full_name",
    "email",
    "first_joined_at",
    *_PDF_TAKING_PART,
    "rating",
    "flags",
    # an address and the flags on one line, mostly (the roster sets a row in one font)
    **_pdf_widths(
        full_name=13.5,
        email=22,
        presence_seconds=8,
        presence_pct=6,
        messages_count=6,
        questions_count=5,
        rating=5.5,
        flags=20,
    ),
)
PDF_STAFF = sheet(
    "full_name", "email", "role", "first_joined_at", *_PDF_TAKING_PART, **_pdf_widths(email=22)
)
"""Hosts and admins: no rating or flags (they are not rated as participants)."""
PDF_NO_SHOWS = sheet(
    "full_name",
    "email",
    "registration_status",
    "registered_at",
    "invited_at",
    **_pdf_widths(email=24, registration_status=17, registered_at=9, invited_at=9),
)
"""No-shows: how they signed up and when, not columns of zeros."""


PDF_PEOPLE = sheet(
    *_PERSON_OF_PERIOD,
    "visitor_type",
    full_name={"pdf_width": 14},
    email={"pdf_width": 22},
    sessions_attended={"short": ("Меропр.", "Sessions"), "pdf_width": 6},
    webinars_count={"short": ("Вебин.", "Webinars"), "pdf_width": 6},
    presence_seconds={"short": ("Присутствие", "Presence")},
    avg_rating={"short": ("Рейтинг", "Rating"), "pdf_width": 6},
    first_report_date={"short": ("Первое", "First"), "pdf_width": 7},
    last_report_date={"short": ("Последнее", "Last"), "pdf_width": 7},
)
"""The period PDF's people: who, how often, how long, how well, first and last visit."""
PDF_PEOPLE_MAX_ROWS = 200
"""Persons listed in the period's PDF (the most sessions, then the best average rating);
a line counts the rest, all are on the workbook's «Люди»."""

PDF_TABLES: dict[str, tuple[Column, ...]] = {
    "attendees": PDF_PARTICIPANTS,
    "staff": PDF_STAFF,
    "no_shows": PDF_NO_SHOWS,
}
"""The PDF's three participant tables, in the order they are printed."""


def sheet_columns(
    *, paid: bool, engagement: bool, fields: Sequence[Column] = (), no_shows: bool = False
) -> list[Column]:
    """The participants (or no-shows) sheet's columns, ``fields`` in place of the
    registration fields (see :func:`field_columns`)."""
    columns = applicable(
        NO_SHOW_SHEET if no_shows else PARTICIPANT_SHEET, paid=paid, engagement=engagement
    )
    at = next(i for i, c in enumerate(columns) if c.key == "registration_fields")
    return [*columns[:at], *fields, *columns[at + 1 :]]


def pdf_columns(*, paid: bool, engagement: bool, table: str = "attendees") -> list[Column]:
    """A session PDF's participants table's columns (a narrow selection of the sheet's)."""
    return applicable(PDF_TABLES[table], paid=paid, engagement=engagement)


# --- the registration fields: one column per label ------------------------------------------

FIELD_COLUMNS_MAX = 40
"""Registration fields that get a column of their own; the rest share one cell."""
FIELD_HEADER_MAX_CHARS = 100
"""Characters of a field's label shown in its header (the data keeps the whole label)."""


def field_key(index: int) -> str:
    """The row key the data layer gives the ``index``-th registration field's value."""
    return f"field_{index}"


OTHER_FIELDS = "other_fields"
"""The row key of the fields past :data:`FIELD_COLUMNS_MAX` (``jsonb``: label -> value)."""


_FORM: Pair = ("анкета", "form")
"""Said after a field label that reads like one of the sheet's own headers."""


def _field_headers(labels: Sequence[str], locale: str) -> list[str]:
    from webstat.reports.values import clean_text, clip

    taken = {c.header(locale).casefold() for c in (*PARTICIPANT_SHEET, *NO_SHOW_SHEET)}
    seen: set[str] = set()
    headers = []
    for label in labels:
        header = clean_text(clip(label if label.strip() else "—", FIELD_HEADER_MAX_CHARS))
        if header.strip().casefold() in taken:  # «Город» typed in the form is not the IP's city
            header = f"{header} ({texts.pick(_FORM, locale)})"
        base, n = header, 1
        while " ".join(header.split()).casefold() in seen:  # reads the same: numbered
            n += 1
            header = f"{base} ({n})"
        seen.add(" ".join(header.split()).casefold())
        headers.append(header)
    return headers


def field_columns(labels: Sequence[str], *, more: bool = False) -> list[Column]:
    """A text column per registration field label: the label is its header (clipped,
    unlike the sheet's own headers, unique on the sheet), and one for the rest when
    ``more``."""
    pairs = zip(_field_headers(labels, "ru"), _field_headers(labels, "en"), strict=True)
    columns = [
        Column(field_key(i), ru, en, Kind.TEXT, width=min(max(len(ru) / 2, 12), 30), fit=True)
        for i, (ru, en) in enumerate(pairs)
    ]
    if more:
        columns.append(Column(OTHER_FIELDS, "Другие поля", "Other fields", Kind.JSON, width=30))
    return columns


def sheet_name(key: str, locale: str, part: int = 1) -> str:
    """The sheet's title; a continuation past Excel's row limit gets `` (2)``, `` (3)``…"""
    name = texts.text(f"sheet.{key}", locale)
    return name if part == 1 else f"{name} ({part})"
