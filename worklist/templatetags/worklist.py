from django import template

from ..labels import WORKFLOW_LABELS
from ..todo import items_for

register = template.Library()

SHOWN = 10  # the most urgent ones on the 工作台; the full list is /todo/ (and GET /api/v1/todo/)
READ = SHOWN + 2  # candidate rows read per workflow for the 工作台: the landing page stays cheap at any scope


def todo_context(user, *, shown: int | None, read: int) -> dict:
    """What the list partial needs: the items (at most `shown`; None: all read), how many more were found,
    and whether a workflow had more candidates than were read (then the exact remainder is unknown)."""
    items = items_for(user, limit=read)
    visible = items if shown is None else items[:shown]
    for i in visible:
        i.kind = WORKFLOW_LABELS.get(i.workflow, i.workflow)
    return {"items": visible, "more": max(0, len(items) - len(visible)), "more_unknown": items.truncated,
            "full_list": shown is not None}


@register.inclusion_tag("worklist/_todo.html", takes_context=True)
def todo_list(context):
    """The 工作台's list: the most urgent things waiting for the signed-in person (worklist.todo)."""
    request = context.get("request")
    return todo_context(getattr(request, "user", None), shown=SHOWN, read=READ)
