"""The report dialog driven the short way: button labels, opening the form, a quick complete report."""
from __future__ import annotations

from bot.telegram.keyboards import MENU_REPORT
from tests.support.people import org_id_of

MONTH = "2026-11"  # the open month at the fixture clock (26 November 2026)
BUTTONS = {
    "kk": {"skip": "Өткізу", "done": "Дайын", "back": "Артқа", "cancel": "Тоқтату", "confirm": "Растау",
           "continue": "жалғастыру", "restart": "Басынан", "edit": "Есепті өзгерту"},
    "ru": {"skip": "Пропустить", "done": "Готово", "back": "Назад", "cancel": "Отмена", "confirm": "Подтвердить",
           "continue": "Продолжить", "restart": "заново", "edit": "Изменить отчёт"},
}


async def open_report(harness, chair, language: str):
    await chair.send(harness.app.i18n.gettext(MENU_REPORT, locale=language))


async def answer_up_to_projects(chair, received: str = "5", resolved: str = "3"):
    """Questions 1-8 with plain answers; the chair is then at «projects»."""
    for text in ("400", "12", "2", "3"):
        await chair.send(text)
    await chair.send("Екі жиналыс өтті")
    for text in ("4", received, resolved):
        await chair.send(text)


async def file_quickly(harness, chair, language: str):
    """A complete report with short answers, confirmed."""
    await open_report(harness, chair, language)
    await answer_up_to_projects(chair)
    await chair.press(BUTTONS[language]["done"])
    await chair.send("1")
    await chair.press(BUTTONS[language]["skip"])
    await chair.press(BUTTONS[language]["done"])
    await chair.press(BUTTONS[language]["confirm"])


async def draft_of(harness, user_id: int, month: str = MONTH):
    return await harness.app.repos.reports.get_draft(await org_id_of(harness, user_id), month)


async def report_of(harness, user_id: int, month: str = MONTH):
    return await harness.app.repos.reports.get(await org_id_of(harness, user_id), month)
