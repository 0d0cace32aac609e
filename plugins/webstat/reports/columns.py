"""The one mapping from mart columns to report headers and value kinds.

Both the workbook and the PDF read their headers, value kinds and column
choices from here; nothing else in the reports spells a header. ``ru`` headers
follow the platform's own export wording, ``en`` headers are their twins.

Kinds (how a value is shown):

``text``       free text from the data (formula-neutralised in the workbook)
``email``      an e-mail; NULL for a guest reads «гость» / "guest"
``enum``       a code shown as words (``labels``; a value not in them is shown as is)
``platforms``  comma-joined platform codes shown as words
``datetime``   ``timestamptz`` shown in ``WEBSTAT_TIMEZONE``
``date``       a calendar date
``duration``   whole seconds shown ``[h]:mm:ss``
``pct``        0-100 ``numeric`` shown as a percentage
``int``        a count
``number``     a decimal (the rating)
``bool``       yes / no
``json``       ``jsonb`` shown as readable text (fields, agreements)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

KINDS = frozenset(
    {
        "text",
        "email",
        "enum",
        "platforms",
        "datetime",
        "date",
        "duration",
        "pct",
        "int",
        "number",
        "bool",
        "json",
    }
)

# Words for coded values, per locale.
ROLE = {
    "participant": ("Участник", "Participant"),
    "host": ("Ведущий", "Host"),
    "admin": ("Администратор", "Admin"),
}
REGISTRATION_STATUS = {
    "invited": ("Приглашён, не зарегистрирован", "Invited, not registered"),
    "registered_by_invitation": ("Зарегистрирован по приглашению", "Registered by invitation"),
    "self_registered": ("Зарегистрировался сам", "Self-registered"),
}
PAYMENT_STATUS = {
    "paid": ("Оплачено", "Paid"),
    None: ("Не оплачено", "Not paid"),
}
VISITOR_TYPE = {
    "new": ("Новый", "New"),
    "returning": ("Повторный", "Returning"),
    "guest": ("Гость", "Guest"),
}
PLATFORM = {
    "web": ("Браузер", "Web"),
    "ios": ("iOS", "iOS"),
    "android": ("Android", "Android"),
}
SOURCE = {
    "direct": ("Прямой заход", "Direct"),
}
STATUS = {
    "ended": ("Завершено", "Ended"),
    "in_progress": ("Идёт", "In progress"),
}

WORDS: dict[str, tuple[str, str]] = {
    "guest_email": ("гость", "guest"),
    "yes": ("да", "yes"),
    "no": ("нет", "no"),
}


def word(key: str, locale: str) -> str:
    """A fixed word of the reports in ``locale``."""
    ru, en = WORDS[key]
    return ru if locale == "ru" else en


@dataclass(frozen=True)
class Column:
    """One column of a report: where its value comes from and how it reads."""

    key: str
    """The mart column (or a derived field the data layer computes under this name)."""
    ru: str
    en: str
    kind: str = "text"
    width: float = 14
    """Width in the workbook, in characters."""
    labels: Mapping[object, tuple[str, str]] | None = None
    requires: str | None = None
    """``paid``: only for paid webinars; ``engagement``: only with the engagement module."""
    pdf: bool = False
    """Shown in the PDF's participants table (a few key columns: WeasyPrint's time is
    linear in the table's cells; see docs/reports.md)."""
    short_ru: str | None = None
    short_en: str | None = None
    """Narrow header for the PDF table (defaults to the full one)."""
    pdf_width: float | None = None
    """Relative width in the PDF table (defaults to ``width``)."""
    derived: bool = field(default=False)
    """Computed by the data layer's query, not a column of the mart itself."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r} for {self.key}")

    def header(self, locale: str) -> str:
        return self.ru if locale == "ru" else self.en

    def short(self, locale: str) -> str:
        text = self.short_ru if locale == "ru" else self.short_en
        return text or self.header(locale)

    def label(self, value: object, locale: str) -> str | None:
        """The words for an ``enum`` value (the code itself when unknown)."""
        assert self.labels is not None
        pair = self.labels.get(value)
        if pair is None:
            return None if value is None else str(value)
        return pair[0] if locale == "ru" else pair[1]


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


# --- marts.fct_participants (+ the session's name and date) -------------------------------

PARTICIPANT_COLUMNS: tuple[Column, ...] = (
    Column("full_name", "Участник", "Participant", derived=True, width=26, pdf=True, pdf_width=17),
    Column("first_name", "Имя", "First name", width=16),
    Column("last_name", "Фамилия", "Last name", width=18),
    Column("email", "E-mail", "E-mail", "email", width=28, pdf=True, pdf_width=19),
    Column("registration_fields", "Дополнительные поля", "Additional fields", "json", width=30),
    Column("chat_name", "Имя в чате", "Chat name", width=18),
    Column("role", "Роль", "Role", "enum", width=14, labels=ROLE),
    Column(
        "visitor_type",
        "Новый / повторный",
        "New / returning",
        "enum",
        width=14,
        labels=VISITOR_TYPE,
        derived=True,
        short_ru="Тип",
        short_en="Type",
    ),
    Column(
        "payment_status",
        "Статус оплаты",
        "Payment status",
        "enum",
        width=14,
        labels=PAYMENT_STATUS,
        requires="paid",
    ),
    Column(
        "registration_status",
        "Статус регистрации",
        "Registration status",
        "enum",
        width=30,
        labels=REGISTRATION_STATUS,
    ),
    Column("registered_at", "Дата регистрации", "Registered at", "datetime", width=19),
    Column("invited_at", "Дата приглашения", "Invited at", "datetime", width=19),
    Column(
        "referrer_source",
        "Источник",
        "Source",
        "enum",
        width=18,
        labels=SOURCE,
    ),
    Column("utm_source", "UTM source", "UTM source", width=14),
    Column("utm_medium", "UTM medium", "UTM medium", width=14),
    Column("utm_campaign", "UTM campaign", "UTM campaign", width=16),
    Column("utm_content", "UTM content", "UTM content", width=14),
    Column("utm_term", "UTM term", "UTM term", width=14),
    Column("platforms", "Платформа", "Platform", "platforms", width=16),
    Column(
        "primary_platform",
        "Основная платформа",
        "Primary platform",
        "enum",
        width=14,
        labels=PLATFORM,
    ),
    Column("webinar_name", "Вебинар", "Webinar", width=30, derived=True, pdf_width=18),
    Column(
        "report_date",
        "Дата мероприятия",
        "Event date",
        "date",
        width=12,
        derived=True,
        short_ru="Дата",
        short_en="Date",
        pdf_width=7.5,
    ),
    Column("country", "Страна", "Country", width=14),
    Column("city", "Город", "City", width=14),
    Column("last_ip", "IP", "IP", width=16),
    Column(
        "first_joined_at",
        "Время входа",
        "First joined",
        "datetime",
        width=19,
        pdf=True,
        short_ru="Вход",
        short_en="Joined",
        pdf_width=8,
    ),
    Column(
        "last_left_at",
        "Время выхода",
        "Last left",
        "datetime",
        width=19,
        short_ru="Выход",
        short_en="Left",
    ),
    Column("connections_count", "Входов", "Connections", "int", width=9),
    Column(
        "presence_seconds",
        "Время присутствия",
        "Presence time",
        "duration",
        width=12,
        pdf=True,
        short_ru="Присутствие",
        short_en="Presence",
        pdf_width=8,
    ),
    Column(
        "presence_pct",
        "% присутствия",
        "Presence %",
        "pct",
        width=12,
        pdf=True,
        short_ru="% прис.",
        short_en="Pres. %",
        pdf_width=6.5,
    ),
    Column(
        "messages_count",
        "Сообщения",
        "Messages",
        "int",
        width=11,
        pdf=True,
        short_ru="Сообщ.",
        short_en="Msgs",
        pdf_width=6.5,
    ),
    Column("messages_pct", "% сообщений", "Messages %", "pct", width=12),
    Column(
        "questions_count",
        "Вопросы",
        "Questions",
        "int",
        width=10,
        pdf=True,
        short_ru="Вопр.",
        short_en="Qs",
        pdf_width=6,
    ),
    Column("questions_pct", "% вопросов", "Questions %", "pct", width=11),
    Column(
        "fires_count",
        "«Огоньки»",
        "Fires",
        "int",
        width=10,
        short_ru="Огоньки",
        short_en="Fires",
    ),
    Column(
        "active_seconds",
        "Фактическая активность",
        "Actual activity",
        "duration",
        width=13,
        requires="engagement",
    ),
    Column(
        "active_pct",
        "% активности",
        "Activity %",
        "pct",
        width=12,
        requires="engagement",
        pdf=True,
        short_ru="% актив.",
        short_en="Act. %",
        pdf_width=6.5,
    ),
    Column("rating", "Рейтинг", "Rating", "number", width=9, pdf=True, pdf_width=6),
    Column("agreements", "Соглашения", "Agreements", "json", width=30),
    Column(
        "host_window_presence_pct",
        "% присутствия от активного времени ведущих",
        "Presence in hosts' active time %",
        "pct",
        width=16,
    ),
    Column("left_early", "Ушёл раньше", "Left early", "bool", width=11),
    Column("participant_id", "ID участника", "Participant ID", width=16),
)
"""Participants sheet, in order. ``full_name`` is the PDF's name column only."""

PARTICIPANT_SHEET_EXCLUDE = frozenset({"full_name"})
"""Columns of :data:`PARTICIPANT_COLUMNS` the workbook leaves out (it has the parts)."""

PERIOD_PDF_EXTRA = ("report_date", "webinar_name")
"""Participant columns the period PDF adds in front (which session a row belongs to)."""
PERIOD_PDF_DROP = frozenset({"first_joined_at"})
"""...and the ones it leaves out to make room (the workbook has them)."""


def sheet_columns(*, paid: bool, engagement: bool) -> list[Column]:
    """The participants sheet's columns."""
    return [
        c
        for c in applicable(PARTICIPANT_COLUMNS, paid=paid, engagement=engagement)
        if c.key not in PARTICIPANT_SHEET_EXCLUDE
    ]


def pdf_columns(*, paid: bool, engagement: bool, period: bool = False) -> list[Column]:
    """The PDF participants table's columns (a narrow selection of the sheet's)."""
    cols = [c for c in applicable(PARTICIPANT_COLUMNS, paid=paid, engagement=engagement) if c.pdf]
    if period:
        by_key = {c.key: c for c in PARTICIPANT_COLUMNS}
        cols = [by_key[k] for k in PERIOD_PDF_EXTRA] + [
            c for c in cols if c.key not in PERIOD_PDF_DROP
        ]
    return cols


# --- marts.fct_connections (+ the participant's name and the session's bounds) ------------

CONNECTION_COLUMNS: tuple[Column, ...] = (
    Column("first_name", "Имя", "First name", width=16, derived=True),
    Column("last_name", "Фамилия", "Last name", width=18, derived=True),
    Column("email", "E-mail", "E-mail", "email", width=28, derived=True),
    Column("chat_name", "Имя в чате", "Chat name", width=18),
    Column("role", "Роль", "Role", "enum", width=14, labels=ROLE),
    Column(
        "session_started_at",
        "Начало мероприятия",
        "Event start",
        "datetime",
        width=19,
        derived=True,
    ),
    Column(
        "session_ended_at", "Окончание мероприятия", "Event end", "datetime", width=19, derived=True
    ),
    Column("joined_at", "Время входа", "Joined at", "datetime", width=19),
    Column("left_at", "Время выхода", "Left at", "datetime", width=19),
    Column("left_inferred", "Выход не зафиксирован", "Leave inferred", "bool", width=12),
    Column("duration_seconds", "Длительность", "Duration", "duration", width=12),
    Column("platform", "Платформа", "Platform", "enum", width=12, labels=PLATFORM),
    Column("ip", "IP", "IP", width=16),
    Column("country", "Страна", "Country", width=14),
    Column("city", "Город", "City", width=14),
    Column("user_agent", "User-Agent", "User agent", width=40),
    Column("connection_id", "ID подключения", "Connection ID", width=16),
    Column("participant_id", "ID участника", "Participant ID", width=16),
)
"""Join-sessions sheet («Сеансы входов»), one row per connection."""

# --- marts.fct_event_sessions, shown as label / value rows ---------------------------------

EVENT_FIELDS: tuple[Column, ...] = (
    Column("webinar_name", "Вебинар", "Webinar"),
    Column("event_session_id", "ID мероприятия", "Event session ID"),
    Column("report_date", "Дата мероприятия", "Event date", "date"),
    Column("started_at", "Начало", "Start", "datetime"),
    Column("ended_at", "Окончание", "End", "datetime"),
    Column("end_inferred", "Окончание по последнему событию", "End inferred", "bool"),
    Column("duration_seconds", "Длительность", "Duration", "duration"),
    Column("is_paid", "Платный вебинар", "Paid webinar", "bool"),
    Column("engagement_module", "Модуль вовлечённости", "Engagement module", "bool"),
    Column("invited_count", "Приглашено", "Invited", "int"),
    Column("registered_count", "Зарегистрировано", "Registered", "int"),
    Column("attendees_count", "Зрителей (все роли)", "Attendees (all roles)", "int"),
    Column("participants_count", "Участники", "Participants", "int"),
    Column("new_participants_count", "Новые", "New", "int"),
    Column("returning_participants_count", "Повторные", "Returning", "int"),
    Column("guest_participants_count", "Гости", "Guests", "int"),
    Column("hosts_count", "Ведущие и администраторы", "Hosts and admins", "int"),
    Column("peak_concurrent_participants", "Пик онлайн", "Peak online", "int"),
    Column("avg_presence_pct", "Средний % присутствия", "Average presence %", "pct"),
    Column("left_early_count", "Ушли раньше", "Left early", "int"),
    Column("messages_count", "Сообщения", "Messages", "int"),
    Column("questions_count", "Вопросы", "Questions", "int"),
    Column("fires_count", "«Огоньки»", "Fires", "int"),
    Column("host_active_started_at", "Начало эфира ведущих", "Hosts on air from", "datetime"),
    Column("host_active_ended_at", "Окончание эфира ведущих", "Hosts on air until", "datetime"),
    Column("host_active_seconds", "Активное время ведущих", "Hosts' active time", "duration"),
    Column("host_active_pct", "% активного времени ведущих", "Hosts' active time %", "pct"),
)
"""Event sheet («Мероприятие»): one label / value row per field."""

# --- marts.fct_traffic_sources / fct_devices / fct_attendance_minutes ---------------------

SOURCE_COLUMNS: tuple[Column, ...] = (
    Column("referrer_source", "Источник", "Source", "enum", width=30, labels=SOURCE),
    Column("participants_count", "Участники", "Participants", "int", width=12),
    Column("share_pct", "Доля", "Share", "pct", width=10),
)
DEVICE_COLUMNS: tuple[Column, ...] = (
    Column("platform", "Платформа", "Platform", "enum", width=18, labels=PLATFORM),
    Column("participants_count", "Участники", "Participants", "int", width=12),
    Column("share_pct", "Доля", "Share", "pct", width=10),
)
ATTENDANCE_COLUMNS: tuple[Column, ...] = (
    Column("minute_at", "Время", "Time", "datetime", width=17),
    Column("participants_online", "Онлайн", "Online", "int", width=10),
)

# --- the period report ("Статистика") ---------------------------------------------------

PERIOD_SESSION_COLUMNS: tuple[Column, ...] = (
    Column(
        "report_date",
        "Дата мероприятия",
        "Event date",
        "date",
        width=12,
        short_ru="Дата",
        short_en="Date",
        pdf_width=7,
    ),
    Column("webinar_name", "Вебинар", "Webinar", width=34, pdf_width=22),
    Column("started_at", "Начало", "Start", "datetime", width=19, pdf_width=7.5),
    Column("ended_at", "Окончание", "End", "datetime", width=19, pdf_width=7.5),
    Column(
        "duration_seconds",
        "Длительность",
        "Duration",
        "duration",
        width=12,
        short_ru="Длит.",
        short_en="Dur.",
        pdf_width=5.5,
    ),
    Column(
        "participants_count",
        "Участники",
        "Participants",
        "int",
        width=11,
        short_ru="Участн.",
        short_en="Part.",
        pdf_width=5.5,
    ),
    Column("new_participants_count", "Новые", "New", "int", width=9, pdf_width=5),
    Column(
        "returning_participants_count",
        "Повторные",
        "Returning",
        "int",
        width=10,
        short_ru="Повт.",
        short_en="Ret.",
        pdf_width=5,
    ),
    Column("guest_participants_count", "Гости", "Guests", "int", width=9, pdf_width=5),
    Column(
        "invited_count",
        "Приглашено",
        "Invited",
        "int",
        width=11,
        short_ru="Пригл.",
        short_en="Inv.",
        pdf_width=5,
    ),
    Column(
        "registered_count",
        "Зарегистрировано",
        "Registered",
        "int",
        width=12,
        short_ru="Зарег.",
        short_en="Reg.",
        pdf_width=5,
    ),
    Column(
        "peak_concurrent_participants",
        "Пик онлайн",
        "Peak online",
        "int",
        width=10,
        short_ru="Пик",
        short_en="Peak",
        pdf_width=4.5,
    ),
    Column(
        "avg_presence_pct",
        "Средний % присутствия",
        "Average presence %",
        "pct",
        width=12,
        short_ru="% прис.",
        short_en="Pres. %",
        pdf_width=5.5,
    ),
    Column(
        "host_active_pct",
        "% активного времени ведущих",
        "Hosts' active time %",
        "pct",
        width=12,
        short_ru="% эфира",
        short_en="On air %",
        pdf_width=5.5,
    ),
    Column(
        "messages_count",
        "Сообщения",
        "Messages",
        "int",
        width=11,
        short_ru="Сообщ.",
        short_en="Msgs",
        pdf_width=5,
    ),
    Column(
        "questions_count",
        "Вопросы",
        "Questions",
        "int",
        width=10,
        short_ru="Вопр.",
        short_en="Qs",
        pdf_width=4.5,
    ),
    Column(
        "fires_count",
        "«Огоньки»",
        "Fires",
        "int",
        width=10,
        short_ru="Огоньки",
        short_en="Fires",
        pdf_width=5.5,
    ),
    Column("event_session_id", "ID мероприятия", "Event session ID", width=18),
)
"""Sessions sheet («Мероприятия») of the period report, one row per event session."""

PERIOD_TOTAL_FIELDS: tuple[Column, ...] = (
    Column("sessions_count", "Мероприятий", "Event sessions", "int"),
    Column("total_duration_seconds", "Общая длительность", "Total duration", "duration"),
    Column(
        "participants_count",
        "Участники (сумма по мероприятиям)",
        "Participants (sum over sessions)",
        "int",
    ),
    Column("unique_people_count", "Уникальных людей", "Unique people", "int"),
    Column("new_participants_count", "Новые", "New", "int"),
    Column("returning_participants_count", "Повторные", "Returning", "int"),
    Column("guest_participants_count", "Гости", "Guests", "int"),
    Column("invited_count", "Приглашено", "Invited", "int"),
    Column("registered_count", "Зарегистрировано", "Registered", "int"),
    Column("avg_presence_pct", "Средний % присутствия", "Average presence %", "pct"),
    Column("messages_count", "Сообщения", "Messages", "int"),
    Column("questions_count", "Вопросы", "Questions", "int"),
    Column("fires_count", "«Огоньки»", "Fires", "int"),
)
"""Totals sheet («Итоги») of the period report."""

# --- sheet names and other fixed texts ----------------------------------------------------

SHEETS: dict[str, tuple[str, str]] = {
    "participants": ("Участники", "Participants"),
    "connections": ("Сеансы входов", "Join sessions"),
    "event": ("Мероприятие", "Event"),
    "sources": ("Источники", "Sources"),
    "devices": ("Устройства", "Devices"),
    "sessions": ("Мероприятия", "Event sessions"),
    "totals": ("Итоги", "Totals"),
}


def sheet_name(key: str, locale: str, part: int = 1) -> str:
    """The sheet's title; a continuation past Excel's row limit gets `` (2)``, `` (3)``…"""
    ru, en = SHEETS[key]
    name = ru if locale == "ru" else en
    return name if part == 1 else f"{name} ({part})"
