"""Every fixed text of the reports, in both locales: ``(ru, en)`` pairs.

Column headers are the one exception: they are part of a column's definition in
:mod:`webstat.reports.columns`. ``ru`` follows the platform's own wording, ``en``
is its twin. A text may hold ``{placeholders}`` filled by :func:`text`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Pair = tuple[str, str]
Labels = Mapping[Any, Pair]

TEXTS: dict[str, Pair] = {
    # sheet names (a continuation past Excel's row limit adds " (2)", " (3)"…)
    "sheet.participants": ("Участники", "Participants"),
    "sheet.connections": ("Сеансы входов", "Join sessions"),
    "sheet.event": ("Мероприятие", "Event"),
    "sheet.sources": ("Источники", "Sources"),
    "sheet.devices": ("Устройства", "Devices"),
    "sheet.sessions": ("Мероприятия", "Event sessions"),
    "sheet.totals": ("Итоги", "Totals"),
    # words shown for values
    "guest_email": ("гость", "guest"),
    "yes": ("да", "yes"),
    "no": ("нет", "no"),
    # titles and notes of both documents
    "times": ("Время: {zone}", "Times: {zone}"),
    "period_title": ("Статистика за {start} – {end}", "Statistics for {start} – {end}"),
    "period_webinars": (" · вебинары «{webinar}»", " · webinars “{webinar}”"),
    # the workbook
    "measure": ("Показатель", "Measure"),
    "value": ("Значение", "Value"),
    "time_zone": ("Часовой пояс", "Time zone"),
    "chart.sources": ("Участники по источникам", "Participants by source"),
    "chart.devices": ("Участники по платформам", "Participants by platform"),
    "chart.online": ("Участники онлайн", "Participants online"),
    # the PDF
    "session_kicker": ("Отчёт о вебинаре", "Webinar report"),
    "period_kicker": ("Статистика вебинаров", "Webinar statistics"),
    "attendance": ("Участники онлайн по минутам", "Participants online, per minute"),
    "sources": ("Источники трафика", "Traffic sources"),
    "devices": ("Устройства", "Devices"),
    "participants": ("Участники", "Participants"),
    "sessions": ("Мероприятия", "Event sessions"),
    "per_day": ("Участники по дням", "Participants per day"),
    "no_data": ("Нет данных", "No data"),
    "other": ("другие", "other"),
    "of_registered": ("зарегистрировано: {n}", "registered: {n}"),
    "attendees_all": ("зрителей всего: {n}", "attendees in all: {n}"),
    "new_ret_guest": ("Новые / повторные / гости", "New / returning / guests"),
    "msgs_qs": ("Сообщения / вопросы", "Messages / questions"),
    "fires_sub": ("«огоньков»: {n}", "fires: {n}"),
    "host_sub": ("в эфире {d}", "on air {d}"),
    "left_early_sub": ("от участников: {p}", "of participants: {p}"),
    "avg_sub": ("среднее по участникам", "mean over participants"),
    "peak_sub": ("одновременно", "at the same time"),
    "duration_sub": ("{a} – {b}", "{a} – {b}"),
    "unique_sub": ("по e-mail и гостям", "by e-mail and guests"),
    "reg_inv": ("Зарегистрировано / приглашено", "Registered / invited"),
    "peak_max_sub": ("наибольший за период", "the highest of the period"),
    "capped": (
        "Показаны первые {shown} из {total} строк. Полный список — в файле report.xlsx.",
        "The first {shown} of {total} rows are shown. The full list is in report.xlsx.",
    ),
    "all_rows": ("Строк: {total}.", "Rows: {total}."),
    "page": ("стр.", "page"),
    "page_of": ("из", "of"),
    "generated": ("Сформировано webstat", "Made by webstat"),
    "filter": ("Фильтр по названию: «{webinar}»", "Name filter: “{webinar}”"),
    "sessions_count": ("мероприятий: {n}", "event sessions: {n}"),
    "inferred": (
        "Окончание не зафиксировано платформой: принято время последнего события.",
        "The platform recorded no end: the newest event is taken as the end.",
    ),
}


def pick(pair: Pair, locale: str) -> str:
    """The ``ru`` or the ``en`` half of ``pair``."""
    return pair[0] if locale == "ru" else pair[1]


def text(key: str, locale: str, **values: Any) -> str:
    """The text ``key`` in ``locale``, its ``{placeholders}`` filled from ``values``."""
    template = pick(TEXTS[key], locale)
    return template.format(**values) if values else template


# --- words for coded values ----------------------------------------------------------------

ROLE: Labels = {
    "participant": ("Участник", "Participant"),
    "host": ("Ведущий", "Host"),
    "admin": ("Администратор", "Admin"),
}
REGISTRATION_STATUS: Labels = {
    "invited": ("Приглашён, не зарегистрирован", "Invited, not registered"),
    "registered_by_invitation": ("Зарегистрирован по приглашению", "Registered by invitation"),
    "self_registered": ("Зарегистрировался сам", "Self-registered"),
}
PAYMENT_STATUS: Labels = {
    "paid": ("Оплачено", "Paid"),
    None: ("Не оплачено", "Not paid"),
}
VISITOR_TYPE: Labels = {
    "new": ("Новый", "New"),
    "returning": ("Повторный", "Returning"),
    "guest": ("Гость", "Guest"),
}
PLATFORM: Labels = {
    "web": ("Браузер", "Web"),
    "ios": ("iOS", "iOS"),
    "android": ("Android", "Android"),
}
SOURCE: Labels = {
    "direct": ("Прямой заход", "Direct"),
}
STATUS: Labels = {
    "ended": ("Завершено", "Ended"),
    "in_progress": ("Идёт", "In progress"),
}
