"""The web server starts and stops with the dispatcher; with [web] public_url set, every known admin's chat
gets the Mini App's menu button in the admin's language."""
from __future__ import annotations

import socket

from aiogram.methods import SetChatMenuButton

from bot.config import load_config
from bot.context import AppContext
from bot.features.webapp import WEB_SERVER_KEY
from bot.features.webapp.menu import MenuButtons
from tests.support.harness import Harness
from tests.support.roster import seed_roster
from tests.support.webapp_world import BRANCH, DISTRICT


async def test_admins_get_a_web_app_menu_button_in_their_language(config_file, clock, monkeypatch):
    monkeypatch.setenv("BASTAU_WEB__PUBLIC_URL", "https://bastau.example.kz/")
    h = Harness(await AppContext.create(load_config(config_file), clock=clock), clock)

    def calls():
        out = {c.chat_id: c.menu_button for c in h.session.requests if isinstance(c, SetChatMenuButton)}
        h.session.requests.clear()
        return {chat: (b.type, getattr(b, "text", None), getattr(getattr(b, "web_app", None), "url", None))
                for chat, b in out.items()}

    try:
        for user_id, locale in ((BRANCH, "kk"), (DISTRICT, "ru")):
            await h.app.repos.users.ensure(user_id, clock.now())
            await h.app.repos.users.set_locale(user_id, locale)
        menus = MenuButtons(h.app)
        assert await menus.sync(h.bot) == 1  # the district admin's district is not in this roster yet
        assert calls() == {None: ("web_app", "📝 Есеп нысаны", "https://bastau.example.kz/app/"),  # every chat
                           BRANCH: ("web_app", "📊 Есептер панелі", "https://bastau.example.kz/app/")}
        await seed_roster(h.app.db, clock)
        assert await menus.sync(h.bot) == 2
        assert calls() == {DISTRICT: ("web_app", "📊 Панель отчётов", "https://bastau.example.kz/app/")}
        assert await menus.sync(h.bot) == 2 and calls() == {}  # nothing changed, nothing sent
        # An admin added in the bot, one who changes language, one removed.
        await h.app.repos.users.ensure(777, clock.now())
        await h.app.repos.admins.put(777, "branch", None, BRANCH, clock.now())
        await h.app.repos.users.set_locale(BRANCH, "ru")
        await menus.sync(h.bot)
        assert calls() == {777: ("web_app", "📊 Есептер панелі", "https://bastau.example.kz/app/"),
                           BRANCH: ("web_app", "📊 Панель отчётов", "https://bastau.example.kz/app/")}
        await h.app.repos.admins.remove(777)
        assert await menus.sync(h.bot) == 2
        assert calls() == {777: ("default", None, None)}
    finally:
        await h.close()


async def test_the_server_listens_while_the_dispatcher_runs_and_a_busy_port_does_not_stop_the_bot(
        config_file, clock, monkeypatch, caplog):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    try:
        monkeypatch.setenv("BASTAU_WEB__PORT", str(port))
        h = Harness(await AppContext.create(load_config(config_file), clock=clock), clock)
        await h.dp.emit_startup(bot=h.bot, **h.dp.workflow_data)
        assert h.app.extra[WEB_SERVER_KEY].url == ""
        assert "set [web] port (BASTAU_WEB__PORT)" in caplog.text
        await h.dp.emit_shutdown(bot=h.bot, **h.dp.workflow_data)
        await h.close()
    finally:
        busy.close()
    monkeypatch.setenv("BASTAU_WEB__PORT", "0")
    h = Harness(await AppContext.create(load_config(config_file), clock=clock), clock)
    try:
        await h.dp.emit_startup(bot=h.bot, **h.dp.workflow_data)
        server = h.app.extra[WEB_SERVER_KEY]
        assert server.url.startswith("http://127.0.0.1:")
        import aiohttp

        async with aiohttp.ClientSession() as session, session.get(server.url + "/app/api/me") as response:
            assert response.status == 401
        await h.dp.emit_shutdown(bot=h.bot, **h.dp.workflow_data)
        assert WEB_SERVER_KEY not in h.app.extra
    finally:
        await h.close()
