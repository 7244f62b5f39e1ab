"""The office's work on the admin home (``home.dashboard``): groups to decide on, offers waiting for an answer,
emails that failed, payments to check. Each panel asks the database a fixed number of times and shows no
participant's name."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from booking.models import Offer, Payment, Refund, TrainingGroup, WaitlistEntry
from booking.services import fill, notifications
from booking.staff import minimum, outbox
from booking.staff.groups import group_url
from booking.staff.waitlist import WAITLIST, entry_url
from home.dashboard import MAX_LINES, Work, WorkLine, WorkPanel


def _day(value):
    return date_format(timezone.localtime(value), "j F")


def _payments_url(**filters):
    return f"{reverse('betalingen_modeladmin_index')}?{urlencode(filters)}"


class GroupsToDecidePanel(WorkPanel):
    name = "groepen"
    title = gettext_lazy("Groepen met te weinig aanmeldingen")
    permission = "booking.change_traininggroup"
    order = 20

    def get_work(self):
        groups = fill.groups_to_decide()
        return Work(
            count=len(groups),
            summary=ngettext(
                "groep begint binnenkort met te weinig aanmeldingen. Gaat hij door, voegt u samen, of zegt u af?",
                "groepen beginnen binnenkort met te weinig aanmeldingen. Gaan ze door, voegt u samen, of zegt u af?",
                len(groups),
            )
            if groups
            else _("Geen groep waarover u nu moet beslissen."),
            lines=[
                WorkLine(
                    text=f"{group.course.title}, {group.location.town or group.location.name}",
                    url=group_url("sessions", group),
                    note=_("start %(day)s, %(taken)s van minimaal %(minimum)s")
                    % {"day": _day(group.first_start), "taken": group.places_taken, "minimum": group.min_participants},
                )
                for group in groups[:MAX_LINES]
            ],
            url=minimum.list_url(),
            link_text=_("Naar deze groepen"),
        )


class OffersWaitingPanel(WorkPanel):
    name = "aanbiedingen"
    title = gettext_lazy("Plaatsen aangeboden, wacht op antwoord")
    permission = "booking.view_waitlistentry"
    order = 30

    def get_work(self):
        now = timezone.now()
        waiting = Offer.objects.filter(status=Offer.Status.OPEN, expires_at__gt=now)
        count = waiting.count()
        soonest = waiting.select_related("group__course", "group__location", "entry").order_by("expires_at", "pk")
        return Work(
            count=count,
            summary=ngettext(
                "plaats is aangeboden aan iemand op de wachtlijst die nog niet heeft geantwoord.",
                "plaatsen zijn aangeboden aan mensen op de wachtlijst die nog niet hebben geantwoord.",
                count,
            )
            if count
            else _("Geen aanbod dat op antwoord wacht."),
            lines=[
                WorkLine(
                    text=f"{offer.group.course.title}, {offer.group.location.town or offer.group.location.name}",
                    url=entry_url(offer.entry),
                    note=_("antwoord uiterlijk %(when)s")
                    % {"when": date_format(timezone.localtime(offer.expires_at), "j F H:i")},
                )
                for offer in soonest[:MAX_LINES]
            ],
            url=f"{reverse(f'{WAITLIST}:index')}?status={WaitlistEntry.Status.OFFERED}",
            link_text=_("Naar de wachtlijst"),
        )


class FailedEmailsPanel(WorkPanel):
    name = "emails"
    title = gettext_lazy("E-mails die niet verstuurd zijn")
    permission = outbox.VIEW_PERMISSION
    order = 40

    def get_work(self):
        failed = notifications.failed_emails()
        count = failed.count()
        return Work(
            count=count,
            summary=ngettext("e-mail kon niet worden verstuurd.", "e-mails konden niet worden verstuurd.", count)
            if count
            else _("Alle e-mails zijn verstuurd."),
            lines=[
                WorkLine(text=str(outbox.kind_label(email.kind)), note=_day(email.created_at))
                for email in failed.order_by("-created_at", "-pk")[:MAX_LINES]
            ],
            url=outbox.outbox_url(),
            link_text=_("Naar de mislukte e-mails"),
        )


class PaymentsToCheckPanel(WorkPanel):
    name = "betalingen"
    title = gettext_lazy("Betalingen om na te kijken")
    permission = "booking.change_payment"
    order = 50

    def get_work(self):
        started = (TrainingGroup.Status.RUNNING, TrainingGroup.Status.COMPLETED)
        checks = [
            (
                Refund.objects.filter(status=Refund.Status.FAILED).count(),
                _("terugbetaling mislukt"),
                _payments_url(refund="failed"),
            ),
            (
                Refund.objects.filter(status=Refund.Status.PENDING)
                .exclude(payment__provider=Payment.Provider.MOLLIE)
                .count(),
                _("terugbetaling nog over te maken"),
                _payments_url(refund="pending"),
            ),
            (
                Payment.objects.filter(status=Payment.Status.PAID, placement=Payment.Placement.LOST).count(),
                _("betaald, maar zonder plaats"),
                _payments_url(refund="lost"),
            ),
            (
                Payment.objects.filter(
                    provider=Payment.Provider.OFFLINE, status=Payment.Status.OPEN, group__status__in=started
                ).count(),
                _("nog niet betaald, groep is al begonnen"),
                _payments_url(provider__exact=Payment.Provider.OFFLINE, status__exact=Payment.Status.OPEN),
            ),
        ]
        count = sum(number for number, label, url in checks)
        return Work(
            count=count,
            summary=ngettext("betaling om na te kijken.", "betalingen om na te kijken.", count)
            if count
            else _("Geen betaling om na te kijken."),
            lines=[WorkLine(text=f"{number} × {label}", url=url) for number, label, url in checks if number],
            url=reverse("betalingen_modeladmin_index"),
            link_text=_("Naar de betalingen"),
        )
