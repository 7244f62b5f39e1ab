"""The care path in the Wagtail admin: practices (with their members) and the referrals made."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from accounts import roles
from accounts.models import User
from booking.services.access_log import Action, log_access

from .models import DecisionQuestion, Invitation, Practice, Questionnaire, Referral, Screening
from .services import questionnaires, referrals
from .services.referrals import Status


class PracticeForm(WagtailAdminModelForm):
    class Meta:
        model = Practice
        fields = ["name", "agb_code", "address", "postcode", "town", "letter_email", "members"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only verified professionals can be members: they are the ones who refer.
        self.fields["members"].queryset = User.objects.filter(groups__name=roles.PROFESSIONALS).order_by("email")


class PracticeViewSet(ModelViewSet):
    model = Practice
    form_class = PracticeForm
    form_fields = PracticeForm.Meta.fields
    icon = "home"
    menu_label = _("Praktijken")
    add_to_admin_menu = False
    list_display = ["name", "agb_code", "town", "letter_email"]
    list_export = ["name", "agb_code", "address", "postcode", "town", "letter_email"]
    search_fields = ["name", "agb_code", "town"]
    export_filename = "praktijken"
    copy_view_enabled = False


def _status_label(referral):
    return Status.LABELS[referrals.full_status(referral)]


class ReferralIndexView(generic.IndexView):
    """The referrals, with the figures above them: referred, opened, signed up, started, completed.

    The figures count every referral in the list (the filters apply), also
    those whose patient never signed up or did not share: counts, no names.
    """

    template_name = "carepath/admin/referral_index.html"

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        filtered = self.filters.qs if self.filters is not None else self.get_base_queryset()
        context["funnel"] = referrals.funnel(filtered)
        return context


class ReferralViewSet(ModelViewSet):
    """The referrals, for the figures and for questions from practices; no patient names are shown here."""

    model = Referral
    index_view_class = ReferralIndexView
    icon = "link"
    menu_label = _("Verwijzingen")
    add_to_admin_menu = False
    form_fields = ["note"]
    list_filter = ["course", "practice", "delivery"]
    list_export = ["display_code", "created_at", "course", "practice", "referrer", "opened_at", "expires_at"]
    export_headings = {"display_code": _("code")}
    export_filename = "verwijzingen"
    search_fields = ["code"]
    inspect_view_enabled = True
    copy_view_enabled = False

    list_display = [
        Column("display_code", label=_("Code")),
        Column("created_at", label=_("Gemaakt"), sort_key="created_at"),
        Column("course", label=_("Training"), accessor=lambda r: r.course.title if r.course_id else _("zelf kiezen")),
        Column("practice", label=_("Praktijk")),
        Column("status", label=_("Status"), accessor=_status_label),
    ]

    def get_queryset(self, request):
        return referrals.with_attended().select_related(
            "course", "practice", "referrer", "enrollment", "waitlist_entry"
        )


class QuestionnaireViewSet(ModelViewSet):
    """Staff define questionnaires here: items, answer scale, scoring, bands (see docs/outcomes.md)."""

    model = Questionnaire
    icon = "form"
    menu_label = _("Vragenlijsten")
    add_to_admin_menu = False
    list_display = ["name", "is_demo", "active", "scoring"]
    list_filter = ["active", "is_demo"]
    copy_view_enabled = False


class ResponseViewSet(ModelViewSet):
    """Who was invited and who answered, with scores: no answers per question and no names in the list."""

    model = Invitation
    icon = "list-ul"
    menu_label = _("Ingevulde vragenlijsten")
    add_to_admin_menu = False
    form_fields = []
    list_filter = ["moment", "questionnaire", "enrollment__group__course"]
    list_display = [
        Column("created_at", label=_("Uitgenodigd"), sort_key="created_at"),
        Column("moment", label=_("Moment"), accessor="get_moment_display"),
        Column("questionnaire", label=_("Vragenlijst")),
        Column("course", label=_("Training"), accessor=lambda i: i.enrollment.group.course.title),
        Column("answered_at", label=_("Ingevuld")),
        Column("score", label=_("Score"), accessor=lambda i: questionnaires.display_score(i.score)),
    ]
    list_export = ["created_at", "moment", "questionnaire", "answered_at", "score", "reminded_at"]
    export_filename = "vragenlijsten"
    create_view_enabled = False
    edit_view_enabled = False
    delete_view_enabled = False
    copy_view_enabled = False

    def get_queryset(self, request):
        return Invitation.objects.select_related("questionnaire", "enrollment__group__course")


class ScreeningIndexView(generic.IndexView):
    """The telephone screenings, newest first; the participants on the page are written in the access log."""

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        shown = [screening.enrollment.participant_id for screening in context["object_list"]]
        log_access(self.request.user, shown, Action.VIEW_LIST, "telefonische screenings: overzicht")
        return context


class ScreeningViewSet(ModelViewSet):
    """Every call before the start: who, when, the outcome. Read only: the trainer area records them."""

    model = Screening
    icon = "mobile-alt"
    menu_label = _("Telefonische screening")
    add_to_admin_menu = False
    form_fields = []
    index_view_class = ScreeningIndexView
    list_filter = ["outcome", "enrollment__group__course"]
    list_display = [
        Column("called_at", label=_("Gebeld op"), sort_key="called_at"),
        Column("participant", label=_("Deelnemer"), accessor=lambda s: s.enrollment.participant.full_name),
        Column("group", label=_("Groep"), accessor=lambda s: str(s.enrollment.group)),
        Column("outcome", label=_("Uitkomst"), accessor="get_outcome_display"),
        Column("called_by", label=_("Door"), accessor=lambda s: s.called_by.get_full_name() or s.called_by.email),
    ]
    list_export = ["called_at", "outcome", "enrollment", "called_by"]
    export_filename = "telefonische-screenings"
    create_view_enabled = False
    edit_view_enabled = False
    delete_view_enabled = False
    copy_view_enabled = False

    def get_queryset(self, request):
        return Screening.objects.select_related("enrollment__participant", "enrollment__group__course", "called_by")


class CarePathMenu(ViewSetGroup):
    menu_label = _("Zorgpad")
    menu_icon = "group"
    menu_order = 160
    submenu_hook = "register_care_path_menu_item"
    items = (
        PracticeViewSet("praktijken"),
        ReferralViewSet("verwijzingen"),
        ScreeningViewSet("screenings"),
        QuestionnaireViewSet("vragenlijsten"),
        ResponseViewSet("ingevulde-vragenlijsten"),
    )


class DecisionAidViewSet(SnippetViewSet):
    """The decision aid for professionals, edited by editors: questions, answers, and where each answer leads."""

    model = DecisionQuestion
    icon = "help"
    menu_label = _("Beslishulp")
    add_to_admin_menu = True
    menu_order = 310
    list_display = ["text", "is_start"]
