import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def home(db):
    from tests.factories import HomePageFactory

    return HomePageFactory()


@pytest.fixture
def course_index(home):
    from tests.factories import CourseIndexPageFactory

    return CourseIndexPageFactory(parent=home)


@pytest.fixture
def professionals_index(home):
    from tests.factories import ProfessionalsIndexPageFactory

    return ProfessionalsIndexPageFactory(parent=home)
