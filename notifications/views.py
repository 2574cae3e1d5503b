"""Notification centre: the list, mark one read, mark all read. Works without websockets."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import role_required

from . import selectors, services

RULE = "authenticated with a role; own notifications only"


@role_required(description=RULE)
def notification_list(request):
    qs = selectors.notifications_for(request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "only_unread": only_unread, "unread": selectors.unread_count(request.user)},
    )


def _next_url(request, default):
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return nxt
    return default


@require_POST
@role_required(description=RULE)
def notification_read(request, pk):
    n = selectors.notifications_for(request.user).filter(pk=pk).first()
    if n is None:
        raise Http404
    services.notification_mark_read(actor=request.user, notification_ids=[n.pk])
    return redirect(_next_url(request, "notifications:list"))


@require_POST
@role_required(description=RULE)
def notification_read_all(request):
    count = services.notification_mark_all_read(actor=request.user)
    messages.success(request, _("已将 %(n)d 条通知标为已读。") % {"n": count})
    return redirect(_next_url(request, "notifications:list"))
