"""The event session's report on hand-made marts rows: read the workbook and PDF back."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest

from webstat.errors import WebstatError
from webstat.reports import render_event_session_report

pytestmark = pytest.mark.integration


def local(uri: str) -> Path:
    return Path(urlsplit(uri).path)


@pytest.fixture(scope="module")
def rendered(marts, worked_example, tmp_path_factory):
    """The worked example rendered once in ru (default settings) for the read-back tests."""
    from webstat.settings import load_settings

    settings = load_settings(
        {
            "WEBSTAT_ARTIFACTS_URI": str(tmp_path_factory.mktemp("artifacts")),
            "WEBSTAT_TIMEZONE": "Europe/Moscow",
            "WEBSTAT_LOCALE": "ru",
        }
    )
    with marts.connect() as conn:
        result = render_event_session_report(
            conn,
            worked_example,
            settings,
            run_id="scheduled__2026-11-03",
            data_interval=(
                datetime.fromisoformat("2026-11-02T00:00:00+00:00"),
                datetime.fromisoformat("2026-11-03T00:00:00+00:00"),
            ),
        )
    return result


@pytest.fixture(scope="module")
def workbook(rendered):
    return openpyxl.load_workbook(local(rendered.files["report.xlsx"]))


def by_name(rows, first_name):
    return next(r for r in rows if r["Имя"].value == first_name)


def test_layout_and_manifest(rendered):
    assert rendered.uri.endswith("/events/2026-11-02/es-worked")
    assert set(rendered.files) == {"report.xlsx", "report.pdf", "manifest.json"}
    folder = local(rendered.uri)
    assert sorted(p.name for p in folder.iterdir()) == [
        "manifest.json",
        "report.pdf",
        "report.xlsx",
    ]
    import json

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == rendered.manifest
    assert manifest["run_id"] == "scheduled__2026-11-03"
    assert manifest["data_interval"] == {
        "start": "2026-11-02T00:00:00+00:00",
        "end": "2026-11-03T00:00:00+00:00",
    }
    # attendees and staff (Boris, Anna, the guest, the host); the one no-show apart
    assert manifest["row_counts"] == {
        "participants": 4,
        "no_shows": 1,
        "connections": 5,
        "attendance_minutes": 120,
        "sources": 2,
        "devices": 2,
        "pdf_participants": 5,
    }
    for name in ("report.xlsx", "report.pdf"):
        body = (folder / name).read_bytes()
        assert manifest["files"][name] == {
            "sha256": hashlib.sha256(body).hexdigest(),
            "size_bytes": len(body),
        }
    assert manifest["webstat_version"] and manifest["rendered_at"]


def test_sheets_in_order_with_frozen_filtered_headers(workbook):
    assert " | ".join(workbook.sheetnames) == (
        "Участники | Не пришли | Сеансы входов | Мероприятие | Источники | Устройства | Пояснения"
    )
    ws = workbook["Участники"]
    assert "Время: Europe/Moscow (UTC+03:00)" in ws["A1"].value
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref.startswith("A2:") and ws.auto_filter.ref.endswith("6")
    headers = [c.value for c in ws[2]]
    for header in (
        "Имя",
        "Фамилия",
        "E-mail",
        "Компания",  # Anna's field, then Vera's new one: first-seen order
        "Должность",
        "Имя в чате",
        "Роль",
        "Статус регистрации",
        "Дата регистрации",
        "Дата приглашения",
        "Источник",
        "UTM source",
        "Платформа",
        "Вебинар",
        "Дата мероприятия",
        "Страна",
        "Город",
        "IP",
        "Время входа",
        "Время выхода",
        "Время присутствия",
        "% присутствия",
        "Сообщения",
        "% сообщений",
        "Вопросы",
        "% вопросов",
        "«Огоньки»",
        "Рейтинг",
        "Соглашения",
        "% присутствия от активного времени ведущих",
        "Опоздал",
        "Ушёл раньше",
        "Мало присутствовал",
    ):
        assert header in headers
    assert headers.index("Компания") + 1 == headers.index("Должность")
    assert "Дополнительные поля" not in headers and "Ушли раньше" not in headers
    # a free webinar without the engagement module: no payment, no activity columns
    assert "Статус оплаты" not in headers
    assert "Фактическая активность" not in headers and "% активности" not in headers
    assert ws.column_dimensions["C"].width and ws.column_dimensions["C"].width > 20


def test_worked_example_values_types_and_formats(workbook, sheet_table):
    rows = sheet_table(workbook["Участники"])
    # attendees by first join (Boris 10:00, Anna 10:30, the guest 11:00), then the host
    assert [r["Имя в чате"].value or r["Имя"].value for r in rows] == [
        "Boris",
        "Анна И.",
        "Гость 1",
        "Ведущая",
    ]
    anna = by_name(rows, "Анна")
    presence = anna["Время присутствия"]
    assert presence.value == timedelta(hours=1, minutes=30)
    assert presence.number_format == "[h]:mm:ss"
    assert anna["% присутствия"].value == pytest.approx(0.75)
    assert anna["% присутствия"].number_format == "0.00%"
    window = anna["% присутствия от активного времени ведущих"]
    assert window.value == pytest.approx(0.5) and window.number_format == "0.00%"
    joined = anna["Время входа"]
    assert joined.value == datetime(2026, 11, 2, 13, 30)  # 10:30 UTC in Moscow
    assert joined.number_format == "DD.MM.YYYY HH:MM:SS"
    # 21:30 UTC on the 29th is already the 30th in Moscow
    assert anna["Дата регистрации"].value == datetime(2026, 10, 30, 0, 30)
    assert anna["Статус регистрации"].value == "Зарегистрирован по приглашению"
    assert anna["Роль"].value == "Участник"
    assert anna["Новый / повторный"].value == "Новый"
    assert anna["Платформа"].value == "Android, Браузер"
    assert anna["Компания"].value == "ООО «Ромашка»"
    assert anna["Должность"].value is None
    # joined 10:30 (late), stayed to 12:00, 75 % < 80 %
    assert [anna[h].value for h in ("Опоздал", "Ушёл раньше", "Мало присутствовал")] == [
        "да",
        "нет",
        "да",
    ]
    assert anna["Соглашения"].value == "Согласие на обработку ПД (30.10.2026 00:30)"
    assert anna["Рейтинг"].value == pytest.approx(74.0)
    assert anna["Сообщения"].value == 6 and anna["Сообщения"].data_type == "n"
    assert anna["Вебинар"].value == "Вебинар: аналитика"
    assert anna["Дата мероприятия"].value == datetime(2026, 11, 2)
    assert anna["Дата мероприятия"].number_format == "DD.MM.YYYY"

    boris = by_name(rows, "Борис")
    assert boris["Время присутствия"].value == timedelta(minutes=30)
    assert boris["% присутствия"].value == pytest.approx(0.25)
    assert boris["Источник"].value == "Прямой заход"
    assert boris["Новый / повторный"].value == "Повторный"
    assert boris["Статус регистрации"].value == "Зарегистрировался сам"
    assert [boris[h].value for h in ("Опоздал", "Ушёл раньше", "Мало присутствовал")] == [
        "нет",
        "да",
        "да",
    ]

    guest = next(r for r in rows if r["Имя в чате"].value == "Гость 1")
    assert guest["E-mail"].value == "гость"
    assert guest["Новый / повторный"].value == "Гость"
    # staff: a role, never a guest, new or returning, no flags
    host = by_name(rows, "Ведущая")
    assert host["Роль"].value == "Ведущий" and host["E-mail"].value == "host@example.com"
    assert host["Новый / повторный"].value is None
    assert {host[h].value for h in ("Опоздал", "Ушёл раньше", "Мало присутствовал")} == {None}
    # the no-show on a sheet of its own: who and how they signed up, no zeros
    (invited,) = sheet_table(workbook["Не пришли"])
    assert invited["Имя"].value == "Вера" and invited["E-mail"].value == "inv@example.com"
    assert invited["Статус регистрации"].value == "Приглашён, не зарегистрирован"
    assert invited["Дата приглашения"].value == datetime(2026, 10, 28, 12, 0)
    assert (invited["Компания"].value, invited["Должность"].value) == ("ИП Петрова", "Бухгалтер")
    no_show_headers = [c.value for c in workbook["Не пришли"][2]]
    assert "Время присутствия" not in no_show_headers and "Рейтинг" not in no_show_headers


def test_join_sessions_sheet(workbook, sheet_table):
    rows = sheet_table(workbook["Сеансы входов"])
    assert len(rows) == 5
    guest = next(r for r in rows if r["ID подключения"].value == "c-4")
    assert guest["E-mail"].value == "гость"
    assert guest["Выход не зафиксирован"].value == "да"
    assert guest["Длительность"].value == timedelta(hours=1)
    assert guest["Начало мероприятия"].value == datetime(2026, 11, 2, 13, 0)
    assert guest["Окончание мероприятия"].value == datetime(2026, 11, 2, 15, 0)
    anna = [r for r in rows if r["Имя"].value == "Анна"]
    assert {r["Платформа"].value for r in anna} == {"Android", "Браузер"}


def test_event_sheet(workbook):
    ws = workbook["Мероприятие"]
    values = {row[0].value: row[1] for row in ws.iter_rows(min_row=3) if row[0].value}
    assert values["Часовой пояс"].value == "Europe/Moscow (UTC+03:00)"
    assert values["Начало"].value == datetime(2026, 11, 2, 13, 0)
    assert values["Окончание"].value == datetime(2026, 11, 2, 15, 0)
    assert values["Длительность"].value == timedelta(hours=2)
    assert values["Участники"].value == 3
    assert values["Новые"].value == 1 and values["Повторные"].value == 1
    assert values["Гости"].value == 1
    assert values["Приглашено"].value == 2 and values["Зарегистрировано"].value == 2
    assert values["% активного времени ведущих"].value == pytest.approx(0.5)
    assert values["Средний % присутствия"].value == pytest.approx(0.5)
    assert values["Пик онлайн"].value == 2
    assert values["Сообщения"].value == 10 and values["Вопросы"].value == 3
    assert values["Опоздали"].value == 2 and values["Ушли раньше"].value == 1
    assert values["Мало присутствовали"].value == 3 and values["Не пришли"].value == 1
    assert "Окончание по последнему событию" not in values  # only shown when inferred
    minutes = [(r[3].value, r[4].value) for r in ws.iter_rows(min_row=3) if r[3].value]
    assert len(minutes) == 120
    assert minutes[0] == (datetime(2026, 11, 2, 13, 0), 1)
    assert minutes[-1] == (datetime(2026, 11, 2, 14, 59), 2)
    assert ws["D2"].value == "Время (Europe/Moscow)"


def test_sources_devices_and_native_charts(rendered, workbook, sheet_table):
    sources = sheet_table(workbook["Источники"])
    assert [(r["Источник"].value, r["Участники"].value) for r in sources] == [
        ("Прямой заход", 2),
        ("t.me", 1),
    ]
    assert sources[0]["Доля"].value == pytest.approx(0.6667)
    assert sources[0]["Доля"].number_format == "0.00%"
    devices = sheet_table(workbook["Устройства"])
    assert [(r["Платформа"].value, r["Участники"].value) for r in devices] == [
        ("Браузер", 2),
        ("iOS", 1),
    ]
    with zipfile.ZipFile(local(rendered.files["report.xlsx"])) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 3
        kinds = "".join(charts)
        assert "<lineChart>" in kinds and "<barChart>" in kinds
        assert "<doughnutChart>" in kinds


def test_pdf_text(rendered, pdf_text):
    text = pdf_text(local(rendered.files["report.pdf"]))
    assert "Вебинар: аналитика" in text
    assert "Анна Иванова" in text and "Борис Петров" in text
    assert "Время: Europe/Moscow (UTC+03:00)" in text
    assert "13:00 – 15:00" in text
    assert "50,0 %" in text  # average presence and the hosts' active time, one decimal
    assert "пришли: 3 · не пришли: 1" in text
    assert "2 / 1 / 3" in text  # late / left early / low presence
    assert "1 / 1 / 1" in text  # new / returning / guests
    assert "10 / 3" in text  # messages / questions
    assert "Участники онлайн и события чата по минутам" in text and "Источники трафика" in text
    # the tables, each under its heading and count, then the notes (page 3)
    assert "Участники 3" in text and "Ведущие и администраторы 1" in text
    assert "Не пришли 1" in text and "Вера Приглашённая" in text
    assert "стр. 1 из 3" in text and "стр. 3 из 3" in text
    assert "Пояснения" in text
    # no intermediate.int_build_settings here: the defaults, and the notes say so
    assert "значения по умолчанию из dbt_project.yml" in text
    assert "Рейтинг = 0,35 × % присутствия + 0,25 × % активности" in text
    assert "более чем на 5 мин" in text and "ниже 80 %" in text


def test_english_twin(marts, worked_example, settings_for, sheet_table, pdf_text):
    with marts.connect() as conn:
        result = render_event_session_report(conn, worked_example, settings_for(locale="en"))
    wb = openpyxl.load_workbook(local(result.files["report.xlsx"]))
    assert " | ".join(wb.sheetnames) == (
        "Participants | No-shows | Join sessions | Event | Sources | Devices | Notes"
    )
    assert "Times: Europe/Moscow (UTC+03:00)" in wb["Participants"]["A1"].value
    rows = sheet_table(wb["Participants"])
    guest = next(r for r in rows if r["Chat name"].value == "Гость 1")
    assert guest["E-mail"].value == "guest"
    anna = next(r for r in rows if r["First name"].value == "Анна")
    assert anna["Registration status"].value == "Registered by invitation"
    assert anna["First joined"].number_format == "YYYY-MM-DD HH:MM:SS"
    text = pdf_text(local(result.files["report.pdf"]))
    assert "WEBINAR REPORT" in text  # the kicker is set in capitals
    assert "page 1 of 3" in text and "Hosts and admins 1" in text and "No-shows 1" in text
    assert "Rating = 0.35 × presence % + 0.25 × activity %" in text


def test_paid_webinar_with_engagement_module(marts, settings_for, sheet_table):
    sid = marts.insert_worked_example("es-paid", is_paid=True, engagement_module=True)
    marts.execute(
        "update marts.fct_participants set payment_status = 'paid',"
        " active_seconds = 3600, active_pct = 50.00"
        " where event_session_id = %s and participant_id = 'u-anna'",
        (sid,),
    )
    with marts.connect() as conn:
        result = render_event_session_report(conn, sid, settings_for())
    wb = openpyxl.load_workbook(local(result.files["report.xlsx"]))
    rows = sheet_table(wb["Участники"])
    anna, boris = by_name(rows, "Анна"), by_name(rows, "Борис")
    assert anna["Статус оплаты"].value == "Оплачено"
    assert boris["Статус оплаты"].value is None  # only a payment is marked, never "not paid"
    assert anna["Фактическая активность"].value == timedelta(hours=1)
    assert anna["Фактическая активность"].number_format == "[h]:mm:ss"
    assert anna["% активности"].value == pytest.approx(0.5)
    assert boris["Фактическая активность"].value is None


def test_time_zone_setting_moves_every_time(marts, worked_example, settings_for, sheet_table):
    with marts.connect() as conn:
        result = render_event_session_report(
            conn, worked_example, settings_for(timezone="Asia/Yekaterinburg")
        )
    wb = openpyxl.load_workbook(local(result.files["report.xlsx"]))
    assert "Asia/Yekaterinburg (UTC+05:00)" in wb["Участники"]["A1"].value
    anna = by_name(sheet_table(wb["Участники"]), "Анна")
    assert anna["Время входа"].value == datetime(2026, 11, 2, 15, 30)


def test_pdf_cap_points_to_the_workbook(marts, worked_example, settings_for, pdf_text):
    with marts.connect() as conn:
        result = render_event_session_report(conn, worked_example, settings_for(), max_pdf_rows=2)
    text = pdf_text(local(result.files["report.pdf"]))
    # two rows in all: the first two attendees; the host and the no-show are counted
    assert "Показаны первые 2 из 3 строк. Полный список — в файле report.xlsx." in text
    assert "Показаны первые 0 из 1 строк." in text
    assert result.row_counts["pdf_participants"] == 2
    assert result.row_counts["participants"] == 4


def test_sheet_continues_past_the_row_limit(marts, worked_example, settings_for, sheet_table):
    # a title row, a header row and two data rows per sheet
    with marts.connect() as conn:
        result = render_event_session_report(conn, worked_example, settings_for(), max_sheet_rows=4)
    wb = openpyxl.load_workbook(local(result.files["report.xlsx"]))
    assert " | ".join(wb.sheetnames) == (
        "Участники | Участники (2) | Не пришли | Сеансы входов | Сеансы входов (2)"
        " | Сеансы входов (3) | Мероприятие | Источники | Устройства | Пояснения"
    )
    parts = [sheet_table(wb[n]) for n in ("Участники", "Участники (2)")]
    assert [len(p) for p in parts] == [2, 2]
    names = [r["Имя"].value for p in parts for r in p]
    assert names == ["Борис", "Анна", None, "Ведущая"]
    assert wb["Участники (2)"].freeze_panes == "A3"
    assert wb["Участники (2)"]["A2"].value == "Имя"
    assert result.row_counts["participants"] == 4


def test_rerender_overwrites_the_same_keys(marts, worked_example, settings_for):
    settings = settings_for()
    with marts.connect() as conn:
        first = render_event_session_report(conn, worked_example, settings, run_id="a")
        second = render_event_session_report(conn, worked_example, settings, run_id="b")
    assert first.files == second.files
    folder = local(second.uri)
    assert sorted(p.name for p in folder.iterdir()) == [
        "manifest.json",
        "report.pdf",
        "report.xlsx",
    ]
    import json

    assert json.loads((folder / "manifest.json").read_text())["run_id"] == "b"


def test_unknown_and_running_sessions_are_refused(marts, settings_for):
    marts.insert(
        "fct_event_sessions",
        [
            marts.session_row(
                "es-running", status="in_progress", ended_at=None, duration_seconds=None
            )
        ],
    )
    settings = settings_for()
    with marts.connect() as conn:
        with pytest.raises(WebstatError, match="not in marts.fct_event_sessions"):
            render_event_session_report(conn, "es-missing", settings)
        with pytest.raises(WebstatError, match="still in progress"):
            render_event_session_report(conn, "es-running", settings)
    assert not Path(urlsplit(settings.artifacts_uri).path).exists()


def test_report_date_comes_from_the_mart(marts, settings_for):
    """The folder is the mart's report_date (already in the reporting zone), not a UTC date."""
    marts.insert_worked_example(
        "es-late",
        started_at=datetime.fromisoformat("2026-11-02T22:30:00+00:00"),
        report_date=date(2026, 11, 3),
    )
    with marts.connect() as conn:
        result = render_event_session_report(conn, "es-late", settings_for())
    assert result.uri.endswith("/events/2026-11-03/es-late")


def test_staff_without_an_email_are_never_guests(marts, settings_for, sheet_table, pdf_text):
    """Marts v2: an admin with no e-mail has is_guest false and no visitor type; the
    reports list them with the staff and print nothing where a guest reads «гость»."""
    sid = "es-staff"
    marts.insert("fct_event_sessions", [marts.session_row(sid, attendees_count=2)])
    joined = {"first_joined_at": datetime.fromisoformat("2026-11-02T10:00:00+00:00")}
    marts.insert(
        "fct_participants",
        [
            marts.participant_row(
                sid,
                "adm",
                role="admin",
                is_guest=False,
                chat_name="Админ",
                connections_count=1,
                **joined,
            ),
            marts.participant_row(sid, "g", chat_name="Гость", connections_count=1, **joined),
        ],
    )
    start = joined["first_joined_at"]
    marts.insert(
        "fct_connections",
        [
            {
                "event_session_id": sid,
                "participant_id": pid,
                "connection_id": f"c-{pid}",
                "joined_at": start,
                "left_at": start + timedelta(hours=1),
                "duration_seconds": 3600,
                "role": role,
            }
            for pid, role in (("adm", "admin"), ("g", "participant"))
        ],
    )
    with marts.connect() as conn:
        result = render_event_session_report(conn, sid, settings_for())
    workbook = openpyxl.load_workbook(local(result.files["report.xlsx"]))
    joins = {
        r["ID участника"].value: r["E-mail"].value for r in sheet_table(workbook["Сеансы входов"])
    }
    assert joins == {"adm": None, "g": "гость"}
    rows = sheet_table(workbook["Участники"])
    cells = {r["Имя в чате"].value: (r["E-mail"].value, r["Новый / повторный"].value) for r in rows}
    assert cells == {"Гость": ("гость", "Гость"), "Админ": (None, None)}
    assert [r["Имя в чате"].value for r in rows] == ["Гость", "Админ"]  # attendees first
    text = pdf_text(local(result.files["report.pdf"]))
    staff = text.split("Ведущие и администраторы 1", 1)[1].split("Пояснения", 1)[0]
    assert "Админ" in staff and "гость" not in staff


def test_notes_quote_the_settings_the_marts_were_built_with(
    marts, worked_example, settings_for, sheet_table, pdf_text
):
    marts.execute(
        "create schema if not exists intermediate;"
        " create table intermediate.int_build_settings as select"
        " 'Asia/Yekaterinburg'::text as reporting_timezone, true as mask_pii,"
        " 24 as inferred_end_delay_hours, 3 as max_session_days,"
        " 10 as late_join_grace_minutes, 15 as early_leave_grace_minutes,"
        " 75.5::numeric as low_presence_threshold_pct, 0.4::numeric as rating_weight_presence,"
        " 0.2::numeric as rating_weight_active, 0.15::numeric as rating_weight_messages,"
        " 0.15::numeric as rating_weight_questions, 0.1::numeric as rating_weight_fires,"
        " 12 as rating_cap_messages, 4 as rating_cap_questions, 25 as rating_cap_fires,"
        " '2026-11-03T00:10:00+00:00'::timestamptz as built_at"
    )
    try:
        with marts.connect() as conn:
            result = render_event_session_report(conn, worked_example, settings_for(locale="en"))
    finally:
        marts.execute("drop table intermediate.int_build_settings")
    wb = openpyxl.load_workbook(local(result.files["report.xlsx"]))
    assert [c.value for c in wb["Notes"][2]] == ["Measure", "How it is made"]
    notes = {r[0].value: r[1].value for r in wb["Notes"].iter_rows(min_row=3)}
    assert "intermediate.int_build_settings, built 2026-11-03 03:10" in notes["Settings"]
    assert notes["Rating"].startswith(
        "Rating = 0.4 × presence % + 0.2 × activity % + 0.15 × S(messages, 12)"
        " + 0.15 × S(questions, 4) + 0.1 × S(fires, 25)"
    )
    assert "presence (0.6)" in notes["Rating"]  # 0.4 + 0.2 without the engagement module
    flags = notes["Joined late, left early, low presence"]
    assert "more than 10 min after" in flags and "more than 15 min before" in flags
    assert "below 75.5%" in flags
    assert "its start's date in Asia/Yekaterinburg" in notes["Time and rounding"]
    assert "longer than 3 days" in notes["Time and rounding"]
    assert notes["Personal data"].startswith("E-mails are hashed")
    text = pdf_text(local(result.files["report.pdf"]))
    assert "Rating = 0.4 × presence %" in text and "below 75.5%" in text


def test_a_process_freezes_what_it_keeps_before_its_second_report_once(
    marts, worked_example, tmp_path, monkeypatch
):
    """Python's full collections rescanned the whole process (~14 % of a render
    process's CPU): before the second report the survivors are frozen, once; what the
    reports after it allocate stays collectable."""
    import gc

    from webstat.reports import report
    from webstat.settings import load_settings

    settings = load_settings({"WEBSTAT_ARTIFACTS_URI": str(tmp_path), "WEBSTAT_LOCALE": "ru"})
    monkeypatch.setattr(report, "_reports_begun", 0)
    freezes = []
    monkeypatch.setattr(gc, "freeze", lambda real=gc.freeze: (freezes.append(1), real())[1])
    gc.unfreeze()
    seen = []
    try:
        with marts.connect() as conn:
            for _ in range(3):
                render_event_session_report(conn, worked_example, settings, record=False)
                seen.append((len(freezes), gc.get_freeze_count()))
                garbage: list = [[]]
                garbage[0].append(garbage)  # a cycle made after the freeze
                del garbage
        assert seen[0] == (0, 0)  # the first report's own data is never frozen
        assert seen[1][0] == 1 and seen[1][1] > 10_000  # modules, WeasyPrint's caches, ...
        assert seen[2][0] == 1
        assert gc.collect() >= 1  # the cycle is still the collector's
    finally:
        gc.unfreeze()
