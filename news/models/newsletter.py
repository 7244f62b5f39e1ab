"""The newsletter: two lists (patients, professionals), their subscribers, and the mailings sent to them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import PageChooserPanel
from wagtail.models import Orderable, PreviewableMixin

from groepswijzer.languages import language_field
from home.organisation import OrganisationSettings


class SubscriberList(models.TextChoices):
    PATIENTS = "patients", _("Nieuwsbrief voor deelnemers en belangstellenden")
    PROFESSIONALS = "professionals", _("Nieuwsbrief voor professionals")


class Subscriber(models.Model):
    """One address on one list. Nothing is sent to it before the address is confirmed (double opt-in).

    `forget_at` is when its address goes (privacy registry): a week after a
    sign-up nobody confirmed, a short while after unsubscribing; empty while
    the subscription runs.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("wacht op bevestiging")
        CONFIRMED = "confirmed", _("ingeschreven")
        UNSUBSCRIBED = "unsubscribed", _("afgemeld")

    newsletter = models.CharField(_("nieuwsbrief"), max_length=20, choices=SubscriberList.choices)
    email = models.EmailField(_("e-mailadres"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    consent_text_version = models.CharField(_("versie toestemmingstekst"), max_length=40)
    consent_at = models.DateTimeField(_("toestemming gegeven op"))
    confirmed_at = models.DateTimeField(_("bevestigd op"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(pgettext_lazy("nieuwsbrief", "afgemeld op"), null=True, blank=True)
    forget_at = models.DateTimeField(_("gegevens weg op"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("geanonimiseerd op"), null=True, blank=True)
    created_at = models.DateTimeField(_("aangemeld op"), auto_now_add=True)
    language = language_field()  # the confirmation and the newsletter's own texts are written in it

    class Meta:
        verbose_name = _("abonnee")
        verbose_name_plural = _("abonnees")
        ordering = ["newsletter", "email"]
        constraints = [models.UniqueConstraint(fields=["newsletter", "email"], name="news_one_subscription_per_list")]
        indexes = [
            # The retention run reads only rows still holding an address whose moment has come.
            models.Index(fields=["forget_at"], name="news_subscriber_forget", condition=Q(anonymised_at__isnull=True)),
            # A mailing walks the confirmed subscribers of one list in id order.
            models.Index(fields=["newsletter", "status", "id"], name="news_subscriber_sending"),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_newsletter_display()})"


class Mailing(PreviewableMixin, ClusterableModel):
    """A newsletter an editor composes from news items, previews, tests on themselves and then sends.

    Sending happens in batches outside the request (``news.services.mailings``):
    one outbox email per confirmed subscriber, keyed by mailing and subscriber,
    so neither a second click nor a run after a failure sends anyone twice.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("concept")
        SENDING = "sending", _("wordt verstuurd")
        SENT = "sent", _("verstuurd")

    title = models.CharField(_("onderwerp"), max_length=150, help_text=_("Het onderwerp van de e-mail."))
    newsletter = models.CharField(_("nieuwsbrief"), max_length=20, choices=SubscriberList.choices)
    intro = models.TextField(_("inleiding"), max_length=1500, help_text=_("Een korte tekst boven de berichten."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    send_requested_at = models.DateTimeField(_("verzenden gestart op"), null=True, blank=True)
    send_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verzonden door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("verzonden op"), null=True, blank=True)
    # The last subscriber id a batch queued an email for: the next batch starts after it.
    last_subscriber_id = models.PositiveBigIntegerField(default=0, editable=False)
    recipients = models.PositiveIntegerField(_("ontvangers"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nieuwsbrief")
        verbose_name_plural = _("nieuwsbrieven")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    def news_pages(self):
        """The chosen items that are still published, in the editor's order."""
        items = self.items.select_related("page").filter(page__live=True).order_by("sort_order")
        return [item.page.specific for item in items]

    def clean(self):
        super().clean()
        if self.pk and not self.is_draft:
            raise ValidationError(_("Deze nieuwsbrief is al verstuurd en kan niet meer veranderen."))

    # Preview in the admin: the email as subscribers will see it.
    def get_preview_template(self, request, mode_name):
        return "emails/news/mailing.html"

    def get_preview_context(self, request, mode_name):
        return {
            **super().get_preview_context(request, mode_name),
            "mailing": self,
            "items": [item.page.specific for item in self.items.all() if item.page_id],
            "unsubscribe_url": "#",
            "preview": True,
            "site_url": settings.WAGTAILADMIN_BASE_URL,
            "organisation": OrganisationSettings.load(),
        }


class MailingItem(Orderable):
    mailing = ParentalKey(Mailing, on_delete=models.CASCADE, related_name="items")
    page = models.ForeignKey(
        "news.NewsPage", verbose_name=_("nieuwsbericht"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [PageChooserPanel("page", page_type="news.NewsPage")]

    class Meta(Orderable.Meta):
        verbose_name = _("bericht in nieuwsbrief")
        verbose_name_plural = _("berichten in nieuwsbrief")
