"""Story 1 (and 4): the union negotiator and the employer, each in their own browser, from a new
proposal to an effective collective contract; an employee comments through a real link on a phone;
the labour bureau records 审查无异议. Walked through the pages only (clicks and form fills), in Chinese
and in English, every page checked with axe-core and at 390 px."""
import datetime as dt
import re

import pytest

from .helpers import PHONE, Checker, login, new_context, shot

pytestmark = pytest.mark.browser

# what the user reads in the state badge, per language
STATE = {
    "zh-hans": {"draft": "草拟要约", "proposed": "已发出要约", "accepted": "已同意协商", "in_rounds": "协商会议进行中",
                "draft_agreed": "草案已达成一致", "comments": "职工征求意见中", "voting": "提交职代会审议",
                "approved": "职代会已通过", "signed": "双方首席代表已签字", "under_review": "已报送，审查期内", "effective": "已生效"},
    "en": {"draft": "Draft proposal", "proposed": "Proposal served", "accepted": "Agreed to negotiate", "in_rounds": "In rounds",
           "draft_agreed": "Draft agreed", "comments": "Out for comments", "voting": "Put to vote",
           "approved": "Approved by congress", "signed": "Signed by both chiefs", "under_review": "Filed, under review",
           "effective": "Effective"},
}
SEEN = {
    "zh-hans": {"response_due": "应约截止", "thanks": "感谢您的意见", "used": "该链接已经使用过", "no_objection": "审查无异议"},
    "en": {"response_due": "Response due", "thanks": "Thank you", "used": "already been used", "no_objection": "Record no objection"},
}


def state_is(page, lang, state):
    badge = page.locator(f"#negotiation-live .live-state .badge.state-{state}")
    badge.wait_for()
    assert badge.inner_text().strip() == STATE[lang][state]


def do(page, pk, action):
    """Click the action's button on the detail page (a direct form button or a link to its page)."""
    target = f"/do/negotiation/{pk}/{action}/"
    button = page.locator(f"main form[action='{target}'] button[type=submit], main a[href='{target}']").first
    button.click()
    page.wait_for_load_state()


def submit(page):
    button = page.locator("main form[method=post] button[type=submit]").last
    assert button.count(), f"no form to submit on {page.url}:\n{page.locator('main').inner_text()}"
    button.click()
    page.wait_for_load_state()


def test_negotiation_from_proposal_to_effect(story_browser, story_server, lang):
    base, _seed = story_server
    ck = Checker(story_browser, base, lang)
    today = dt.date.today()
    title = f"浏览器故事 {lang} 工资专项集体合同"

    # the union negotiator starts a negotiation from the list page
    _u, union = login(story_browser, base, "negotiator", lang)
    union.goto(f"{base}/negotiations/")
    ck.check(union, "n01-list")
    union.locator(f"main a[href='/negotiations/new/']").first.click()
    ck.check(union)
    union.fill("[name=title]", title)
    union.select_option("[name=employer]", label="呼和浩特草原乳业有限公司")
    union.fill("[name=headcount]", "860")
    union.fill("[name=term_start]", "2027-01-01")
    union.fill("[name=term_end]", "2028-12-31")
    submit(union)
    assert union.locator("main h1").inner_text() == title
    pk = int(re.search(r"/negotiations/(\d+)/", union.url).group(1))
    detail = f"{base}/negotiations/{pk}/"
    state_is(union, lang, "draft")

    # its own side's representatives, then one pay term
    union.locator(f"main a[href='/negotiations/{pk}/representatives/union/']").click()
    ck.check(union)
    union.fill("[name=people]", "陈红，工会主席，是，否，\n职工代表甲，一线班组长，否，否，\n职工代表乙，技术员，否，否，")
    union.select_option("[name=chief_basis]", "union_chair")
    submit(union)
    assert union.url == detail
    assert "职工代表甲" in union.locator("main").inner_text()
    union.locator(f"main a[href='/negotiations/{pk}/terms/new/']").click()
    ck.check(union)
    union.select_option("[name=kind]", "pay")
    union.fill("[name=title]", "工资调整")
    union.fill("[name=start]", "2027-01-01")
    union.fill("[name=end]", "2027-12-31")
    union.fill("[name=groups]", "生产一线，600，4300，+5%")
    submit(union)
    assert union.url == detail
    assert "工资调整" in union.locator("main").inner_text()
    ck.check(union, "n02-draft")

    do(union, pk, "propose")
    if "/do/" in union.url:
        submit(union)
    state_is(union, lang, "proposed")

    # the employer, in its own browser, appoints its side and answers in writing
    _e, employer = login(story_browser, base, "employer", lang)
    employer.goto(detail)
    state_is(employer, lang, "proposed")
    ck.check(employer, "n03-employer-sees-proposal")
    employer.locator(f"main a[href='/negotiations/{pk}/representatives/employer/']").click()
    ck.check(employer)
    employer.fill("[name=people]", "孙立，人力资源总监，是，否，\n财务经理，财务部，否，否，\n工会联络员，行政部，否，否，")
    employer.select_option("[name=chief_basis]", "authorised_manager")
    employer.fill("[name=designated_by]", "王建国")
    employer.fill("[name=designated_on]", (today - dt.timedelta(days=3)).isoformat())
    employer.fill("[name=designation_document]", "法定代表人授权委托书")
    submit(employer)
    assert employer.url == detail, employer.locator("main").inner_text()
    do(employer, pk, "respond")
    ck.check(employer)
    employer.check("input[name=decision][value=agree]")
    employer.fill("textarea[name=text]", "同意协商，建议下周二在三楼会议室。")
    submit(employer)
    state_is(employer, lang, "accepted")
    assert "同意协商，建议下周二在三楼会议室。" in employer.locator("#negotiation-live").inner_text()

    # rounds: one meeting, minutes signed by both chiefs
    union.goto(detail)
    do(union, pk, "start_rounds")
    if "/do/" in union.url:
        submit(union)
    state_is(union, lang, "in_rounds")
    union.locator(f"main a[href='/negotiations/{pk}/rounds/new/']").click()
    ck.check(union)
    union.fill("[name=held_on]", today.isoformat())
    union.fill("[name=attendees]", "双方全体协商代表")
    union.fill("[name=recorder]", "刘记录")
    union.fill("[name=minutes]", "双方就生产一线工资上调5%达成一致。")
    union.check("[name=union_chief_signed]")
    union.check("[name=employer_chief_signed]")
    submit(union)
    assert union.url == detail, union.locator("main").inner_text()

    # both chiefs confirm the draft
    do(union, pk, "agree_draft")
    if "/do/" in union.url:
        submit(union)
    state_is(union, lang, "in_rounds")
    employer.goto(detail)
    do(employer, pk, "agree_draft")
    if "/do/" in employer.url:
        submit(employer)
    state_is(employer, lang, "draft_agreed")

    # published for the employees' comments, one link per workshop
    union.goto(detail)
    do(union, pk, "publish_draft")
    ck.check(union)
    union.fill("[name=comments_close]", (today + dt.timedelta(days=7)).isoformat() + "T18:00")
    union.fill("[name=employee_count]", "860")
    submit(union)
    state_is(union, lang, "comments")
    union.locator(f"main a[href*='/negotiations/{pk}/drafts/'][href$='/comments/']").click()
    ck.check(union)
    union.fill("[name=labels]", "包装车间-01\n包装车间-02")
    submit(union)
    ck.check(union, "n04-links")
    links = [u.strip() for u in union.locator("main .qr-card .url").all_inner_texts()]
    assert len(links) >= 2, union.locator("main").inner_text()
    link = links[0]

    # an employee opens the link on a phone, comments, and cannot use it twice
    phone_ctx = new_context(story_browser, base, lang, viewport=PHONE)
    phone = phone_ctx.new_page()
    phone.goto(link)
    ck.check(phone, "n05-phone-comment")
    assert "工资调整" in phone.locator("main").inner_text()
    phone.locator("main textarea").first.fill("希望上调后的工资从一月起执行。")
    phone.locator("main form[method=post] button[type=submit]").last.click()
    phone.wait_for_load_state()
    assert SEEN[lang]["thanks"] in phone.locator("main").inner_text(), phone.locator("main").inner_text()
    ck.check(phone, "n06-phone-thanks")
    phone.goto(link)
    assert SEEN[lang]["used"] in phone.locator("main").inner_text(), phone.locator("main").inner_text()
    ck.check(phone, "n07-phone-used")
    phone_ctx.close()

    # the union reads the comment, closes the period early with a reason, and puts the draft to the vote
    union.goto(detail)
    union.locator(f"main a[href*='/negotiations/{pk}/drafts/'][href$='/comments/']").click()
    assert "希望上调后的工资从一月起执行。" in union.locator("main").inner_text()
    union.goto(detail)
    do(union, pk, "close_comments")
    union.fill("[name=reason]", "全体职工已在班组会上逐条讨论草案，意见已收齐。")
    submit(union)
    do(union, pk, "put_to_vote")
    if "/do/" in union.url:
        submit(union)
    state_is(union, lang, "voting")
    do(union, pk, "vote")
    ck.check(union)
    union.fill("[name=held_on]", today.isoformat())
    union.fill("[name=total]", "90")
    union.fill("[name=present]", "80")
    union.fill("[name=votes_for]", "70")
    union.fill("[name=votes_against]", "6")
    union.fill("[name=votes_abstain]", "4")
    submit(union)
    state_is(union, lang, "approved")

    # both chiefs sign; the employer files it with the bureau
    do(union, pk, "sign")
    if "/do/" in union.url:
        submit(union)
    state_is(union, lang, "approved")
    employer.goto(detail)
    do(employer, pk, "sign")
    if "/do/" in employer.url:
        submit(employer)
    state_is(employer, lang, "signed")
    ck.check(employer, "n08-signed")
    do(employer, pk, "file")
    ck.check(employer)
    employer.fill("[name=filed_on]", today.isoformat())
    employer.fill("[name=receipt_number]", f"呼人社集备〔{today.year}〕B{pk:03d}号")
    employer.select_option("[name=bureau]", label="呼和浩特市人力资源和社会保障局")
    submit(employer)
    state_is(employer, lang, "under_review")

    # the labour bureau reviews and records no objection: the contract takes effect
    _b, bureau = login(story_browser, base, "bureau", lang)
    bureau.goto(detail)
    state_is(bureau, lang, "under_review")
    ck.check(bureau, "n09-bureau-review")
    do(bureau, pk, "no_objection")
    if "/do/" in bureau.url:
        ck.check(bureau)
        submit(bureau)
    state_is(bureau, lang, "effective")
    assert SEEN[lang]["no_objection"] in bureau.locator("main").inner_text()
    # deadlines that no longer apply are gone (the reply was due weeks of steps ago)
    assert SEEN[lang]["response_due"] not in bureau.locator("#negotiation-live .dues").inner_text()
    ck.check(bureau, "n10-effective")
    ck.assert_clean()
