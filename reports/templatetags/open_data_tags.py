"""schema.org JSON-LD for course pages: a Course with its coming groups as CourseInstances.

Search engines read it to show the groups (place, start, price, places). Only
what the page itself shows; built from the page's own group listing, so it
asks the database nothing more.
"""

import json

from django import template
from django.utils.safestring import mark_safe

from booking.models.groups import WEEKS_BETWEEN

register = template.Library()

IN_STOCK = "https://schema.org/InStock"
SOLD_OUT = "https://schema.org/SoldOut"
PRE_ORDER = "https://schema.org/PreOrder"


def _place(location):
    if location.is_online:
        return {"@type": "VirtualLocation", "name": location.name}
    return {
        "@type": "Place",
        "name": location.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": location.address,
            "postalCode": location.postcode,
            "addressLocality": location.town,
            "addressCountry": "NL",
        },
        **(
            {"geo": {"@type": "GeoCoordinates", "latitude": location.latitude, "longitude": location.longitude}}
            if location.has_coordinates
            else {}
        ),
    }


def _instance(row, course, url):
    group = row.group
    sessions = row.sessions
    location = group.location
    amount = group.amount
    if row.bookable:
        availability = IN_STOCK
    elif group.status == group.Status.PLANNED:
        availability = PRE_ORDER
    else:
        availability = SOLD_OUT
    instance = {
        "@type": "CourseInstance",
        "courseMode": "online" if location.is_online else "onsite",
        "location": _place(location),
        "maximumAttendeeCapacity": group.capacity,
        "remainingAttendeeCapacity": row.places_left,
        "offers": {
            "@type": "Offer",
            "price": f"{amount:.2f}" if amount is not None else "0.00",
            "priceCurrency": "EUR",
            "availability": availability,
            "url": url,
        },
    }
    if sessions:
        instance["startDate"] = sessions[0].start.isoformat()
        instance["endDate"] = sessions[-1].end.isoformat()
        instance["courseSchedule"] = {
            "@type": "Schedule",
            "repeatCount": len(sessions),
            "repeatFrequency": f"P{WEEKS_BETWEEN.get(course.frequency, 1)}W",
        }
    return instance


@register.simple_tag(takes_context=True)
def course_json_ld(context, course, listing):
    """A <script type="application/ld+json"> with the Course and its groups (`listing`: the page's GroupListing)."""
    # Once, with the request: Wagtail then uses the sites it already read for this request.
    url = course.get_full_url(context.get("request"))
    data = {
        "@context": "https://schema.org",
        "@type": "Course",
        "name": course.title,
        "description": course.summary,
        "url": url,
        "inLanguage": "nl",
        "hasCourseInstance": [_instance(row, course, url) for row in listing.rows],
    }
    text = json.dumps(data, ensure_ascii=False)
    # Never let the data close the script element early.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
