"""Issue 15 on existing rows.

1. Document pauses are stored as [request day, the day before the documents arrived]. A request made on the
   day the application was received lost a day of the art. 43 period (that day is not in the period, so the
   pause was cut to start the next day). Such a pause now starts the day after receipt and keeps its full
   length (legal.rules.document_pause): stored pauses starting on the day of receipt are shifted by one day,
   and the decision due date of cases still under review is recomputed.
2. Exemption grounds: cases already proposed as exempt because a migrant worker claims pay or work-injury
   compensation record that ground (法律援助法 art. 42(3)).
3. Urgency (art. 44) of cases under review: fewer than 7 calendar days left, counted plainly.
"""
import datetime as dt

from django.db import migrations


def forwards(apps, schema_editor):
    from django.utils import timezone

    from core.deadlines import WorkCalendar, compute_due

    LegalAidCase = apps.get_model("legal", "LegalAidCase")
    DeadlineRule = apps.get_model("core", "DeadlineRule")
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    review = ("submitted", "awaiting_documents")
    rule = DeadlineRule.objects.filter(pk="legal_aid.decision").first()
    window = DeadlineRule.objects.filter(pk="legal_aid.urgent_window").values_list("length", flat=True).first() or 7
    rows = list(CalendarDay.objects.values_list("date", "is_workday", "note"))
    cal = WorkCalendar(overrides={d: w for d, w, _n in rows}, notes={d: n for d, _w, n in rows if n},
                       manual_years=frozenset(CalendarYear.objects.values_list("year", flat=True)))
    today = timezone.localdate()
    one = dt.timedelta(days=1)
    for case in LegalAidCase.objects.all().iterator():
        fields = []
        day0 = case.received_on.isoformat()
        if any(a == day0 for a, _b in case.document_pauses):
            case.document_pauses = [
                [(dt.date.fromisoformat(a) + one).isoformat(), (dt.date.fromisoformat(b) + one).isoformat()] if a == day0 else [a, b]
                for a, b in case.document_pauses
            ]
            fields.append("document_pauses")
        if case.eligibility_proposal == "exempt" and not case.exemption_ground and case.is_migrant_worker \
                and case.matter in ("pay", "work_injury"):
            case.exemption_ground = "migrant_worker"
            fields.append("exemption_ground")
        if case.state in review:
            if rule is not None:
                pauses = [(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in case.document_pauses]
                if case.waiting_since and today > case.waiting_since:
                    first = max(case.waiting_since, case.received_on + one)
                    pauses.append((first, first + dt.timedelta(days=(today - case.waiting_since).days - 1)))
                due = compute_due(rule, case.received_on, calendar=cal, pauses=pauses)
                case.decision_due = due.due
                case.decision_due_explanation = due.explanation + (
                    "申请人补充材料所需的时间（自要求补充材料之日至材料补齐之日的天数）不计入审查期限，期限相应顺延；"
                    "在收到申请当日要求补充的，自次日起暂停，不减少审查期限（《法律援助法》第43条；《办理法律援助案件程序规定》）。"
                    if pauses else "")
                fields += ["decision_due", "decision_due_explanation"]
            urgent = case.limitation_date is not None and (case.limitation_date - today).days < window
            if urgent != case.urgent:
                case.urgent = urgent
                fields.append("urgent")
        if fields:
            case.save(update_fields=fields)


class Migration(migrations.Migration):

    dependencies = [
        ("legal", "0007_exemption_ground_anonymised"),
        ("core", "0003_deadline_rules"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
