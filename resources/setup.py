"""Bring the professional collection in place after every migrate (new installs and existing ones)."""

from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

from . import access
from .models import FactsheetPage, ToolkitDocument


def move_attached_documents(collection):
    """Documents that toolkits or professional-only factsheets already use move into the collection.

    For sites that attached documents before the collection existed; afterwards
    the pages only accept documents from the collection. Returns how many moved.
    """
    used = set(ToolkitDocument.objects.values_list("document_id", flat=True)) | set(
        FactsheetPage.objects.filter(audience=FactsheetPage.Audience.PROFESSIONALS, pdf__isnull=False).values_list(
            "pdf_id", flat=True
        )
    )
    moved = 0
    for document in get_document_model().objects.filter(Q(pk__in=used)).select_related("collection"):
        if not access.is_professional_document(document):
            document.collection = collection
            document.save(update_fields=["collection"])
            moved += 1
    return moved


def _tables_exist(using):
    """False while a partial migration (or one back to zero) has left tables missing."""
    models = (Group, Collection, CollectionViewRestriction, get_document_model(), ToolkitDocument, FactsheetPage)
    return {model._meta.db_table for model in models} <= set(connections[using].introspection.table_names())


def protect_professional_documents(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate receiver, connected for the resources app only."""
    if using != DEFAULT_DB_ALIAS or not _tables_exist(using):
        return
    collection = access.ensure_professional_collection()
    if collection is not None:
        move_attached_documents(collection)
