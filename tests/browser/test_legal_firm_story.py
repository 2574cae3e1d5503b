"""Story 3: the firm admin finds an offered legal-aid case in the inbox, accepts it after the conflict
check, assigns its lawyer; the lawyer is told, logs the work and closes the case. Both languages."""
import datetime as dt

import pytest

from .helpers import Checker, login

pytestmark = pytest.mark.browser

SEEN = {
    "zh-hans": {"summary_only": "接受案件前只显示案情摘要", "accepted": "律所已接受", "in_progress": "承办中", "closed": "已结案",
                "mediated": "调解"},
    "en": {"summary_only": "summary", "accepted": "Accepted", "in_progress": "In progress", "closed": "Closed",
           "mediated": "Mediat"},
}


def post_form(page, action_suffix):
    page.locator(f"main form[action$='{action_suffix}'] button[type=submit]").click()
    page.wait_for_load_state()


def test_firm_admin_and_lawyer_from_inbox_to_closing(story_browser, story_server, lang):
    base, seed = story_server
    case = seed["cases"][lang]
    pk, number, applicant = case["pk"], case["number"], case["applicant"]
    see = SEEN[lang]
    ck = Checker(story_browser, base, lang)
    today = dt.date.today()

    # the firm admin opens the inbox: the offered case, summary only
    _a, admin = login(story_browser, base, "firm_admin", lang)
    admin.goto(f"{base}/legal-aid/inbox/")
    ck.check(admin, "l01-inbox")
    assert number in admin.locator("main").inner_text()
    admin.locator(f"main a[href='/legal-aid/cases/{pk}/']").first.click()
    text = admin.locator("main").inner_text()
    assert see["summary_only"] in text, text
    assert applicant not in text  # no personal data before acceptance
    ck.check(admin, "l02-offer")

    # accept after the conflict check; the applicant's card appears
    admin.check(f"form[action$='/do/legal/{pk}/accept/'] [name=conflict_confirmed]")
    post_form(admin, f"/do/legal/{pk}/accept/")
    text = admin.locator("main").inner_text()
    assert see["accepted"] in text and applicant in text, text
    ck.check(admin, "l03-accepted")

    # assign the lawyer
    target = f"/do/legal/{pk}/assign_lawyer/"
    form = admin.locator(f"main form[action$='{target}']")
    if not form.count():
        admin.locator(f"main a[href$='{target}']").click()
        form = admin.locator("main form[method=post]").last
    form.locator("[name=lawyer]").select_option(label="郑律师（青城律所）")
    form.locator("button[type=submit]").click()
    admin.wait_for_load_state()
    assert see["in_progress"] in admin.locator("main").inner_text()

    # the lawyer is notified, opens the case from the notification, logs work and closes it
    _l, lawyer = login(story_browser, base, "lawyer", lang)
    lawyer.goto(f"{base}/notifications/")
    ck.check(lawyer, "l04-lawyer-notified")
    assert number in lawyer.locator("main").inner_text(), lawyer.locator("main").inner_text()
    lawyer.goto(f"{base}/legal-aid/cases/{pk}/")
    ck.check(lawyer, "l05-lawyer-case")
    target = f"/do/legal/{pk}/worklog_add/"
    form = lawyer.locator(f"main form[action$='{target}']")
    if not form.count():
        lawyer.locator(f"main a[href$='{target}']").click()
        form = lawyer.locator("main form[method=post]").last
    form.locator("[name=date]").fill(today.isoformat())
    form.locator("[name=hours]").fill("1.5")
    form.locator("[name=activity]").fill("会见申请人，核对考勤记录")
    form.locator("button[type=submit]").click()
    lawyer.wait_for_load_state()
    lawyer.goto(f"{base}/legal-aid/cases/{pk}/")
    assert "会见申请人，核对考勤记录" in lawyer.locator("main").inner_text()

    target = f"/do/legal/{pk}/close/"
    form = lawyer.locator(f"main form[action$='{target}']")
    if not form.count():
        lawyer.locator(f"main a[href$='{target}']").click()
        ck.check(lawyer)
        form = lawyer.locator("main form[method=post]").last
    form.locator("[name=outcome]").select_option("mediated")
    form.locator("[name=amount_recovered]").fill("9000")
    form.locator("button[type=submit]").click()
    lawyer.wait_for_load_state()
    lawyer.goto(f"{base}/legal-aid/cases/{pk}/")
    text = lawyer.locator("main").inner_text()
    assert see["closed"] in text and see["mediated"] in text, text
    ck.check(lawyer, "l06-closed")
    ck.assert_clean()
