from wagtail import hooks

from . import access


@hooks.register("before_serve_document")
def protect_professional_documents(document, request):
    """Every document download passes here, including direct /documents/… URLs."""
    if access.is_professional_document(document):
        return access.deny_response(request, document)
    return None
