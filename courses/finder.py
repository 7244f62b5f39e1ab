"""Find trainings for the course index: filter, then order by distance when a postcode is given."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from booking.models import TrainingGroup


@dataclass
class CourseResult:
    course: object  # a CoursePage
    nearest: object = None  # booking.Location
    distance_km: float | None = None
    online: bool = False


@dataclass
class CourseSearch:
    results: list = field(default_factory=list)
    area: object = None  # geo.PostcodeArea for the postcode, when given
    filtered: bool = False
    total: int = 0


def courses_with_groups(*, free_places=False, weeks=None, now=None):
    """Ids of courses that have a group matching both filters, as a subquery (one query with the courses).

    `free_places`: a group someone can sign up for now (open, deadline and
    first session ahead, no registration stop) with a place left.
    `weeks`: a group, open or planned, whose first session starts within that
    many weeks. Given both, one and the same group must meet both.
    """
    now = now or timezone.now()
    if free_places:
        groups = TrainingGroup.objects.bookable(now)
    else:
        groups = TrainingGroup.objects.with_first_start().filter(
            status__in=[TrainingGroup.Status.OPEN, TrainingGroup.Status.PLANNED], first_start__gt=now
        )
    if weeks:
        groups = groups.filter(first_start__gt=now, first_start__lte=now + datetime.timedelta(weeks=weeks))
    return groups.order_by().values("course_id")


def find_courses(courses, form):
    """The trainings of `courses` (live course pages) that match the valid parts of ``form``.

    Invalid fields are ignored (the form shows their errors), so a typo in the
    postcode never hides the whole catalogue. With a known postcode, each
    training shows its nearest location and trainings are ordered nearest
    first; online-only trainings come after those with a location in reach.
    """
    courses = courses.prefetch_related("themes", "locations").order_by("title")
    total = courses.count()
    data = {}
    if form.is_bound:
        form.is_valid()
        data = {name: value for name, value in form.cleaned_data.items() if name not in form.errors}
    if data.get("theme"):
        courses = courses.filter(themes=data["theme"])
    if data.get("audience"):
        courses = courses.filter(audience=data["audience"])
    if data.get("delivery"):
        courses = courses.filter(delivery=data["delivery"])
    if data.get("couples"):
        courses = courses.filter(couples_welcome=True)
    if data.get("free_places") or data.get("starts_within"):
        wanted = courses_with_groups(free_places=bool(data.get("free_places")), weeks=data.get("starts_within"))
        courses = courses.filter(pk__in=wanted)

    area = data.get("area") if "postcode" not in form.errors else None
    max_km = int(data["distance"]) if data.get("distance") and area else None

    results = []
    for course in courses:
        result = CourseResult(course=course)
        locations = list(course.locations.all())
        result.online = any(loc.is_online for loc in locations)
        if area:
            measured = [(loc.distance_to(area), loc) for loc in locations if loc.distance_to(area) is not None]
            if measured:
                result.distance_km, result.nearest = min(measured, key=lambda pair: pair[0])
        if max_km is not None and not result.online and (result.distance_km is None or result.distance_km > max_km):
            continue
        results.append(result)

    if area:
        far = float("inf")
        results.sort(key=lambda r: (r.distance_km if r.distance_km is not None else far, r.course.title))
    filtered = any(
        data.get(name)
        for name in ("theme", "audience", "delivery", "couples", "distance", "postcode", "free_places", "starts_within")
    )
    return CourseSearch(results=results, area=area, filtered=filtered, total=total)
