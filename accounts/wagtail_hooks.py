"""Professionals in the Wagtail admin: who asked for access, found by name, email, organisation or practice,
approved or rejected in one click (with an email); and their number on the admin home."""

from django.core.exceptions import PermissionDenied
from django.db.models import Value
from django.db.models.functions import Concat
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from home.dashboard import MAX_LINES, WORK_PANEL_HOOK, Work, WorkLine, WorkPanel

from . import services
from .models import ProfessionalProfile

CHANGE_PERMISSION = "accounts.change_professionalprofile"
Status = ProfessionalProfile.Status


def professionals_url(**filters):
    url = reverse("professionals:index")
    return f"{url}?{urlencode(filters)}" if filters else url


def full_name(profile):
    return profile.user.get_full_name() or profile.user.email


def organisation_text(profile):
    return f"{profile.organisation} ({profile.get_role_display()})"


def status_text(profile):
    """ "Wacht op controle sinds 1 dec 2026", or the decision and its date."""
    if profile.status == Status.PENDING or profile.decided_at is None:
        when = profile.requested_at
    else:
        when = profile.decided_at
    return _("%(status)s, %(when)s") % {
        "status": profile.get_status_display(),
        "when": date_format(timezone.localtime(when), "j F Y"),
    }


class DecisionColumn(Column):
    """Approve or reject in one click: two small forms in the row (the opposite of what is decided now)."""

    cell_template_name = "accounts/admin/decision_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        context.update(
            csrf_token=get_token(request) if request else "",
            may_decide=request is not None and request.user.has_perm(CHANGE_PERMISSION),
            can_verify=instance.status != Status.VERIFIED,
            can_reject=instance.status != Status.REJECTED,
            name=full_name(instance),
        )
        return context


class ProfessionalIndexView(IndexView):
    default_ordering = "status"

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("user", "decided_by")
            .annotate(name=Concat("user__first_name", Value(" "), "user__last_name"))
        )

    def order_queryset(self, queryset):
        # Waiting first (the work), the longest waiting on top.
        if self.ordering == "status":
            return queryset.order_by("status", "requested_at", "pk")
        return super().order_queryset(queryset)

    def get_valid_orderings(self):
        return ["status", *super().get_valid_orderings()]

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "name",
                label=_("Naam"),
                accessor=full_name,
                get_url=self.get_edit_url,
                sort_key="name",
                classname="title w-whitespace-nowrap",
            ),
            Column("email", label=_("E-mailadres"), accessor="user.email", sort_key="user__email"),
            Column(
                "organisation", label=_("Organisatie en functie"), accessor=organisation_text, sort_key="organisation"
            ),
            Column("practice", label=_("Praktijk"), sort_key="practice"),
            Column("status", label=_("Status"), accessor=status_text, sort_key="status"),
            DecisionColumn("decide", label=_("Besluit")),
        ]


class ProfessionalForm(WagtailAdminModelForm):
    """The professional's details and the decision with a note; who the account belongs to is not changed here."""

    class Meta:
        model = ProfessionalProfile
        fields = ["organisation", "role", "practice", "status", "note"]


class ProfessionalEditView(EditView):
    def get_page_subtitle(self):
        return f"{full_name(self.object)} ({self.object.user.email})"

    def save_instance(self):
        profile = self.form.save(commit=False)
        profile.save(update_fields=["organisation", "role", "practice"])
        return services.decide_professional(
            profile, status=profile.status, decided_by=self.request.user, note=profile.note
        )


class DecideView(View):
    """POST: approve or reject one professional, with an email to them (``services.decide_professional``)."""

    status = None

    def post(self, request, pk):
        if not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied
        profile = get_object_or_404(ProfessionalProfile.objects.select_related("user"), pk=pk)
        services.decide_professional(profile, status=self.status, decided_by=request.user, note=profile.note)
        if self.status == Status.VERIFIED:
            message = _("%(name)s heeft nu toegang als professional en krijgt een e-mail.")
        else:
            message = _("%(name)s is afgewezen en krijgt een e-mail.")
        messages.success(request, message % {"name": full_name(profile)})
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = professionals_url()
        return redirect(back)


class ProfessionalProfileViewSet(ModelViewSet):
    model = ProfessionalProfile
    icon = "user"
    menu_label = gettext_lazy("Professionals")
    menu_order = 250
    add_to_admin_menu = True
    name = "professionals"
    index_view_class = ProfessionalIndexView
    edit_view_class = ProfessionalEditView
    list_filter = ["status", "role"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "organisation", "practice"]
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_form_class(self, for_update=False):
        return ProfessionalForm

    def get_common_view_kwargs(self, **kwargs):
        # Professionals ask for access themselves; nobody makes or removes a profile here.
        return {**super().get_common_view_kwargs(**kwargs), "add_url_name": None, "delete_url_name": None}

    def get_urlpatterns(self):
        kept = [pattern for pattern in super().get_urlpatterns() if pattern.name not in ("add", "delete")]
        return [
            *kept,
            path("<int:pk>/goedkeuren/", DecideView.as_view(status=Status.VERIFIED), name="verify"),
            path("<int:pk>/afwijzen/", DecideView.as_view(status=Status.REJECTED), name="reject"),
        ]


@hooks.register("register_admin_viewset")
def register_professionals():
    return ProfessionalProfileViewSet()


class ProfessionalsPanel(WorkPanel):
    name = "professionals"
    title = gettext_lazy("Professionals om te controleren")
    permission = CHANGE_PERMISSION
    order = 10

    def get_work(self):
        pending = ProfessionalProfile.objects.filter(status=Status.PENDING)
        count = pending.count()
        oldest = pending.select_related("user").order_by("requested_at", "pk")[:MAX_LINES]
        return Work(
            count=count,
            summary=ngettext("professional wacht op controle.", "professionals wachten op controle.", count)
            if count
            else _("Niemand wacht op controle."),
            lines=[
                WorkLine(
                    text=f"{full_name(profile)}, {profile.organisation}",
                    url=reverse("professionals:edit", args=(profile.pk,)),
                    note=_("sinds %(day)s") % {"day": date_format(timezone.localtime(profile.requested_at), "j F")},
                )
                for profile in oldest
            ],
            url=professionals_url(status=Status.PENDING),
            link_text=_("Naar de professionals"),
        )


@hooks.register(WORK_PANEL_HOOK)
def professionals_panel(request):
    return ProfessionalsPanel(request)
