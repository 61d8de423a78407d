"""The chair's report on one page: the dialog's rules, the dialog's draft, either path finishes it."""
from __future__ import annotations

from tests.support.webapp_world import BRANCH, DISTRICT, KUTARYS_CHAIR, MEKTEP_CHAIR

WEB_ANSWERS = {"members_total": "120", "members_joined": 2, "members_left": 0, "events_held": 3,
               "events_summary": "Ардагерлермен кездесу өтті.", "deputy_meetings": 1}


async def put(api, user_id: int, key: str, value):
    response = await api.client.put(f"/app/api/form/{key}", headers=api.headers(user_id), json={"value": value})
    return response.status, await response.json()


async def test_the_form_shows_every_question_of_the_open_month_in_the_chairs_language(api, world):
    sheet = await api.json("/app/api/form", MEKTEP_CHAIR)  # Мектеп №5's chair reads Russian
    assert (sheet["month"], sheet["title"], sheet["status"], sheet["editable"]) == (
        "2026-11", "Отчёт за ноябрь 2026 года", "open", True)
    fields = {f["key"]: f for f in sheet["fields"]}
    assert [f["key"] for f in sheet["fields"]] == [f.key for f in api.harness.app.config.form.fields]
    assert fields["members_total"]["label"] == "Всего членов партии"
    assert (fields["members_total"]["min"], fields["members_total"]["max"]) == (0, 100000)
    assert fields["members_total"]["hint"] == "Целое число от 0 до 100000."
    assert fields["projects"]["options"][1] == {"key": "qaryzsyz_qogam", "label": "«Общество без долгов»"}
    assert sheet["answers"] == {} and sheet["photos"] == 0
    # Last month's answers beside the questions (Мектеп №5 filed October).
    assert fields["members_total"]["last_month"] == "В прошлом месяце: 120"
    assert fields["projects"]["last_month"] == "В прошлом месяце: «Ауыл аманаты»"
    assert "last_month" not in fields["needs"] and "last_month" not in fields["photos"]
    # Құтарыс filed November already: the report is shown, editable until the due date.
    filed = await api.json("/app/api/form", KUTARYS_CHAIR)
    assert (filed["status"], filed["editable"], filed["answers"]["members_total"], filed["photos"]) == (
        "submitted", True, 410, 1)


async def test_admins_and_guests_cannot_use_the_form(api, world):
    for user_id in (BRANCH, DISTRICT, 5555):
        assert (await api.get("/app/api/form", user_id)).status == 403
        assert (await put(api, user_id, "members_total", 5))[0] == 403
        assert (await api.post("/app/api/form/submit", user_id)).status == 403


async def test_each_answer_is_checked_by_the_dialogs_rules_with_its_message(api, harness, world):
    assert await put(api, MEKTEP_CHAIR, "members_total", "abc") == (
        422, {"error": "Пожалуйста, отправьте число, например 12.", "key": "members_total"})
    assert (await put(api, MEKTEP_CHAIR, "members_total", "1 200"))[1]["error"].endswith("1200.")
    assert (await put(api, MEKTEP_CHAIR, "members_total", "100001"))[0] == 422
    assert await put(api, MEKTEP_CHAIR, "appeals_received", 4) == (200, {"key": "appeals_received", "value": 4})
    status, body = await put(api, MEKTEP_CHAIR, "appeals_resolved", 5)  # lte appeals_received
    assert status == 422 and "«Поступило обращений граждан» (4)" in body["error"]
    assert (await put(api, MEKTEP_CHAIR, "projects", ["nonsense"]))[0] == 422
    assert (await put(api, MEKTEP_CHAIR, "photos", ["file"]))[0] == 422
    assert (await put(api, MEKTEP_CHAIR, "nosuchkey", 1))[0] == 422
    assert (await put(api, MEKTEP_CHAIR, "members_total", None))[0] == 422  # required
    assert await put(api, MEKTEP_CHAIR, "needs", "") == (200, {"key": "needs", "value": None})  # optional: skipped
    assert await put(api, MEKTEP_CHAIR, "projects", ["zher_amanaty", "auyl_amanaty"]) == (
        200, {"key": "projects", "value": ["auyl_amanaty", "zher_amanaty"]})  # in the form's order
    draft = await harness.app.repos.reports.get_draft(world["mektep"], "2026-11")
    assert draft.answers == {"appeals_received": 4, "needs": None, "projects": ["auyl_amanaty", "zher_amanaty"]}
    assert draft.cursor == "members_total"  # the chat asks the first unanswered question next


async def test_a_chair_fills_half_on_the_page_and_finishes_in_the_chat(api, harness, world):
    for key, value in WEB_ANSWERS.items():
        assert (await put(api, MEKTEP_CHAIR, key, value))[0] == 200
    status = await api.client.post("/app/api/form/submit", headers=api.headers(MEKTEP_CHAIR))
    assert status.status == 422
    assert (await status.json())["key"] == "appeals_received"  # the first question still unanswered
    chat = harness.client(MEKTEP_CHAIR, "ru")
    await chat.send("/report")
    assert "незаконченный отчёт" in chat.reply
    await chat.press("Продолжить")
    assert "Поступило обращений граждан" in chat.reply  # the chat resumes after the page's answers
    for text in ("4", "3"):
        await chat.send(text)
    await chat.press("Ауыл аманаты")
    await chat.press("Готово")
    await chat.send("1")  # trainings
    await chat.press("Пропустить")  # needs
    await chat.press("Готово")  # photos: none
    await chat.press("Подтвердить")
    assert "⚠️ Всего членов партии: 120" in chat.reply  # October's 400 does not add up (config.toml's rule)
    await chat.press("Всё равно подтвердить")
    report = await harness.app.repos.reports.get(world["mektep"], "2026-11")
    assert report is not None
    assert report.answers["members_total"] == 120 and report.answers["events_summary"] == "Ардагерлермен кездесу өтті."
    assert report.answers["appeals_resolved"] == 3 and report.answers["projects"] == ["auyl_amanaty"]
    sheet = await api.json("/app/api/form", MEKTEP_CHAIR)
    assert sheet["status"] == "submitted" and sheet["answers"]["trainings"] == 1


async def test_a_chair_starts_in_the_chat_and_submits_on_the_page(api, harness, world):
    chat = harness.client(MEKTEP_CHAIR, "ru")
    await chat.send("/report")
    await chat.send("95")  # members_total in the chat
    sheet = await api.json("/app/api/form", MEKTEP_CHAIR)
    assert sheet["status"] == "draft" and sheet["answers"] == {"members_total": 95}
    answers = {**WEB_ANSWERS, "members_total": 95, "appeals_received": 2, "appeals_resolved": 2,
               "projects": [], "trainings": 0, "needs": "Компьютер нужен"}
    for key, value in answers.items():
        assert (await put(api, MEKTEP_CHAIR, key, value))[0] == 200, key
    response = await api.client.post("/app/api/form/submit", headers=api.headers(MEKTEP_CHAIR))
    assert response.status == 409 and (await response.json())["keys"] == ["members_total"]  # 120 + 2 − 0 ≠ 95
    response = await api.client.post("/app/api/form/submit", headers=api.headers(MEKTEP_CHAIR),
                                     json={"anyway": True})
    body = await response.json()
    assert response.status == 200, body
    assert body["status"] == "submitted" and not body["late"]
    assert body["message"] == "✅ Отчёт за ноябрь 2026 года принят. Спасибо!"
    assert chat.bot_messages()[-1]["text"] == body["message"]  # the receipt in the chat too
    report = await harness.app.repos.reports.get(world["mektep"], "2026-11")
    assert report.answers["needs"] == "Компьютер нужен" and report.answers["photos"] == []
    assert await harness.app.repos.reports.get_draft(world["mektep"], "2026-11") is None
    assert (await put(api, MEKTEP_CHAIR, "members_total", 96))[0] == 200  # still editable until the due date


async def test_after_the_due_date_the_form_is_closed(api, harness, world):
    from tests.support.harness import at

    harness.clock.set(at("2026-12-26 10:00"))  # December is open; November closed
    sheet = await api.json("/app/api/form", KUTARYS_CHAIR)
    assert sheet["month"] == "2026-12" and sheet["editable"]
    harness.clock.set(at("2026-12-06 10:00"))  # November still the open month, its due date passed
    closed = await api.json("/app/api/form", KUTARYS_CHAIR)
    assert (closed["month"], closed["status"], closed["editable"]) == ("2026-11", "submitted", False)
    status, body = await put(api, KUTARYS_CHAIR, "members_total", 5)
    assert status == 422 and body["error"] == "Бұл есепті енді өзгертуге болмайды."


async def submit(api, user_id: int, **body):
    response = await api.client.post("/app/api/form/submit", headers=api.headers(user_id), json=body or None)
    return response.status, await response.json()


async def test_the_soft_rules_warn_with_the_numbers_and_the_chair_corrects_or_confirms(api, harness, world):
    answers = {**WEB_ANSWERS, "members_total": 130, "members_joined": 5, "members_left": 1,
               "appeals_received": 2, "appeals_resolved": 2, "projects": [], "trainings": 0, "needs": ""}
    for key, value in answers.items():
        assert (await put(api, MEKTEP_CHAIR, key, value))[0] == 200, key
    # October's 120 members + 5 joined − 1 left = 124, not 130: warned, with the numbers, and nothing filed.
    status, body = await submit(api, MEKTEP_CHAIR)
    assert status == 409 and body["status"] == "warned" and body["keys"] == ["members_total"]
    assert body["warnings"] == [
        "⚠️ Всего членов партии: 130, а из прошлого месяца (120) с изменениями этого месяца выходит 124: "
        "120 + Принято в партию за месяц (5) − Выбыло из партии за месяц (1)."]
    assert body["confirm"] == "✅ Всё равно подтвердить"
    assert await harness.app.repos.reports.get(world["mektep"], "2026-11") is None
    assert (await submit(api, MEKTEP_CHAIR, anyway=False))[0] == 409
    # Corrected on the page: the rule holds and the report is filed without asking again.
    assert (await put(api, MEKTEP_CHAIR, "members_total", "124"))[0] == 200
    status, body = await submit(api, MEKTEP_CHAIR)
    assert status == 200 and body["status"] == "submitted"
    assert (await harness.app.repos.reports.get(world["mektep"], "2026-11")).answers["members_total"] == 124


async def test_confirmed_anyway_the_report_is_filed_as_it_is(api, harness, world):
    chair = 1004  # in Kazakh
    from tests.support.webapp_world import file_report, register

    await register(harness, chair, "Қайнарбұлақ", "Омарова Гүлнар", None, "kk")
    await file_report(harness, world["kainar"], "2026-10", chair, members_total=50)
    answers = {**WEB_ANSWERS, "members_total": "40", "appeals_received": 0, "appeals_resolved": 0,
               "projects": [], "trainings": 0, "needs": ""}
    for key, value in answers.items():
        assert (await put(api, chair, key, value))[0] == 200, key
    status, body = await submit(api, chair)
    assert status == 409 and "40" in body["warnings"][0] and "52" in body["warnings"][0]  # 50 + 2 − 0
    assert body["confirm"] == "✅ Бәрібір растау"
    status, body = await submit(api, chair, anyway=True)
    assert status == 200 and body["status"] == "submitted"
    assert (await harness.app.repos.reports.get(world["kainar"], "2026-11")).answers["members_total"] == 40


async def test_numbers_that_add_up_or_no_last_month_to_compare_with_do_not_warn(api, harness, world):
    # Құтарыс's October: 400 members; its November report (2 joined, 0 left) edited to 402, which adds up.
    assert (await put(api, KUTARYS_CHAIR, "members_total", "402"))[0] == 200
    assert (await submit(api, KUTARYS_CHAIR))[0] == 200  # 400 + 2 − 0 = 402
    await harness.app.db.execute("DELETE FROM reports WHERE org_id = ? AND month = '2026-10'", (world["kutarys"],))
    assert (await put(api, KUTARYS_CHAIR, "members_total", "999"))[0] == 200
    assert (await submit(api, KUTARYS_CHAIR))[0] == 200  # no October to compare with
