"""Find trainings for the course index: filter, then order by the nearest group with a place."""

import copy
import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from booking.models import TrainingGroup
from booking.services import availability
from groepswijzer import page_cache

from .catalogue import Audience, Delivery, Theme

# Beyond this the region's groups are too far to travel to every week: the
# finder says so and points to the online groups.
FAR_KM = 50


@dataclass
class CourseResult:
    course: object  # a CoursePage
    nearest: availability.NearestGroup | None = None  # the nearest (or soonest) group with a place at a location
    online: availability.NearestGroup | None = None  # the soonest online group with a place

    @property
    def distance_km(self):
        return self.nearest.distance_km if self.nearest else None

    @property
    def has_place(self):
        return self.nearest is not None or self.online is not None


@dataclass
class CourseSearch:
    results: list = field(default_factory=list)
    area: object = None  # geo.PostcodeArea for the postcode, when given
    filtered: bool = False
    total: int = 0
    far: bool = False  # a postcode given, and no group with a place within FAR_KM
    far_km: int = FAR_KM
    postcode: str = ""  # the postcode the distances are from, for links to the course pages


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


def for_age(age):
    """Courses whose audience includes someone of `age` and whose minimum age they have reached."""
    return Q(audience__in=Audience.fitting(age), min_age__lte=age)


def _order(result, *, by_distance, age_given):
    far = float("inf")
    return (
        # Without an age, trainings for all adults before those for one age group.
        not age_given and result.course.audience != Audience.ADULTS,
        by_distance and not result.has_place,
        by_distance and result.nearest is None,
        result.distance_km if by_distance and result.nearest else far,
        result.course.title,
    )


# Not kept with the trainings the finder lists: the body (a StreamField, parsed when read; no card shows it).
_NOT_KEPT = ("body",)


def _theme_rows(courses):
    """Per course of `courses` (in order), the stored values of its themes, in the order prefetching reads them."""
    prefetch_related_objects(courses, "themes")
    names = [field.attname for field in Theme._meta.concrete_fields]
    return tuple(
        tuple(tuple(getattr(theme, name) for name in names) for theme in course.themes.all()) for course in courses
    )


class _KeptThemes(QuerySet):
    """A course's themes as prefetched, built from their kept rows only when something reads them.

    The cards show the themes inside a fragment, so on most requests nothing reads them at all.
    """

    rows = ()

    def _fetch_all(self):
        if self._result_cache is None:
            names = [field.attname for field in Theme._meta.concrete_fields]
            self._result_cache = [Theme.from_db(self.db, names, row) for row in self.rows]
            self._prefetch_done = True
        super()._fetch_all()


def _with_themes(courses, theme_rows):
    """Give each course its themes from `_theme_rows`, as ``prefetch_related_objects`` would (new objects, built
    when read)."""
    for course, rows in zip(courses, theme_rows, strict=True):
        themes = _KeptThemes(model=Theme)
        themes.rows = rows
        course._prefetched_objects_cache = {"themes": themes}


def _listed(courses, key):
    """The trainings of the queryset `courses()` gives, as a list, their themes prefetched, read once per process and
    content generation for `key` (what the trainings are, and which ones match filters on what they are, only
    changes with the content; the queryset is not even built while they are kept); rebuilt as new objects for every
    request (shallow copies of the objects read then, which are never handed out: a copy is cheaper than building a
    page object from its row). `key` None: read now."""
    if key is None:
        listed = list(courses().defer(*_NOT_KEPT))
        prefetch_related_objects(listed, "themes")
        return listed

    def read():
        listed = list(courses().defer(*_NOT_KEPT))
        return tuple(copy.copy(course) for course in listed), _theme_rows(listed)

    originals, theme_rows = page_cache.per_content(key, read)
    listed = [copy.copy(course) for course in originals]
    _with_themes(listed, theme_rows)
    return listed


def find_courses(courses, form, now=None, *, key=None):
    """The trainings of `courses` (live course pages) that match the valid parts of ``form``.

    Invalid fields are ignored (the form shows their errors), so a typo in the
    postcode never hides the whole catalogue. Each training shows its group
    with a place (``TrainingGroup.objects.bookable``): with a known postcode
    the nearest, ordered nearest first, online groups after those in reach;
    without one the soonest. Distances are to where those groups meet, not to
    every location a course names.

    `courses`: a queryset, or a function that returns one (then built only when the trainings are read, not while
    this process keeps them). `key`: names `courses` for this process's memory per content generation (`_listed`);
    the filters on places and start dates are never answered from it.
    """
    now = now or timezone.now()
    data = {}
    if form.is_bound:
        form.is_valid()
        data = {name: value for name, value in form.cleaned_data.items() if name not in form.errors}

    given = courses

    def everything():
        return (given() if callable(given) else given).order_by("title")

    def matching():
        found = everything()
        if data.get("theme"):
            found = found.filter(themes=data["theme"])
        if data.get("audience"):
            found = found.filter(audience=data["audience"])
        if data.get("age"):
            found = found.filter(for_age(data["age"]))
        if data.get("delivery"):
            found = found.filter(delivery=data["delivery"])
        if data.get("couples"):
            found = found.filter(couples_welcome=True)
        if data.get("free_places") or data.get("starts_within"):
            wanted = courses_with_groups(
                free_places=bool(data.get("free_places")), weeks=data.get("starts_within"), now=now
            )
            found = found.filter(pk__in=wanted)
        return found

    content_key = None
    if key is not None and not (data.get("free_places") or data.get("starts_within")):
        # Places and dates change without the content: a search on them is never kept.
        content_key = (
            "finder",
            key,
            *(str(getattr(data.get(name), "pk", data.get(name))) for name in ("theme", "audience", "age", "delivery")),
            bool(data.get("couples")),
        )

    area = data.get("area") if "postcode" not in form.errors else None
    max_km = int(data["distance"]) if data.get("distance") and area else None

    filtered_query = any(
        data.get(name) for name in ("theme", "audience", "age", "delivery", "couples", "free_places", "starts_within")
    )
    courses = _listed(matching, content_key)
    # All trainings, whatever the filters: counted apart only when filters may have left some out.
    if not filtered_query:
        total = len(courses)
    elif key is not None:
        total = page_cache.per_content(("finder-total", key), lambda: everything().count())
    else:
        total = everything().count()
    nearest, online = availability.nearest_bookable(
        [course.pk for course in courses],
        area,
        max_km=max_km,
        online_only=[course.pk for course in courses if course.delivery == Delivery.ONLINE],
        now=now,
    )
    results = []
    for course in courses:
        result = CourseResult(course=course, nearest=nearest.get(course.pk), online=online.get(course.pk))
        beyond_reach = result.nearest is None and result.online is None and course.delivery != Delivery.ONLINE
        if max_km is not None and beyond_reach:
            continue
        results.append(result)
    results.sort(key=lambda result: _order(result, by_distance=area is not None, age_given=bool(data.get("age"))))

    far = False
    if area is not None and (max_km is None or max_km >= FAR_KM):
        far = not any(result.nearest and result.distance_km <= FAR_KM for result in results)
    filtered = any(
        data.get(name)
        for name in (
            "theme",
            "audience",
            "age",
            "delivery",
            "couples",
            "distance",
            "postcode",
            "free_places",
            "starts_within",
        )
    )
    postcode = str(data["postcode"]) if area is not None else ""
    return CourseSearch(results=results, area=area, filtered=filtered, total=total, far=far, postcode=postcode)
