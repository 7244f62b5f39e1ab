from groepswijzer import routing

from .languages import localized


def site_navigation(request):
    """The pages right under the home page, for the header and footer of every page.

    An English visitor gets the English version of each page that an editor translated.
    """
    site = routing.site_for(request)
    if site is None:
        return {"site_pages": []}
    root = site.root_page
    return {
        "site_root": root,
        # Only looked up when a page shows the menu and it is not in the fragment cache (called by the template).
        "site_pages": lambda: localized(root.get_children().live().public()),
    }
