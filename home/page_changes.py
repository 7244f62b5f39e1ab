"""Content that every public page may show changed: tell the page cache, after the commit.

Every page shows the menu (the live pages of the site); pages show images, themes, trainers and
the organisation's settings. So any save or delete of a page (publishing, unpublishing, moving,
a scheduled publish), of a page's privacy, of a site or a locale, of an image or a document, of
the organisation settings, or of any row of the content apps (home, courses, resources: snippets
and the rows that belong to pages) makes every stored page stale. Editors save rarely; a wider
net than needed costs a few misses, a narrower one would show an old page.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.documents.models import AbstractDocument
from wagtail.images.models import AbstractImage
from wagtail.models import Locale, Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from groepswijzer import page_cache

CONTENT_APPS = frozenset({"home", "courses", "resources"})
CONTENT_MODELS = (Page, PageViewRestriction, Site, Locale, AbstractImage, AbstractDocument)


def content_changed():
    if page_cache.tracking():
        transaction.on_commit(partial(page_cache.bump, page_cache.CONTENT))


def _is_content(sender):
    return sender._meta.app_label in CONTENT_APPS or issubclass(sender, CONTENT_MODELS)


@receiver(post_save)
@receiver(post_delete)
def _saved_or_deleted(sender, **kwargs):
    if _is_content(sender):
        content_changed()


@receiver(m2m_changed)
def _links_changed(sender, action, model, instance, **kwargs):
    if action.startswith("post_") and (_is_content(type(instance)) or _is_content(model)):
        content_changed()


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
def _page_changed(sender, **kwargs):
    content_changed()
