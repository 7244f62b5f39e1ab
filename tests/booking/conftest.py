import pytest

from tests.booking.factories import TrainingGroupFactory
from tests.factories import CoursePageFactory, LocationFactory, TrainerFactory


@pytest.fixture
def course(db):
    return CoursePageFactory(title="Mentaal Fit", couples_welcome=True, group_min=5, group_max=10)


@pytest.fixture
def location(db):
    return LocationFactory(name="Gezondheidscentrum De Linde", town="Eindhoven")


@pytest.fixture
def group(course, location):
    """An open group of 10 places, no sessions planned yet."""
    return TrainingGroupFactory(course=course, location=location)


@pytest.fixture
def trainer(db):
    return TrainerFactory(name="Anouk Bakker")
