"""The digest's chart: a PNG of sensible size, every text on it in the admin's language, Kazakh letters
drawn from the font matplotlib ships, and the digest sent as a photo before its text."""
from __future__ import annotations

import struct
import warnings

from aiogram.methods import SendMessage, SendPhoto
from matplotlib.text import Text

from bot.features.digest.chart import chart_spec
from bot.features.digest.drawing import ChartSpec, draw, figure_of
from bot.features.digest.service import gather_digest
from bot.features.reminders.due_work import run_due_work
from tests.support.harness import at

KAZAKH_LETTERS = "Қ Ә Ғ Ү Ұ Ө Һ І Ң қ ә ғ ү ұ ө һ і ң"


def spec_with(text: str) -> ChartSpec:
    return ChartSpec(locale="kk", progress_title=text, progress_axis=text, districts=[text, "Сайрам"],
                     shares=[50.0, 100.0], bar_labels=["1/2", "2/2"], elapsed=40.0, elapsed_label=text,
                     trend_title=text, trend_axis=text, months=["мам. 2026", "мау. 2026"],
                     series=[(text, [100.0, 102.5])])


def glyph_warnings(spec: ChartSpec) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        draw(spec)
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_kazakh_letters_are_in_the_shipped_font():
    assert glyph_warnings(spec_with(KAZAKH_LETTERS)) == []
    # The check itself can fail: a letter DejaVu Sans does not have is reported.
    assert glyph_warnings(spec_with("漢")) != []


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def kazakh_digest(harness, clock):
    orgs = {o.name: o.id for o in await harness.app.repos.orgs.all()}
    for month, value in (("2026-09", 400), ("2026-10", 410)):
        await harness.app.repos.reports.submit(orgs["Құтарыс"], month, 1, {"members_total": value}, False,
                                               at(f"{month}-28 12:00"))
    await harness.app.repos.reports.submit(orgs["Мектеп №5"], "2026-11", 1, {"members_total": 5}, False,
                                           at("2026-11-28 12:00"))
    clock.set(at("2026-11-30 10:00"))
    return await gather_digest(harness.app.repos, harness.app.calendar, harness.app.config.form, None, clock.now())


async def test_the_chart_is_a_png_with_every_text_in_the_admins_language(harness, clock):
    digest = await kazakh_digest(harness, clock)
    with harness.app.i18n.context(), harness.app.i18n.use_locale("kk"):
        spec = chart_spec(digest, harness.app.config.form, harness.app.calendar)
    assert spec.progress_title == ("2026 жылғы қараша айының есебі: 3 ұйымның 1 тапсырды (33,3%) · "
                                   "мерзімі 2026 жылғы 5 желтоқсан")
    assert spec.months == ["мам. 2026", "мау. 2026", "шіл. 2026", "там. 2026", "қыр. 2026", "қаз. 2026"]
    assert spec.districts == ["Байзақ ауданы", "Сайрам ауданы"]  # drawn bottom up: Сайрам (0 of 2) on top
    assert spec.series[0][0] == "Партия мүшелерінің жалпы саны"
    # September = 100 (the first month October can be compared with), October against it, Құтарыс alone.
    assert spec.series[0][1] == [None, None, None, None, 100.0, 100 * 410 / 400]
    assert "(қыр. 2026 = 100)" in spec.trend_title
    # What matplotlib is given to draw: the spec's texts and the numbers it formats, nothing Russian.
    figure = figure_of(spec)
    figure.canvas.draw()
    drawn = {t.get_text() for t in figure.findobj(Text) if t.get_text()}
    assert spec.progress_title in drawn and "Индекс" in drawn and "қаз. 2026" in drawn
    assert "мерзімге дейін өткен уақыт" in drawn and "Тапсырғаны, аудан ұйымдарының %" in drawn
    assert not {t for t in drawn if any(word in t for word in ("Сдали", "Отчёт", "срок", "окт."))}
    assert "100" in drawn  # axis numbers formatted by Babel
    data = draw(spec)
    assert png_size(data) == (800, 800) and 10_000 < len(data) < 400_000

    with harness.app.i18n.context(), harness.app.i18n.use_locale("ru"):
        russian = chart_spec(digest, harness.app.config.form, harness.app.calendar)
    assert russian.progress_title.startswith("Отчёт за ноябрь 2026 года: сдали 1 из 3")
    assert russian.months[-1] == "окт. 2026" and russian.trend_axis == "Индекс"


async def test_digest_command_sends_the_chart_then_the_text(harness, clock):
    await kazakh_digest(harness, clock)
    boss = harness.client(900, language_code=None)
    await boss.send("/start")
    await boss.press("Қазақша")
    calls = await boss.send("/digest")
    kinds = [type(c) for c in calls if isinstance(c, (SendPhoto, SendMessage))]
    assert kinds[0] is SendPhoto and SendMessage in kinds[1:]
    photo = next(c for c in calls if isinstance(c, SendPhoto))
    assert png_size(photo.photo.data) == (800, 800)


async def test_weekly_digest_goes_out_as_photo_then_text_to_each_admin(harness, clock):
    await kazakh_digest(harness, clock)
    for admin_id, language in ((900, "Русский"), (901, "Қазақша")):  # admins who have started the bot
        client = harness.client(admin_id, language_code=None)
        await client.send("/start")
        await client.press(language)
    before = len(harness.session.requests)
    await run_due_work(harness.app, harness.bot, at("2026-11-30 09:00"))
    calls = [c for c in harness.session.requests[before:] if isinstance(c, (SendPhoto, SendMessage))]
    for admin_id in (900, 901):
        mine = [c for c in calls if c.chat_id == admin_id]
        assert isinstance(mine[0], SendPhoto) and png_size(mine[0].photo.data) == (800, 800)
        assert isinstance(mine[1], SendMessage) and "<b>" in mine[1].text


async def test_the_weekly_digest_reaches_the_local_bot_api_server_as_photo_then_text(harness, clock, server, bot):
    """Over real HTTP: the PNG is uploaded with sendPhoto, accepted, and the text follows."""
    await kazakh_digest(harness, clock)
    client = harness.client(900, language_code=None)
    await client.send("/start")
    await client.press("Қазақша")
    await run_due_work(harness.app, bot, at("2026-11-30 09:00"))
    calls = [c for c in server.calls() if c.method.lower() in ("sendphoto", "sendmessage")
             and str(c.params.get("chat_id")) == "900"]
    assert [c.method.lower() for c in calls[:2]] == ["sendphoto", "sendmessage"]
    assert all(c.status == 200 for c in calls)
    assert "Апталық шолу" in calls[1].params["text"]
