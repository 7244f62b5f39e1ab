"""Paying online with Mollie (iDEAL and the other methods the Mollie profile has switched on).

Two parts:

* `MollieGateway` speaks to Mollie through its Python client, and turns its
  answers into small plain objects with our own statuses. Every error of the
  client becomes `Unreachable` (no answer, or an answer we cannot read) or
  `Refused` (Mollie said no), so the services never see the client's types.
* `MollieProvider` is the choice at the payment step: it starts the payment
  and sends the participant to Mollie's checkout.

Settings (environment): MOLLIE_API_KEY (test_… or live_…), MOLLIE_PROFILE_ID
(only with an organisation access token), MOLLIE_API_ENDPOINT (tests only).
"""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.payments import online
from booking.payments.gateway import configured_gateway, is_configured
from booking.payments.providers import PaymentProvider, providers_for, register
from booking.services import errors, links

# --- URLs -----------------------------------------------------------------------------------------


def webhook_url():
    return links.absolute(reverse("payments:webhook"))


# --- the provider at the payment step ------------------------------------------------------------


@register
class MollieProvider(PaymentProvider):
    name = "mollie"
    label = _("Nu online betalen")
    description = _(
        "U betaalt meteen met iDEAL of een andere manier die uw bank kent. "
        "Zodra de betaling binnen is, is uw aanmelding definitief."
    )
    confirmation_note = _(
        "U heeft de eigen bijdrage online betaald. Het betaalbewijs is een PDF-bestand bij de e-mail met de "
        "bevestiging."
    )

    def is_available(self, course):
        return is_configured()

    def start(self, request, enrollments):
        return start_checkout(request, enrollments)


def start_checkout(request, enrollments):
    """Start paying online and send the participant to Mollie; or say kindly that it does not work right now."""

    mollie = configured_gateway()
    if mollie is None:
        return render_unavailable(request, enrollments)
    try:
        payment = online.start_online_payment(
            enrollments,
            gateway=mollie,
            redirect_url_for=lambda payment: request.build_absolute_uri(links.payment_return_path(payment)),
            webhook_url=webhook_url(),
        )
    except errors.ProviderUnavailable as error:
        return render_unavailable(request, enrollments, message=error.message)
    if payment.status == payment.Status.OPEN and payment.checkout_url:
        return redirect(payment.checkout_url)
    return redirect(links.payment_return_path(payment))


def render_unavailable(request, enrollments, message=None):
    """Mollie could not be reached: the hold stays, everything typed stays, and trying again is one click."""
    group = enrollments[0].group
    hold_until = min((e.hold_expires_at for e in enrollments if e.hold_expires_at), default=None)
    providers = list(_other_providers(group.course))
    return render(
        request,
        "booking/payments/unavailable.html",
        {
            "message": message or errors.ProviderUnavailable.default_message,
            "group": group,
            "course": group.course,
            "hold_until": timezone.localtime(hold_until) if hold_until else None,
            "retry_url": reverse("signup:payment", kwargs={"group_id": group.pk}),
            "other_providers": providers,
        },
        status=503,
    )


def _other_providers(course):

    return [provider for provider in providers_for(course) if provider.name != MollieProvider.name]
