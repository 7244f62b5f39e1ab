from django import template

from home.languages import switch_choices

register = template.Library()


@register.inclusion_tag("includes/language_switch.html", takes_context=True)
def language_switch(context):
    """The switch to the other language, leading back to this page (its translation when there is one)."""
    request = context.get("request")
    if request is None:
        return {"choices": []}
    return {"choices": switch_choices(request, context.get("page")), "request": request}
