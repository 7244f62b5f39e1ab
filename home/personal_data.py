"""Personal data in home: none, only the organisation's own contact details (see privacy.registry)."""

from django.utils.translation import gettext_lazy as _

from privacy.registry import holds_none

from .organisation import OrganisationSettings

holds_none(OrganisationSettings, why=_("De contactgegevens van de organisatie zelf, in de voet van elke pagina."))
