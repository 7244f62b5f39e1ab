"""News on other pages: the latest items (home page, professionals' page), the feed links, links in emails."""

from django import template
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from booking.services import links

from ..models import NewsIndexPage, NewsPage, SubscriberList
from ..services import subscriptions

register = template.Library()


@register.inclusion_tag("news/includes/latest_news.html", takes_context=True)
def latest_news(context, professionals=False):
    """The newest three items and the way to the rest; professional news only on the professionals' page."""
    request = context.get("request")
    user = getattr(request, "user", None) or AnonymousUser()
    newsletter = SubscriberList.PROFESSIONALS if professionals else SubscriberList.PATIENTS
    return {
        "news_items": NewsPage.latest(user, professional_page=professionals),
        "news_index": NewsIndexPage.objects.live().public().first(),
        "signup_url": subscriptions.signup_path(newsletter),
        "professionals": professionals,
    }


@register.inclusion_tag("news/includes/feed_links.html")
def news_feed_links():
    """``<link rel="alternate">`` for the feeds of public news, in the head of a page."""
    return {"feeds": feeds()}


def feeds():
    return [
        {"title": _("Nieuws van Groepswijzer (RSS)"), "type": "application/rss+xml", "url": reverse("news:rss")},
        {"title": _("Nieuws van Groepswijzer (Atom)"), "type": "application/atom+xml", "url": reverse("news:atom")},
    ]


@register.simple_tag
def news_feeds():
    return feeds()


@register.filter
def absolute_url(page):
    """A page's full address, for emails."""
    return links.page_url(page)
