"""Editing a training: the form in tabs in the order an editor thinks, and a delivery mode that fits the locations."""

from django.test import override_settings
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from courses.models import CoursePage
from tests import factories


def course_data(title, delivery):
    return nested_form_data(
        {
            "title": title,
            "slug": title.lower().replace(" ", "-"),
            "summary": "Een training in een groep.",
            "complaints": "slecht slapen",
            "learning_goals": "beter slapen",
            "audience": "adults",
            "min_age": 18,
            "session_count": 4,
            "hours_per_session": "1.5",
            "frequency": "weekly",
            "group_min": 5,
            "group_max": 10,
            "delivery": delivery,
            "contribution": "35.00",
            "cancellation_days": 7,
            "suitability_questions": inline_formset([]),
            "suitable_for": rich_text("<p>Volwassenen.</p>"),
            "not_suitable_for": rich_text("<p>Mensen in een crisis.</p>"),
            "alternative_advice": rich_text("<p>Praat met uw POH-GGZ.</p>"),
            "body": streamfield([]),
            "action-publish": "1",
        }
    )


@override_settings(GROEPSWIJZER_STAFF_MFA_REQUIRED=False)
class CourseEditingTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = factories.HomePageFactory()
        cls.course_index = factories.CourseIndexPageFactory(parent=cls.home)
        cls.theme = factories.ThemeFactory(name="Slaap")
        cls.online = factories.LocationFactory(name="Online", kind="online", address="", postcode="", town="")
        cls.helmond = factories.LocationFactory(name="HAP De Braak", postcode="5701 AA", town="Helmond")

    def setUp(self):
        self.login()

    def post(self, title, delivery, locations):
        data = course_data(title, delivery)
        data["themes"] = [self.theme.pk]
        data["locations"] = [location.pk for location in locations]
        data["payment_providers"] = ["offline"]
        return self.client.post(f"/admin/pages/add/courses/coursepage/{self.course_index.pk}/", data)

    def test_the_form_comes_in_tabs_in_the_order_an_editor_thinks(self):
        html = self.client.get(f"/admin/pages/add/courses/coursepage/{self.course_index.pk}/").content.decode()
        tabs = ["De training", "Voor wie en opzet", "Waar en hoe", "Aanmelden en betalen", "Publiceren"]
        positions = [html.index(f">{tab}<") if f">{tab}<" in html else html.index(tab) for tab in tabs]
        self.assertEqual(positions, sorted(positions))

    def test_an_online_only_training_cannot_be_published_as_on_location(self):
        response = self.post("Beter slapen", "in_person", [self.online])
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Deze training heeft een online locatie.")
        self.assertFalse(CoursePage.objects.filter(title="Beter slapen").exists())

    def test_online_with_a_place_to_go_is_refused_and_names_the_place(self):
        response = self.post("Slapen", "online", [self.online, self.helmond])
        self.assertContains(response, "Bij &#x27;Online&#x27; horen alleen online locaties.")
        self.assertContains(response, "HAP De Braak, Helmond")

    def test_a_delivery_that_fits_its_locations_is_published(self):
        self.assertEqual(self.post("Online slapen", "online", [self.online]).status_code, 302)
        self.assertEqual(self.post("Slapen in Helmond", "in_person", [self.helmond]).status_code, 302)
        self.assertEqual(self.post("Half online", "blended", [self.online, self.helmond]).status_code, 302)
        self.assertEqual(CoursePage.objects.get(title="Online slapen").get_delivery_display(), "Online")
