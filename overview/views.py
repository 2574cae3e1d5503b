from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from core.permissions import role_required

from . import exports
from .forms import OverviewFilterForm
from .selectors import cached_figures, deadlines_visible_to, figures, month_period

STAFF = (Role.UNION_STAFF,)
BOARD = (Role.UNION_STAFF, Role.UNION_NEGOTIATOR)


def _query_without(request, *keys):
    q = request.GET.copy()
    for k in keys:
        q.pop(k, None)
    return q.urlencode()


@role_required(*STAFF, description="roles: union_staff (and sysadmin); figures scoped to the user's region")
def overview_index(request):
    form = OverviewFilterForm(request.GET or None, actor=request.user)
    fig = cached_figures(form.filters())
    return render(request, "overview/index.html", {"form": form, "fig": fig, "query": request.GET.urlencode()})


def _board(request, limit=200):
    form = OverviewFilterForm(request.GET or None, actor=request.user)
    for name in ("period", "start", "end"):  # the board is "from today", not a period
        form.fields.pop(name)
    f = form.filters()
    try:
        page = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        page = 1
    board = deadlines_visible_to(request.user, region=f.region, include_overdue=request.GET.get("overdue") == "1",
                           limit=limit, page=page)
    return form, board


@role_required(*BOARD, description="roles: union_staff, union_negotiator (and sysadmin); items scoped by each workflow's selector")
def deadline_list(request):
    form, board = _board(request)
    return render(request, "overview/deadlines.html", {
        "form": form, "board": board, "query": request.GET.urlencode(), "page_query": _query_without(request, "page"),
        "include_overdue": request.GET.get("overdue") == "1",
    })


EXPORTS = ("figures", "regions", "firms", "deadlines")


@role_required(*BOARD, description="roles: union_staff (figures) or union_staff/union_negotiator (deadlines); same scope as the pages")
def overview_export(request, name, fmt):
    if name not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404
    stamp = timezone.localdate().strftime("%Y%m%d")
    if name == "deadlines":
        _form, board = _board(request, limit=None)
        sheets = [("期限看板", exports.deadline_rows(board, request))]
    else:
        if not (request.user.is_sysadmin or request.user.role in STAFF):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(_("您的角色无权访问此页面。"))
        form = OverviewFilterForm(request.GET or None, actor=request.user)
        fig = cached_figures(form.filters())
        all_sheets = {
            "figures": ("概览指标", exports.figure_rows(fig)),
            "regions": ("地区对比", exports.region_rows(fig)),
            "firms": ("律所承办", exports.firm_rows(fig)),
        }
        # The figures workbook carries every table; each list also exports on its own.
        sheets = list(all_sheets.values()) if (name == "figures" and fmt == "xlsx") else [all_sheets[name]]
    filename = f"overview-{name}-{stamp}"
    if fmt == "csv":
        return exports.csv_response(sheets[0][1], filename)
    return exports.xlsx_response(sheets, filename)


@role_required(*STAFF, description="roles: union_staff (and sysadmin); monthly report of the user's scope as PDF")
def report_download(request):
    from core.pdf import render_pdf

    today = timezone.localdate()
    default = (today.replace(day=1) - dt.timedelta(days=1))
    try:
        y, m = (int(x) for x in (request.GET.get("month") or default.strftime("%Y-%m")).split("-"))
        period = month_period(y, m)
    except (ValueError, TypeError):
        raise Http404
    form = OverviewFilterForm(request.GET or None, actor=request.user)
    f = form.filters()
    f.period = period
    fig = figures(f)
    scope_name = fig["region"] or (fig["regions"]["base"] or _("全区"))
    pdf = render_pdf(template="pdf/overview_monthly.html", context={
        "fig": fig, "month": f"{y}年{m}月", "scope_name": scope_name, "generated_on": today,
        "title": f"{scope_name}{y}年{m}月工作月报",
    })
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="overview-report-{y}-{m:02d}.pdf"'
    return resp
