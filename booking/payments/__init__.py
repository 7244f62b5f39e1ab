"""The own contribution (eigen bijdrage): ways to pay, the payment lifecycle, refunds, the webhook and the admin.

Importing the package registers the payment providers (see ``providers``).
"""

from . import exempt, mollie, offline, transfer  # noqa: F401  (each registers its provider)
