"""The newsletter in the Wagtail admin: mailings (compose, preview, test, send) and the subscribers per list.

Subscribers are personal data: every look at the list is written to the
access log (one row: the list, its filter and how many rows it showed).
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet

from booking.services.access_log import Action, log_listing

from .models import Mailing, Subscriber, SubscriberList
from .services import mailings, subscriptions

SEND_PERMISSION = "news.change_mailing"
PROFESSIONAL_ITEM_IN_PATIENT_LIST = gettext_lazy(
    "Dit bericht is alleen voor professionals. Het kan niet in de nieuwsbrief voor deelnemers."
)


class MailingForm(WagtailAdminModelForm):
    """The patients' newsletter holds no news for professionals only (a sent mailing is refused by Mailing.clean)."""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("newsletter") == SubscriberList.PATIENTS:
            items = self.formsets["items"]
            items.is_valid()  # clean the chosen items now, to check them against the list
            for form in items.forms:
                data = getattr(form, "cleaned_data", None) or {}
                page = data.get("page")
                if page is not None and not data.get("DELETE") and page.specific.for_professionals_only:
                    form.add_error("page", PROFESSIONAL_ITEM_IN_PATIENT_LIST)
        return cleaned


def send_url(mailing):
    return reverse("news_mailing_send", kwargs={"pk": mailing.pk})


class MailingIndexView(SnippetIndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.request.user.has_perm(SEND_PERMISSION):
            label = _("Testen en versturen") if instance.is_draft else _("Verzending bekijken")
            buttons.insert(0, MenuItem(label, url=send_url(instance), icon_name="mail", priority=5))
        return buttons


class MailingViewSet(SnippetViewSet):
    model = Mailing
    index_view_class = MailingIndexView
    icon = "mail"
    menu_label = gettext_lazy("Nieuwsbrieven")
    list_display = ["title", "newsletter", "status", "sent_at"]
    list_filter = ["newsletter", "status"]
    copy_view_enabled = True
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("newsletter"),
            FieldPanel("intro"),
            InlinePanel("items", label=gettext_lazy("Nieuwsbericht"), min_num=1, max_num=10),
        ],
        base_form_class=MailingForm,
    )


class MailingSendView(WagtailAdminTemplateMixin, TemplateView):
    """Preview, a test to yourself, then send. Sending happens in the background, in batches."""

    template_name = "news/admin/send.html"
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(SEND_PERMISSION):
            raise PermissionDenied
        self.mailing = get_object_or_404(Mailing, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Versturen: %(title)s") % {"title": self.mailing.title}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("wagtailsnippets_news_mailing:list"), "label": _("Nieuwsbrieven")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            mailing=self.mailing,
            items=self.mailing.news_pages(),
            audience=mailings.audience(self.mailing).count(),
            progress=mailings.progress(self.mailing),
            preview_url=reverse("news_mailing_preview", kwargs={"pk": self.mailing.pk}),
            edit_url=reverse("wagtailsnippets_news_mailing:edit", args=[self.mailing.pk]),
            **kwargs,
        )

    def post(self, request, pk):
        action = request.POST.get("action")
        if action == "test":
            mailings.send_test(self.mailing, request.user)
            messages.success(request, _("De test gaat naar %(email)s.") % {"email": request.user.email})
        elif action == "send":
            if not self.mailing.items.exists():
                messages.error(request, _("Kies eerst minstens één nieuwsbericht."))
            elif mailings.request_send(self.mailing, request.user):
                messages.success(
                    request,
                    _(
                        "De nieuwsbrief wordt verstuurd. Dat gebeurt op de achtergrond, in delen. "
                        "Ververs deze pagina om te zien hoe ver het is."
                    ),
                )
            else:
                messages.warning(request, _("Deze nieuwsbrief was al verstuurd. Niemand krijgt hem twee keer."))
        return redirect(send_url(self.mailing))


class SubscriberDeleteView(generic.DeleteView):
    """Erasure on request: the address goes now and the subscriber gets nothing more; the row stays, anonymised."""

    @property
    def confirmation_message(self):
        return _(
            "Het e-mailadres %(email)s wordt nu verwijderd. Deze persoon krijgt geen nieuwsbrief meer. "
            "Doe dit als iemand erom vraagt; wie zich zelf afmeldt, is na 30 dagen vanzelf weg."
        ) % {"email": self.object.email}

    def get_success_message(self):
        return _("Het e-mailadres is verwijderd. Deze persoon krijgt geen nieuwsbrief meer.")

    def delete_action(self):
        subscriptions.erase(self.object.pk)
        log_listing(self.request.user, f"nieuwsbrief: abonnee {self.object.pk} verwijderd op verzoek", 1, Action.ERASE)


class SubscriberIndexView(generic.IndexView):
    """The subscribers; each look is logged, with the filter and the number of rows, never a search term."""

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        page = context.get("object_list")
        shown = len(page) if page is not None else 0
        filters = ", ".join(
            f"{name}={value}"
            for name, value in sorted(self.request.GET.items())
            if name in {"newsletter", "status"} and value
        )
        where = f"nieuwsbrief: abonnees{f' ({filters})' if filters else ''}"
        log_listing(self.request.user, where, shown)
        return context


class SubscriberViewSet(ModelViewSet):
    """Who is on which list, for questions and requests; signing up and off is done by the subscribers themselves."""

    model = Subscriber
    name = "newsletter_subscribers"
    url_prefix = "nieuwsbrief/abonnees"
    index_view_class = SubscriberIndexView
    delete_view_class = SubscriberDeleteView
    icon = "user"
    menu_label = gettext_lazy("Abonnees")
    add_to_admin_menu = False
    form_fields = ["status"]
    list_display = ["email", "newsletter", "status", "confirmed_at", "consent_text_version"]
    list_filter = ["newsletter", "status"]
    search_fields = ["email"]
    copy_view_enabled = False
    inspect_view_enabled = False


class NewsletterMenu(ViewSetGroup):
    menu_label = gettext_lazy("Nieuwsbrief")
    menu_icon = "mail"
    menu_order = 250
    items = (MailingViewSet, SubscriberViewSet)


def preview(request, pk):
    """The mailing as subscribers will see it (the saved version; the editor previews changes while editing)."""
    if not request.user.has_perm(SEND_PERMISSION):
        raise PermissionDenied
    mailing = get_object_or_404(Mailing, pk=pk)
    return mailing.serve_preview(request, mailing.default_preview_mode)


def admin_urls():
    return [
        path("nieuwsbrief/versturen/<int:pk>/", MailingSendView.as_view(), name="news_mailing_send"),
        path("nieuwsbrief/voorbeeld/<int:pk>/", preview, name="news_mailing_preview"),
    ]
