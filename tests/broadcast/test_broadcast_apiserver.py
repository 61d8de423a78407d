"""A broadcast to a few hundred chats over real HTTP, against the local Bot API server with faults."""
from __future__ import annotations

from collections import Counter

import pytest

from bot.app import build_bot
from bot.config import BroadcastSection
from bot.context import AppContext
from bot.features.broadcast import ensure_engine
from bot.sandbox.apiserver import Fault, LocalBotAPI, User

ADMIN = 900
CHATS = list(range(3000, 3300))
BLOCKED = {3005, 3150, 3299}
BROKEN = 3020                  # answers 500 every time
FLAKY = {3030, 3031, 3200}     # answer 500 once
FLOOD_ON_CALL = 100            # the 100th copyMessage gets a 429


class Faults:
    def __init__(self) -> None:
        self.copies = 0
        self.flaked: set[int] = set()

    def __call__(self, method: str, params: dict) -> Fault | None:
        if method != "copyMessage":
            return None
        self.copies += 1
        chat = int(params["chat_id"])
        if chat in BLOCKED:
            return Fault.blocked()
        if chat == BROKEN:
            return Fault.server_error()
        if self.copies == FLOOD_ON_CALL:
            return Fault.too_many(retry_after=1)
        if chat in FLAKY and chat not in self.flaked:
            self.flaked.add(chat)
            return Fault.server_error()
        return None


@pytest.mark.slow
async def test_every_recipient_ends_sent_blocked_or_failed(config, monkeypatch):
    config = config.model_copy(update={"broadcast": BroadcastSection(rate_per_second=400, per_chat_interval_s=1.0)})
    async with LocalBotAPI(faults=Faults()) as server:
        monkeypatch.setenv("TELEGRAM_API_SERVER", server.base_url)
        app = await AppContext.create(config)
        bot = build_bot("42:TEST", config)
        try:
            for chat in CHATS:
                await app.repos.users.ensure(chat, app.clock.now())
            source = server.send_text(User(ADMIN), "<b>Жиналыс</b> жұмада")
            engine = ensure_engine(app)
            in_flight = engine.max_in_flight
            broadcast_id = await engine.create(CHATS, from_chat_id=ADMIN, message_id=source.message_id)
            receipt = await engine.run(broadcast_id, bot)
            states = {chat: (state, error) for chat, state, error in await app.repos.broadcasts.recipients(broadcast_id)}
            inactive = {chat for chat in CHATS if not (await app.repos.users.get(chat)).active}
        finally:
            await bot.session.close()
            await app.db.close()
        copies = server.calls("copyMessage")

    assert (receipt.sent, receipt.blocked, receipt.failed, receipt.left) == (len(CHATS) - 4, 3, 1, 0)
    assert {chat for chat, (state, _) in states.items() if state == "blocked"} == BLOCKED == inactive
    assert states[BROKEN] == ("failed", "Internal Server Error")
    assert all(states[chat][0] == "sent" for chat in FLAKY)
    # Each chat received the message exactly once (the server only delivers on status 200)...
    delivered = Counter(int(c.params["chat_id"]) for c in copies if c.status == 200)
    assert set(delivered) == {chat for chat, (state, _) in states.items() if state == "sent"}
    assert set(delivered.values()) == {1}
    # ...and after the 429 only calls already in flight arrived until retry_after had passed.
    flood = next(c for c in copies if c.status == 429)
    during_pause = [c for c in copies if flood.time < c.time < flood.time + 1]
    assert len(during_pause) < in_flight
    retry = next(c for c in copies if c.time > flood.time and c.params["chat_id"] == flood.params["chat_id"])
    assert retry.time >= flood.time + 1
