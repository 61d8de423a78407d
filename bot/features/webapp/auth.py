"""Who is asking: Telegram's signed initData in `Authorization: tma <initData>`, checked on every API request.

The signature is checked against the bot token (aiogram's safe_parse_webapp_init_data); initData older
than `[web] init_data_max_age_s` is refused. The role comes from our database exactly as for an update
(RoleResolver), and the language is the user's language in our database. No cookies, no sessions.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from aiogram.utils.web_app import WebAppInitData, safe_parse_webapp_init_data
from aiohttp import web

from bot.domain.roles import Role
from db.queries.users import User

if TYPE_CHECKING:
    from bot.context import AppContext

SCHEME = "tma "
CLOCK_SKEW = timedelta(minutes=5)  # initData stamped a little ahead of our clock is still accepted


@dataclass(frozen=True)
class Viewer:
    user_id: int
    role: Role
    locale: str
    user: User | None
    district: str | None  # the district admin's district, or the chair's
    region: str | None = None  # the region admin's region, or the region of the district above


def unauthorized(reason: str) -> web.HTTPUnauthorized:
    return web.HTTPUnauthorized(text=f'{{"error": "unauthorized", "reason": "{reason}"}}',
                                content_type="application/json", headers={"WWW-Authenticate": "tma"})


def forbidden() -> web.HTTPForbidden:
    return web.HTTPForbidden(text='{"error": "forbidden"}', content_type="application/json")


def verified_init_data(app: AppContext, token: str, header: str | None) -> WebAppInitData:
    """The initData of the header when it is signed with `token` and fresh; else HTTPUnauthorized."""
    if not header or not header.startswith(SCHEME) or not header[len(SCHEME):].strip():
        raise unauthorized("missing")
    try:
        data = safe_parse_webapp_init_data(token, header[len(SCHEME):].strip())
    except ValueError:  # a bad signature, or a signed payload that is not initData
        raise unauthorized("invalid") from None
    age = app.clock.now() - data.auth_date
    if age > timedelta(seconds=app.config.web.init_data_max_age_s) or age < -CLOCK_SKEW:
        raise unauthorized("expired")
    if data.user is None:
        raise unauthorized("no user")
    return data


async def viewer_of(app: AppContext, data: WebAppInitData) -> Viewer:
    assert data.user is not None
    user = await app.repos.users.get(data.user.id)
    role = await app.roles.resolve(data.user.id, user.org_id if user else None)
    language = (data.user.language_code or "").split("-")[0].lower()
    locale = (user.locale if user and user.locale else None) or \
        (language if language in ("kk", "ru") else app.config.bot.default_locale)
    district_id = role.district_id
    if role.kind == "chair" and user is not None and user.org_id is not None:
        org = await app.repos.orgs.get(user.org_id)
        district_id = org.district_id if org else None
    district = await app.repos.orgs.district_name(district_id) if district_id is not None else None
    region_id = role.region_id if role.is_region else \
        await app.repos.orgs.district_region(district_id) if district_id is not None else None
    region = await app.repos.orgs.region_name(region_id) if region_id is not None else None
    return Viewer(data.user.id, role, locale, user, district, region)


def require_admin(viewer: Viewer) -> None:
    if not viewer.role.is_admin:
        raise forbidden()


def require_district(viewer: Viewer, district_id: int) -> None:
    """403 unless the viewer is an admin whose scope covers the district."""
    if not viewer.role.is_admin or not viewer.role.covers_district(district_id):
        raise forbidden()
