"""Editors make training day pages in Wagtail; bad input gets a Dutch message at the field, and nothing is lost."""

from django.test import override_settings
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from events.models import TrainingDayPage
from tests import factories
from tests.events.conftest import make_index


def day_data(**changes):
    values = {
        "title": "Slaapproblemen in de huisartsenpraktijk",
        "slug": "slaapproblemen",
        "kind": "scholing",
        "summary": "Een middag over slaapproblemen.",
        "date": "2027-03-04",
        "start_time": "13:30",
        "end_time": "17:00",
        "location": "",
        "online_link": "",
        "speakers": inline_formset([{"name": "Drs. Marleen Kools", "about": "GZ-psycholoog"}]),
        "capacity": 24,
        "price": "0",
        "accreditation": "3 punten ADV/V&VN",
        "body": streamfield([("paragraph", rich_text("<p>Programma.</p>"))]),
        **changes,
    }
    return nested_form_data(values)


@override_settings(GROEPSWIJZER_STAFF_MFA_REQUIRED=False)
class TrainingDayEditingTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        professionals = factories.ProfessionalsIndexPageFactory(parent=factories.HomePageFactory())
        cls.index = make_index(professionals)
        cls.location = factories.LocationFactory(name="Gezondheidscentrum De Kastanje")

    def setUp(self):
        self.login()

    def add(self, data):
        data["action-publish"] = "1"
        return self.client.post(f"/admin/pages/add/events/trainingdaypage/{self.index.pk}/", data)

    def test_an_editor_publishes_a_training_day_at_a_location(self):
        self.assertCanCreate(self.index, TrainingDayPage, day_data(location=self.location.pk))

        day = TrainingDayPage.objects.get(slug="slaapproblemen")
        self.assertEqual(day.location, self.location)
        self.assertEqual([speaker.name for speaker in day.speakers.all()], ["Drs. Marleen Kools"])

    def test_a_day_needs_a_place_or_an_online_link_and_an_end_after_its_start(self):
        response = self.add(day_data(start_time="17:00", end_time="13:30"))

        self.assertEqual(response.status_code, 200)
        self.assertFalse(TrainingDayPage.objects.exists())
        self.assertContains(response, "Kies een locatie, of vul een link in voor online meedoen.")
        self.assertContains(response, "De eindtijd moet na de begintijd liggen.")
        # What was typed is still there.
        self.assertContains(response, "Slaapproblemen in de huisartsenpraktijk")
        self.assertContains(response, "3 punten ADV/V&amp;VN")

    def test_an_online_day_needs_no_location(self):
        self.assertCanCreate(self.index, TrainingDayPage, day_data(online_link="https://meet.example.nl/scholing"))
