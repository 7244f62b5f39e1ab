"""Builds the demo region. Safe to run again: what exists is found by its slug or name and left alone.

A page is published once, when it is created, so a second run adds no
revisions. Everything happens in one transaction: a run that fails halfway
leaves nothing behind (apart from PDF files already written to storage).
"""

from collections import Counter

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management.base import CommandError
from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page, Site
from wagtail.utils.file import hash_filelike

from accounts.permissions import ensure_role_groups
from booking.models import Location
from carepath.demo import ensure_care_path_demo
from courses.models import CourseIndexPage, CoursePage, Theme, Trainer
from events.demo import ensure_training_days_demo
from home.languages import originals
from home.models import HomePage, HomePageFeaturedCourse, OrganisationSettings, StandardPage
from news.demo import ensure_news_demo
from news.models import NewsPage
from resources.access import ensure_professional_collection
from resources.models import FactsheetPage, ProfessionalsIndexPage, ToolkitDocument, ToolkitPage

from . import courses, documents, english, groups, pages, region, users

HOME_SLUG = "home"
# PDFs of factsheets for everyone; all other demo PDFs go to the private "Voor professionals" collection.
PUBLIC_DOCUMENTS_COLLECTION = "Voor iedereen"


class Tally:
    """Counts what a run created, so the command can tell a first run from a repeat."""

    def __init__(self):
        self.counts = Counter()

    def add(self, what, number=1):
        self.counts[what] += number

    @property
    def changed(self):
        return bool(self.counts)


@transaction.atomic
def build_demo():
    """Create whatever part of the demo region is missing; returns a Tally of what was created."""
    tally = Tally()
    ensure_role_groups()
    users_by_email = users.ensure_demo_accounts(tally)
    editor = users_by_email[users.EDITOR.email]

    ensure_organisation(tally)
    themes = ensure_themes(tally)
    trainers = ensure_trainers(tally)
    link_trainer_account(trainers["marieke"], users_by_email[users.TRAINER.email], tally)
    locations = ensure_locations(tally)
    demo_documents = ensure_documents(tally, editor)

    home, home_is_new = ensure_home(tally)
    course_index = ensure_page(
        home,
        pages.COURSE_INDEX["slug"],
        lambda: CourseIndexPage(
            title=pages.COURSE_INDEX["title"], intro=pages.COURSE_INDEX["intro"], show_in_menus=True
        ),
        tally,
        editor,
    )
    course_pages = ensure_courses(course_index, themes, trainers, locations, tally, editor)
    professionals_index = ensure_page(
        home,
        pages.PROFESSIONALS_INDEX["slug"],
        lambda: ProfessionalsIndexPage(
            title=pages.PROFESSIONALS_INDEX["title"],
            intro=pages.PROFESSIONALS_INDEX["intro"],
            body=pages.PROFESSIONALS_INDEX["body"],
            show_in_menus=True,
        ),
        tally,
        editor,
    )
    ensure_factsheets(professionals_index, demo_documents, tally, editor)
    ensure_toolkits(professionals_index, demo_documents, tally, editor)
    ensure_training_days_demo(
        professionals_index=professionals_index,
        locations=locations,
        professional=users_by_email[users.PROFESSIONAL.email],
        coordinator=users_by_email[users.COORDINATOR.email],
        editor=editor,
        tally=tally,
    )
    ensure_standard_pages(home, tally, editor)
    ensure_news_demo(home, ensure_page=ensure_page, tally=tally, user=editor)
    planned = groups.ensure_groups(course_pages, locations, trainers, tally)
    # The care path builds on newly planned groups: practices, referrals, a completed group with answers.
    ensure_care_path_demo(
        groups=planned,
        course_pages=course_pages,
        locations=locations,
        trainer=trainers["marieke"],
        professional=users_by_email[users.PROFESSIONAL.email],
        coordinator=users_by_email[users.COORDINATOR.email],
        tally=tally,
    )

    if home_is_new:
        # The home page links to pages below it, so it is published last, once.
        home.professionals_page = professionals_index
        home.featured_courses = [
            HomePageFeaturedCourse(course=course_pages[slug], sort_order=order)
            for order, slug in enumerate(courses.FEATURED)
            if slug in course_pages
        ]
        home.body = pages.home_body(course_index)
        home.save_revision(user=editor).publish(user=editor)
    english.ensure_english(home, course_index, course_pages, tally, editor)
    return tally


# Reference data -------------------------------------------------------------------------------------


def ensure_organisation(tally):
    """Fill the organisation settings, but only fields still empty or at their default."""
    settings = OrganisationSettings.load()
    changed = []
    for name, value in region.ORGANISATION.items():
        current = getattr(settings, name)
        default = OrganisationSettings._meta.get_field(name).get_default()
        if current in ("", None, default) and current != value:
            setattr(settings, name, value)
            changed.append(name)
    if changed:
        settings.save(update_fields=changed)
        tally.add("organisation settings")
    return settings


def ensure_themes(tally):
    themes = {}
    for name, description in region.THEMES:
        theme = Theme.objects.filter(name=name).first()
        if theme is None:
            theme = Theme.objects.create(name=name, description=description)
            tally.add("themes")
        themes[theme.slug] = theme
    return themes


def ensure_trainers(tally):
    trainers = {}
    for key, data in region.TRAINERS.items():
        trainer = Trainer.objects.filter(name=data["name"]).first()
        if trainer is None:
            trainer = Trainer.objects.create(**data)
            tally.add("trainers")
        trainers[key] = trainer
    return trainers


def link_trainer_account(trainer, user, tally):
    """The demo trainer logs in as one of the trainers; never move an account already linked elsewhere."""
    if trainer.user_id is None and not Trainer.objects.filter(user=user).exists():
        trainer.user = user
        trainer.save(update_fields=["user"])
        tally.add("trainer accounts linked")


def ensure_locations(tally):
    """Locations are validated like in the admin, so their coordinates come from the postcode."""
    locations = {}
    for key, data in region.LOCATIONS.items():
        location = Location.objects.filter(name=data["name"], town=data["town"]).first()
        if location is None:
            location = Location(**data)
            location.full_clean()
            location.save()
            tally.add("locations")
        locations[key] = location
    return locations


def ensure_documents(tally, uploaded_by):
    """The demo PDFs: toolkit documents and professional factsheets in the private "Voor professionals"
    collection (private from upload on), PDFs of public factsheets in a public one. A PDF is only
    rendered when its document is missing."""
    Document = get_document_model()
    root = Collection.get_first_root_node()
    public = root.get_children().filter(name=PUBLIC_DOCUMENTS_COLLECTION).first()
    if public is None:
        public = root.add_child(name=PUBLIC_DOCUMENTS_COLLECTION)
        tally.add("collections")
    private = ensure_professional_collection()
    public_keys = {sheet["pdf"] for sheet in pages.FACTSHEETS if sheet["pdf"] and sheet["audience"] == "everyone"}
    found = {}
    for key, spec in documents.DOCUMENTS.items():
        collection = public if key in public_keys else private
        document = Document.objects.filter(collection__in=[public, private], title=spec["title"]).first()
        if document is not None and document.collection_id != collection.pk:
            document.collection = collection  # an older demo kept every PDF in one collection
            document.save(update_fields=["collection"])
            tally.add("documents moved")
        if document is None:
            content = ContentFile(documents.render_pdf(spec))
            document = Document(
                title=spec["title"],
                collection=collection,
                uploaded_by_user=uploaded_by,
                file_size=content.size,
                file_hash=hash_filelike(content),
            )
            document.file.save(f"{key}.pdf", content, save=False)
            document.save()
            tally.add("documents")
        found[key] = document
    return found


# Pages ----------------------------------------------------------------------------------------------


def ensure_page(parent, slug, make_page, tally, user):
    """The child of ``parent`` with this slug; created and published once when it is missing."""
    page, created = _ensure_child(parent, slug, make_page, tally)
    if created:
        page.save_revision(user=user).publish(user=user)
    return page


def _ensure_child(parent, slug, make_page, tally):
    """Like ensure_page, but leaves publishing a new page to the caller. Returns (page, created now)."""
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        return existing.specific, False
    page = make_page()
    page.slug = slug
    parent.add_child(instance=page)
    tally.add("pages")
    return page, True


def ensure_home(tally):
    """The site's home page, replacing Wagtail's welcome page. Returns (page, created now)."""
    root = Page.get_first_root_node()
    home = HomePage.objects.child_of(root).filter(slug=HOME_SLUG).first() or HomePage.objects.first()
    if home is not None:
        if not Site.objects.filter(root_page=home).exists():
            _make_default_site(home, tally)
        return home, False

    welcome = _welcome_page(root)
    if welcome is not None:
        # Free the slug "home": the welcome page goes as soon as the site no longer needs it.
        Page.objects.filter(pk=welcome.pk).update(slug=f"welkom-{welcome.pk}")
    home = HomePage(
        title=pages.HOME["title"],
        slug=HOME_SLUG,
        seo_title=pages.HOME["seo_title"],
        intro=pages.HOME["intro"],
        professionals_text=pages.HOME["professionals_text"],
    )
    root.add_child(instance=home)
    tally.add("pages")
    _make_default_site(home, tally)
    if welcome is not None:
        welcome.delete()
        tally.add("welcome page removed")
    return home, True


def _welcome_page(root):
    """Wagtail's own 'Welcome to your new Wagtail site!' page, if it is still there."""
    welcome = (
        Page.objects.child_of(root).filter(slug=HOME_SLUG, content_type=ContentType.objects.get_for_model(Page)).first()
    )
    if welcome is not None and welcome.numchild:
        raise CommandError(
            f"De pagina '{welcome.title}' (slug '{HOME_SLUG}') heeft subpagina's. Verplaats of verwijder die eerst.\n"
            f"The page '{welcome.title}' (slug '{HOME_SLUG}') has child pages; move or delete them first."
        )
    return welcome


def _make_default_site(home, tally):
    """Serve ``home`` on the default site, at localhost:80."""
    site = (
        Site.objects.filter(is_default_site=True).first() or Site.objects.filter(hostname="localhost", port=80).first()
    )
    wanted = {"hostname": "localhost", "port": 80, "is_default_site": True, "root_page_id": home.pk}
    if site is None:
        Site.objects.create(site_name="Groepswijzer", **wanted)
        tally.add("sites")
    elif any(getattr(site, name) != value for name, value in wanted.items()):
        for name, value in wanted.items():
            setattr(site, name, value)
        site.save()
        tally.add("sites updated")


def ensure_courses(course_index, themes, trainers, locations, tally, user):
    """Course pages by slug, in the order of the course data.

    New pages get their follow-up course once all of them exist, and are then
    published: one revision each, whatever order they are listed in.
    """
    found, new_pages = {}, []
    for data in courses.COURSES:
        fields = dict(data)
        slug = fields.pop("slug")
        theme_slugs = fields.pop("themes")
        trainer_keys = fields.pop("trainers")
        location_keys = fields.pop("locations")
        follow_up = fields.pop("follow_up")

        def make_page(fields=fields, theme_slugs=theme_slugs, trainer_keys=trainer_keys, location_keys=location_keys):
            page = CoursePage(**fields)
            page.themes = [themes[theme_slug] for theme_slug in theme_slugs]
            page.trainers = [trainers[key] for key in trainer_keys]
            page.locations = [locations[key] for key in location_keys]
            groups.add_questions(page)
            return page

        found[slug], created = _ensure_child(course_index, slug, make_page, tally)
        if created:
            new_pages.append((found[slug], follow_up))
    for page, follow_up in new_pages:
        page.follow_up_course = found.get(follow_up) if follow_up else None
        page.save_revision(user=user).publish(user=user)
    return found


def ensure_factsheets(professionals_index, demo_documents, tally, user):
    for data in pages.FACTSHEETS:
        fields = dict(data)
        slug = fields.pop("slug")
        pdf = fields.pop("pdf")
        ensure_page(
            professionals_index,
            slug,
            lambda fields=fields, pdf=pdf: FactsheetPage(**fields, pdf=demo_documents[pdf] if pdf else None),
            tally,
            user,
        )


def ensure_toolkits(professionals_index, demo_documents, tally, user):
    for data in pages.TOOLKITS:
        fields = dict(data)
        slug = fields.pop("slug")
        keys = fields.pop("documents")

        def make_page(fields=fields, keys=keys):
            page = ToolkitPage(**fields)
            page.documents = [
                ToolkitDocument(
                    title=documents.DOCUMENTS[key]["title"],
                    description=documents.DOCUMENTS[key]["description"],
                    document=demo_documents[key],
                    sort_order=order,
                )
                for order, key in enumerate(keys)
            ]
            return page

        ensure_page(professionals_index, slug, make_page, tally, user)


def ensure_standard_pages(home, tally, user):
    for data in pages.STANDARD_PAGES:
        fields = dict(data)
        slug = fields.pop("slug")
        ensure_page(home, slug, lambda fields=fields: StandardPage(**fields, show_in_menus=True), tally, user)


def demo_counts():
    """What the demo region holds now, for the summary."""
    return {
        "pages": Page.objects.filter(depth__gt=1).count(),
        "courses": originals(CoursePage.objects.all()).count(),
        "news": NewsPage.objects.count(),
        "locations": Location.objects.count(),
        "documents": get_document_model().objects.count(),
    }
