from django import template

from ..labels import WORKFLOW_LABELS
from ..todo import items_for

register = template.Library()

SHOWN = 30  # the most urgent ones on the page; the API (GET /api/v1/todo/) lists them all
READ = SHOWN + 10  # candidate rows read per workflow for the page: the landing page stays cheap at any scope


@register.inclusion_tag("worklist/_todo.html", takes_context=True)
def todo_list(context):
    """The 工作台's list: what waits for the signed-in person (worklist.todo)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    items = items_for(user, limit=READ)
    for i in items[:SHOWN]:
        i.kind = WORKFLOW_LABELS.get(i.workflow, i.workflow)
    # When a workflow had more candidates than were read, the exact remainder is unknown: say there is more.
    return {"items": items[:SHOWN], "more": max(0, len(items) - SHOWN), "more_unknown": items.truncated}
