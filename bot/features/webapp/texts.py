"""The Mini App page's texts: message ids here, translated per request into the viewer's language
(locales/*/LC_MESSAGES/webapp.po) and sent to the page by GET /app/api/me. (The answers to «Remind now»
and to sending the workbook are also taken from here by the API.)"""
from __future__ import annotations

from datetime import date

from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.i18n import N_

PAGE = {
    "title": N_("Reports dashboard"),
    "open_month": N_("Open month"),
    "month": N_("Month"),
    "district": N_("District"),
    "organizations": N_("Organizations"),
    "submitted": N_("Filed"),
    "late": N_("Late"),
    "missing": N_("Not filed"),
    "returned": N_("Returned"),
    "accepted": N_("Accepted reports"),
    "no_region": N_("Without a region"),
    "total": N_("Total"),
    "missing_list": N_("Not filed yet"),
    "chair": N_("Chair"),
    "phone": N_("Phone"),
    "no_chair": N_("no chair registered"),
    "no_phone": N_("no phone"),
    "remind": N_("Remind now"),
    "reminded": N_("Reminded today"),
    "remind_sent": N_("The reminder has been sent."),
    "remind_already": N_("This organization has already been reminded today."),
    "remind_later": N_("It is quiet hours now: the reminder will go out at {time}."),
    "remind_no_chair": N_("The organization has no chair who can receive a reminder."),
    "remind_submitted": N_("The report is already filed."),
    "remind_failed": N_("The reminder could not be sent. Please try again later."),
    "trends": N_("Trends over 12 months"),
    "like_for_like": N_("Change against the month before counts only organizations that reported in both months."),
    "reports_count": N_("Reports filed"),
    "participation": N_("Party projects: organizations taking part"),
    "any_project": N_("At least one project"),
    "sector": N_("Sector"),
    "members": N_("Members"),
    "months": N_("Last 12 months"),
    "status_on_time": N_("on time"),
    "status_late": N_("late"),
    "status_missing": N_("not filed"),
    "status_open": N_("open"),
    "filed_at": N_("Filed on {date}"),
    "no_report": N_("No report for this month."),
    "photos": N_("Photos"),
    "back": N_("Back"),
    "export": N_("Download the month as a spreadsheet (XLSX)"),
    "export_chat": N_("Send the spreadsheet to the chat"),
    "export_sent": N_("The spreadsheet has been sent to your chat with the bot."),
    "loading": N_("Loading…"),
    "error": N_("Could not load the data. Please reopen the page from the bot."),
    "admins_only": N_("The dashboard is for branch and district admins. Chairs file their report in the chat."),
    "whole_scope": N_("All districts"),
    "form_title": N_("Your report"),
    "saved": N_("Saved"),
    "submit": N_("Submit the report"),
    "photos_attached": N_("Photos attached: {count}"),
    "deadline_on": N_("Deadline: {day}"),
    "form_note": N_("Answers are saved as you type; you can go on in the chat at any time."),
    "not_chosen": N_("Not chosen"),
    "closed": N_("This report can no longer be changed."),
}


def page_texts(i18n: I18n, locale: str) -> dict[str, str]:
    return {key: i18n.gettext(msgid, locale=locale) for key, msgid in PAGE.items()}


def deadline_text(due: date, today: date) -> str:
    """«3 days left», «Due today», «5 days overdue», in the current locale."""
    days = (due - today).days
    if days > 0:
        return ngettext("{n} day left", "{n} days left", days).format(n=days)
    if days == 0:
        return _("Due today")
    return ngettext("{n} day overdue", "{n} days overdue", -days).format(n=-days)
