"""``{% fragment %}``: a part of a page that is the same for every visitor, kept in the page cache's store.

    {% load fragments %}
    {% fragment "course-card" course.pk %} … {% endfragment %}

The first argument names the fragment; the others are everything its HTML depends on besides the
content (site, scheme and language are always part of it). It is kept under the content's
generation (``groepswijzer.page_cache.fragment``): a publish, or any saved page, snippet, image or
setting, makes it stale at once. Never put in a fragment what depends on the visitor, the time or
places: the user, a form with a CSRF token, a count of places.
"""

from django import template

from groepswijzer import page_cache, routing

register = template.Library()


class KeptHtmlNode(template.Node):
    """A block of a template whose HTML is kept by `keep` (a ``page_cache`` function) under a name and values."""

    def __init__(self, keep, nodelist, name, vary):
        self.keep = keep
        self.nodelist = nodelist
        self.name = name
        self.vary = vary

    def render(self, context):
        name = self.name.resolve(context)
        vary = [expression.resolve(context) for expression in self.vary]
        return self.keep(context.get("request"), name, lambda: self.nodelist.render(context), vary=vary)


def _kept_html_tag(parser, token, keep):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{{% {bits[0]} %}} needs a name.")
    nodelist = parser.parse((f"end{bits[0]}",))
    parser.delete_first_token()
    return KeptHtmlNode(
        keep, nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]]
    )


@register.tag("fragment")
def do_fragment(parser, token):
    return _kept_html_tag(parser, token, page_cache.fragment)


@register.tag("kept")
def do_kept(parser, token):
    """``{% kept "name" value … %} … {% endkept %}``: HTML that shows only the content and the values named, kept
    whole by this process (``page_cache.kept``). Every value the HTML shows besides the content must be named."""
    return _kept_html_tag(parser, token, page_cache.kept)


@register.simple_tag(takes_context=True)
def kept_pageurl(context, page):
    """``{% pageurl page %}``, kept per content generation: for links outside fragments, such as a card's title."""
    return routing.page_url(context.get("request"), page)
