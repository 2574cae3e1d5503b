"""The legal-aid case page (issue 12 UI finish): buttons only for roles that can ever take the action, and
one documents section."""
import re

import pytest

from core import workflow

pytestmark = pytest.mark.django_db


def _buttons(html: str) -> dict[str, bool]:
    """Action buttons on the page: label → enabled."""
    out = {}
    for m in re.finditer(r'<div class="actions">(.*?)</div>', html, re.S):
        block = m.group(1)
        for b in re.finditer(r'<(a|button)[^>]*class="button[^"]*"[^>]*>(.*?)</\1>', block, re.S):
            out[b.group(2).strip()] = "disabled" not in b.group(0)
    return out


def test_offered_case_buttons_follow_the_viewers_role(world, firms, approved, client_for):
    case = approved()
    assert case.state == "offered" and case.assigned_firm == world.firm_a
    # Union staff can never accept or decline for a firm: no button at all (not a disabled one).
    staff = _buttons(client_for(world.users.staff_hh).get(f"/legal-aid/cases/{case.pk}/").content.decode())
    assert "接受案件" not in staff and "拒绝案件" not in staff
    assert staff.get("人工指定律所") is True
    # The offered firm's admin can: its summary page has the accept and decline forms.
    admin = client_for(world.users.firm_admin_a).get(f"/legal-aid/cases/{case.pk}/").content.decode()
    assert f"/do/legal/{case.pk}/accept/" in admin and f"/do/legal/{case.pk}/decline/" in admin
    # The registry says the same to any caller: a lawyer (never accepts) gets no accept button.
    names = {b.name for b in workflow.get("legal").buttons(world.users.lawyer_a, case)}
    assert "accept" not in names and "decline" not in names


def test_role_that_could_act_but_not_now_sees_the_reason(world, firms, approved):
    case = approved()
    by_name = {b.name: b for b in workflow.get("legal").buttons(world.users.firm_admin_b, case)}
    assert not by_name["accept"].ok and by_name["accept"].reason  # another firm's admin: disabled, with why


def test_one_documents_section(world, firms, approved, client_for):
    case = approved()
    html = client_for(world.users.staff_hh).get(f"/legal-aid/cases/{case.pk}/").content.decode()
    assert html.count("<h2>文书</h2>") == 1 and "<h2>材料</h2>" not in html
    c = client_for(world.users.staff_hh)
    c.cookies["django_language"] = "en"
    html = c.get(f"/legal-aid/cases/{case.pk}/").content.decode()
    assert html.count("<h2>Documents</h2>") == 1
