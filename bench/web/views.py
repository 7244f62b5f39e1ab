"""A plain Django view: no database, no template engine. Pages are measured against it, through the same middleware."""

from django.http import HttpResponse

BODY = (
    "<!doctype html><html lang=nl><head><meta charset=utf-8><title>Gewoon</title></head>"
    "<body><p>Een gewone Django-pagina, zonder database en zonder sjabloon.</p></body></html>"
)


def plain(request):
    return HttpResponse(BODY)
