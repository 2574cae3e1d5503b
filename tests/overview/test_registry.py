"""The overview reads what states mean (and their labels) from the workflow registry, never redefines them."""
import ast
import pathlib

import pytest

from core import workflow
from overview import selectors
from overview.selectors import Filters, deadlines_visible_to, figures

pytestmark = pytest.mark.django_db
ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_every_state_group_the_overview_reads_is_declared(ov, monkeypatch):
    read = set()
    real = selectors._in

    def spy(name, group):
        read.add((name, group))
        return real(name, group)

    monkeypatch.setattr(selectors, "_in", spy)
    figures(Filters(ov.users.staff_nm))
    deadlines_visible_to(ov.users.staff_nm, include_overdue=True)
    assert {name for name, _g in read} == {"negotiation", "disputes", "legal"}
    for name, group in sorted(read):
        wf = workflow.get(name)
        states = wf.states_in(group)
        assert states, f"{name} declares no state group {group!r}"
        assert states <= {v for v, _l in wf.model._meta.get_field("state").flatchoices}, (name, group)


def test_figures_follow_the_registered_groups_and_labels(ov, monkeypatch):
    legal, negotiation = workflow.get("legal"), workflow.get("negotiation")
    before = figures(Filters(ov.users.staff_hh))
    decisions = {r["key"]: r["count"] for r in before["legal_aid"]["decisions"]}
    assert decisions == {"pending": 1, "approved": 3, "rejected": 1}
    assert {r["state"]: r["label"] for r in before["negotiation"]["by_state"]} == {
        v: negotiation.state_label(v) for v, _l in negotiation.model._meta.get_field("state").flatchoices}
    monkeypatch.setitem(legal.state_groups, "pending_decision", legal.states_in("pending_decision") | {"rejected"})
    monkeypatch.setitem(negotiation.state_groups, "effective", frozenset())
    after = figures(Filters(ov.users.staff_hh))
    assert {r["key"]: r["count"] for r in after["legal_aid"]["decisions"]}["pending"] == 2
    assert (after["negotiation"]["effective"], after["negotiation"]["workers_covered"]) == (0, 0)


def test_the_overview_redefines_no_state_meaning():
    """No workflow state enum or state list is imported into overview/ (they come from core.workflow)."""
    forbidden = {"State", "CaseState", "OPEN_STATES", "OPEN_FIRM_STATES", "TERMINAL", "DISCLOSED_STATES"}
    bad = []
    for path in sorted((ROOT / "overview").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in {"negotiation", "disputes", "legal"}:
                bad += [f"{path.name}:{node.lineno} {a.name}" for a in node.names
                        if a.name in forbidden or (node.module or "").endswith(("selectors", "permissions"))]
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id.endswith("_STATES") for t in node.targets):
                bad.append(f"{path.name}:{node.lineno} defines a state list")
    assert bad == []
