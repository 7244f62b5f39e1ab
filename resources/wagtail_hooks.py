from wagtail import hooks

from . import access
from .models import FactsheetPage, ToolkitDocument


def is_professional_document(document):
    """A document is professional when a toolkit or a professional-only factsheet uses it."""
    return (
        ToolkitDocument.objects.filter(document=document).exists()
        or FactsheetPage.objects.filter(pdf=document, audience=FactsheetPage.Audience.PROFESSIONALS).exists()
    )


@hooks.register("before_serve_document")
def protect_professional_documents(document, request):
    """Every document download passes here, including direct /documents/… URLs."""
    if is_professional_document(document):
        return access.deny_response(request, document)
    return None
