"""The chair's report form under /app/api/form (thin handlers over bot/features/webapp/form.py).

    GET  /app/api/form            the open month's questions, the draft's answers (or the report's), status
    PUT  /app/api/form/{key}      {"value": …}: check one answer by the dialog's rules and save it in the draft
    POST /app/api/form/submit     check every answer, then submit the draft as the month's report;
                                  the form's soft rules broken: 409 {"status": "warned", "warnings": [...]},
                                  nothing submitted, until the chair corrects or sends {"anyway": true}

Only a chair of an organization may call them (403 for anyone else). A refused answer: 422 with
{"error": message, "key": field}.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

import bot.features.webapp.form as form
from bot.features.webapp.auth import Viewer, forbidden
from bot.features.webapp.state import STATE, VIEWER
from bot.telegram.delivery import deliver
from db.queries.users import User

if TYPE_CHECKING:
    from bot.context import AppContext


def _chair(request: web.Request) -> tuple[AppContext, Viewer, User]:
    viewer = request[VIEWER]
    if viewer.role.kind != "chair" or viewer.user is None or viewer.user.org_id is None:
        raise forbidden()
    return request.app[STATE].app, viewer, viewer.user


def _refused(error: form.FormError) -> web.Response:
    return web.json_response({"error": error.message, "key": error.key}, status=422)


async def get_form(request: web.Request) -> web.Response:
    app, viewer, user = _chair(request)
    return web.json_response(form.sheet_json(app, await form.sheet(app, user), viewer.locale),
                             headers={"Cache-Control": "no-store"})


async def put_answer(request: web.Request) -> web.Response:
    app, viewer, user = _chair(request)
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text='{"error": "expected a JSON body"}', content_type="application/json") from None
    if not isinstance(body, dict) or "value" not in body:
        raise web.HTTPBadRequest(text='{"error": "expected {\\"value\\": ...}"}', content_type="application/json")
    try:
        return web.json_response(await form.save_answer(app, user, request.match_info["key"], body["value"],
                                                        viewer.locale))
    except form.FormError as error:
        return _refused(error)


async def submit(request: web.Request) -> web.Response:
    """Submit; the chat gets the same receipt as after the dialog, so both paths leave it there."""
    app, viewer, user = _chair(request)
    try:
        body = await request.json() if request.can_read_body else {}
    except ValueError:
        body = {}
    anyway = isinstance(body, dict) and body.get("anyway") is True
    try:
        result = await form.submit(app, user, viewer.locale, anyway)
    except form.FormError as error:
        return _refused(error)
    if result["status"] == "warned":
        return web.json_response(result, status=409)
    await deliver(request.app[STATE].bot, app.repos.users, user.id, result["message"])
    return web.json_response(result)


def add_form_routes(app: web.Application) -> None:
    app.router.add_get("/app/api/form", get_form)
    app.router.add_post("/app/api/form/submit", submit)
    app.router.add_put("/app/api/form/{key}", put_answer)
