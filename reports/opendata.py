"""Open data: the trainings, locations and groups as the API gives them, shaped on HSDS 3.0.

Only what the public pages already show: no participant, no trainer account,
no payment. Each list is fetched in a fixed number of queries, whatever the
page size (the tests count them). Identifiers are UUIDs derived from our own
keys (`uuid5`), so they stay the same across requests and installs of one database.

Our extension to HSDS (documented in the OpenAPI schema): fields whose name
starts with `x_`: places left, the next start, the registration stop and the
expected wait (the waiting list's own estimate, `waitlist.estimate`), and on
schedules the group's sessions, capacity and status.
"""

import uuid
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils import timezone

from booking.models import Location, Session, TrainingGroup
from booking.waitlist.estimate import counted_groups
from courses.models import CoursePage
from home.languages import originals
from home.organisation import OrganisationSettings

from . import overview

NAMESPACE = uuid.UUID("7d0f5f7e-4b52-4c61-9a57-6e0d2b1c8a10")
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50


def hsds_id(kind, pk):
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{pk}"))


@dataclass
class Page:
    items: list
    total: int
    number: int
    size: int

    @property
    def total_pages(self):
        return max(1, -(-self.total // self.size))


def paginate(queryset, number, size):
    """One COUNT and one slice; `number` starts at 1, `size` is kept within 1..MAX_PAGE_SIZE."""
    size = min(max(int(size), 1), MAX_PAGE_SIZE)
    number = max(int(number), 1)
    total = queryset.count()
    start = (number - 1) * size
    return Page(items=list(queryset[start : start + size]), total=total, number=number, size=size)


def organization(site=None):
    settings = OrganisationSettings.load(request_or_site=site)
    return {
        "id": hsds_id("organization", settings.pk or 1),
        "name": settings.name,
        "description": settings.region,
        "email": settings.email,
        "website": None,
    }


def courses():
    return originals(CoursePage.objects.live().public()).order_by("title", "pk")


def service_row(course, organization_id, waiting):
    return {
        "id": hsds_id("service", course.pk),
        "organization_id": organization_id,
        "name": course.title,
        "description": course.summary,
        "url": course.full_url,
        "status": "active",
        "fees_description": f"Eigen bijdrage: EUR {course.contribution}" if course.contribution else "",
        "x_sessions": course.session_count,
        "x_waiting": waiting.get(course.pk, 0),
    }


def services(number=1, size=DEFAULT_PAGE_SIZE, site=None):
    page = paginate(courses(), number, size)
    org = organization(site)["id"]
    waiting = overview.waiting_per_course([course.pk for course in page.items])
    page.items = [service_row(course, org, waiting) for course in page.items]
    return page


def location_row(location):
    physical = not location.is_online
    return {
        "id": hsds_id("location", location.pk),
        "location_type": "physical" if physical else "virtual",
        "name": location.name,
        "description": location.accessibility_notes,
        "latitude": location.latitude if physical else None,
        "longitude": location.longitude if physical else None,
        "addresses": (
            [
                {
                    "address_1": location.address,
                    "city": location.town,
                    "postal_code": location.postcode,
                    "country": "NL",
                    "address_type": "physical",
                }
            ]
            if physical
            else []
        ),
    }


def locations(number=1, size=DEFAULT_PAGE_SIZE):
    page = paginate(Location.objects.order_by("pk"), number, size)
    page.items = [location_row(location) for location in page.items]
    return page


def course_locations():
    """The pairs (training, location) that the trainings name: HSDS's service_at_location.

    The training's title comes along as `course_title`: the pages themselves are not needed here.
    """
    through = CoursePage.locations.through
    return (
        through.objects.filter(coursepage__live=True)
        .select_related("location")
        .annotate(course_title=F("coursepage__title"))
        .order_by("pk")
    )


@dataclass(frozen=True)
class Ref:
    """Just the key of a training: what `overview.stop_for` reads of it."""

    pk: int


def service_at_locations(number=1, size=DEFAULT_PAGE_SIZE, now=None):
    """Each pair with our extension: next start, places left, sign-up deadline, stop and expected wait.

    The queries: the count and the page, the waiting counts, the upcoming groups
    of the page's locations, the stops, and the groups the estimate counts on
    at the page's locations: the same number for any page size.
    """
    now = now or timezone.now()
    page = paginate(course_locations(), number, size)
    course_ids = sorted({pair.coursepage_id for pair in page.items})
    pairs = {(pair.coursepage_id, pair.location_id) for pair in page.items}
    waiting = overview.waiting_per_course(course_ids)
    upcoming = {}
    for group in overview.only_pairs(overview.upcoming_groups(now, course_ids), pairs):
        upcoming.setdefault((group.course_id, group.location_id), []).append(group)
    counted = {}
    for group in overview.only_pairs(counted_groups(now), pairs):
        counted.setdefault((group.course_id, group.location_id), []).append(group)
    active = overview.active_stops(now)
    rows = []
    for pair in page.items:
        key = (pair.coursepage_id, pair.location_id)
        row = overview.offer_row(pair.location, upcoming.get(key, []))
        row.stop = overview.stop_for(active, Ref(pair.coursepage_id), pair.location)
        row.wait = overview.wait_here(
            row, pair.coursepage_id, pair.location_id, waiting.get(pair.coursepage_id, 0), counted.get(key, []), now
        )
        rows.append(
            {
                "id": hsds_id("service_at_location", pair.pk),
                "service_id": hsds_id("service", pair.coursepage_id),
                "location_id": hsds_id("location", pair.location_id),
                "description": f"{pair.course_title}, {pair.location}",
                "x_next_start": row.next_start,
                "x_places_left": row.places_left,
                "x_signup_until": row.signup_until,
                "x_registration_stop": row.stop.message if row.stop else None,
                "x_expected_wait_weeks": row.wait.weeks,
            }
        )
    page.items = rows
    return page


FREQUENCY = {"weekly": 1, "biweekly": 2, "every_3_weeks": 3, "every_4_weeks": 4}
PUBLISHED_STATUSES = [
    TrainingGroup.Status.OPEN,
    TrainingGroup.Status.PLANNED,
    TrainingGroup.Status.CLOSED,
    TrainingGroup.Status.RUNNING,
]


def groups():
    """Groups that are coming or running, of live trainings, with their training's title and frequency."""
    return (
        TrainingGroup.objects.filter(status__in=PUBLISHED_STATUSES, course__live=True)
        .with_places_left(timezone.now())
        .annotate(course_title=F("course__title"), course_frequency=F("course__frequency"))
        .order_by("pk")
    )


def scheduled_sessions(group_ids):
    """{group id: [(start, end), …]}: the scheduled sessions of these groups, in order; one query of plain rows."""
    found = {}
    rows = (
        Session.objects.filter(group_id__in=group_ids, status=Session.Status.SCHEDULED)
        .order_by("start", "pk")
        .values_list("group_id", "start", "end")
    )
    for group_id, start, end in rows:
        found.setdefault(group_id, []).append((start, end))
    return found


def schedule_row(group, pair_ids, sessions):
    first = sessions[0] if sessions else None
    last = sessions[-1] if sessions else None
    pair = pair_ids.get((group.course_id, group.location_id))
    return {
        "id": hsds_id("schedule", group.pk),
        "service_id": hsds_id("service", group.course_id),
        "service_at_location_id": hsds_id("service_at_location", pair) if pair else None,
        "valid_from": first[0].date() if first else None,
        "valid_to": last[1].date() if last else None,
        "dtstart": first[0] if first else None,
        "until": last[1] if last else None,
        "freq": "WEEKLY",
        "interval": FREQUENCY.get(group.course_frequency, 1),
        "count": len(sessions),
        "description": str(group.course_title),
        "x_location_id": hsds_id("location", group.location_id),
        "x_status": group.status,
        "x_capacity": group.capacity,
        "x_places_left": group.places_left,
        "x_signup_deadline": group.signup_deadline,
        "x_sessions": [{"start": start, "end": end} for start, end in sessions],
    }


def schedules(number=1, size=DEFAULT_PAGE_SIZE):
    page = paginate(groups(), number, size)
    keys = {(group.course_id, group.location_id) for group in page.items}
    through = CoursePage.locations.through
    pairs = through.objects.filter(
        Q(coursepage_id__in={c for c, _l in keys}) & Q(location_id__in={loc for _c, loc in keys})
    ).values_list("coursepage_id", "location_id", "pk")
    pair_ids = {(course, location): pk for course, location, pk in pairs}
    sessions = scheduled_sessions([group.pk for group in page.items])
    page.items = [schedule_row(group, pair_ids, sessions.get(group.pk, [])) for group in page.items]
    return page
