"""Keep aiogram's parsed-answer classes alive.

aiogram reads every Bot API answer with `Response[<the method's result type>]`, a generic pydantic
model that pydantic caches only weakly. The class is part of reference cycles, so the next garbage
collection frees it and the next call builds it again, schema and all (milliseconds each time, on
every kind of call). Holding one reference per result type makes each class be built once.
"""
from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.base import Response
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType


class KeepResponseTypes(BaseRequestMiddleware):
    def __init__(self) -> None:
        self.kept: dict[Any, type] = {}

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Any:
        returning = method.__returning__
        if returning not in self.kept:
            self.kept[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)


def install_response_types(bot: Bot) -> None:
    bot.session.middleware(KeepResponseTypes())
