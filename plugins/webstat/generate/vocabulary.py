"""The words the synthetic platform speaks: names, places, webinar titles, chat lines.

Data only. Names are given with the Latin spelling used to build e-mail addresses,
so that ``Анна Смирнова`` becomes ``anna.smirnova…@example.com`` and never a random
string. Every domain, IP range and URL path here is reserved or made up.
"""

from __future__ import annotations

FEMALE_FIRST: tuple[tuple[str, str], ...] = (
    ("Анна", "anna"), ("Мария", "maria"), ("Елена", "elena"), ("Ольга", "olga"),
    ("Наталья", "natalya"), ("Екатерина", "ekaterina"), ("Татьяна", "tatyana"),
    ("Ирина", "irina"), ("Светлана", "svetlana"), ("Юлия", "yulia"),
    ("Анастасия", "anastasia"), ("Дарья", "darya"), ("Ксения", "ksenia"),
    ("Полина", "polina"), ("Алина", "alina"), ("Виктория", "viktoria"),
    ("Марина", "marina"), ("Людмила", "lyudmila"), ("Айгуль", "aigul"), ("Софья", "sofya"),
)  # fmt: skip
MALE_FIRST: tuple[tuple[str, str], ...] = (
    ("Александр", "aleksandr"), ("Дмитрий", "dmitry"), ("Сергей", "sergey"),
    ("Андрей", "andrey"), ("Алексей", "aleksey"), ("Максим", "maksim"), ("Иван", "ivan"),
    ("Михаил", "mikhail"), ("Николай", "nikolay"), ("Евгений", "evgeny"), ("Артём", "artem"),
    ("Павел", "pavel"), ("Игорь", "igor"), ("Владимир", "vladimir"), ("Роман", "roman"),
    ("Олег", "oleg"), ("Тимур", "timur"), ("Руслан", "ruslan"), ("Ильдар", "ildar"),
    ("Константин", "konstantin"),
)  # fmt: skip
_LATIN = dict(zip("абвгдеёжзиклмнопрстуфхцчшщъыьэюя", (
    "a b v g d e e zh z i k l m n o p r s t u f kh ts ch sh shch - y - e yu ya".split()
), strict=True))  # fmt: skip


def latin(cyrillic: str) -> str:
    """The Latin spelling of a surname in e-mail addresses: ``Соловьёв`` -> ``solovyev``.

    Passport-style, with the habits of the addresses people really type: ``ье`` is
    ``ie`` (Васильев -> vasiliev), ``й`` is ``i`` (Зайцев -> zaitsev) and a final ``ий``
    is ``iy`` (Ковальский -> kovalskiy).
    """
    word = cyrillic.lower()
    word = word[:-2] + "iy" if word.endswith("ий") else word
    word = word.replace("ьё", "ye").replace("ье", "ie").replace("й", "i")
    return "".join(_LATIN.get(c, c).replace("-", "") for c in word)


# Male forms; the female form is derived (Смирнов -> Смирнова, Ковальский -> Ковальская).
LAST: tuple[tuple[str, str], ...] = tuple((name, latin(name)) for name in (
    "Смирнов Иванов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров "
    "Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов "
    "Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Ковальский "
    "Шевчук Ким Гарипов Хабибуллин Ахметов Белоусов Тарасов Жуков Гусев"
).split())  # fmt: skip


def female_last(cyrillic: str, latin: str) -> tuple[str, str]:
    """The female form of a Russian surname, in Cyrillic and in Latin."""
    if cyrillic.endswith("ий"):
        return cyrillic[:-2] + "ая", latin[:-2] + "aya"
    if cyrillic.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return cyrillic + "а", latin + "a"
    return cyrillic, latin  # Шевчук, Ким: the same for both


EMAIL_DOMAINS = (
    "example.com", "example.org", "example.net", "mail.example.com", "corp.example.org",
    "inbox.example.net",
)  # fmt: skip

COMPANIES = (
    "ООО «Вектор»", "АО «Техносфера»", "ИП Кузнецов А. В.", "ООО «СеверЛес»",
    "ГК «Меридиан»", "ООО «Цифровые решения»", "АНО «Школа будущего»",
    "ООО «Альфа-Строй»", "ПАО «Уралхимпром»", "ООО «Ромашка»", "МБОУ СОШ № 17",
    "ООО «Лаборатория данных»", "Фриланс",
)  # fmt: skip
POSITIONS = (
    "Аналитик", "Руководитель отдела продаж", "Маркетолог", "HR-менеджер",
    "Финансовый директор", "Разработчик", "Студент", "Учитель", "Бухгалтер",
    "Генеральный директор", "Менеджер проектов", "Product manager",
)  # fmt: skip

# (country, city, weight): where people connect from.
PLACES: tuple[tuple[str, str, int], ...] = (
    ("Россия", "Москва", 30), ("Россия", "Санкт-Петербург", 14), ("Россия", "Казань", 8),
    ("Россия", "Новосибирск", 7), ("Россия", "Екатеринбург", 7),
    ("Россия", "Нижний Новгород", 5), ("Россия", "Краснодар", 5),
    ("Россия", "Владивосток", 2), ("Беларусь", "Минск", 6), ("Казахстан", "Алматы", 5),
    ("Казахстан", "Астана", 3), ("Узбекистан", "Ташкент", 2),
)  # fmt: skip

# Documentation address blocks (RFC 5737): never a real host.
IP_PREFIXES = ("203.0.113.", "198.51.100.", "192.0.2.")

USER_AGENTS: dict[str, tuple[str, ...]] = {
    "web": (
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/130.0.0.0 Safari/537.36"
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/128.0.0.0 YaBrowser/24.10.0.0 Safari/537.36"
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.6 Safari/605.1.15"
        ),
        "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
    ),
    "ios": (
        "WebinarApp/5.3.1 (iPhone; iOS 17.6.1; Scale/3.00)",
        "WebinarApp/5.2.0 (iPad; iOS 16.7; Scale/2.00)",
    ),
    "android": (
        "WebinarApp/5.3.0 (Android 14; SM-A546E)",
        "WebinarApp/5.1.4 (Android 12; Redmi Note 11)",
    ),
}

WEBINAR_TOPICS = (
    "Вебинар: аналитика данных", "Маркетинг в Telegram: с нуля до 10 000 подписчиков",
    "Онбординг новых сотрудников", "Excel для финансистов", "Продажи B2B: холодные звонки",
    "Школа руководителя: обратная связь", "Python для аналитиков", "Кибербезопасность для всех",
    "Продуктовые метрики: retention и LTV", "Отчётность по МСФО", "Налоги для ИП в 2026 году",
    "Английский для IT", "Управление проектами: Agile на практике", "Эффективные презентации",
    "SQL за один вечер", "Digital-маркетинг: итоги года", "Охрана труда: ежегодный инструктаж",
    "Дизайн-мышление", "Личные финансы: как начать инвестировать", "HR-бренд работодателя",
    "Юридический практикум: договоры", "Тайм-менеджмент для команд",
    "Открытый урок: подготовка к ЕГЭ по математике", "Вебинар для партнёров: новые тарифы",
)  # fmt: skip

# Recurring webinars on an organizer's calendar: a course of lessons, a team's stand-up.
COURSES = (
    "Курс «Python для аналитиков»", "Курс «SQL с нуля»", "Курс «Excel для финансистов»",
    "Курс «Управление проектами»", "Курс «Английский для IT»", "Курс «Продуктовая аналитика»",
)  # fmt: skip
STANDUP = "Ежедневная планёрка"

AGREEMENTS = (
    "Согласие на обработку персональных данных",
    "Согласие на получение информационных рассылок",
    "Правила участия в мероприятии",
)

# (referrer URL or None, utm or None): how people find the registration form or the room.
TRAFFIC_SOURCES: tuple[tuple[str | None, dict[str, str | None] | None], ...] = (
    ("https://t.me/analytics_ru", {"source": "telegram", "medium": "social",
                                   "campaign": "autumn_webinars"}),
    ("https://t.me/s/marketing_daily", None),
    ("https://www.google.com/", {"source": "google", "medium": "cpc", "campaign": "brand",
                                 "term": "вебинар аналитика"}),
    ("https://www.google.com/", None),
    ("https://vk.com/club_webinars", {"source": "vk", "medium": "social",
                                      "campaign": "autumn_webinars", "content": "post"}),
    ("https://yandex.ru/", {"source": "yandex", "medium": "cpc", "campaign": "rsya",
                            "content": "banner_240x400", "term": None}),
    ("https://yandex.ru/search/?text=%D0%B2%D0%B5%D0%B1%D0%B8%D0%BD%D0%B0%D1%80", None),
    (None, {"source": "email", "medium": "newsletter", "campaign": "invite"}),
    (None, None),
    (None, None),
    (None, None),
)  # fmt: skip

CHAT_LINES = (
    "Здравствуйте!", "Всем привет 👋", "Добрый день из Казани", "Слышно хорошо",
    "Меня не слышно?", "Звук пропал", "Спасибо, очень полезно!", "Будет ли запись?",
    "Можно презентацию?", "+", "++", "Отличный пример", "Подскажите, где найти материалы?",
    "Из Новосибирска 🙂", "Экран не видно, только аватар", "Спасибо!\nА запись пришлёте?",
    "Согласна с предыдущим оратором", "Минск на связи", "«Ретеншн» — это как?",
    "Можно чуть медленнее?", "🔥🔥🔥", "Где ссылка на опрос?", "Супер, беру в работу",
)  # fmt: skip
HOST_LINES = (
    "Коллеги, добрый день! Начинаем через пару минут",
    "Запись и презентация придут на почту после вебинара",
    "Вопросы пишите во вкладку «Вопросы», ответим в конце",
    "Ссылка на материалы: https://example.com/materials",
    "Спасибо всем за участие!",
)  # fmt: skip
QUESTIONS = (
    "Как рассчитывается retention?", "Можно ли получить сертификат?",
    "Где скачать шаблон отчёта?", "Подходит ли это для малого бизнеса?",
    "Какие есть бесплатные аналоги?", "Будет ли продолжение курса?",
    "Как это работает с 1С?", "Сколько стоит годовая подписка?",
    "А если данных меньше тысячи строк?",
)  # fmt: skip
