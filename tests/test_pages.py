"""Editors can build the site's page tree, and every page type renders."""

from django.test import override_settings
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from courses.models import CourseIndexPage, CoursePage
from events.models import TrainingDayIndexPage, TrainingDayPage
from home.models import HomePage, StandardPage
from resources.models import FactsheetPage, ProfessionalsIndexPage, ToolkitPage
from tests import factories


@override_settings(GROEPSWIJZER_STAFF_MFA_REQUIRED=False)
class PageTreeTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = factories.HomePageFactory()
        cls.course_index = factories.CourseIndexPageFactory(parent=cls.home)
        cls.professionals = factories.ProfessionalsIndexPageFactory(parent=cls.home)
        cls.theme = factories.ThemeFactory(name="Stress")
        cls.location = factories.LocationFactory()

    def setUp(self):
        self.login()

    def test_the_tree_only_allows_pages_where_they_belong(self):
        self.assertAllowedSubpageTypes(HomePage, {CourseIndexPage, ProfessionalsIndexPage, StandardPage})
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})
        self.assertAllowedSubpageTypes(ProfessionalsIndexPage, {FactsheetPage, ToolkitPage, TrainingDayIndexPage})
        self.assertAllowedSubpageTypes(TrainingDayIndexPage, {TrainingDayPage})
        self.assertAllowedSubpageTypes(TrainingDayPage, set())
        self.assertAllowedSubpageTypes(CoursePage, set())
        self.assertCanNotCreateAt(Page, CoursePage)
        self.assertCanNotCreateAt(HomePage, FactsheetPage)

    def test_editor_creates_a_course_page_with_all_facts(self):
        data = nested_form_data(
            {
                "title": "Mentaal Fit",
                "summary": "Leer ontspannen en grenzen stellen.",
                "complaints": "stress\npiekeren",
                "learning_goals": "ontspannen",
                "audience": "adults",
                "min_age": 18,
                "session_count": 5,
                "hours_per_session": "2.0",
                "frequency": "weekly",
                "group_min": 5,
                "group_max": 10,
                "delivery": "in_person",
                "contribution": "35.00",
                "cancellation_days": 7,
                "suitability_questions": inline_formset(
                    [{"question": "Bent u 18 jaar of ouder?", "fitting_answer": "yes", "advice": "Vraag uw huisarts."}]
                ),
                "suitable_for": rich_text("<p>Volwassenen met lichte klachten.</p>"),
                "not_suitable_for": rich_text("<p>Mensen in een crisis.</p>"),
                "alternative_advice": rich_text("<p>Praat met uw POH-GGZ.</p>"),
                "body": streamfield(
                    [("quote", {"text": "Fijn om te merken dat ik niet alleen ben.", "attribution": ""})]
                ),
            }
        )
        # Many-to-many fields post one value per choice, outside the nested naming.
        data["themes"] = [self.theme.pk]
        data["locations"] = [self.location.pk]
        data["payment_providers"] = ["offline"]
        self.assertCanCreate(self.course_index, CoursePage, data)
        course = CoursePage.objects.get(title="Mentaal Fit")
        self.assertEqual(list(course.themes.all()), [self.theme])
        self.assertEqual(list(course.locations.all()), [self.location])
        self.assertEqual(course.suitability_questions.get().question, "Bent u 18 jaar of ouder?")

    def test_a_course_page_without_its_facts_cannot_be_published(self):
        response = self.client.post(
            f"/admin/pages/add/courses/coursepage/{self.course_index.pk}/",
            nested_form_data(
                {"title": "Halve training", "slug": "halve-training", "action-publish": "1", "body": streamfield([])}
            ),
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(CoursePage.objects.filter(slug="halve-training").exists())
        self.assertContains(response, "De pagina kon niet aangemaakt worden vanwege validatiefouten")
        self.assertContains(response, "Dit is een verplicht veld")

    def test_editor_creates_factsheet_and_toolkit(self):
        document = factories.ProfessionalDocumentFactory()
        self.assertCanCreate(
            self.professionals,
            FactsheetPage,
            nested_form_data(
                {
                    "title": "Verwijzen naar een groep",
                    "topic": "Verwijzen",
                    "audience": "professionals",
                    "summary": "Zo verwijst u.",
                    "last_reviewed": "2026-09-01",
                    "body": streamfield([("paragraph", rich_text("<p>Tekst.</p>"))]),
                    "pdf": document.pk,
                }
            ),
        )
        self.assertCanCreate(
            self.professionals,
            ToolkitPage,
            nested_form_data(
                {
                    "title": "Toolkit nieuwe POH-GGZ",
                    "introduction": "Voor wie net begint.",
                    "documents": inline_formset(
                        [{"title": "Inwerkplan", "description": "De eerste weken.", "document": document.pk}], min=1
                    ),
                    "body": streamfield([]),
                }
            ),
        )

    def test_every_page_type_renders(self):
        course = factories.CoursePageFactory(parent=self.course_index, themes=[self.theme], locations=[self.location])
        pages = [
            self.home,
            self.course_index,
            course,
            self.professionals,
            factories.StandardPageFactory(parent=self.home),
            factories.FactsheetPageFactory(parent=self.professionals),
            factories.ToolkitDocumentFactory(page=factories.ToolkitPageFactory(parent=self.professionals)).page,
        ]
        for page in pages:
            with self.subTest(page=type(page).__name__):
                self.assertPageIsRenderable(page)
                # The editor opens (StreamFields are drawn by JavaScript, so no round-trip POST here).
                self.assertEqual(self.client.get(f"/admin/pages/{page.pk}/edit/").status_code, 200)


class CoursePageContentTests(WagtailPageTestCase):
    def test_course_page_shows_the_facts_people_look_for(self):
        location = factories.LocationFactory(name="Gezondheidscentrum Woensel", town="Eindhoven")
        trainer = factories.TrainerFactory(name="Marieke van den Heuvel")
        course = factories.CoursePageFactory(
            title="Mindfulness",
            session_count=8,
            hours_per_session="2.5",
            couples_welcome=True,
            has_homework=True,
            locations=[location],
        )
        course.trainers.set([trainer])
        course.save()
        response = self.client.get(course.url)
        self.assertContains(response, "Mindfulness")
        for fact in [
            "8 keer 2,5 uur",
            "Samen 20 uur",
            "35,00",
            "Marieke van den Heuvel",
            "Gezondheidscentrum Woensel",
            "huiswerk",
            "Koppels",
        ]:
            self.assertContains(response, fact)


@override_settings(GROEPSWIJZER_STAFF_MFA_REQUIRED=False)
class ProfessionalDocumentRuleTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = factories.HomePageFactory()
        cls.professionals = factories.ProfessionalsIndexPageFactory(parent=cls.home)

    def setUp(self):
        self.login()

    def test_a_toolkit_draft_with_a_public_document_is_refused_at_the_field(self):
        public_document = factories.DocumentFactory(title="Folder voor iedereen")
        data = nested_form_data(
            {
                "title": "Toolkit werkgever",
                "slug": "toolkit-werkgever",
                "introduction": "Voor de huisarts als werkgever.",
                "documents": inline_formset(
                    [{"title": "Folder", "description": "Voor iedereen.", "document": public_document.pk}], min=1
                ),
                "body": streamfield([]),
            }
        )
        response = self.client.post(f"/admin/pages/add/resources/toolkitpage/{self.professionals.pk}/", data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "collectie ‘Voor professionals’")
        self.assertFalse(ToolkitPage.objects.filter(slug="toolkit-werkgever").exists())
