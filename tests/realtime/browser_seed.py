"""Seed for the browser test's own server database: two leagues' worth of people is not needed, just
one enterprise, its union, a negotiator, an employer rep and a proposed negotiation.
Run in the server's environment: `manage.py shell -c "from tests.realtime.browser_seed import run; run()"`.
Prints one JSON line: the negotiation id and a session cookie per login."""
import datetime as dt
import json


def run():
    from django.conf import settings
    from django.test import Client

    from accounts.models import Organisation, Region, Role, User
    from negotiation import services as svc
    from tests.negotiation.conftest import EMPLOYER_REPS, PAY_TERM, UNION_REPS

    region = Region.objects.get(code="150105")
    fed = Organisation.objects.create(kind="federation", name="呼和浩特市总工会(浏览器)", region=Region.objects.get(code="150100"))
    emp = Organisation.objects.create(kind="employer", name="浏览器测试乳业有限公司", region=region, credit_code=None)
    union = Organisation.objects.create(kind="union", name="浏览器测试乳业工会", region=region, employer=emp, parent=fed)
    negotiator = User.objects.create_user("b_negotiator", display_name="工会李明", role=Role.UNION_NEGOTIATOR, organisation=union)
    employer = User.objects.create_user("b_employer", display_name="企业张总", role=Role.EMPLOYER_REP, organisation=emp)
    neg = svc.negotiation_create(
        actor=negotiator, employer=emp, title="2026年工资专项集体合同（浏览器）", headcount=220,
        term_start=dt.date(2026, 1, 1), term_end=dt.date(2027, 12, 31),
    )
    svc.representatives_set(negotiation=neg, actor=negotiator, side="union", people=UNION_REPS)
    svc.term_add(negotiation=neg, actor=negotiator, kind="pay", title="工资调整", data=PAY_TERM)
    svc.proposal_submit(negotiation=neg, actor=negotiator)
    # the employer appoints its own side once the proposal has reached it (集体合同规定 art. 21)
    svc.representatives_set(negotiation=neg, actor=employer, side="employer", people=EMPLOYER_REPS)

    cookies = {}
    for name, user in (("negotiator", negotiator), ("employer", employer)):
        c = Client()
        c.force_login(user)
        cookies[name] = c.cookies[settings.SESSION_COOKIE_NAME].value
    print("SEED " + json.dumps({"negotiation": neg.pk, "cookies": cookies, "names": {"employer": str(employer)}}))
