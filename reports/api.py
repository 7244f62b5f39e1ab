"""The open data API, /api/v1/: read-only JSON shaped on the Open Referral HSDS 3.0, documented by OpenAPI.

django-ninja builds the schema from the types below (`/api/v1/openapi.json`,
readable at `/api/v1/docs`). Every answer carries an ETag (a hash of its
body: an unchanged answer is a 304 to whoever asks again with If-None-Match),
`Cache-Control: public, max-age=60`, and `Access-Control-Allow-Origin: *`:
other portals may read it from a browser. The data comes from `opendata`.
"""

import datetime
import functools
import hashlib

from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from ninja import Field, NinjaAPI, Query, Schema
from ninja.decorators import decorate_view

from . import opendata

MAX_AGE = 60

api = NinjaAPI(
    title="Groepswijzer open data",
    version="1.0.0",
    urls_namespace="api-v1",
    description=(
        "Het aanbod van groepstrainingen in de regio: trainingen, locaties, groepen en wachttijden. "
        "De vorm volgt de Human Services Data Specification (HSDS 3.0) van Open Referral: organization, "
        "service, location, service_at_location en schedule. Velden die met `x_` beginnen zijn onze uitbreiding: "
        "vrije plaatsen, aanmeldstops en de verwachte wachttijd. Er staan geen persoonsgegevens in."
    ),
)


def open_and_cached(view):
    """ETag, Cache-Control and CORS on every answer; If-None-Match gets a 304 when nothing changed."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
            response["ETag"] = etag
            patch_cache_control(response, public=True, max_age=MAX_AGE)
            patch_vary_headers(response, ["Accept"])
            conditional = get_conditional_response(request, etag=etag, response=response)
            if conditional is not response:
                response = conditional
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        return response

    return wrapped


# --- the HSDS shapes ---------------------------------------------------------------------------------


class Organization(Schema):
    id: str
    name: str
    description: str = ""
    email: str = ""
    website: str | None = None


class Address(Schema):
    address_1: str
    city: str
    postal_code: str
    country: str = Field(description="ISO 3166-1 alpha-2")
    address_type: str


class Service(Schema):
    id: str
    organization_id: str
    name: str
    description: str
    url: str | None
    status: str
    fees_description: str
    x_sessions: int = Field(description="Uitbreiding: het aantal bijeenkomsten van de training.")
    x_waiting: int = Field(
        description="Uitbreiding: hoeveel mensen nu op de wachtlijst staan (een aantal, geen namen)."
    )


class LocationOut(Schema):
    id: str
    location_type: str = Field(description="physical of virtual (online)")
    name: str
    description: str
    latitude: float | None
    longitude: float | None
    addresses: list[Address]


class ServiceAtLocation(Schema):
    id: str
    service_id: str
    location_id: str
    description: str
    x_next_start: datetime.datetime | None = Field(
        description="Uitbreiding: de eerste bijeenkomst van de volgende groep hier (open of gepland)."
    )
    x_places_left: int = Field(description="Uitbreiding: vrije plaatsen in groepen hier waarvoor aanmelden nu kan.")
    x_signup_until: datetime.datetime | None = Field(
        description="Uitbreiding: tot wanneer aanmelden kan voor de eerstvolgende groep met plaats."
    )
    x_registration_stop: str | None = Field(description="Uitbreiding: de aanmeldstop die hier geldt, met de uitleg.")
    x_expected_wait_weeks: int | None = Field(
        description=(
            "Uitbreiding: de verwachte wachttijd in weken tot de eerste bijeenkomst. Is hier nu plaats, dan is dat "
            "de tijd tot de eerste groep met plaats. Anders voor iemand die zich nu op de wachtlijst zet voor deze "
            "locatie: iedereen die al wacht gaat voor; vrije plaatsen in open groepen en alle plaatsen in geplande "
            "groepen tellen mee, in volgorde van de eerste bijeenkomst. Leeg: nog niet te zeggen."
        )
    )


class SessionTime(Schema):
    start: datetime.datetime
    end: datetime.datetime


class ScheduleOut(Schema):
    id: str
    service_id: str
    service_at_location_id: str | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    dtstart: datetime.datetime | None
    until: datetime.datetime | None
    freq: str
    interval: int
    count: int
    description: str
    x_location_id: str = Field(description="Uitbreiding: de locatie van deze groep.")
    x_status: str = Field(description="Uitbreiding: planned, open, closed of running.")
    x_capacity: int = Field(description="Uitbreiding: het aantal plaatsen in de groep.")
    x_places_left: int = Field(description="Uitbreiding: plaatsen die nu nog vrij zijn.")
    x_signup_deadline: datetime.datetime | None = Field(description="Uitbreiding: aanmelden kan tot dit moment.")
    x_sessions: list[SessionTime] = Field(description="Uitbreiding: de bijeenkomsten van de groep.")


class PageOut(Schema):
    """HSDS 3.0's page of results."""

    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool


class ServicePage(PageOut):
    contents: list[Service]


class LocationPage(PageOut):
    contents: list[LocationOut]


class ServiceAtLocationPage(PageOut):
    contents: list[ServiceAtLocation]


class SchedulePage(PageOut):
    contents: list[ScheduleOut]


class PageQuery(Schema):
    page: int = Field(1, ge=1, description="Paginanummer, vanaf 1.")
    per_page: int = Field(
        opendata.DEFAULT_PAGE_SIZE, ge=1, le=opendata.MAX_PAGE_SIZE, description="Resultaten per pagina."
    )


def as_page(page):
    return {
        "total_items": page.total,
        "total_pages": page.total_pages,
        "page_number": page.number,
        "size": page.size,
        "first_page": page.number == 1,
        "last_page": page.number >= page.total_pages,
        "empty": not page.items,
        "contents": page.items,
    }


# --- the endpoints -----------------------------------------------------------------------------------


@api.get("/organizations", response=list[Organization], summary="De organisatie die het aanbod publiceert")
@decorate_view(open_and_cached)
def list_organizations(request):
    return [opendata.organization(request)]


@api.get("/services", response=ServicePage, summary="Trainingen")
@decorate_view(open_and_cached)
def list_services(request, query: Query[PageQuery]):
    return as_page(opendata.services(query.page, query.per_page, site=request))


@api.get("/locations", response=LocationPage, summary="Locaties")
@decorate_view(open_and_cached)
def list_locations(request, query: Query[PageQuery]):
    return as_page(opendata.locations(query.page, query.per_page))


@api.get(
    "/service_at_locations",
    response=ServiceAtLocationPage,
    summary="Trainingen per locatie, met vrije plaatsen en verwachte wachttijd",
)
@decorate_view(open_and_cached)
def list_service_at_locations(request, query: Query[PageQuery]):
    return as_page(opendata.service_at_locations(query.page, query.per_page))


@api.get("/schedules", response=SchedulePage, summary="Groepen en hun bijeenkomsten")
@decorate_view(open_and_cached)
def list_schedules(request, query: Query[PageQuery]):
    return as_page(opendata.schedules(query.page, query.per_page))
