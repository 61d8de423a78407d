"""The Mini App's JSON API under /app/api/ (thin handlers: check scope, call the dashboard, answer JSON).

    GET  /app/api/me                          role, language, region, district; the page's texts
    GET  /app/api/progress?month=YYYY-MM      by district, deadline, missing organizations (admins)
    GET  /app/api/trends                      12 months of the form's figures (admins)
    GET  /app/api/orgs?month=&district_id=    the organizations of the scope (or one district) with their status
    GET  /app/api/orgs/{id}                   the organization's card and its 12 months (admins of its district)
    GET  /app/api/orgs/{id}/reports/{month}   one month's report with its answers and photo addresses
    GET  /app/api/photos/{report_id}/{n}      a photo of a report, fetched from Telegram by getFile
    POST /app/api/orgs/{id}/remind            «Remind now» {"month": optional}
    GET  /app/api/export?month=YYYY-MM        the month's workbook, as /export sends it
    POST /app/api/export?month=YYYY-MM        the same workbook sent into the admin's chat

`auth_middleware` (server.py) has already checked initData and set request[VIEWER] and the locale.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiogram.exceptions import TelegramAPIError
from aiogram.types import BufferedInputFile
from aiohttp import web

import bot.features.webapp.dashboard as views
from bot.domain.audit import audit
from bot.domain.calendar import Month
from bot.features.export.service import export_month
from bot.features.webapp.auth import Viewer, forbidden, require_admin, require_district
from bot.features.webapp.remind import remind_now
from bot.features.webapp.state import STATE, VIEWER, WebState
from bot.features.webapp.texts import page_texts
from bot.telegram.admin import region_of
from db.queries.orgs import Organization


def _ctx(request: web.Request) -> tuple[WebState, Viewer]:
    return request.app[STATE], request[VIEWER]


def _json(data: Any) -> web.Response:
    return web.json_response(data, headers={"Cache-Control": "no-store"})


def _scope(viewer: Viewer) -> int | None:
    """None for the whole branch or a region (see _region), else the district admin's district (403
    for anyone else)."""
    require_admin(viewer)
    if viewer.role.is_branch or viewer.role.is_region:
        return None
    if viewer.role.district_id is None:  # a district admin whose district is not in the roster
        raise forbidden()
    return viewer.role.district_id


def _id(raw: str) -> int | None:
    """A row id from the path; None for anything else (letters, or digits beyond SQLite's integers)."""
    return int(raw) if raw.isdigit() and len(raw) <= 18 else None


def _month(state: WebState, value: str | None) -> Month:
    if not value:
        return state.app.calendar.open_month(state.app.clock.now())
    try:
        return Month.parse(value)
    except ValueError:
        raise web.HTTPBadRequest(text='{"error": "month must look like 2026-10"}',
                                 content_type="application/json") from None


async def _org(state: WebState, viewer: Viewer, raw: str) -> Organization:
    require_admin(viewer)
    org_id = _id(raw)
    org = await state.app.repos.orgs.get(org_id) if org_id is not None else None
    if org is None:
        raise web.HTTPNotFound(text='{"error": "no such organization"}', content_type="application/json")
    require_district(viewer, org.district_id)
    return org


async def me(request: web.Request) -> web.Response:
    state, viewer = _ctx(request)
    user = viewer.user
    return _json({"role": viewer.role.kind, "language": viewer.locale, "region": viewer.region,
                  "district": viewer.district, "name": user.full_name if user else None,
                  "open_month": views.month_json(state.app.calendar.open_month(state.app.clock.now())),
                  "texts": page_texts(state.app.i18n, viewer.locale)})


async def progress(request: web.Request) -> web.Response:
    state, viewer = _ctx(request)
    scope = _scope(viewer)
    month = _month(state, request.query.get("month"))
    return _json(await views.progress(state.app, state.dashboard, month, scope, region_of(viewer.role)))


async def trends(request: web.Request) -> web.Response:
    state, viewer = _ctx(request)
    return _json(await views.trends(state.app, state.dashboard, _scope(viewer), region_of(viewer.role)))


async def organizations(request: web.Request) -> web.Response:
    state, viewer = _ctx(request)
    scope = _scope(viewer)
    month = _month(state, request.query.get("month"))
    raw = request.query.get("district_id", "")
    if raw:
        district_id = _id(raw)
        if district_id is None:
            raise web.HTTPBadRequest()
        require_district(viewer, district_id)
        scope = district_id
    region = viewer.role.districts if viewer.role.is_region and scope is None else None
    return _json(await views.organizations(state.app, state.dashboard, month, scope, region))


async def organization(request: web.Request) -> web.Response:
    state, viewer = _ctx(request)
    org = await _org(state, viewer, request.match_info["org_id"])
    return _json(await views.organization(state.app, org))


async def report(request: web.Request) -> web.Response:
    state, viewer = _ctx(request)
    org = await _org(state, viewer, request.match_info["org_id"])
    month = _month(state, request.match_info["month"])
    row = await state.dashboard.report_of(org.id, str(month))
    if row is None:
        raise web.HTTPNotFound(text='{"error": "no report"}', content_type="application/json")
    return _json(views.report(state.app, row))


async def photo(request: web.Request) -> web.Response:
    state, viewer = _ctx(request)
    require_admin(viewer)
    raw_id, raw_n = request.match_info["report_id"], request.match_info["n"]
    report_id = _id(raw_id)
    row = await state.dashboard.report(report_id) if report_id is not None else None
    if row is None:
        raise web.HTTPNotFound()
    require_district(viewer, row.district_id)
    photos = views.photo_ids(state.app.config.form, row.answers)
    n = _id(raw_n)
    if n is None or n >= len(photos):
        raise web.HTTPNotFound()
    try:
        data = await state.photo(photos[n])
    except TelegramAPIError:
        raise web.HTTPBadGateway(text='{"error": "the photo could not be fetched from Telegram"}',
                                 content_type="application/json") from None
    return web.Response(body=data, content_type="image/png" if data.startswith(b"\x89PNG") else "image/jpeg",
                        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"})


async def remind(request: web.Request) -> web.Response:
    state, viewer = _ctx(request)
    org = await _org(state, viewer, request.match_info["org_id"])
    try:
        body = await request.json() if request.can_read_body else {}
    except ValueError:
        body = {}
    month = _month(state, body.get("month") if isinstance(body, dict) else None)
    result = await remind_now(state.app, state.bot, state.dashboard, viewer, org, month)
    texts = page_texts(state.app.i18n, viewer.locale)
    message = {"sent": texts["remind_sent"], "already": texts["remind_already"],
               "no_chair": texts["remind_no_chair"], "submitted": texts["remind_submitted"],
               "scheduled": texts["remind_later"].format(time=result.at.strftime("%H:%M") if result.at else ""),
               }.get(result.status, texts["remind_failed"])
    return _json({"status": result.status, "at": result.at.isoformat() if result.at else None, "message": message})


async def _workbook(state: WebState, viewer: Viewer, month: Month, via: str) -> tuple[bytes, str]:
    scope = _scope(viewer)
    data, name = await export_month(state.app.repos, state.app.config.form, state.app.i18n, viewer.locale,
                                    month, scope, as_csv=False, region_id=region_of(viewer.role))
    await audit(state.app.db, state.app.clock, viewer.user_id, "export", f"month:{month}",
                {"district": scope, "region": region_of(viewer.role), "format": "xlsx", "via": via},
                role=viewer.role)
    return data, name


async def export(request: web.Request) -> web.Response:
    state, viewer = _ctx(request)
    data, name = await _workbook(state, viewer, _month(state, request.query.get("month")), "webapp")
    return web.Response(body=data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}",
                                 "Cache-Control": "no-store"})


async def export_to_chat(request: web.Request) -> web.Response:
    """The workbook sent into the admin's chat with the bot: Telegram's in-app browsers often cannot save
    a download, the chat always can."""
    state, viewer = _ctx(request)
    month = _month(state, request.query.get("month"))
    data, name = await _workbook(state, viewer, month, "webapp-chat")
    try:
        await state.bot.send_document(viewer.user_id, BufferedInputFile(data, name),
                                      caption=views.month_json(month)["label"])
    except TelegramAPIError:
        return _json({"status": "failed", "message": page_texts(state.app.i18n, viewer.locale)["error"]})
    return _json({"status": "sent", "message": page_texts(state.app.i18n, viewer.locale)["export_sent"]})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/app/api/me", me)
    app.router.add_get("/app/api/progress", progress)
    app.router.add_get("/app/api/trends", trends)
    app.router.add_get("/app/api/orgs", organizations)
    app.router.add_get("/app/api/orgs/{org_id}", organization)
    app.router.add_get("/app/api/orgs/{org_id}/reports/{month}", report)
    app.router.add_post("/app/api/orgs/{org_id}/remind", remind)
    app.router.add_get("/app/api/photos/{report_id}/{n}", photo)
    app.router.add_get("/app/api/export", export)
    app.router.add_post("/app/api/export", export_to_chat)
