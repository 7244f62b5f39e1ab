"""A participant's own data: download everything we hold (inzage), and have it erased.

From a personal page: the enrollment's (``/mijn-aanmelding/<token>/``) and
the waiting list's (``/wachtlijst/status/<token>/``). The person is everyone
with the address of that page's participant (see ``privacy.people``): the
download and the erasure cover all their sign-ups, waiting lists and an
account with that address. Erasure is asked on the page and confirmed
through a link emailed to that address, so only whoever reads that mailbox
can erase it; the confirmation itself is a button, because mail programs
open links in emails by themselves.

The pages here are shared by both journeys: each passes the participant and
the URLs of its own pages (`urls`: back, pdf, json, request, sent).
"""

import datetime

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify

from booking.services import links
from booking.services.notifications import queue_email
from home.organisation import OrganisationSettings
from privacy import inzage
from privacy.erasure import erase, erasure_blockers
from privacy.models import ErasureRecord
from privacy.people import person_of_participant

SELF_SERVICE_REASON = "Verzoek van de deelnemer via de persoonlijke pagina, bevestigd per e-mail"


def person_of(participant):
    """Everything that is this participant's person: every sign-up with the same address, and their account."""
    return person_of_participant(participant.pk, participant.email)


def blockers(participant):
    """Why erasure has to wait now (Dutch messages), or an empty list."""
    return erasure_blockers(person_of(participant))


def request_erasure(participant, now=None):
    """Email the participant a link to confirm that their data may be erased. Returns the outbox row or None.

    Nothing is erased yet. Asking again within the same hour sends no second
    email. The link works for ``GROEPSWIJZER_ERASURE_LINK_DAYS``.
    """
    now = now or timezone.now()
    hour = timezone.localtime(now).strftime("%Y%m%d%H")
    with transaction.atomic():
        return queue_email(
            "erasure_confirm",
            f"erasure_confirm:participant:{participant.pk}:{hour}",
            participant=participant,
            participant_id=participant.pk,
        )


def erase_on_request(participant, now=None):
    """Erase everything of the participant's person now, as they confirmed. ErasureBlocked while something is open."""
    return erase(
        person_of(participant),
        reason=SELF_SERVICE_REASON,
        source=ErasureRecord.Source.PARTICIPANT,
        now=now,
    )


def erasure_link_valid_for():
    return datetime.timedelta(days=links.erasure_link_days())


# --- the pages -------------------------------------------------------------------------------------


def _download_name(extension, now=None):
    day = timezone.localdate(now or timezone.now()).isoformat()
    return f"mijn-gegevens-{slugify(OrganisationSettings.load().name) or 'groepswijzer'}-{day}.{extension}"


def download(participant, extension):
    """Everything of the participant's person as an attachment: "pdf" to read, "json" for a computer."""
    organisation = OrganisationSettings.load().name
    person = person_of(participant)
    if extension == "pdf":
        content, content_type = inzage.as_pdf(person, organisation=organisation), "application/pdf"
    else:
        content, content_type = inzage.as_json(person, organisation=organisation), "application/json; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_download_name(extension)}"'
    return response


def erase_request_page(request, participant, *, urls):
    """Ask for erasure: what goes and what stays, or why it has to wait; the button sends the email."""
    found = blockers(participant)
    if request.method == "POST" and not found:
        request_erasure(participant)
        return redirect(urls["sent"])
    context = {
        "participant": participant,
        "blockers": found,
        "link_days": links.erasure_link_days(),
        "urls": urls,
    }
    status = 409 if request.method == "POST" else 200
    return render(request, "booking/selfservice/erase_request.html", context, status=status)


def erase_sent_page(request, participant, *, urls):
    context = {"email": participant.email, "link_days": links.erasure_link_days(), "urls": urls}
    return render(request, "booking/selfservice/erase_sent.html", context)
