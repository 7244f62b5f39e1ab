"""Who may open professional content, and what everyone else sees instead.

One rule: professional content is for verified professionals and staff
(``accounts.services.can_see_professional_content``). It covers

- professional-only factsheets (the page checks it when served, and the site
  search leaves them out for everyone else);
- documents in the "Voor professionals" collection, or in a collection below it.
  That collection carries Wagtail's own view restriction for the same groups, so
  a document is private from the moment it is uploaded there: also while it is
  attached only in a draft, or not attached at all. Toolkits and professional
  factsheets only accept documents from there.

Anonymous visitors go to the login; a logged-in person without access gets a
page that explains how to get it.
"""

from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.template.response import TemplateResponse
from wagtail.models import Collection, CollectionViewRestriction

from accounts import roles
from accounts.models import ProfessionalProfile
from accounts.services import can_see_professional_content

PROFESSIONAL_COLLECTION = "Voor professionals"
# The groups the collection's view restriction lets in: the same people as can_see_professional_content.
ADMITTED_ROLES = (roles.PROFESSIONALS, *roles.STAFF_ROLES)


def can_open_professional_content(user):
    return can_see_professional_content(user)


def is_professional_document(document):
    """A document is professional when its collection, or one above it, is restricted to professionals."""
    # The collection is read afresh: adding a sibling can move a collection in the tree (they are
    # kept in name order), which leaves an object loaded earlier with an outdated place.
    collection = Collection.objects.get(pk=document.collection_id)
    return (
        collection.get_view_restrictions()
        .filter(restriction_type=CollectionViewRestriction.GROUPS, groups__name=roles.PROFESSIONALS)
        .exists()
    )


@transaction.atomic
def ensure_professional_collection():
    """The "Voor professionals" collection with its view restriction; None while there is no root collection.

    Safe to run any number of times: it creates what is missing and puts the
    admitted groups back on the restriction, and changes nothing else.
    """
    root = Collection.get_first_root_node()
    if root is None:
        return None
    collection = root.get_children().filter(name=PROFESSIONAL_COLLECTION).first()
    if collection is None:
        collection = root.add_child(name=PROFESSIONAL_COLLECTION)
    restriction = CollectionViewRestriction.objects.filter(
        collection=collection, restriction_type=CollectionViewRestriction.GROUPS
    ).first()
    if restriction is None:
        restriction = CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.GROUPS
        )
    restriction.groups.add(*[Group.objects.get_or_create(name=name)[0] for name in ADMITTED_ROLES])
    return collection


def deny_response(request, obj=None):
    """None when the user may see professional content, else the response to send."""
    if can_open_professional_content(request.user):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    profile = ProfessionalProfile.objects.filter(user=request.user).first()
    return TemplateResponse(
        request,
        "resources/access_needed.html",
        {"profile": profile, "requested_object": obj},
        status=403,
    )
