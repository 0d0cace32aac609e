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
    "sheet.no_shows": ("Не пришли", "No-shows"),
    "sheet.notes": ("Пояснения", "Notes"),
    "sheet.people": ("Люди", "People"),
    "sheet.funnel": ("Воронка", "Funnel"),
    "sheet.series": ("Серии", "Series"),
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
    "how": ("Как считается", "How it is made"),
    "time_zone": ("Часовой пояс", "Time zone"),
    "chart.sources": ("Участники по источникам", "Participants by source"),
    "chart.devices": ("Участники по платформам", "Participants by platform"),
    "chart.timeline": (
        "Участники онлайн и события чата по минутам",
        "Participants online and chat events, per minute",
    ),
    "chart.events": ("События за минуту", "Events per minute"),
    # the PDF
    "session_kicker": ("Отчёт о вебинаре", "Webinar report"),
    "period_kicker": ("Статистика вебинаров", "Webinar statistics"),
    "sources": ("Источники трафика", "Traffic sources"),
    "devices": ("Устройства", "Devices"),
    "participants": ("Участники", "Participants"),
    "staff": ("Ведущие и администраторы", "Hosts and admins"),
    "no_shows": ("Не пришли", "No-shows"),
    "came_missed": (
        "пришли: {came} · не пришли: {missed}",
        "attended: {came} · no-shows: {missed}",
    ),
    "flags_kpi": ("Опоздали / ушли раньше / мало", "Late / left early / low presence"),
    "flag_words": ("опоздал|ушёл раньше|мало присутствовал", "late|left early|low presence"),
    "sessions": ("Мероприятия", "Event sessions"),
    "people": ("Люди", "People"),
    "funnel": (
        "Воронка: приглашены → зарегистрировались → пришли",
        "Funnel: invited → registered → attended",
    ),
    "series_legend": (
        "людей на занятии|из них пришли на следующее",
        "persons at the lesson|of them, at the next one",
    ),
    "series_more": (
        "Ещё серий: {n} — все в листе «Серии» файла report.xlsx.",
        "{n} more series: all on the «Series» sheet of report.xlsx.",
    ),
    "series_none": (
        "В периоде нет серий (вебинаров из двух и более мероприятий).",
        "No series in the period (webinars of two or more sessions).",
    ),
    "series_title": (
        "{name} · занятий: {n} · {first} – {last}",
        "{name} · lessons: {n} · {first} – {last}",
    ),
    "lesson_axis": ("№ занятия", "lesson no."),
    "total": ("Итого", "Total"),
    "guest_visits": (
        "гости без e-mail — посещений: {n} (в списке людей их нет)",
        "guests without an e-mail — visits: {n} (not in the list of people)",
    ),
    "people_capped": (
        "Показаны {shown} из {total} человек: больше всего посещений, затем лучший средний"
        " рейтинг. Все — в листе «Люди» файла report.xlsx.",
        "The {shown} of {total} persons with the most sessions, then the best average rating,"
        " are shown. Everyone is on the «People» sheet of report.xlsx.",
    ),
    "people_all": ("Людей: {total}.", "Persons: {total}."),
    "per_day": ("Участники по дням", "Participants per day"),
    "no_data": ("Нет данных", "No data"),
    "other": ("другие", "other"),
    "of_registered": ("зарегистрировано: {n}", "registered: {n}"),
    "attendees_all": ("зрителей всего: {n}", "attendees in all: {n}"),
    "new_ret_guest": ("Новые / повторные / гости", "New / returning / guests"),
    "msgs_qs": ("Сообщения / вопросы", "Messages / questions"),
    "fires_sub": ("«огоньков»: {n}", "fires: {n}"),
    "host_sub": ("в эфире {d}", "on air {d}"),
    "of_participants": ("из участников: {n}", "of participants: {n}"),
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
    "series": ("Серия", "Series"),
    "series.place": ("занятие {n} из {total}", "lesson {n} of {total}"),
    "series.back.one": (
        "{count} вернулся {prep} {prev}-го",
        "{count} came back from lesson {prev}",
    ),
    "series.back.many": (
        "{count} вернулись {prep} {prev}-го",
        "{count} came back from lesson {prev}",
    ),
    "series.new.one": ("{count} новый", "{count} new"),
    "series.new.many": ("{count} новых", "{count} new"),
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
}
"""Only a payment is marked: every other value (NULL) is an empty cell, never "not paid"."""
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


# --- the notes (the workbook's «Пояснения» sheet, the PDF's closing section) ---------------
# Each is (heading, text); the {placeholders} are the values the marts were built with
# (data.BuildSettings) and the report's time zone, so the notes say what is in force.

NOTES: tuple[tuple[Pair, Pair], ...] = (
    (
        ("Настройки", "Settings"),
        (
            "Числа ниже — настройки, с которыми собраны витрины ({source}).",
            "The values below are the settings the marts were built with ({source}).",
        ),
    ),
    (
        ("Присутствие", "Presence"),
        (
            "Время присутствия — длина объединения всех подключений участника, обрезанных"
            " началом и окончанием мероприятия: два устройства одновременно считаются один раз"
            " (выгрузка самой платформы складывает подключения, поэтому её время бывает больше)."
            " % присутствия = время присутствия / длительность мероприятия × 100.",
            "Presence time is the length of the union of a participant's connections, clipped"
            " to the session's start and end: two devices at once count once (the platform's"
            " own export sums the connections, so its time can be longer)."
            " Presence % = presence time / the session's duration × 100.",
        ),
    ),
    (
        ("Активность", "Activity"),
        (
            "Фактическая активность (только с модулем вовлечённости) — время, когда открыто"
            " хотя бы одно подключение и его вкладка активна. % активности = активность /"
            " длительность × 100.",
            "Actual activity (only with the engagement module) is the time when at least one"
            " connection is open and its tab is active. Activity % = activity / duration × 100.",
        ),
    ),
    (
        ("Активное время ведущих", "Hosts' active time"),
        (
            "От первого включения эфира до последнего выключения (паузы внутри входят)."
            " % активного времени ведущих = это время / длительность × 100. % присутствия"
            " от активного времени ведущих = присутствие участника внутри этого окна / его"
            " длина × 100.",
            "From the first broadcast start to the last broadcast stop (pauses inside count)."
            " Hosts' active time % = that time / duration × 100. Presence in hosts' active"
            " time % = the participant's presence inside that window / its length × 100.",
        ),
    ),
    (
        ("Сообщения и вопросы", "Messages and questions"),
        (
            "% сообщений (вопросов) = сообщения (вопросы) участника / все сообщения (вопросы)"
            " мероприятия × 100; в знаменателе сообщения всех ролей, ведущих тоже.",
            "Messages % (questions %) = the participant's messages (questions) / all the"
            " session's messages (questions) × 100; the denominator counts every role, hosts too.",
        ),
    ),
    (
        ("Рейтинг", "Rating"),
        (
            "Рейтинг = {w_presence} × % присутствия + {w_active} × % активности"
            " + {w_messages} × S(сообщения, {cap_messages}) + {w_questions} × S(вопросы,"
            " {cap_questions}) + {w_fires} × S(«огоньки», {cap_fires}), где S(x, c) ="
            " 100 × min(x, c) / c. Без модуля вовлечённости вес активности добавлен к"
            " присутствию ({w_presence_alone}). Округлён до 0,1; у не пришедших 0.",
            "Rating = {w_presence} × presence % + {w_active} × activity %"
            " + {w_messages} × S(messages, {cap_messages}) + {w_questions} × S(questions,"
            " {cap_questions}) + {w_fires} × S(fires, {cap_fires}), where S(x, c) ="
            " 100 × min(x, c) / c. Without the engagement module the activity weight goes to"
            " presence ({w_presence_alone}). Rounded to 0.1; 0 for no-shows.",
        ),
    ),
    (
        ("Опоздал, ушёл раньше, мало присутствовал", "Joined late, left early, low presence"),
        (
            "Опоздал: первый вход позже начала более чем на {late} мин. Ушёл раньше: последний"
            " выход раньше окончания более чем на {early} мин (выход, не зафиксированный"
            " платформой, считается окончанием). Мало присутствовал: % присутствия ниже"
            " {low} %. Флаги есть только у пришедших участников; у ведущих пусто.",
            "Joined late: the first join more than {late} min after the start. Left early: the"
            " last leave more than {early} min before the end (a leave the platform did not"
            " record counts as the end). Low presence: presence % below {low}%. Only attending"
            " participants have flags; hosts' cells are empty.",
        ),
    ),
    (
        ("Пик онлайн", "Peak online"),
        (
            "Наибольшее число участников (роль «Участник») онлайн в один момент. На графике"
            " по минутам значение минуты — пик внутри этой минуты, поэтому пик мероприятия"
            " равен наибольшему значению минуты.",
            "The most participants (role participant) online at one instant. In the per-minute"
            " chart a minute's value is the peak within that minute, so the session's peak is"
            " its largest minute.",
        ),
    ),
    (
        ("График по минутам, серия", "Per-minute chart, series"),
        (
            "Столбцы под линией онлайн — сообщения, вопросы и «огоньки» всех ролей за минуту"
            " (событие вне мероприятия — в его первой или последней минуте: сумма равна итогу)."
            " Серия — мероприятия одного вебинара по времени начала; «из 8» — известные на"
            " сегодня. «Вернулись со 2-го» — люди (участники с e-mail, без гостей и ведущих),"
            " бывшие и на предыдущем занятии; «новых» — впервые в этой серии.",
            "The bars under the online line are the minute's chat messages, questions and fires"
            " of every role (an event outside the session counts in its first or last minute:"
            " the bars sum to the totals). A series is one webinar's sessions by start time;"
            " “of 8” counts those known so far. “Came back from lesson 2”: persons (participants"
            " with an e-mail; no guests, no hosts) also at the previous lesson; “new”: first"
            " time in this series.",
        ),
    ),
    (
        ("Кто есть кто", "Who is who"),
        (
            "Участники — пришедшие с ролью «Участник». Ведущие и администраторы перечислены"
            " отдельно и не бывают гостями, новыми или повторными. Гость — участник без e-mail:"
            " новым или повторным его не посчитать. Повторный — человек с тем же e-mail был на"
            " более раннем мероприятии организации, иначе новый. Не пришли — приглашённые или"
            " зарегистрированные без единого входа; они на отдельном листе «Не пришли».",
            "Participants are attendees with the role participant. Hosts and admins are listed"
            " apart and are never guests, new or returning. A guest is a participant with no"
            " e-mail: we cannot tell new from returning. Returning: the same e-mail attended an"
            " earlier session of the organization, else new. No-shows were invited or"
            " registered and never joined; they are on their own sheet, «No-shows».",
        ),
    ),
    (
        ("Оплата и поля регистрации", "Payment and registration fields"),
        (
            "«Оплачено» стоит только у оплативших платный вебинар; у остальных пусто. Каждое"
            " дополнительное поле регистрации — своя колонка, в порядке первого появления.",
            "“Paid” is shown only for those who paid for a paid webinar; every other cell is"
            " empty. Each extra registration field has its own column, in first-seen order.",
        ),
    ),
    (
        ("Время и округление", "Time and rounding"),
        (
            "Время показано в поясе {zone}; дата мероприятия — по поясу {marts_zone}."
            " Мероприятие длиннее {max_days} дн. считается сбоем часов и в отчёт не попадает."
            " Проценты в витринах округлены до 0,01 (в книге — два знака), в PDF — до 0,1.",
            "Times are in {zone}; a session's date is its start's date in {marts_zone}. A"
            " session longer than {max_days} days is taken as a broken clock and not reported."
            " Percentages are rounded to 0.01 in the marts (two places in the workbook), to 0.1"
            " in the PDF.",
        ),
    ),
    (
        ("Персональные данные", "Personal data"),
        ("{pii}", "{pii}"),
    ),
)

PERIOD_NOTES: tuple[tuple[Pair, Pair], ...] = (
    (
        ("Люди", "People"),
        (
            "Человек — участник с e-mail (по e-mail без учёта регистра), пришедший хотя бы на"
            " одно мероприятие периода. Посетил мероприятий — сколько разных; общее время"
            " присутствия — сумма по ним; средние % присутствия и рейтинг — по этим"
            " мероприятиям. Новый / повторный — на его первом мероприятии периода (повторный:"
            " бывал на мероприятиях организации раньше). Гостей (без e-mail) не отличить друг"
            " от друга: они в список не входят, их посещения посчитаны строкой над таблицей."
            " Ведущие и администраторы — не аудитория, их нет.",
            "A person is a participant with an e-mail (the e-mail, case aside) who attended at"
            " least one session of the period. Sessions attended counts the different sessions;"
            " total presence time sums them; the average presence % and rating are over them."
            " New / returning is as at their first session of the period (returning: attended"
            " a session of the organization before). Guests (no e-mail) cannot be told apart:"
            " they are not listed, their visits are counted in a line above the table. Hosts"
            " and admins are not the audience and are left out.",
        ),
    ),
    (
        ("Воронка", "Funnel"),
        (
            "По каждому вебинару периода, в людях (e-mail), каждый один раз на все его"
            " мероприятия периода: приглашены, зарегистрировались, пришли. % зарегистрировались"
            " из приглашённых = приглашённые, которые зарегистрировались / приглашённые × 100;"
            " % пришли из зарегистрированных = зарегистрированные, которые пришли /"
            " зарегистрированные × 100. Пришедшие без регистрации (открытый вход) посчитаны"
            " отдельно. Итого — сумма по вебинарам (человек двух вебинаров — в каждом).",
            "For each webinar of the period, in persons (e-mails), each once over the"
            " webinar's sessions of the period: invited, registered, attended. Registered of"
            " invited % = the invited who registered / the invited × 100; attended of"
            " registered % = the registered who attended / the registered × 100. Those who"
            " attended without registering (open entry) are counted apart. The total sums the"
            " webinars (a person of two webinars is in each).",
        ),
    ),
    (
        ("Серии", "Series"),
        (
            "Серия — все мероприятия одного вебинара по времени начала (занятие №). Людей —"
            " участников с e-mail на занятии; впервые в серии — не бывших на прежних занятиях;"
            " с прошлого занятия — бывших и на предыдущем; пришли на следующее — сколько из"
            " них были на следующем занятии (% удержания; пусто у последнего занятия). Номера"
            " и удержание — по всей серии, в том числе занятиям вне периода.",
            "A series is all the sessions of one webinar by start time (lesson no.). Persons:"
            " participants with an e-mail at the lesson; first time in the series: not at any"
            " earlier lesson; from the previous lesson: also at the one before; came to the"
            " next: how many of them were at the next lesson (retained %; empty for the last"
            " lesson). Numbers and retention are over the whole series, lessons outside the"
            " period included.",
        ),
    ),
)
"""The notes only a period report has (after the settings)."""

NOTES_SOURCE: dict[str, Pair] = {
    "warehouse": (
        "intermediate.int_build_settings, сборка {built}",
        "intermediate.int_build_settings, built {built}",
    ),
    "defaults": (
        "таблицы intermediate.int_build_settings нет: значения по умолчанию из"
        " dbt_project.yml, витрины могли быть собраны с другими",
        "intermediate.int_build_settings is missing: the defaults of dbt_project.yml;"
        " the marts may have been built with others",
    ),
}
NOTES_PII: dict[bool, Pair] = {
    True: (
        "E-mail заменены хешами, IP-адреса усечены (маскирование включено).",
        "E-mails are hashed and IP addresses truncated (masking is on).",
    ),
    False: (
        "Маскирование выключено: отчёт содержит e-mail и IP-адреса, храните его как"
        " персональные данные.",
        "Masking is off: the report holds e-mails and IP addresses; keep it as personal data.",
    ),
}
