from wagtail.models import Site

from .languages import localized


def site_navigation(request):
    """The pages right under the home page, for the header and footer of every page.

    An English visitor gets the English version of each page that an editor translated.
    """
    site = Site.find_for_request(request)
    if site is None:
        return {"menu_pages": []}
    root = site.root_page
    return {
        "site_root": root,
        # Only looked up when a page shows the menu (called by the template).
        "site_pages": lambda: localized(root.get_children().live().public()),
        "menu_pages": root.get_children().live().public().in_menu().only("id", "title", "url_path", "path", "depth"),
    }
