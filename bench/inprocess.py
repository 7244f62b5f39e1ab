"""The part of the benchmarks that runs the site's own code, in a child process.

    python -m bench.inprocess TASK '{"argument": "value", ...}'

The bench scripts start this through `benchlib.run_child`, with the
environment that picks the settings (production, bench/web/settings.py) and
the database. It prints one JSON object per line as it goes, so that a parent
that stops it after its time limit still has every figure measured so far.

Tasks:
  urls      the paths of the pages to measure (the course with the most groups, a factsheet, …)
  requests  pages requested in this process: queries and bytes once, then the time of each request
  export    the enrollments CSV export: time to the first byte and the first row, rows, bytes
  periodic  `run_periodic` at chosen moments, each step timed, and a day's changes between runs
"""

import bench.django_setup  # noqa: F401

# isort: split
import contextlib
import datetime
import json
import random
import sys
import time

import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from bench import booking_api as booking
from bench.web.urls import PLAIN_PATH
from courses.models import CourseIndexPage, CoursePage
from groepswijzer import page_cache
from home.models import HomePage, StandardPage
from resources.models import FactsheetPage

COORDINATOR = "coordinator@groepswijzer.example"
FINDER_POSTCODE = "5701 AB"  # Helmond: near the demo region, and a town like any other in generated data


def emit(**values):
    print(json.dumps(values, default=str), flush=True)


def announce_backend():
    """Tell the parent which PostgreSQL backend to end if it has to stop this process."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            emit(backend_pid=cursor.fetchone()[0])


def switch_jit_off(sender, connection, **kwargs):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")


# --- pages ---------------------------------------------------------------------------------------


def task_urls(arguments):
    """Paths of the pages the benchmarks request, found in whatever data is loaded."""
    busiest = (
        CoursePage.objects.live()
        .annotate(groups_listed=Count("groups", filter=Q(groups__status__in=["open", "planned"])))
        .order_by("-groups_listed", "path")
        .values_list("pk", flat=True)
        .first()
    )
    course = CoursePage.objects.get(pk=busiest)
    index = CourseIndexPage.objects.live().first()
    emit(
        urls={
            "plain": f"/{PLAIN_PATH}",
            "home": HomePage.objects.live().first().url,
            "course_index": index.url,
            "finder": f"{index.url}?postcode={FINDER_POSTCODE.replace(' ', '+')}",
            "course": course.url,
            "course_title": course.title,
            "signup_step1": f"/aanmelden/training/{course.pk}/",
            "factsheet": FactsheetPage.objects.live().public().order_by("path").first().url,
            "standard": StandardPage.objects.live().public().order_by("path").first().url,
            "admin_enrollments": booking.ENROLLMENTS_ADMIN_PATH,
            "admin_groups": booking.GROUPS_ADMIN_PATH,
            "export_csv": f"{booking.ENROLLMENTS_ADMIN_PATH}?export=csv",
        }
    )


def task_course_id(arguments):
    """The id of the course page at a path (the figures benchmark filters on it)."""
    path = arguments["path"]
    emit(course_id=next(page.pk for page in CoursePage.objects.live() if page.url == path))


def client_for(login):
    client = Client()
    if login:
        client.force_login(get_user_model().objects.get(email=COORDINATOR))
    return client


def fetch(client, path):
    response = client.get(path, secure=True)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


def task_requests(arguments):
    """For each page: one request counting its queries and bytes, then `repeat` timed requests."""
    if arguments.get("jit") == "off":
        connection_created.connect(switch_jit_off)
        connection.close()
    announce_backend()
    for label, path, login, *after_change in arguments["pages"]:
        # After a booking change (a place taken anywhere): what a process keeps under the booking generation
        # (a course's page of groups) is built again, as for the first visitor after each sign-up.
        changed = page_cache.bump if after_change and after_change[0] else (lambda *names: None)
        client = client_for(login)
        fetch(client, path)  # the first request of a process also loads templates and caches
        changed(page_cache.BOOKING)
        with CaptureQueriesContext(connection) as queries:
            status, body = fetch(client, path)
        emit(label=label, status=status, queries=len(queries), bytes=len(body))
        deadline = time.monotonic() + arguments.get("budget", 60)
        for number in range(arguments["repeat"]):
            changed(page_cache.BOOKING)
            started = time.perf_counter()
            fetch(client, path)
            emit(label=label, ms=(time.perf_counter() - started) * 1000)
            if number and time.monotonic() > deadline:
                break


def task_export(arguments):
    """Download the enrollments export as a coordinator, reading it the way a browser would."""
    announce_backend()
    client = client_for(login=True)
    log_rows_before = booking.AccessLogEntry.objects.count()
    emit(log_rows_before=log_rows_before)
    started = time.perf_counter()
    response = client.get(arguments["path"], secure=True)
    emit(response_seconds=time.perf_counter() - started, status=response.status_code)
    chunks = response.streaming_content if response.streaming else [response.content]
    size = lines = 0
    first_byte = first_row = None
    reported = time.monotonic()
    for chunk in chunks:
        now = time.perf_counter() - started
        if first_byte is None:
            first_byte = now
            emit(first_byte=first_byte)
        size += len(chunk)
        lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
        if first_row is None and lines >= 2:  # the heading, then the first enrollment
            first_row = now
            emit(first_row=first_row)
        if time.monotonic() - reported > 1:
            reported = time.monotonic()
            emit(progress_bytes=size, progress_rows=max(0, lines - 1), elapsed=now)
    emit(total=time.perf_counter() - started, bytes=size, rows=max(0, lines - 1))
    emit(log_rows_written=booking.AccessLogEntry.objects.count() - log_rows_before)


# --- the periodic run ----------------------------------------------------------------------------


def summary(result):
    """What a step returned, short: a count for a list, the counts of a tuple or dict."""
    if result is None:
        return 0
    if isinstance(result, bool | int):
        return int(result)
    if isinstance(result, dict):
        return {key: summary(value) for key, value in result.items()}
    if isinstance(result, tuple):
        return [summary(part) for part in result]
    return len(result)


@contextlib.contextmanager
def steps_timed(record):
    """While inside, each periodic step's time and result go to `record(step_label, ms, result)`."""
    originals = []

    def wrap(module, name, step_label):
        original = getattr(module, name)
        originals.append((module, name, original))

        def timed(*args, **kwargs):
            started = time.perf_counter()
            result = original(*args, **kwargs)
            record(step_label, (time.perf_counter() - started) * 1000, result)
            return result

        setattr(module, name, timed)

    for module, name, step_label in booking.PERIODIC_STEPS:
        wrap(module, name, step_label)
    try:
        yield
    finally:
        for module, name, original in reversed(originals):
            setattr(module, name, original)


def timed_run(label, now):
    """`run_periodic(now)` with each of its steps timed; prints a line per step and one for the whole run.

    The clock is set to `now` as well (time-machine), so that what the run
    stamps by itself (an email's creation) agrees with the moment it runs at.
    """
    originals = []

    def wrap(module, name, step_label):
        original = getattr(module, name)
        originals.append((module, name, original))

        def timed(*args, **kwargs):
            emit(run=label, step_starts=step_label)
            started = time.perf_counter()
            result = original(*args, **kwargs)
            emit(run=label, step=step_label, ms=(time.perf_counter() - started) * 1000, did=summary(result))
            return result

        setattr(module, name, timed)

    for module, name, step_label in booking.PERIODIC_STEPS:
        wrap(module, name, step_label)
    emit(run=label, starting=True, at=now)
    try:
        with time_machine.travel(now, tick=True):
            started = time.perf_counter()
            counts = booking.run_periodic(now)
            emit(run=label, total_ms=(time.perf_counter() - started) * 1000, counts=counts)
    finally:
        for module, name, original in reversed(originals):
            setattr(module, name, original)
    # A task worker sends what the run queued; the next run must not find it waiting.
    sent = booking.OutgoingEmail.objects.filter(sent_at__isnull=True).update(sent_at=now)
    emit(run=label, emails_sent_by_worker=sent)


# While catching up, the budgeted steps may take what they need, and the retention walk covers everyone at once.
CATCH_UP_SETTINGS = {
    "GROEPSWIJZER_RETENTION_RUN_MS": 10**9,
    "GROEPSWIJZER_RETENTION_SCAN": 10**8,
    "GROEPSWIJZER_RETENTION_BATCH": 1000,
}
CATCH_UP_ROUNDS = 1000


def catch_up(label, now):
    """Work off what the generated data leaves the two steps that have a time budget, before the first timed run.

    The generator leaves the data as if the periodic run had just run, except for these: everyone whose
    retention period ran out (two and a half years of groups) and the questionnaire invitations of the
    groups about to start. A site that runs every minute works such a backlog off in its first hours and
    then finds only what became due since the last run; the timed runs measure that state. The
    catch-up is printed with what it did and how long it took.
    """
    began = time.perf_counter()
    anonymised = invited = 0
    with time_machine.travel(now, tick=True), override_settings(**CATCH_UP_SETTINGS):
        for _round in range(CATCH_UP_ROUNDS):
            done = booking.anonymise_due_in_walk(now)["participants_anonymised"]
            anonymised += done
            emit(catching_up=label, anonymised=anonymised)
            if not done:
                break
        for _round in range(CATCH_UP_ROUNDS):
            done = booking.invite_to_questionnaires(now, seconds=3600)["questionnaires_invited"]
            invited += done
            emit(catching_up=label, invited=invited)
            if not done:
                break
    sent = booking.OutgoingEmail.objects.filter(sent_at__isnull=True).update(sent_at=now)
    emit(
        caught_up=label,
        ms=(time.perf_counter() - began) * 1000,
        anonymised=anonymised,
        invited=invited,
        emails_sent_by_worker=sent,
    )


def signup_data(number, seed):
    return {
        "first_name": "Dagmar",
        "last_name": "van der Dag",
        "email": f"dag.{seed}.{number}@schaal.example",
        "birth_year": 1950,
        "postcode": "3511 AB",
    }


def open_groups_between(start, end):
    """Groups a day's changes go to: open for sign-up at `start` with a free place, starting after `end`."""
    return list(
        booking.TrainingGroup.objects.open_for_signup(start)
        .with_places_left(start)
        .filter(places_left__gt=0, first_start__gt=end + datetime.timedelta(days=1))
        .select_related("course", "location")
        .order_by("pk")
    )


def sign_up(group, number, moment, changes, rng, done):
    try:
        with time_machine.travel(moment):
            held = booking.hold_places(
                group,
                [signup_data(number, changes["seed"])],
                consent_text_version=booking.CONSENT_VERSION,
                now=moment,
            )
    except booking.BookingError:
        done["refused"] += 1
        return
    done["signups"] += 1
    if rng.random() < changes["paid_share"]:
        paid = moment + datetime.timedelta(minutes=5)
        with time_machine.travel(paid):
            booking.confirm_enrollment(held[0], now=paid)
        done["confirmed"] += 1


def cancel_one(group, moment, done):
    place = booking.Enrollment.objects.filter(group=group, status=booking.Enrollment.Status.CONFIRMED).first()
    if place is not None:
        with time_machine.travel(moment):
            booking.cancel_enrollment(place, now=moment)
        done["cancelled"] += 1


def join_list(group, number, moment, changes, done):
    data = signup_data(number + 100_000, changes["seed"])
    try:
        with time_machine.travel(moment):
            booking.join_waitlist(
                group.course,
                data,
                preferred_locations=[group.location],
                consent_text_version=booking.CONSENT_VERSION,
                now=moment,
            )
    except booking.BookingError:
        return
    done["joined"] += 1


def no_changes():
    return {"signups": 0, "refused": 0, "confirmed": 0, "cancelled": 0, "joined": 0}


def apply_day(label, start, end, changes, rng):
    """What a day brings, through the booking rules: sign-ups (some paid, most left to run out), cancellations,
    new people on waiting lists. Each at its own moment between `start` and `end`."""
    began = time.perf_counter()
    open_groups = open_groups_between(start, end)
    done = no_changes()
    if not open_groups:
        emit(changes=label, ms=0, note="no open group with a free place", **done)
        return

    def moments(count):
        return sorted(start + (end - start) * rng.random() for _ in range(count))

    for number, moment in enumerate(moments(changes["signups"])):
        sign_up(rng.choice(open_groups), number, moment, changes, rng, done)
    for moment in moments(changes["cancellations"]):
        cancel_one(rng.choice(open_groups), moment, done)
    for number, moment in enumerate(moments(changes["joins"])):
        join_list(rng.choice(open_groups), number, moment, changes, done)
    sent = booking.OutgoingEmail.objects.filter(sent_at__isnull=True).update(sent_at=end)
    emit(changes=label, ms=(time.perf_counter() - began) * 1000, emails_sent_by_worker=sent, **done)


def day_in_runs(label, start, end, every, changes, rng):
    """A day's changes at their moments, and the periodic run every `every` minutes between them.

    A site runs it every minute; a run here finds `every` minutes of work (holds and offers that ran
    out, places freed, people to invite), so each figure is at least what a minute's run costs.
    Emits each run's time; the emails a run queued are marked sent, as a worker would.
    """
    open_groups = open_groups_between(start, end)
    done = no_changes()
    span = end - start
    events = sorted(
        [(start + span * rng.random(), "signup", number) for number in range(changes["signups"])]
        + [(start + span * rng.random(), "cancel", number) for number in range(changes["cancellations"])]
        + [(start + span * rng.random(), "join", number) for number in range(changes["joins"])]
    )
    step = datetime.timedelta(minutes=every)
    moment, index = start, 0
    while moment < end:
        moment += step
        while open_groups and index < len(events) and events[index][0] < moment:
            at, kind, number = events[index]
            group = rng.choice(open_groups)
            if kind == "signup":
                sign_up(group, number, at, changes, rng, done)
            elif kind == "cancel":
                cancel_one(group, at, done)
            else:
                join_list(group, number, at, changes, done)
            index += 1
        booking.OutgoingEmail.objects.filter(sent_at__isnull=True).update(sent_at=moment)
        spent = {}

        def record(step, ms, result, spent=spent):
            spent[step] = (ms, summary(result))

        with steps_timed(record), time_machine.travel(moment, tick=True):
            began = time.perf_counter()
            booking.run_periodic(moment)
            ms = (time.perf_counter() - began) * 1000
        booking.OutgoingEmail.objects.filter(sent_at__isnull=True).update(sent_at=moment)
        slowest = sorted(spent.items(), key=lambda item: -item[1][0])[:3]
        emit(day_run=label, at=moment, run_ms=ms, slowest_steps=slowest, **done)


def task_periodic(arguments):
    """Runs and changes in order, at moments in minutes from `start` (default now): {"run": label, "at": 1}, …"""
    announce_backend()
    rng = random.Random(arguments.get("seed", 1))
    start = datetime.datetime.fromisoformat(arguments["start"]) if arguments.get("start") else timezone.now()
    emit(t0=start)
    for action in arguments["actions"]:
        if "catch_up" in action:
            catch_up(action["catch_up"], start + datetime.timedelta(minutes=action["at"]))
        elif "day_in_runs" in action:
            day_in_runs(
                action["day_in_runs"],
                start + datetime.timedelta(minutes=action["from"]),
                start + datetime.timedelta(minutes=action["to"]),
                action["every"],
                action,
                rng,
            )
        elif "run" in action:
            timed_run(action["run"], start + datetime.timedelta(minutes=action["at"]))
        else:
            apply_day(
                action["changes"],
                start + datetime.timedelta(minutes=action["from"]),
                start + datetime.timedelta(minutes=action["to"]),
                action,
                rng,
            )


TASKS = {
    "urls": task_urls,
    "course_id": task_course_id,
    "requests": task_requests,
    "export": task_export,
    "periodic": task_periodic,
}


if __name__ == "__main__":
    TASKS[sys.argv[1]](json.loads(sys.argv[2]) if len(sys.argv) > 2 else {})
