from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from core import audit
from core.permissions import public, role_required

from .forms import OrganisationForm
from .models import Role
from .scoping import organisations_visible_to


@method_decorator(public("login form"), name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    permission_rule = "public: login form"


class LogoutView(auth_views.LogoutView):
    permission_rule = "public: logout (POST only)"


@role_required(Role.UNION_STAFF, Role.BUREAU_REVIEWER, description="union staff and bureau: organisations in their region")
def organisation_list(request):
    orgs = organisations_visible_to(request.user).select_related("region", "parent")
    kind = request.GET.get("kind")
    if kind:
        orgs = orgs.filter(kind=kind)
    return render(request, "accounts/organisation_list.html", {"organisations": orgs[:500], "kind": kind})


@role_required(Role.UNION_STAFF, description="union staff: register organisations in their region")
def organisation_create(request):
    form = OrganisationForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            org = form.save()
            audit.record(actor=request.user, action="organisation_create", obj=org)
        messages.success(request, _("已登记：%(name)s") % {"name": org.name})
        return redirect("accounts:organisation_detail", pk=org.pk)
    return render(request, "accounts/organisation_form.html", {"form": form})


@role_required(description="any active user; only organisations visible to them (404 otherwise)")
def organisation_detail(request, pk):
    org = get_object_or_404(organisations_visible_to(request.user), pk=pk)
    return render(request, "accounts/organisation_detail.html", {"org": org})




@role_required(description="any active user with a role: who they are signed in as")
def me(request):
    """我的账户: the signed-in person's name, role, organisation and region (what the scope of every list
    follows), and where to sign out. Reads nothing beyond the session's user and their organisation."""
    return render(request, "accounts/me.html", {})
