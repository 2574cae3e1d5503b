"""Indexes for the negotiation list (issue 14): each scope's filter column, then the list's order
(updated_at DESC, id DESC), so a page is ~50 index entries read in order whatever the table's size.

- sysadmin, and union staff / bureau / federation negotiators (region subtree: the employer's region
  path is matched on accounts_region's `varchar_pattern_ops` index and joined to this ordered scan):
  (updated_at, id);
- a union negotiator: (union, updated_at, id); an employer representative: (employer, updated_at, id);
- the state filter: (state, updated_at, id).

Database only (SeparateDatabaseAndState): the model's Meta is left as it is, so makemigrations stays
clean and the indexes do not tie the model to the list's order.
"""
from django.db import migrations, models

INDEXES = [
    models.Index(fields=["-updated_at", "-id"], name="neg_list_order"),
    models.Index(fields=["union", "-updated_at", "-id"], name="neg_list_union"),
    models.Index(fields=["employer", "-updated_at", "-id"], name="neg_list_employer"),
    models.Index(fields=["state", "-updated_at", "-id"], name="neg_list_state"),
]


class Migration(migrations.Migration):
    dependencies = [("negotiation", "0005_issue15_acceptance_chiefs_confirmations")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AddIndex(model_name="negotiation", index=i) for i in INDEXES],
            state_operations=[],
        ),
    ]
