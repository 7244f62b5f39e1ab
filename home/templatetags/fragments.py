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


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, vary):
        self.nodelist = nodelist
        self.name = name
        self.vary = vary

    def render(self, context):
        name = self.name.resolve(context)
        vary = [expression.resolve(context) for expression in self.vary]
        return page_cache.fragment(context.get("request"), name, lambda: self.nodelist.render(context), vary=vary)


@register.tag("fragment")
def do_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} needs a name.")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]])


class KeptNode(template.Node):
    def __init__(self, nodelist, name, vary):
        self.nodelist = nodelist
        self.name = name
        self.vary = vary

    def render(self, context):
        name = self.name.resolve(context)
        vary = [expression.resolve(context) for expression in self.vary]
        return page_cache.kept(context.get("request"), name, lambda: self.nodelist.render(context), vary=vary)


@register.tag("kept")
def do_kept(parser, token):
    """``{% kept "name" value … %} … {% endkept %}``: HTML that shows only the content and the values named, kept
    whole by this process (``page_cache.kept``). Every value the HTML shows besides the content must be named."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% kept %} needs a name.")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]])


@register.simple_tag(takes_context=True)
def kept_pageurl(context, page):
    """``{% pageurl page %}``, kept per content generation: for links outside fragments, such as a card's title."""
    return routing.page_url(context.get("request"), page)
