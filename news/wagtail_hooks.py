"""The newsletter in the Wagtail admin: the "Nieuwsbrief" menu (mailings, subscribers) and the send screen."""

from wagtail import hooks

from . import admin


@hooks.register("register_admin_viewset")
def register_newsletter_menu():
    return admin.NewsletterMenu()


@hooks.register("register_admin_urls")
def newsletter_admin_urls():
    return admin.admin_urls()
