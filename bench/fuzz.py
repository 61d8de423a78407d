"""Random and malformed updates through the real dispatcher (hypothesis strategies).

Senders: a registered Kazakh chair, a registered Russian chair, a branch admin, a user halfway
through registration and strangers. Kinds: text (random, numbers, unicode, huge), commands, menu
buttons in both languages, callback data (real prefixes with forged values, or garbage), stickers,
documents, photos, voice, the contact of another user, edited messages, group messages, blocking the bot.

Checks after every update: the error handler was not reached and nothing escaped `feed_update`;
every reply to a user whose language is known is in that language (Kazakh-specific letters
әғқңөұүһі must appear in a Kazakh reply with enough Cyrillic text, and never in a Russian one,
once the text the fuzzer sent and proper names are taken out).
"""
from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from bench.common import bench_clock, load
from db.queries.orgs import RosterRow
from db.queries.roster import apply_rows

KAZAKH_LETTERS = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
CYRILLIC = re.compile(r"[а-яёА-ЯЁәғқңөұүһіӘҒҚҢӨҰҮҺІ]")
KK_CHAIR, RU_CHAIR, ADMIN, HALFWAY = 1001, 1002, 900, 1003
STRANGERS = (4242, 777_000_001, 5)
ROSTER = [("Сайрам ауданы", "Құтарыс", "social", 400), ("Сайрам ауданы", "Ақсу мектебі", "social", 120),
          ("Байзақ ауданы", "Мектеп №5", "social", 120)]
COMMANDS = ["/start", "/report", "/language", "/help", "/cancel", "/myreports", "/digest", "/export", "/stats",
            "/admins", "/audit", "/codes", "/reopen", "/broadcast", "/start payload", "/unknown", "/report@bastau_bot"]
CALLBACK_PREFIXES = ["rep", "report", "lang", "reg", "myrep", "join", "bc", "adm", "bcstop"]
CALLBACK_SAMPLES = ["report:open", "lang:kk", "lang:ru", "lang:xx", "reg:yes", "reg:restart", "rep:confirm",
                    "rep:cancel", "rep:continue", "rep:restart", "rep:toggle:projects:0", "rep:toggle:projects:99",
                    "rep:done:projects:-1", "rep:done:photos:-1", "rep:skip:events_summary:-1",
                    "rep:edit:members_total:-1", "rep:back:members_joined:-1", "rep:edit_submitted:2026-11:-1",
                    "rep:edit_submitted:bad:-1", "myrep:2026-10", "myrep:1999-13", "bc:aud:all", "bc:send",
                    "bc:drop", "bcstop:1", "adm:stats:0:0:", "adm:export:0:0:2026-10", "join:start:0:0:0",
                    "join:o:1:99999:0"]


def menu_labels() -> list[str]:
    """Every MENU_* msgid of the keyboards and routers, in both languages."""
    from bot.i18n import make_i18n

    msgids = set()
    modules = [importlib.import_module("bot.telegram.keyboards")]
    import bot.features

    for info in pkgutil.iter_modules(bot.features.__path__):
        modules.append(importlib.import_module(f"bot.features.{info.name}"))
    for module in modules:
        msgids |= {v for k, v in vars(module).items() if k.startswith("MENU_") and isinstance(v, str)}
    i18n = make_i18n()
    return sorted({i18n.gettext(m, locale=loc) for m in msgids for loc in ("kk", "ru")})


def _text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=60), st.text(alphabet="0123456789 -.,−", max_size=12),
        st.integers(-10 ** 12, 10 ** 12).map(str), st.sampled_from(COMMANDS),
        st.text(alphabet="әғқңөұүһіабвгд😀\u200b\u202e\u0000<>&\"'", min_size=1, max_size=40),
        st.integers(4000, 9000).map(lambda n: "Ә" * n), st.just("<b>bold</b> & <script>"), st.just(""),
    )


@st.composite
def actions(draw, labels: list[str]) -> dict[str, Any]:
    sender = draw(st.sampled_from([KK_CHAIR, RU_CHAIR, ADMIN, HALFWAY, *STRANGERS]))
    language = draw(st.sampled_from(["kk", "ru", "en", None]))
    kind = draw(st.sampled_from(["text", "text", "text", "menu", "callback", "callback", "sticker", "document",
                                 "photo", "voice", "contact", "edited", "group", "member"]))
    action: dict[str, Any] = {"sender": sender, "language": language, "kind": kind}
    if kind in ("text", "edited", "group"):
        action["text"] = draw(_text())
    elif kind == "menu":
        action["text"] = draw(st.sampled_from(labels))
    elif kind == "callback":
        action["data"] = draw(st.one_of(
            st.sampled_from(CALLBACK_SAMPLES),
            st.builds(lambda p, rest: f"{p}:{rest}", st.sampled_from(CALLBACK_PREFIXES), st.text(max_size=40)),
            st.text(max_size=70)))
    elif kind == "contact":
        action["owner"] = draw(st.sampled_from([sender, sender + 1, None]))
        action["phone"] = draw(st.sampled_from(["+77010000001", "77010000002", "not a phone", ""]))
    elif kind == "document":
        action["filename"] = draw(st.sampled_from(["roster.csv", "photo.jpg", "x.exe", "отчёт.xlsx"]))
    return action


class ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class FuzzReport:
    updates: int = 0
    errors: list[str] = field(default_factory=list)
    wrong_language: list[str] = field(default_factory=list)
    replies_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.wrong_language


class FuzzSession:
    """One bot (fresh database) with its cast of users; `play` feeds actions and checks every reply."""

    def __init__(self, harness, names: list[str]) -> None:
        self.harness = harness
        self.names = names
        self.report = FuzzReport()
        self.errors = ErrorCounter()

    @classmethod
    async def create(cls, folder: Path) -> FuzzSession:
        from tests.support.harness import Harness

        clock = bench_clock()
        harness = await Harness.create(load(folder, folder / "fuzz.db", district="Сайрам ауданы"), clock)
        await apply_rows(harness.app.db, [RosterRow(n, *row) for n, row in enumerate(ROSTER, 2)], clock.now())
        now = clock.now().isoformat(timespec="seconds")
        await harness.app.db.executemany(
            "INSERT INTO users(id, locale, full_name, phone, org_id, registered_at, active, created_at) "
            "VALUES (?,?,?,?,?,?,1,?)",
            [(KK_CHAIR, "kk", "Асанов Айбек", "+77010000001", 1, now, now),
             (RU_CHAIR, "ru", "Петрова Анна", None, 2, now, now),
             (ADMIN, "ru", "Админ", None, None, None, now)])
        session = cls(harness, [r[1] for r in ROSTER] + [r[0] for r in ROSTER] + ["Асанов Айбек", "Петрова Анна"])
        halfway = harness.client(HALFWAY, "kk")
        await halfway.send("/start")
        await halfway.press("Қазақша")
        return session

    async def close(self) -> None:
        await self.harness.close()

    async def play(self, items: list[dict[str, Any]]) -> FuzzReport:
        watched = [logging.getLogger(n) for n in ("bot.telegram.errors", "aiogram.event", "aiogram.dispatcher")]
        for logger in watched:
            logger.addHandler(self.errors)
        try:
            for action in items:
                await self._one(action)
        finally:
            for logger in watched:
                logger.removeHandler(self.errors)
        return self.report

    async def _one(self, action: dict[str, Any]) -> None:
        client = self.harness.client(action["sender"], action["language"])
        before = len(self.errors.records)
        try:
            calls = await self._feed(client, action)
        except Exception as exc:  # escaped the dispatcher: as bad as reaching the error handler
            self.report.errors.append(f"{action}: raised {type(exc).__name__}: {exc}")
            return
        finally:
            self.report.updates += 1
        for record in self.errors.records[before:]:
            self.report.errors.append(f"{action}: {record.getMessage()} {record.exc_info and record.exc_info[1]!r}")
        await self._check_languages(action, calls)

    async def _feed(self, client, action: dict[str, Any]):
        kind = action["kind"]
        if kind in ("text", "menu"):
            return await client.send(action["text"])
        if kind == "edited":
            message = client._message(text=action["text"] or "-", edit_date=int(self.harness.clock.now().timestamp()))
            return await client._feed({"edited_message": message})
        if kind == "callback":
            message = _last_keyboard(client) or client._message(text="old")
            return await client.press_data(action["data"], message)
        if kind == "group":  # a message in a group the bot was added to
            message = client._message(text=action["text"] or "-")
            message["chat"] = {"id": -1001234567890, "type": "supergroup", "title": "Аудан чаты"}
            return await client._feed({"message": message})
        if kind == "member":  # the user blocked the bot
            return await client._feed({"my_chat_member": _blocked(client)})
        if kind == "sticker":
            return await client.send_sticker()
        if kind == "voice":
            return await client.send_voice()
        if kind == "photo":
            return await client.send_photo(f"fuzz{self.report.updates}")
        if kind == "document":
            return await client.send_document(b"district,organization\n\xff\xfe", action["filename"])
        if kind == "contact":
            return await client.share_contact(action["phone"] or "0", action["owner"])
        raise AssertionError(kind)

    async def _check_languages(self, action: dict[str, Any], calls) -> None:
        from tests.support.mocked import sent_text

        sent = (action.get("text") or "")
        for call in calls:
            text = sent_text(call)
            chat = getattr(call, "chat_id", None) or action["sender"]
            if not text:
                continue
            user = await self.harness.app.repos.users.get(int(chat)) if isinstance(chat, int) else None
            if user is None or user.locale not in ("kk", "ru"):
                continue
            self.report.replies_checked += 1
            problem = language_problem(text, user.locale, [sent, *self.names])
            if problem:
                self.report.wrong_language.append(f"to {chat} ({user.locale}) after {action}: {problem}: {text[:160]!r}")


def language_problem(text: str, locale: str, foreign: list[str]) -> str | None:
    """Why `text` is not in `locale`, or None. `foreign` (echoed input, proper names) is ignored."""
    for piece in sorted(filter(None, foreign), key=len, reverse=True):
        text = text.replace(piece, " ")
    text = re.sub(r"«[^»]*»", " ", text)  # quoted project and organization names are proper names
    letters = CYRILLIC.findall(text)
    has_kazakh = bool(KAZAKH_LETTERS.search(text))
    if locale == "ru" and has_kazakh:
        return "Kazakh letters in a Russian reply"
    if locale == "kk" and len(letters) >= 20 and not has_kazakh:
        return "no Kazakh letters in a Kazakh reply"
    return None


def _blocked(client) -> dict[str, Any]:
    bot = {"id": 100000, "is_bot": True, "first_name": "Bastau"}
    return {"chat": {"id": client.user_id, "type": "private"}, "from": client.tg_user,
            "date": int(client.harness.clock.now().timestamp()),
            "old_chat_member": {"status": "member", "user": bot},
            "new_chat_member": {"status": "kicked", "user": bot, "until_date": 0}}


def _last_keyboard(client) -> dict[str, Any] | None:
    try:
        return client.keyboard_message()
    except (AssertionError, KeyError):
        return None


def generate(count: int) -> list[dict[str, Any]]:
    """`count` actions drawn from the strategies, the same every time (for the bench drill)."""
    from hypothesis import HealthCheck, Phase, given, settings

    collected: list[dict[str, Any]] = []
    batch = 50

    @settings(max_examples=-(-count // batch), database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), deadline=None)
    @given(st.lists(actions(menu_labels()), min_size=batch, max_size=batch))
    def collect(items: list[dict[str, Any]]) -> None:
        collected.extend(items)

    collect()
    return collected[:count]


async def run(count: int) -> FuzzReport:
    items = generate(count)
    with tempfile.TemporaryDirectory(prefix="bench-fuzz-") as folder:
        session = await FuzzSession.create(Path(folder))
        try:
            return await session.play(items)
        finally:
            await session.close()


def main(count: int = 10_000) -> FuzzReport:
    return asyncio.run(run(count))
