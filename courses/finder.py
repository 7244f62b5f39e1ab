"""Find trainings for the course index: filter, then order by distance when a postcode is given."""

from dataclasses import dataclass, field

from .models import CoursePage


@dataclass
class CourseResult:
    course: CoursePage
    nearest: object = None  # booking.Location
    distance_km: float | None = None
    online: bool = False


@dataclass
class CourseSearch:
    results: list = field(default_factory=list)
    place: object = None  # geo.Place for the postcode, when given
    filtered: bool = False
    total: int = 0


def find_courses(index_page, form):
    """Trainings under ``index_page`` that match the valid parts of ``form``.

    Invalid fields are ignored (the form shows their errors), so a typo in the
    postcode never hides the whole catalogue. With a known postcode, each
    training shows its nearest location and trainings are ordered nearest
    first; online-only trainings come after those with a location in reach.
    """
    courses = (
        CoursePage.objects.child_of(index_page)
        .live()
        .public()
        .specific()
        .prefetch_related("themes", "locations")
        .order_by("title")
    )
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

    place = data.get("place") if "postcode" not in form.errors else None
    max_km = int(data["distance"]) if data.get("distance") and place else None

    results = []
    for course in courses:
        result = CourseResult(course=course)
        locations = list(course.locations.all())
        result.online = any(loc.is_online for loc in locations)
        if place:
            measured = [(loc.distance_to(place), loc) for loc in locations if loc.distance_to(place) is not None]
            if measured:
                result.distance_km, result.nearest = min(measured, key=lambda pair: pair[0])
        if max_km is not None and not result.online and (result.distance_km is None or result.distance_km > max_km):
            continue
        results.append(result)

    if place:
        far = float("inf")
        results.sort(key=lambda r: (r.distance_km if r.distance_km is not None else far, r.course.title))
    filtered = any(data.get(name) for name in ("theme", "audience", "delivery", "couples", "distance", "postcode"))
    return CourseSearch(results=results, place=place, filtered=filtered, total=total)
