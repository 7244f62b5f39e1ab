"""Letters to the GP for the office (/admin/brieven/): what is to send, download in one batch, email, mark sent.

Opening the screen first makes any letter that has become due, so it never
waits for the periodic run. Who the letters are about is participant data:
looking is logged.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from booking.models.groups import group_name
from booking.services.access_log import Action, log_access
from home.dashboard import MAX_LINES, Work, WorkLine, WorkPanel

from .models import Letter
from .services import letters, screening

PERMISSION = "carepath.change_letter"
SENT_SHOWN = 50


def letters_url():
    return reverse("brieven")


class LettersView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "carepath/admin/letters.html"
    header_icon = "mail"
    page_title = gettext_lazy("Brieven aan de huisarts")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.page_title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        letters.create_due_letters()
        waiting = list(letters.letters_to_send())
        for letter in waiting:
            letter.by_email = letters.sendable_by_email(letter)
        sent = list(
            Letter.objects.filter(sent_at__isnull=False)
            .select_related("enrollment__participant", "enrollment__group__course", "practice", "sent_by")
            .order_by("-sent_at", "-pk")[:SENT_SHOWN]
        )
        people = [letter.enrollment.participant_id for letter in [*waiting, *sent]]
        log_access(self.request.user, people, Action.VIEW_LIST, "brieven aan de huisarts")
        return super().get_context_data(waiting=waiting, sent=sent, **kwargs)

    def post(self, request):
        chosen = list(letters.letters_to_send().filter(pk__in=request.POST.getlist("brief")))
        action = request.POST.get("action")
        if not chosen:
            messages.error(request, _("Kies eerst een of meer brieven."))
            return redirect(letters_url())
        if action == "download":
            log_access(
                request.user,
                [letter.enrollment.participant_id for letter in chosen],
                Action.EXPORT,
                "brieven aan de huisarts",
            )
            response = HttpResponse(letters.letters_pdf(chosen), content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{letters.letter_filename(chosen)}"'
            return response
        if action == "email":
            sent = letters.send_by_email(chosen, by=request.user)
            left = len(chosen) - len(sent)
            messages.success(
                request,
                ngettext(
                    "%(count)s brief wordt per e-mail verstuurd.",
                    "%(count)s brieven worden per e-mail verstuurd.",
                    len(sent),
                )
                % {"count": len(sent)},
            )
            if left:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)s brief heeft geen praktijk met een e-mailadres: download en verstuur hem zelf.",
                        "%(count)s brieven hebben geen praktijk met een e-mailadres: download en verstuur ze zelf.",
                        left,
                    )
                    % {"count": left},
                )
        elif action == "mark":
            marked = letters.mark_sent(chosen, by=request.user)
            messages.success(
                request,
                ngettext(
                    "%(count)s brief staat nu op verstuurd.", "%(count)s brieven staan nu op verstuurd.", len(marked)
                )
                % {"count": len(marked)},
            )
        return redirect(letters_url())


def admin_urls():
    return [path("brieven/", LettersView.as_view(), name="brieven")]


class LettersPanel(WorkPanel):
    name = "brieven"
    title = gettext_lazy("Brieven aan de huisarts")
    permission = PERMISSION
    order = 60

    def get_work(self):
        waiting = letters.letters_to_send()
        count = waiting.count()
        return Work(
            count=count,
            summary=ngettext(
                "brief aan de huisarts is klaar om te versturen.",
                "brieven aan de huisarts zijn klaar om te versturen.",
                count,
            )
            if count
            else _("Geen brieven om te versturen."),
            lines=[
                WorkLine(
                    text=f"{letter.enrollment.group.course.title}: {letter.get_kind_display()}",
                    note=letter.practice.name if letter.practice else letter.practice_name,
                )
                for letter in waiting[:MAX_LINES]
            ],
            url=letters_url(),
            link_text=_("Naar de brieven"),
        )


class CallsPanel(WorkPanel):
    """Participants of groups starting soon whom nobody has called yet (telephone screening)."""

    name = "bellen"
    title = gettext_lazy("Te bellen voor de start")
    permission = "carepath.view_screening"
    order = 65

    def get_work(self):
        groups = screening.groups_to_call()
        people = groups.aggregate(total=Sum("to_call"))["total"] or 0
        return Work(
            count=people,
            summary=ngettext(
                "deelnemer van een groep die binnenkort begint is nog niet gebeld.",
                "deelnemers van groepen die binnenkort beginnen zijn nog niet gebeld.",
                people,
            )
            if people
            else _("Iedereen in de groepen van de komende weken is gebeld."),
            lines=[
                WorkLine(
                    text=group_name(group.course.title, group.location or _("online"), group.first_start),
                    url=reverse("carepath:to_call", kwargs={"group_id": group.pk}),
                    note=_("%(count)s te bellen") % {"count": group.to_call},
                )
                for group in groups[:MAX_LINES]
            ],
            url=reverse("staff:my_groups"),
            link_text=_("Naar de groepen"),
        )
