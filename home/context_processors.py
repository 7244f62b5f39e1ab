from wagtail.models import Site


def site_navigation(request):
    """Top-level menu pages, for the header and footer of every page."""
    site = Site.find_for_request(request)
    if site is None:
        return {"menu_pages": []}
    root = site.root_page
    return {
        "site_root": root,
        "menu_pages": root.get_children().live().public().in_menu().only("id", "title", "url_path", "path", "depth"),
    }
