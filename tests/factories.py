"""Factories for the whole suite. Page factories build the tree through their parents."""

import datetime
from decimal import Decimal

import factory
import wagtail_factories
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory
from wagtail.models import Page, Site

from accounts.models import ProfessionalProfile, User
from booking.models import Location
from courses.models import CourseIndexPage, CoursePage, Theme, Trainer
from home.models import HomePage, StandardPage
from resources.models import FactsheetPage, ProfessionalsIndexPage, ToolkitDocument, ToolkitPage

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def tree_root():
    return Page.get_first_root_node()


class HomePageFactory(wagtail_factories.PageFactory):
    title = "Groepswijzer"
    slug = "groepswijzer"  # Wagtail's own welcome page already has "home"
    intro = "Groepstrainingen bij u in de buurt. Samen met anderen sterker worden."
    professionals_text = "Verwijzen, factsheets en toolkits."
    parent = factory.LazyFunction(tree_root)

    class Meta:
        model = HomePage
        django_get_or_create = ("slug", "parent")
        skip_postgeneration_save = True

    @factory.post_generation
    def make_site_root(obj, create, extracted, **kwargs):
        if create:
            Site.objects.update_or_create(
                is_default_site=True, defaults={"root_page": obj, "hostname": "localhost", "port": 80}
            )


class CourseIndexPageFactory(wagtail_factories.PageFactory):
    title = "Trainingen"
    slug = "trainingen"
    parent = factory.SubFactory(HomePageFactory)

    class Meta:
        model = CourseIndexPage
        django_get_or_create = ("slug", "parent")


class ProfessionalsIndexPageFactory(wagtail_factories.PageFactory):
    title = "Voor professionals"
    slug = "voor-professionals"
    intro = "Alles voor verwijzers op één plek."
    parent = factory.SubFactory(HomePageFactory)

    class Meta:
        model = ProfessionalsIndexPage
        django_get_or_create = ("slug", "parent")


class StandardPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Pagina {n}")
    body = factory.LazyFunction(lambda: [("paragraph", "<p>Tekst van de pagina.</p>")])
    parent = factory.SubFactory(HomePageFactory)

    class Meta:
        model = StandardPage


class ThemeFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Thema {n}")

    class Meta:
        model = Theme
        django_get_or_create = ("name",)


class TrainerFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Trainer {n}")
    profession = "Psychosociaal therapeut"

    class Meta:
        model = Trainer


class LocationFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Gezondheidscentrum {n}")
    kind = Location.Kind.HEALTH_CENTRE
    address = "Dorpsstraat 1"
    postcode = "5611 AB"
    town = "Eindhoven"

    class Meta:
        model = Location

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        location = model_class(*args, **kwargs)
        location.full_clean()  # fills coordinates from the postcode, as the admin does
        location.save()
        return location


class CoursePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Training {n}")
    summary = "In vijf bijeenkomsten leert u beter omgaan met stress."
    complaints = "stress\npiekeren"
    learning_goals = "ontspannen\ngrenzen stellen"
    session_count = 5
    hours_per_session = Decimal("2.0")
    contribution = Decimal("35.00")
    suitable_for = "<p>Volwassenen met lichte klachten.</p>"
    not_suitable_for = "<p>Mensen in een crisis.</p>"
    alternative_advice = "<p>Praat met uw huisarts of POH-GGZ.</p>"
    parent = factory.SubFactory(CourseIndexPageFactory)

    class Meta:
        model = CoursePage
        skip_postgeneration_save = True

    @factory.post_generation
    def themes(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.themes.set(extracted)
            obj.save()

    @factory.post_generation
    def locations(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.locations.set(extracted)
            obj.save()


class DocumentFactory(wagtail_factories.DocumentFactory):
    title = factory.Sequence(lambda n: f"Document {n}")
    file = factory.LazyAttribute(
        lambda obj: ContentFile(MINIMAL_PDF, name=f"{obj.title.lower().replace(' ', '-')}.pdf")
    )
    collection = factory.LazyFunction(lambda: wagtail_factories.CollectionFactory._meta.model.get_first_root_node())


class FactsheetPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Factsheet {n}")
    topic = "Verwijzen"
    summary = "Wanneer past een groep?"
    last_reviewed = datetime.date(2026, 9, 1)
    body = factory.LazyFunction(lambda: [("paragraph", "<p>Uitleg voor verwijzers.</p>")])
    parent = factory.SubFactory(ProfessionalsIndexPageFactory)

    class Meta:
        model = FactsheetPage


class ToolkitPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Toolkit {n}")
    introduction = "Documenten voor de nieuwe POH-GGZ."
    parent = factory.SubFactory(ProfessionalsIndexPageFactory)

    class Meta:
        model = ToolkitPage


class ToolkitDocumentFactory(DjangoModelFactory):
    page = factory.SubFactory(ToolkitPageFactory)
    title = "Inwerkplan"
    description = "Een plan voor de eerste weken."
    document = factory.SubFactory(DocumentFactory)

    class Meta:
        model = ToolkitDocument


class UserFactory(DjangoModelFactory):
    email = factory.Sequence(lambda n: f"persoon{n}@example.nl")
    first_name = "Sanne"
    last_name = "de Vries"
    password = factory.PostGenerationMethodCall("set_password", "geheim-wachtwoord-123")

    class Meta:
        model = User
        skip_postgeneration_save = True

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


class ProfessionalProfileFactory(DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    organisation = "Zorggroep Zuidoost"
    role = ProfessionalProfile.Role.POH_GGZ
    practice = "Huisartsenpraktijk De Linde, Geldrop"

    class Meta:
        model = ProfessionalProfile
