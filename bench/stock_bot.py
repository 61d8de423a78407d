"""A minimal stock aiogram polling bot: the yardstick of `startup_vs_aiogram` and `rss_vs_aiogram`.

Run as a plain script (`python -P bench/stock_bot.py`), never as part of the bench or bot packages:
it must import aiogram as anyone would, without the bot's lazy building of aiogram's models.
BOT_TOKEN and TELEGRAM_API_SERVER (the local Bot API server of the benchmark) come from the environment.
"""
import asyncio
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_SERVER"]))
    bot = Bot(os.environ["BOT_TOKEN"], session=session)
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    await dp.start_polling(bot, handle_signals=True)


if __name__ == "__main__":
    asyncio.run(main())
