"""What the Mini App's handlers share: the AppContext, the Bot (for getFile and reminders), the reads."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiogram import Bot
from aiohttp import web

from bot.features.webapp.auth import Viewer
from db.queries.dashboard import DashboardRepo

if TYPE_CHECKING:
    from bot.context import AppContext

PHOTO_CACHE = 64  # photos kept in memory, so paging through a report does not ask Telegram again


@dataclass
class WebState:
    app: AppContext
    bot: Bot
    dashboard: DashboardRepo
    _photos: dict[str, bytes] = field(default_factory=dict)

    async def photo(self, file_id: str) -> bytes:
        """A photo's bytes through the Bot API (getFile, then the file download); the file's Telegram
        address, which holds the bot token, never leaves the server."""
        if file_id not in self._photos:
            file = await self.bot.get_file(file_id)
            buffer = io.BytesIO()
            await self.bot.download_file(file.file_path or "", buffer)
            if len(self._photos) >= PHOTO_CACHE:
                del self._photos[next(iter(self._photos))]
            self._photos[file_id] = buffer.getvalue()
        return self._photos[file_id]


STATE = web.AppKey("bastau_webapp", WebState)
VIEWER = web.RequestKey("bastau_viewer", Viewer)  # set by the auth middleware on every API request
