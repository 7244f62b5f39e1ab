"""The trainer area under /medewerkers/: my groups, a group's participants, attendance, a printable list.

A trainer only ever reaches their own groups: any other group (or a session
of another group) is "not found", exactly like a group that does not exist.
Every page that shows participants records that in the access log.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from booking.models import Attendance, Session
from booking.services import calendars, links
from booking.services.access_log import Action, group_where, log_access
from booking.staff import trainers
from courses.catalogue import Trainer


def staff_only(view):
    """Logged in (else to the login page), and a trainer or coordinator (else 403)."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not trainers.may_use_trainer_area(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _group(request, group_id):
    """The group, if this user may see it; 404 for someone else's group, so its existence is not revealed."""
    queryset = trainers.visible_groups(request.user).select_related("course", "location")
    return get_object_or_404(queryset, pk=group_id)


@staff_only
def my_groups(request):
    """The trainer's groups that are still to come or running; a coordinator sees every such group."""
    user = request.user
    now = timezone.now()
    trainer = trainers.trainer_for(user)
    # A coordinator who also leads groups sees their own here; other groups stay reachable by link.
    coordinator_view = trainer is None
    own = trainers.visible_groups(user) if coordinator_view else trainer.groups.all()
    groups = list(trainers.current_groups(own, now))
    for each in groups:
        each.next_session = next((s for s in each.scheduled_sessions if s.end > now), None)
    return render(
        request,
        "booking/staff/my_groups.html",
        {
            "groups": groups,
            "trainer": trainer,
            "coordinator_view": coordinator_view,
            "feed_url": links.trainer_feed_url(trainer) if trainer else "",
            "now": now,
        },
    )


@staff_only
def group(request, group_id):
    """Who is in the group (name, phone, email) and its sessions."""
    group = _group(request, group_id)
    enrollments = trainers.participants(group)
    sessions = list(group.sessions.order_by("start", "pk"))
    log_access(
        request.user, [e.participant for e in enrollments], Action.VIEW_LIST, group_where(group, "deelnemerslijst")
    )
    return render(
        request,
        "booking/staff/group.html",
        {"group": group, "enrollments": enrollments, "sessions": sessions, "now": timezone.now()},
    )


class AttendanceForm(forms.Form):
    """One choice per participant: present, absent with notice, or absent. Left open: not registered yet."""

    def __init__(self, *args, enrollments, initial_statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrollments = enrollments
        for enrollment in enrollments:
            self.fields[self.field_name(enrollment)] = forms.ChoiceField(
                label=enrollment.participant.full_name,
                choices=Attendance.Status.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=initial_statuses.get(enrollment.pk),
            )

    @staticmethod
    def field_name(enrollment):
        return f"deelnemer_{enrollment.pk}"

    def statuses(self):
        """{enrollment id: status} for every participant with a choice."""
        return {
            enrollment.pk: self.cleaned_data[self.field_name(enrollment)]
            for enrollment in self.enrollments
            if self.cleaned_data.get(self.field_name(enrollment))
        }


@staff_only
def attendance(request, group_id, session_id):
    """Register attendance for one session of the group."""
    group = _group(request, group_id)
    session = get_object_or_404(Session, pk=session_id, group=group)
    enrollments = trainers.participants(group)
    where = group_where(group, f"aanwezigheid bijeenkomst {session.sequence}")
    cancelled = session.status == Session.Status.CANCELLED
    form = AttendanceForm(
        request.POST if request.method == "POST" and not cancelled else None,
        enrollments=enrollments,
        initial_statuses=trainers.attendance_by_enrollment(session),
    )
    if request.method == "POST":
        if cancelled:
            messages.error(request, _("Deze bijeenkomst is geannuleerd. U kunt er geen aanwezigheid voor registreren."))
            return redirect("staff:attendance", group_id=group.pk, session_id=session.pk)
        if form.is_valid():
            statuses = form.statuses()
            try:
                recorded = trainers.record_attendance(session, statuses, by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                log_access(request.user, [e.participant_id for e in recorded], Action.ATTENDANCE, where)
                if recorded:
                    messages.success(request, _("De aanwezigheid is opgeslagen."))
                else:
                    messages.info(request, _("U heeft nog niemand aangevinkt. Er is niets opgeslagen."))
                return redirect("staff:group", group_id=group.pk)
    log_access(request.user, [e.participant_id for e in enrollments], Action.VIEW_LIST, where)
    return render(
        request,
        "booking/staff/attendance.html",
        {"group": group, "session": session, "form": form, "enrollments": enrollments, "cancelled": cancelled},
    )


MARKS = {
    Attendance.Status.PRESENT: gettext_lazy("A"),
    Attendance.Status.ABSENT_NOTIFIED: gettext_lazy("M"),
    Attendance.Status.ABSENT: gettext_lazy("X"),
}


@staff_only
def print_list(request, group_id):
    """A printable attendance list: participants down, sessions across, with what has been registered."""
    group = _group(request, group_id)
    enrollments, sessions, marks = trainers.attendance_grid(group)
    rows = [
        (enrollment, [MARKS.get(marks.get((enrollment.pk, session.pk)), "") for session in sessions])
        for enrollment in enrollments
    ]
    log_access(
        request.user, [e.participant_id for e in enrollments], Action.PRINT, group_where(group, "presentielijst")
    )
    return render(
        request,
        "booking/staff/print.html",
        {"group": group, "sessions": sessions, "rows": rows, "marks": MARKS, "printed_at": timezone.now()},
    )


@require_http_methods(["GET", "HEAD"])
@links.personal_page(
    links.TRAINER_FEED_LINK,
    Trainer.objects.all(),
    problem_template="booking/selfservice/link_problem.html",
    trainer=True,
)
def trainer_feed(request, trainer, token):
    """A trainer's personal calendar feed, for a calendar app to subscribe to."""
    response = HttpResponse(calendars.trainer_calendar(trainer).body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="groepen-{slugify(trainer.name) or trainer.pk}.ics"'
    return response
