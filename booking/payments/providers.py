"""Ways to pay the own contribution (eigen bijdrage): one provider per way, chosen at the payment step.

A provider is an object with

* ``name``: a short code, stored nowhere but in the form and the email's parameters;
* ``label`` and ``description``: Dutch text for the choice at the payment step;
* ``confirmation_note``: one Dutch sentence for the confirmation email (how the payment goes);
* ``is_available(course)``: whether this way can be chosen for the course;
* ``start(request, enrollments)``: called with the held enrollments of one sign-up (one party);
  returns the HttpResponse that follows, for example a redirect to the confirmation page or to a
  payment page elsewhere.

A provider that confirms the places calls ``services.places.confirm_party`` (then the confirmation
emails go out). A refusal from the services (``HoldExpired`` when the hold ran out and the place is
gone) may be raised from ``start``; the payment step shows it with the alternatives.

Register a provider with the ``register`` decorator in a module that ``booking/payments/__init__.py`` imports.
"""

from booking.models.fields import offered_names

PROVIDERS = {}


class PaymentProvider:
    name = ""
    label = ""
    description = ""
    confirmation_note = ""

    def is_available(self, course):
        return True

    def start(self, request, enrollments):
        raise NotImplementedError


def register(provider_class):
    """Class decorator: make one instance of the provider and offer it from now on."""
    provider = provider_class()
    if not provider.name:
        raise ValueError(f"{provider_class.__name__} needs a name.")
    PROVIDERS[provider.name] = provider
    return provider_class


def providers_for(course):
    """The providers someone can choose for this course, online payment first.

    Only the ways the course offers (its `payment_providers`) that can be used
    now; when none of those can (online payment without a Mollie key), paying
    at the first session is offered, so nobody is ever stuck.
    """

    offered = offered_names(course)
    found = [PROVIDERS[name] for name in offered if name in PROVIDERS and PROVIDERS[name].is_available(course)]
    if not found and "offline" in PROVIDERS:
        found = [PROVIDERS["offline"]]
    return found


def get_provider(name):
    """The provider registered as `name`; LookupError when there is none."""
    try:
        return PROVIDERS[name]
    except KeyError:
        raise LookupError(f"No payment provider {name!r}") from None
