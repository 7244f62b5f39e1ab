"""RSS and Atom feeds of the public news (Django's syndication framework). Professional news is never in them."""

import datetime

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import NewsIndexPage, NewsPage

ITEMS = 20


class NewsFeed(Feed):
    title = _("Nieuws van Groepswijzer")
    description = _("Nieuws over de groepstrainingen in de regio.")

    def get_object(self, request, *args, **kwargs):
        # The request, so links are made for the site it came to (the feed object is shared by all requests).
        return request

    def link(self, request):
        index = NewsIndexPage.objects.live().public().first()
        return index.get_url(request) if index is not None else "/"

    def items(self, request):
        return NewsPage.public_originals()[:ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url  # the framework adds the site's address when the link has none

    def item_pubdate(self, item):
        # The date the editor gave the item, at the start of that day here.
        return timezone.make_aware(datetime.datetime.combine(item.date, datetime.time.min))

    def item_updateddate(self, item):
        # Atom needs one for every entry.
        return item.last_published_at or self.item_pubdate(item)


class AtomNewsFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description
