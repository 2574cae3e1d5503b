"""The term form (issue 12 item 4): each kind's fields marked for the page script and read alone by the server;
errors that name the field and the group line, in Chinese and English."""
import re

import pytest
from django.urls import reverse

from negotiation import forms as f
from negotiation.models import State, Term

from .conftest import walk

pytestmark = pytest.mark.django_db


def add_url(neg):
    return reverse("negotiation:term_add", args=[neg.pk])


def field_blocks(html: str) -> dict[str, str]:
    """field name → its wrapper's data-kinds ("" when the field is common to every kind)."""
    out = {}
    for m in re.finditer(r'<div class="field[^"]*"(?: data-kinds="([^"]*)")?>\s*<label for="id_(\w+)"', html):
        out[m.group(2)] = m.group(1) or ""
    return out


def errors(html: str) -> list[str]:
    return re.findall(r'<p class="error">([^<]*)</p>', html)


def post(client, neg, lang="zh-hans", **data):
    if lang == "en":
        client.cookies["django_language"] = "en"
    else:
        client.cookies.pop("django_language", None)
    return client.post(add_url(neg), {"submission_key": "", **data})


def test_each_field_is_marked_with_the_kinds_that_use_it_and_the_script_is_external(world, client_for):
    neg = walk(world, State.DRAFT)
    html = client_for(world.users.negotiator_a).get(add_url(neg)).content.decode()
    blocks = field_blocks(html)
    # without the script every field is on the page …
    assert set(blocks) == {n for n, fld in f.TermForm.base_fields.items() if not fld.widget.is_hidden}
    # … each marked with the kinds that use it
    assert blocks["kind"] == blocks["title"] == blocks["text"] == blocks["note"] == ""
    assert blocks["groups"] == "staggered pay rotation short_hours standby"
    assert blocks["days_on"] == blocks["days_off"] == "rotation"
    assert blocks["pay_rule"] == "short_hours"
    assert blocks["works_during_standby"] == "standby"
    assert blocks["original_date"] == blocks["deferred_date"] == blocks["headcount"] == "deferred"
    assert blocks["overtime_daily"] == "staggered short_hours"
    # each group format is shown with its kind, marked the same way
    assert '<li data-kinds="rotation"><strong>轮岗轮休</strong>' in html
    assert '<script src="/static/js/term_form.js" defer></script>' in html
    assert "<script>" not in html and " style=" not in html  # CSP: nothing inline


def test_a_missing_column_names_the_group_line_and_the_column(world, client_for):
    neg = walk(world, State.DRAFT)
    c = client_for(world.users.negotiator_a)
    r = post(c, neg, kind="staggered", title="错时上下班", start="2026-01-01", end="2026-03-31",
             groups="常日班，10，08:00，16:00，1-5\n\n夜班，，20:00，，1-5")
    assert r.status_code == 400
    found = errors(r.content.decode())
    # the blank line does not count: 夜班 is group 2, as the rules number it
    assert "第2组 人数：必填。" in found
    assert "第2组 下班时间：请输入有效时间（HH:MM）。" in found
    assert not any(e.startswith("第1组") for e in found)
    assert Term.objects.filter(negotiation=neg, kind="staggered").count() == 0  # nothing half-written


def test_the_same_errors_in_english(world, client_for):
    neg = walk(world, State.DRAFT)
    c = client_for(world.users.negotiator_a)
    r = post(c, neg, lang="en", kind="staggered", title="Shifts", start="2026-01-01", end="2026-03-31",
             groups="day，10，08:00，16:00，1-5\nnight，，20:00，，1-5")
    assert r.status_code == 400
    found = errors(r.content.decode())
    assert "Group 2, headcount: required." in found
    assert "Group 2, end time: enter a valid time (HH:MM)." in found
    assert "Please correct the following:" in r.content.decode()


def test_a_missing_field_is_named_on_the_field(world, client_for):
    neg = walk(world, State.DRAFT)
    c = client_for(world.users.negotiator_a)
    r = post(c, neg, kind="pay", title="工资调整", end="2026-06-30", groups="操作工，100，4000，-10%")
    assert r.status_code == 400
    html = r.content.decode()
    assert '<div class="field has-error" data-kinds="staggered pay rotation short_hours standby">\n    <label for="id_start">' in html
    assert "执行期间起：必填。" in errors(html)
    r = post(c, neg, lang="en", kind="pay", title="Pay", end="2026-06-30", groups="op，100，4000，-10%")
    assert "Period from: required." in errors(r.content.decode())


def test_the_parsers_own_errors_name_the_group_and_column(world, client_for):
    neg = walk(world, State.DRAFT)
    c = client_for(world.users.negotiator_a)
    r = post(c, neg, kind="staggered", title="错时", start="2026-01-01", end="2026-03-31",
             groups="甲，5，08:00，16:00，1-5，六十")
    assert r.status_code == 400
    assert errors(r.content.decode()) == ["第1组 用餐休息分钟：应为分钟数。"]


def test_another_kinds_fields_are_neither_read_nor_held_against_the_user(world, client_for):
    """Without the script every field is shown: a value left in another kind's field (even a malformed one)
    is ignored; the term holds only the chosen kind's data."""
    neg = walk(world, State.DRAFT)
    c = client_for(world.users.negotiator_a)
    r = post(c, neg, kind="pay", title="工资调整二", start="2026-01-01", end="2026-06-30", groups="操作工，100，4000，-10%",
             days_on="abc", daily_hours="12", pay_rule="按月", original_date="not a date")
    assert r.status_code == 302, errors(r.content.decode())
    term = Term.objects.get(negotiation=neg, title="工资调整二")
    assert set(term.current.data) == {"start", "end", "groups"}


def test_a_wrong_value_in_the_chosen_kinds_own_field_is_still_refused(world, client_for):
    neg = walk(world, State.DRAFT)
    c = client_for(world.users.negotiator_a)
    r = post(c, neg, kind="rotation", title="轮岗", start="2026-01-01", end="2026-06-30", groups="甲，10，4000，3800",
             days_on="abc", days_off="2")
    assert r.status_code == 400
    assert any("整数" in e for e in errors(r.content.decode()))


def test_revising_a_term_names_the_group_line_too(world, client_for):
    neg = walk(world, State.DRAFT)
    term = Term.objects.get(negotiation=neg, kind="pay")
    c = client_for(world.users.negotiator_a)
    r = c.post(reverse("negotiation:term_revise", args=[neg.pk, term.pk]), {
        "start": "2026-01-01", "end": "2026-06-30", "groups": "一线操作工，200，4200，-10%\n管理人员，20，，-20%",
        "version": neg.version})
    assert r.status_code == 400
    assert "第2组 原月工资：必填。" in errors(r.content.decode())
