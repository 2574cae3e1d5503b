from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def document_panel_rows(context, obj):
    """Rows for templates/documents/_panel.html; empty (never an error) when `obj` is missing."""
    if obj is None or not hasattr(obj, "_meta") or obj.pk is None:
        return []
    from documents.selectors import panel_rows

    request = context.get("request")
    return panel_rows(obj, getattr(request, "user", None))


@register.filter
def object_label(obj):
    return obj._meta.label_lower if hasattr(obj, "_meta") else ""
