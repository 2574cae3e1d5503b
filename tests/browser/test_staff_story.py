"""Story 2: union staff (呼和浩特市总工会) register a dispute and take it through its stages
(mediation fails, arbitration applied for, accepted, heard, award recorded, the worker sues within the
15 days, the case closed after judgment), then take a hotline call, turn it into a
legal-aid application, approve it and see it routed to a partner firm. Both languages."""
import datetime as dt
import re

import pytest

from .helpers import Checker, login

pytestmark = pytest.mark.browser

# After the award the worker sues within the 15 days (arts. 48/50) and the case is closed from court; closing
# from "award in force" waits for a sweep, which a browser cannot wait for.
DISPUTE_STEPS = ["apply_mediation", "fail_mediation", "apply_arbitration", "accept", "start_hearing", "issue_award",
                 "file_suit", "close"]
SEEN = {
    "zh-hans": {"offered": "待律所答复", "firm": "内蒙古青城律师事务所", "closed": "已结案"},
    "en": {"offered": "firm", "firm": "内蒙古青城律师事务所", "closed": "Closed"},
}


def fill_blank(page, today):
    """An action page: fill what is still empty the way a clerk would (today's date, a line of text,
    the first choice), keeping anything the page already offers."""
    form = page.locator("main form[method=post]").last
    for el in form.locator("input[type=date]").all():
        if el.is_visible() and not el.input_value():
            el.fill(today.isoformat())
    for el in form.locator("textarea").all():
        if el.is_visible() and not el.input_value():
            el.fill("浏览器故事：按程序办理。")
    for el in form.locator("input[type=text]").all():
        if el.is_visible() and not el.input_value():
            el.fill("浏览器故事")
    for el in form.locator("input[type=number]").all():
        if el.is_visible() and not el.input_value():
            el.fill("1000")
    for el in form.locator("select").all():
        if el.is_visible() and not el.input_value():
            values = [v for v in el.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
            if values:
                el.select_option(values[0])
    return form


def do(page, ck, workflow, pk, action, today):
    target = f"/do/{workflow}/{pk}/{action}/"
    page.locator(f"main form[action='{target}'] button[type=submit], main a[href='{target}']").first.click()
    page.wait_for_load_state()
    if f"/do/{workflow}/" in page.url:
        ck.check(page)
        form = fill_blank(page, today)
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
    assert f"/do/{workflow}/" not in page.url, page.locator("main").inner_text()


def test_staff_dispute_stages_and_hotline_to_routed_case(story_browser, story_server, lang):
    base, _seed = story_server
    ck = Checker(story_browser, base, lang)
    today = dt.date.today()
    _s, staff = login(story_browser, base, "staff_hohhot", lang)

    # a dispute registered from the list page
    staff.goto(f"{base}/disputes/")
    ck.check(staff, "s01-disputes")
    staff.locator("main a[href='/disputes/new/']").first.click()
    ck.check(staff)
    title = f"浏览器故事 {lang} 拖欠加班费"
    staff.select_option("[name=employer]", label="呼和浩特草原乳业有限公司")
    staff.fill("[name=title]", title)
    staff.fill("[name=workers]", "乌兰 13804710001 包装工")
    staff.fill("[name=known_on]", (today - dt.timedelta(days=20)).isoformat())
    staff.fill("[name=facts]", "2026年9月至11月加班费未支付。")
    staff.select_option("[name=claims-0-kind]", index=1)
    staff.fill("[name=claims-0-amount]", "4800")
    staff.locator("main form[method=post] button[type=submit]").last.click()
    staff.wait_for_load_state()
    m = re.search(r"/disputes/(\d+)/", staff.url)
    assert m, staff.locator("main").inner_text()
    pk = int(m.group(1))
    assert title in staff.locator("main h1").inner_text()
    ck.check(staff, "s02-dispute-opened")
    for step in DISPUTE_STEPS:
        do(staff, ck, "disputes", pk, step, today)
        if step == "issue_award":
            ck.check(staff, "s03-dispute-awarded")
    history = staff.locator("main").inner_text()
    ck.check(staff, "s03b-dispute-closed")
    assert "浏览器故事：按程序办理。" in history
    state = staff.locator("main .disputes-head .state").inner_text()
    assert SEEN[lang]["closed"] in state, state
    assert not staff.locator("main .actions a.button, main .actions button:not([disabled])").count()  # nothing left to do

    # a hotline call, turned into a legal-aid application
    staff.goto(f"{base}/legal-aid/consultations/")
    ck.check(staff)
    staff.locator("main details summary").first.click()
    form = staff.locator("main details form[method=post]")
    form.locator("[name=channel]").select_option("phone")
    form.locator("[name=caller_name]").fill(f"热线{lang}")
    form.locator("[name=region]").select_option(label="赛罕区")
    form.locator("[name=topic]").select_option("pay")
    form.locator("[name=summary]").fill(f"来电反映乳业公司拖欠三个月加班费（{lang}）。")
    form.locator("[name=advice]").fill("建议申请法律援助。")
    form.locator("button[type=submit]").click()
    staff.wait_for_load_state()
    row = staff.locator("main tbody tr", has_text=f"热线{lang}").first
    assert "来电反映乳业公司拖欠三个月加班费" in row.inner_text()
    row.locator("a[href*='/legal-aid/cases/new/?consultation=']").click()
    staff.wait_for_load_state()
    ck.check(staff)
    staff.fill("[name=applicant_name]", f"热线{lang}")
    staff.fill("[name=id_number]", "150105199001010018" if lang == "en" else "150105199001010026")
    staff.fill("[name=phone]", "13804710099")
    staff.fill("[name=address]", "赛罕区示例路9号")
    staff.select_option("[name=applicant_region]", label="赛罕区")
    staff.check("[name=is_migrant_worker]")
    staff.fill("[name=household_size]", "3")
    staff.fill("[name=household_monthly_income]", "3600")
    staff.select_option("[name=opposing_employer]", label="呼和浩特草原乳业有限公司")
    staff.select_option("[name=matter]", "pay")
    staff.fill("[name=facts]", "2026年9月至11月加班费未支付。")
    staff.fill("[name=claims]", "支付加班费。")
    staff.fill("[name=claim_amount]", "4800")
    staff.fill("[name=summary_for_firms]", "加班费三个月约0.48万元。")
    staff.fill("[name=received_on]", today.isoformat())
    staff.locator("main form[method=post] button[type=submit]").last.click()
    staff.wait_for_load_state()
    m = re.search(r"/legal-aid/cases/(\d+)/", staff.url)
    assert m, staff.locator("main .error, main .errorlist").all_inner_texts()
    case = int(m.group(1))
    ck.check(staff, "s04-application")

    # approved: routed at once to the partner firm that covers the region and matter
    target = f"/do/legal/{case}/decide/"
    form = staff.locator(f"main form[action$='{target}']")
    if not form.count():
        staff.locator(f"main a[href$='{target}']").click()
        form = staff.locator("main form[method=post]").last
    form.locator("[name=decision]").select_option("approve")
    form.locator("[name=reason]").fill("进城务工人员追索劳动报酬，免予经济困难审查")
    form.locator("button[type=submit]").click()
    staff.wait_for_load_state()
    staff.goto(f"{base}/legal-aid/cases/{case}/")
    text = staff.locator("main").inner_text()
    assert SEEN[lang]["offered"] in text and SEEN[lang]["firm"] in text, text
    ck.check(staff, "s05-routed")
    ck.assert_clean()
