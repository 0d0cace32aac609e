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
    Kind.EMAIL: KindInfo(style="text", css=""),
    Kind.ENUM: KindInfo(style="text", css="tag"),
    Kind.PLATFORMS: KindInfo(style="text", css=""),
    Kind.BOOL: KindInfo(style="text", css="tag"),
    Kind.JSON: KindInfo(style="text", css=""),
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
    Column("full_name", "Участник", "Participant", width=26, pdf_width=17, wide=True),
    Column("first_name", "Имя", "First name", width=16),
    Column("last_name", "Фамилия", "Last name", width=18),
    Column("email", "E-mail", "E-mail", K.EMAIL, width=28, pdf_width=19, wide=True),
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
    Column("left_early", "Ушёл раньше", "Left early", K.BOOL, width=11),
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
    Column("left_early_count", "Ушли раньше", "Left early", K.INT),
    Column(
        "messages_count",
        "Сообщения",
        "Messages",
        K.INT,
        width=11,
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
        width=10,
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
    # --- a period's totals ------------------------------------------------------------------
    Column("sessions_count", "Мероприятий", "Event sessions", K.INT),
    Column("total_duration_seconds", "Общая длительность", "Total duration", K.DURATION),
    Column("unique_people_count", "Уникальных людей", "Unique people", K.INT),
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

PARTICIPANT_SHEET = sheet(
    "first_name",
    "last_name",
    "email",
    "registration_fields",
    "chat_name",
    "role",
    "visitor_type",
    "payment_status",
    "registration_status",
    "registered_at",
    "invited_at",
    "referrer_source",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "platforms",
    "primary_platform",
    "webinar_name",
    "report_date",
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
    "left_early",
    "participant_id",
)
"""Participants sheet («Участники»), one row per participant, with the session's name and date."""

CONNECTION_SHEET = sheet(
    "first_name",
    "last_name",
    "email",
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
    "participants_count",
    "new_participants_count",
    "returning_participants_count",
    "guest_participants_count",
    "hosts_count",
    "peak_concurrent_participants",
    "avg_presence_pct",
    "left_early_count",
    "messages_count",
    "questions_count",
    "fires_count",
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
ATTENDANCE_COLUMNS = sheet("minute_at", "participants_online")
"""The event sheet's minutes (time, participants online)."""

PERIOD_SESSION_SHEET = sheet(
    "report_date",
    "webinar_name",
    "started_at",
    "ended_at",
    "duration_seconds",
    "participants_count",
    "new_participants_count",
    "returning_participants_count",
    "guest_participants_count",
    "invited_count",
    "registered_count",
    "peak_concurrent_participants",
    "avg_presence_pct",
    "host_active_pct",
    "messages_count",
    "questions_count",
    "fires_count",
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
    "new_participants_count",
    "returning_participants_count",
    "guest_participants_count",
    "invited_count",
    "registered_count",
    "avg_presence_pct",
    "messages_count",
    "questions_count",
    "fires_count",
    participants_count={
        "ru": "Участники (сумма по мероприятиям)",
        "en": "Participants (sum over sessions)",
    },
)
"""Totals sheet («Итоги») of the period report."""

# --- the PDF's participants tables ----------------------------------------------------------
# Who, their e-mail, when they came, how long they stayed, how much they took part, the
# rating: WeasyPrint's time is linear in the table's cells (docs/reports.md), the workbook
# has every column.

PDF_PARTICIPANTS = sheet(
    "full_name",
    "email",
    "first_joined_at",
    "presence_seconds",
    "presence_pct",
    "messages_count",
    "questions_count",
    "active_pct",
    "rating",
)
PDF_PERIOD_PARTICIPANTS = sheet(
    "report_date",
    "webinar_name",
    "full_name",
    "email",
    "presence_seconds",
    "presence_pct",
    "messages_count",
    "questions_count",
    "active_pct",
    "rating",
)
"""The period's: which session a row belongs to (date, webinar) instead of the join time."""


def sheet_columns(*, paid: bool, engagement: bool) -> list[Column]:
    """The participants sheet's columns."""
    return applicable(PARTICIPANT_SHEET, paid=paid, engagement=engagement)


def pdf_columns(*, paid: bool, engagement: bool, period: bool = False) -> list[Column]:
    """The PDF participants table's columns (a narrow selection of the sheet's)."""
    columns = PDF_PERIOD_PARTICIPANTS if period else PDF_PARTICIPANTS
    return applicable(columns, paid=paid, engagement=engagement)


def sheet_name(key: str, locale: str, part: int = 1) -> str:
    """The sheet's title; a continuation past Excel's row limit gets `` (2)``, `` (3)``…"""
    name = texts.text(f"sheet.{key}", locale)
    return name if part == 1 else f"{name} ({part})"
