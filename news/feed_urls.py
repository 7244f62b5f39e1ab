from django.urls import path

from .feeds import AtomNewsFeed, NewsFeed

app_name = "news"

urlpatterns = [
    path("rss/", NewsFeed(), name="rss"),
    path("atom/", AtomNewsFeed(), name="atom"),
]
