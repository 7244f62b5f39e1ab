"""News pages and the newsletter: subscribers per list and the mailings editors compose."""

from .newsletter import Mailing, MailingItem, Subscriber, SubscriberList
from .pages import NewsIndexPage, NewsPage

__all__ = ["Mailing", "MailingItem", "NewsIndexPage", "NewsPage", "Subscriber", "SubscriberList"]
