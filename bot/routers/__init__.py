"""Every feature's router, in the order they see updates. The fallback comes last."""
from __future__ import annotations

from aiogram import Router


def feature_routers() -> list[Router]:
    from bot.routers import fallback, registration, start

    return [
        start.create_router(),
        registration.create_router(),
        fallback.create_router(),
    ]
