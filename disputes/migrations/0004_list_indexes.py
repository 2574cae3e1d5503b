"""Indexes for the dispute list (issue 14): each scope's filter column, then the list's order, so a
page is ~50 index entries read in order whatever the table's size.

- default order (filed_on DESC, id DESC): alone (sysadmin; union staff's region subtree, matched on
  accounts_region's `varchar_pattern_ops` path index and joined to this ordered scan), after the region
  (a county's staff), the employer (its representative), the union (its negotiator) and the state filter;
- the due-date filters' order (next_due ASC, id DESC).

Database only (SeparateDatabaseAndState): the model's Meta is left as it is, so makemigrations stays
clean and the indexes do not tie the model to the list's order.
"""
from django.db import migrations, models

INDEXES = [
    models.Index(fields=["-filed_on", "-id"], name="dispute_list_order"),
    models.Index(fields=["region", "-filed_on", "-id"], name="dispute_list_region"),
    models.Index(fields=["employer", "-filed_on", "-id"], name="dispute_list_employer"),
    models.Index(fields=["union", "-filed_on", "-id"], name="dispute_list_union"),
    models.Index(fields=["state", "-filed_on", "-id"], name="dispute_list_state"),
    models.Index(fields=["next_due", "-id"], name="dispute_list_due"),
]


class Migration(migrations.Migration):
    dependencies = [("disputes", "0003_issue15_set_aside_payment_order")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AddIndex(model_name="disputecase", index=i) for i in INDEXES],
            state_operations=[],
        ),
    ]
