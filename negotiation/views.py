"""Pages: parse input, call a service, render. Objects are looked up through the workflow's scope (404).

Actions (propose, respond, vote, sign, …) have no page here: their buttons come from the registry
(`workflow.buttons`) and lead to the generic action page, /do/negotiation/<id>/<action>/. The pages
below are the edits of child rows (terms, representatives, rounds, comment links) and reading."""
from __future__ import annotations

import segno
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organisation, Role
from accounts.scoping import employers_visible_to, organisations_visible_to
from core import audit
from core.permissions import public, role_required
from core.runner import Conflict
from core.workflow_views import apply_errors, conflict_response, messages_of

from . import forms as f
from . import permissions as perms
from . import selectors as sel
from . import services as svc
from .models import PublishedDraft, Term
from .workflow import workflow

S, N, E, B = Role.UNION_STAFF, Role.UNION_NEGOTIATOR, Role.EMPLOYER_REP, Role.BUREAU_REVIEWER
ALL = (S, N, E, B)


def _get(request, pk):
    try:
        return sel.negotiation_detail(request.user, pk)
    except sel.Negotiation.DoesNotExist:
        raise Http404 from None


# --- list and detail --------------------------------------------------------------------------
_PK = 2**31 - 1  # a placeholder id: reverse() once per page, not once per row


@role_required(*ALL, description="roles: staff, negotiator, employer rep, bureau; rows scoped by negotiations_visible_to")
def negotiation_list(request):
    employers = employers_visible_to(request.user)
    form = f.ListFilterForm(request.GET or None, employers=employers)
    filters = form.cleaned_data if form.is_valid() else {}
    page = sel.negotiation_list_page(
        request.user, after=request.GET.get("after"), before=request.GET.get("before"),
        state=filters.get("state"), employer=filters.get("employer"),
        overdue=filters.get("overdue"), due_week=filters.get("due_week"),
    )
    # What each row shows, computed here once per request rather than per row in the template: state
    # labels translated once (get_state_display rebuilds and hashes the lazy choices on every call), the
    # detail URL from one reverse(), dates formatted in the local time zone as |date would.
    today = timezone.localdate()
    state_choices = [(value, str(label)) for value, label in form.fields["state"].choices]
    labels = dict(state_choices)
    url_head, url_tail = reverse("negotiation:detail", args=[_PK]).split(str(_PK))
    tz = timezone.get_current_timezone()
    rows = [{
        "url": f"{url_head}{r['pk']}{url_tail}", "title": r["title"], "employer": r["employer__name"],
        "region": r["employer__region__name"], "state": r["state"], "state_label": labels.get(r["state"], r["state"]),
        "due": r["due"].isoformat() if r["due"] else "", "overdue": bool(r["due"] and r["due"] < today),
        "updated": r["updated_at"].astimezone(tz).strftime("%Y-%m-%d %H:%M"),
    } for r in page]
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    # The filter form is written out in the template from these (a widget renders each <option> through
    # the template engine: most of the page's cost before); names and ids are the form's.
    return render(request, "negotiation/list.html", {
        "form": form, "negotiations": rows, "page": page, "query": query.urlencode(), "today": today,
        "can_create": request.user.is_sysadmin or request.user.has_role(N),
        "state_choices": state_choices, "employer_choices": list(employers.values_list("pk", "name")),
        "selected": {"state": str(form["state"].value() or ""), "employer": str(form["employer"].value() or ""),
                     "overdue": bool(form["overdue"].value()), "due_week": bool(form["due_week"].value())},
    })


def _live_context(request, neg):
    """What negotiation/_live.html shows (state, dates, buttons, timeline): all the live fragment needs."""
    return {
        "negotiation": neg,
        "events": workflow.labelled(audit.history(neg)[:100]),
        "buttons": workflow.buttons(request.user, neg),
        "today": timezone.localdate(),
    }


def _detail_context(request, neg):
    user = request.user
    content = sel.draft_content_visible(user, neg)
    terms = sel.terms_for_page(neg) if content else []
    wages = svc.wage_context(neg.employer.region, neg.term_start or timezone.localdate())
    for t in terms:
        t.cost = sel.cost_rows(neg, t.current, t.kind, wages) if t.current else None
    draft = neg.drafts.order_by("-number").first()
    representatives = list(neg.representatives.all()) if content else []
    prefetch_related_objects([neg], "rounds")  # the page's meetings and the documents panel's minutes
    return {
        **_live_context(request, neg),
        "terms": terms, "wages": wages,
        "representatives": representatives,
        "content_hidden": not content,
        "rounds": list(neg.rounds.all()),  # prefetched
        "votes": list(neg.votes.all()[:3]),
        "draft": draft,
        "can_edit_terms": perms.can_edit_terms(user, neg),
        "can_edit_union_reps": perms.can_edit_representatives(user, neg, "union"),
        "can_edit_employer_reps": perms.can_edit_representatives(user, neg, "employer"),
        "can_record_round": perms.can_record_round(user, neg),
        "is_union": bool(perms.is_union_side(user, neg)),
        "flags": sel.representatives_flagged(neg, terms, representatives) if content else {},
        "documents_panel": _documents_panel_exists(),
    }


def _documents_panel_exists():
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    try:
        get_template("documents/_panel.html")
        return True
    except TemplateDoesNotExist:
        return False


@role_required(*ALL, description="roles: staff, negotiator, employer rep, bureau; object via negotiations_visible_to (404)")
def negotiation_detail(request, pk):
    neg = _get(request, pk)
    return render(request, "negotiation/detail.html", _detail_context(request, neg))


@role_required(*ALL, description="roles: staff, negotiator, employer rep, bureau; object via negotiations_visible_to (404)")
def live_fragment(request, pk):
    neg = _get(request, pk)
    return render(request, "negotiation/_live.html", _live_context(request, neg))


@role_required(N, description="roles: union negotiator (own union only, checked by the service)")
def negotiation_create(request):
    employers = employers_visible_to(request.user)
    if request.user.organisation and request.user.organisation.employer_id:
        employers = employers.filter(pk=request.user.organisation.employer_id)
    # A user without an organisation (the system administrator) names the proposing union.
    unions = None if request.user.organisation_id else organisations_visible_to(request.user).filter(kind=Organisation.Kind.UNION)
    form = f.NegotiationForm(request.POST or None, employers=employers, unions=unions)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            neg = svc.negotiation_create(
                actor=request.user, employer=d["employer"], title=d["title"], headcount=d["headcount"],
                term_start=d["term_start"], term_end=d["term_end"], term_confirmed=d.get("term_confirmed", False),
                submission_key=d["submission_key"], union=d.get("union"),
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            return redirect("negotiation:detail", neg.pk)
    return render(request, "negotiation/form.html", {"form": form, "title": _("发起集体协商")}, status=400 if form.errors else 200)


@role_required(N, E, description="roles: negotiator or employer rep; the side's own representatives (service checks)")
def representatives_edit(request, pk, side):
    neg = _get(request, pk)
    if side not in ("union", "employer"):
        raise Http404
    perms.can_edit_representatives(request.user, neg, side).require()
    yes, no, sep = _("是"), _("否"), _("，")  # the parser takes both languages' yes (forms.YES) and both commas
    current = "\n".join(
        sep.join([r.name, r.position or "", yes if r.is_chief else no, yes if r.is_outsider else no, r.id_last4 or ""])
        for r in neg.representatives.filter(side=side)
    )
    chief = neg.representatives.filter(side=side, is_chief=True).first()
    form = f.RepresentativesForm(request.POST or None, initial={"people": current, "version": neg.version}, side=side, chief=chief)
    if request.method == "POST" and form.is_valid():
        try:
            svc.representatives_set(negotiation=neg, actor=request.user, side=side, people=form.cleaned_data["people"],
                                    expected_version=form.cleaned_data["version"])
        except Conflict as e:
            return conflict_response(request, workflow, neg, e)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            return redirect("negotiation:detail", neg.pk)
    label = _("职工方协商代表") if side == "union" else _("用人单位方协商代表")
    return render(request, "negotiation/form.html", {"form": form, "negotiation": neg, "title": label}, status=400 if form.errors else 200)


@role_required(N, E, description="roles: negotiator or employer rep of this negotiation (can_edit_terms)")
def term_add(request, pk):
    neg = _get(request, pk)
    perms.can_edit_terms(request.user, neg).require()
    form = f.TermForm(request.POST or None, initial={"version": neg.version})
    if request.method == "POST" and form.is_valid():
        data = form.structured()
        if not form.errors:
            try:
                svc.term_add(negotiation=neg, actor=request.user, kind=form.cleaned_data["kind"], title=form.cleaned_data["title"],
                             data=data, text=form.cleaned_data.get("text") or "", submission_key=form.cleaned_data["submission_key"])
            except Conflict as e:
                return conflict_response(request, workflow, neg, e)
            except ValidationError as e:
                form.add_service_errors(e)  # each message on its field, naming the group line
            else:
                return redirect("negotiation:detail", neg.pk)
    return render(request, "negotiation/term_form.html", {"form": form, "negotiation": neg, "title": _("新增条款"),
                                                          "group_help": f.GROUP_HELP}, status=400 if form.errors else 200)


@role_required(N, E, description="roles: negotiator or employer rep of this negotiation (can_edit_terms); counter-proposal per term")
def term_revise(request, pk, term_pk):
    neg = _get(request, pk)
    term = get_object_or_404(Term, pk=term_pk, negotiation=neg)
    perms.can_edit_terms(request.user, neg).require()
    cur = term.current
    initial = {"kind": term.kind, "title": term.title, "version": neg.version, "text": cur.text if cur else ""}
    if cur:
        d = cur.data
        initial.update({k: d.get(k) for k in ("start", "end", "daily_hours", "weekly_hours", "overtime_daily", "overtime_monthly",
                                              "approval_number", "days_on", "days_off", "pay_rule", "works_during_standby",
                                              "original_date", "deferred_date", "headcount") if d.get(k) not in (None, "")})
        initial["groups"] = f.groups_text(term.kind, d)
        if term.kind == "article":
            initial["text"] = d.get("text", "")
    post = request.POST.copy() if request.method == "POST" else None
    if post is not None:
        post["kind"], post["title"] = term.kind, term.title  # kind and title are fixed per term
    form = f.TermForm(post, initial=initial)
    if post is not None and form.is_valid():
        data = form.structured()
        if not form.errors:
            try:
                svc.term_revise(term=term, actor=request.user, data=data, text=form.cleaned_data.get("text") or "",
                                note=form.cleaned_data.get("note") or "", expected_version=form.cleaned_data.get("version"))
            except Conflict as e:
                return conflict_response(request, workflow, neg, e)
            except ValidationError as e:
                form.add_service_errors(e)  # each message on its field, naming the group line
            else:
                return redirect("negotiation:term_versions", neg.pk, term.pk)
    return render(request, "negotiation/term_form.html", {"form": form, "negotiation": neg, "term": term,
                                                          "title": _("修改条款（生成新版本）"), "group_help": f.GROUP_HELP},
                  status=400 if form.errors else 200)


@role_required(*ALL, description="roles: staff, negotiator, employer rep, bureau; object via negotiations_visible_to (404)")
def term_versions(request, pk, term_pk):
    neg = _get(request, pk)
    if not sel.draft_content_visible(request.user, neg):
        raise Http404
    term = get_object_or_404(Term, pk=term_pk, negotiation=neg)

    def num(name):
        try:
            return int(request.GET.get(name, ""))
        except ValueError:
            return None

    versions, left, right = sel.version_pair(term, num("a"), num("b"))
    wages = svc.wage_context(neg.employer.region, neg.term_start or timezone.localdate())
    from . import rules

    floor = wages.minimum_monthly
    return render(request, "negotiation/term_versions.html", {
        "negotiation": neg, "term": term, "versions": versions, "left": left, "right": right, "wages": wages,
        "rows": sel.diff_fields(left.data if left else None, right.data if right else None),
        "left_cost": rules.term_cost(term.kind, left.data, floor, wages.living_allowance) if left else None,
        "right_cost": rules.term_cost(term.kind, right.data, floor, wages.living_allowance) if right else None,
    })


@role_required(N, E, description="roles: negotiator or employer rep of this negotiation (can_record_round)")
def round_add(request, pk):
    neg = _get(request, pk)
    perms.can_record_round(request.user, neg).require()
    form = f.RoundForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            svc.round_record(negotiation=neg, actor=request.user, **d)
        except Conflict as e:
            return conflict_response(request, workflow, neg, e)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            return redirect("negotiation:detail", neg.pk)
    return render(request, "negotiation/form.html", {"form": form, "negotiation": neg, "title": _("记录协商会议")}, status=400 if form.errors else 200)


# --- employees' comments ----------------------------------------------------------------------
@role_required(S, N, description="roles: union staff (read) and the negotiation's union negotiator; object via scope (404)")
def comments_overview(request, pk, draft_pk):
    neg = _get(request, pk)
    draft = get_object_or_404(PublishedDraft, pk=draft_pk, negotiation=neg)
    perms.can_view_comments(request.user, neg).require()
    return render(request, "negotiation/comments.html", {"negotiation": neg, "draft": draft, "summary": sel.comment_summary(draft),
                                                         "links_form": f.LinksForm(), "can_issue": perms.is_union_side(request.user, neg)})


@role_required(N, description="roles: the negotiation's union negotiator (service checks)")
@require_POST
def links_issue(request, pk, draft_pk):
    neg = _get(request, pk)
    draft = get_object_or_404(PublishedDraft, pk=draft_pk, negotiation=neg)
    form = f.LinksForm(request.POST)
    if not form.is_valid():
        return render(request, "negotiation/comments.html", {"negotiation": neg, "draft": draft, "summary": sel.comment_summary(draft),
                                                             "links_form": form, "can_issue": True}, status=400)
    labels = [l for l in (form.cleaned_data.get("labels") or "").splitlines() if l.strip()]
    try:
        pairs = svc.links_issue(draft=draft, actor=request.user, count=form.cleaned_data.get("count") or 0, labels=labels,
                                submission_key=form.cleaned_data["submission_key"])
    except Conflict as e:
        return conflict_response(request, workflow, neg, e)
    except ValidationError as e:
        apply_errors(form, e)
        return render(request, "negotiation/comments.html", {"negotiation": neg, "draft": draft, "summary": sel.comment_summary(draft),
                                                             "links_form": form, "can_issue": True}, status=400)
    sheet = []
    for link, token in pairs:
        url = request.build_absolute_uri(reverse("negotiation:public_comment", args=[neg.pk, token]))
        sheet.append({"label": link.label, "url": url, "qr": segno.make(url, error="m").svg_data_uri(scale=3)})
    resp = render(request, "negotiation/link_sheet.html", {"negotiation": neg, "draft": draft, "sheet": sheet})
    resp["Cache-Control"] = "no-store"
    return resp


GUESS_LIMIT = 20  # failed token lookups per client address per hour


def _client_key(request):
    return "neg-guess:" + (request.META.get("REMOTE_ADDR") or "unknown")


@public("an employee's single-use comment link: the long random token is the credential; failed lookups are rate-limited")
def public_comment(request, pk, token):
    key = _client_key(request)
    if (cache.get(key) or 0) >= GUESS_LIMIT:
        return render(request, "negotiation/public_refused.html", {"message": _("尝试次数过多，请一小时后再试。")}, status=429)
    try:
        link = svc.link_lookup(token, negotiation_id=pk)
    except svc.LinkRefused as e:
        if e.is_guess:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, 3600)
        return render(request, "negotiation/public_refused.html", {"message": e.message}, status=403)
    draft = link.draft
    versions = list(draft.versions.select_related("term").order_by("term__number"))
    errors = []
    if request.method == "POST":
        comments = {v.pk: request.POST.get(f"c{v.pk}", "") for v in versions}
        try:
            n = svc.comments_submit(token=token, comments=comments, anonymous=bool(request.POST.get("anonymous")),
                                    negotiation_id=draft.negotiation_id)
        except svc.LinkRefused as e:
            return render(request, "negotiation/public_refused.html", {"message": e.message}, status=403)
        except ValidationError as e:
            errors = messages_of(e)
        else:
            return render(request, "negotiation/public_thanks.html", {"count": n})
    resp = render(request, "negotiation/public_comment.html", {"draft": draft, "negotiation": draft.negotiation,
                                                                "versions": versions, "errors": errors},
                  status=400 if errors else 200)
    resp["Cache-Control"] = "no-store"
    # same-origin, not no-referrer: with no-referrer Chromium posts the form with `Origin: null` and
    # Django's CSRF origin check refuses it. The token is in the path; same-origin still keeps it
    # from every other site.
    resp["Referrer-Policy"] = "same-origin"
    return resp
