"""The costing table (issue 12 UI finish): each group against the floor that applies to it, money in one format."""
from decimal import Decimal

from negotiation import rules

STANDBY = {"start": "2026-01-01", "end": "2026-03-31", "works_during_standby": False, "first_cycle_full_pay": True,
           "groups": [{"name": "待岗人员", "headcount": 3, "base_pay": 3800, "standby_pay": 1600}]}


def test_standby_without_work_is_measured_against_the_living_allowance():
    cost = rules.term_cost("standby", STANDBY, floor=Decimal("1980"), allowance=Decimal("1584.00"))
    (g,) = cost["groups"]
    assert cost["floor_kind"] == "living_allowance" and not g["below_floor"] and g["gap"] == Decimal("16.00")
    # what validate_term accepts is not shown as below its floor
    wages = rules.WageContext(minimum_monthly=Decimal("1980"), standby_share=Decimal("0.8"))
    rules.validate_term("standby", STANDBY, wages)


def test_standby_with_work_is_measured_against_the_minimum_wage():
    cost = rules.term_cost("standby", {**STANDBY, "works_during_standby": True}, floor=Decimal("1980"), allowance=Decimal("1584"))
    assert cost["floor_kind"] == "minimum_wage" and cost["groups"][0]["below_floor"]


def test_money_has_one_format():
    pay = {"start": "2026-01-01", "end": "2026-03-31", "groups": [
        {"name": "A", "headcount": 2, "base_pay": 3000, "adjust_amount": 780},
        {"name": "B", "headcount": 1, "base_pay": "4200", "adjust_percent": -10}]}
    cost = rules.term_cost("pay", pay, floor=Decimal("1980"))
    shown = [str(g[k]) for g in cost["groups"] for k in ("base_pay", "new_pay", "gap")] + [str(cost["payroll_change"])]
    assert shown == ["3000.00", "3780.00", "1800.00", "4200.00", "3780.00", "1800.00", "1140.00"]
