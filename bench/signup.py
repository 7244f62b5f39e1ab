"""Sign-up benchmark: many people signing up at once for groups with only a few places.

    .venv/bin/python bench/signup.py                      # SQLite file under /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/signup.py

It makes its own throwaway database (a SQLite file, or the PostgreSQL database
"gw_bench" on the server in DATABASE_URL), fills it with a few open groups,
lets worker threads sign up, confirm and cancel for a few seconds, prints what
happened and removes the database again. It measures; it does not judge
speed. It exits with status 1 only when a group was overbooked or a sign-up
failed with an unexpected error. See bench/README.md.
"""

import argparse
import datetime
import itertools
import os
import random
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_PREFIX = "gw_bench"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=16, help="simultaneous sign-up threads (default 16)")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long the workers run (default 5)")
    parser.add_argument("--groups", type=int, default=10, help="open groups to sign up for (default 10)")
    parser.add_argument("--places", type=int, default=4, help="places per group (default 4)")
    parser.add_argument("--couples", type=float, default=0.2, help="share of sign-ups by a couple (default 0.2)")
    parser.add_argument(
        "--cancel", type=float, default=0.3, help="chance a worker first cancels one of its places (default 0.3)"
    )
    parser.add_argument("--confirm", type=float, default=0.5, help="share of holds that get confirmed (default 0.5)")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--db-name", default=BENCH_PREFIX, help="PostgreSQL database to create and drop (gw_bench…)")
    parser.add_argument("--sqlite-path", default="/tmp/gw-bench.sqlite3", help="SQLite file to create and remove")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards, to look at it")
    parser.add_argument(
        "--payments",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="confirm through online payment against a local fake Mollie, with a repeated webhook (default on)",
    )
    args = parser.parse_args()
    if not args.db_name.startswith(BENCH_PREFIX):
        parser.error(f"--db-name must start with {BENCH_PREFIX!r}: this script drops that database afterwards.")
    return args


# --- the throwaway database ----------------------------------------------------------------------


class SqliteFile:
    def __init__(self, path):
        self.path = Path(path)
        self.label = f"SQLite, file {self.path}"

    def files(self):
        return [self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")]

    def create(self):
        self.drop()
        os.environ["SQLITE_PATH"] = str(self.path)

    def drop(self):
        for file in self.files():
            file.unlink(missing_ok=True)


class PostgresDatabase:
    def __init__(self, url, name):
        import dj_database_url

        self.server = dj_database_url.parse(url)
        self.name = name
        self.url = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
        self.label = (
            f"PostgreSQL, database {name} on {self.server['HOST'] or 'localhost'}:{self.server['PORT'] or 5432}"
        )

    def _admin(self):
        import psycopg

        return psycopg.connect(
            dbname="postgres",
            user=self.server["USER"] or None,
            password=self.server["PASSWORD"] or None,
            host=self.server["HOST"] or None,
            port=self.server["PORT"] or None,
            autocommit=True,
        )

    def create(self):
        with self._admin() as admin:
            # Only ever our own bench database (the name is checked in parse_args).
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.name}"')
        os.environ["DATABASE_URL"] = self.url

    def drop(self):
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --- content to sign up for ----------------------------------------------------------------------


def build_groups(args):
    """Open groups, each at its own location with a few sessions planned a month ahead."""
    from django.utils import timezone
    from wagtail.models import Page

    from booking.models import Location, TrainingGroup
    from booking.services.planning import plan_sessions
    from courses.models import CourseIndexPage, CoursePage
    from home.models import HomePage

    home = Page.get_first_root_node().add_child(
        instance=HomePage(title="Bench", slug="bench", intro="Bench.", professionals_text="Bench.")
    )
    index = home.add_child(instance=CourseIndexPage(title="Trainingen", slug="trainingen"))
    course = index.add_child(
        instance=CoursePage(
            title="Mentaal Fit",
            slug="mentaal-fit",
            summary="Bench.",
            complaints="stress",
            learning_goals="ontspannen",
            session_count=5,
            hours_per_session=Decimal("2.0"),
            couples_welcome=True,
            group_min=2,
            group_max=args.places,
            suitable_for="<p>Bench.</p>",
            not_suitable_for="<p>Bench.</p>",
            alternative_advice="<p>Bench.</p>",
        )
    )
    first_start = timezone.now() + datetime.timedelta(days=30)
    groups = []
    for number in range(args.groups):
        location = Location.objects.create(
            name=f"Locatie {number}",
            kind=Location.Kind.HEALTH_CENTRE,
            address="Dorpsstraat 1",
            postcode="5611 AB",
            town="Eindhoven",
            latitude=51.44,
            longitude=5.47,
        )
        group = TrainingGroup.objects.create(
            course=course,
            location=location,
            capacity=args.places,
            min_participants=1,
            status=TrainingGroup.Status.OPEN,
        )
        plan_sessions(group, first_start=first_start, count=3)
        groups.append(group.pk)
    return groups


# --- the run -------------------------------------------------------------------------------------


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = dict.fromkeys(
            ["attempts", "holds", "places", "full", "other_refusals", "errors", "confirmations", "cancellations"], 0
        )
        self.counts.update(dict.fromkeys(["payments", "paid", "no_place", "webhooks", "webhooks_changed", "busy"], 0))
        self.latencies = []
        self.payment_latencies = []
        self.error_samples = []

    def add(self, **counts):
        with self.lock:
            for key, value in counts.items():
                self.counts[key] += value

    def merge(self, latencies, errors, payment_latencies=()):
        with self.lock:
            self.latencies.extend(latencies)
            self.payment_latencies.extend(payment_latencies)
            self.error_samples = (self.error_samples + errors)[:3]


def overbooked(group_pks):
    """Places given out beyond capacity, over all groups, counted right now."""
    from django.db.models import F, Sum

    from booking.models import TrainingGroup

    excess = (
        TrainingGroup.objects.filter(pk__in=group_pks)
        .with_places_left()
        .filter(places_taken__gt=F("capacity"))
        .aggregate(excess=Sum(F("places_taken") - F("capacity")))["excess"]
    )
    return excess or 0


class Clock:
    """Shared by all threads: the run starts when everyone is ready, and stops for everyone at once."""

    def __init__(self, parties, seconds):
        self.seconds = seconds
        self.began = self.deadline = None
        self.start_line = threading.Barrier(parties, action=self._start)

    def _start(self):
        self.began = time.monotonic()
        self.deadline = self.began + self.seconds

    def wait_for_start(self):
        self.start_line.wait()

    def running(self):
        return time.monotonic() < self.deadline


def pay_online(enrollments, fake, gateway, tally):
    """The payment step as the site does it: start at (fake) Mollie, the bank says paid, the webhook twice.

    The second webhook is the duplicate Mollie may send: it must change nothing.
    On PostgreSQL a webhook that finds the payment locked answers 503 and
    Mollie comes back later; here it simply tries again.
    """
    from django.db import OperationalError

    from booking.models import Payment
    from booking.payments import online

    payment = online.start_online_payment(
        enrollments,
        gateway=gateway,
        redirect_url_for=lambda p: "http://bench.invalid/betalen/terug/",
        webhook_url="http://bench.invalid/betalen/webhook/",
    )
    tally.add(payments=1)
    fake.set_status(payment.mollie_id, "paid")
    for _ in range(2):
        while True:
            try:
                payment, changed = online.sync_payment(payment, gateway=gateway, actor="webhook", nowait=True)
            except OperationalError:
                tally.add(busy=1)
                time.sleep(0.01)
                continue
            break
        tally.add(webhooks=1, webhooks_changed=int(changed))
    tally.add(paid=1, no_place=int(payment.placement == Payment.Placement.LOST))
    return payment.placement != Payment.Placement.LOST


def worker(index, args, group_pks, clock, tally, emails, fake=None):
    from django.db import connections

    from booking.models import TrainingGroup
    from booking.payments.gateway import configured_gateway
    from booking.services.errors import BookingError, GroupFull
    from booking.services.places import cancel_enrollment, confirm_enrollment, hold_places

    rng = random.Random(args.seed + index)
    latencies, errors, mine, payment_latencies = [], [], [], []
    gateway = None
    if fake is not None:
        gateway = configured_gateway()  # one per thread: the HTTP session is not shared
    try:
        groups = {group.pk: group for group in TrainingGroup.objects.select_related("course").filter(pk__in=group_pks)}
        clock.wait_for_start()
        while clock.running():
            if mine and rng.random() < args.cancel:
                # Someone changes their mind: a place comes free again for the others.
                try:
                    cancel_enrollment(mine.pop(rng.randrange(len(mine))))
                except Exception as error:  # counted and shown, never hidden
                    tally.add(errors=1)
                    errors.append(f"cancel: {type(error).__name__}: {error}")
                else:
                    tally.add(cancellations=1)
                continue
            size = 2 if rng.random() < args.couples else 1
            people = [
                {
                    "first_name": "Bench",
                    "last_name": f"Deelnemer {number}",
                    "email": f"deelnemer{number}@bench.example",
                    "birth_year": 1980,
                    "postcode": "5611 AB",
                }
                for number in (next(emails) for _ in range(size))
            ]
            began = time.perf_counter()
            try:
                enrollments = hold_places(groups[rng.choice(group_pks)], people, consent_text_version="bench")
            except GroupFull:
                tally.add(attempts=1, full=1)
            except BookingError:
                tally.add(attempts=1, other_refusals=1)
            except Exception as error:  # counted and shown, never hidden
                tally.add(attempts=1, errors=1)
                errors.append(f"{type(error).__name__}: {error}")
            else:
                tally.add(attempts=1, holds=1, places=len(enrollments))
                party = enrollments[0].party
                if rng.random() < args.confirm:
                    paying_began = time.perf_counter()
                    try:
                        if gateway is not None:
                            confirmed = pay_online(enrollments, fake, gateway, tally)
                        else:
                            confirm_enrollment(party)
                            confirmed = True
                    except Exception as error:  # counted and shown, never hidden
                        tally.add(errors=1)
                        errors.append(f"confirm: {type(error).__name__}: {error}")
                    else:
                        tally.add(confirmations=int(confirmed))
                    if gateway is not None:
                        payment_latencies.append(time.perf_counter() - paying_began)
                mine.append(party)
            latencies.append(time.perf_counter() - began)
    finally:
        tally.merge(latencies, errors, payment_latencies)
        connections.close_all()


def watch(group_pks, clock, done, samples):
    """Checks all groups for overbooking, over and over, while the workers run."""
    from django.db import connections

    try:
        clock.wait_for_start()
        while not done.is_set():
            samples.append(overbooked(group_pks))
            time.sleep(0.02)
    finally:
        connections.close_all()


def run(args, group_pks, fake=None):
    tally = Tally()
    emails = itertools.count(1)  # next() on it is atomic in CPython: every sign-up gets its own address
    clock = Clock(args.workers + 1, args.seconds)
    done = threading.Event()
    samples = []
    threads = [
        threading.Thread(target=worker, args=(index, args, group_pks, clock, tally, emails, fake))
        for index in range(args.workers)
    ]
    watcher = threading.Thread(target=watch, args=(group_pks, clock, done, samples))
    for thread in threads + [watcher]:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - clock.began
    done.set()
    watcher.join()
    return tally, elapsed, samples


def percentile(values, share):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def payment_check():
    """What must hold after the run: paid places confirmed (or their loss on record), one email per place."""
    from booking.models import Enrollment, OutgoingEmail, Payment

    paid = Payment.objects.filter(status="paid", provider="mollie")
    unconfirmed = 0
    for payment in paid.exclude(placement=Payment.Placement.LOST).prefetch_related("enrollments"):
        mine = [e for e in payment.enrollments.all() if e.party == payment.party]
        unconfirmed += sum(e.status not in (Enrollment.Status.CONFIRMED, Enrollment.Status.CANCELLED) for e in mine)
    emails = OutgoingEmail.objects.filter(kind="confirmation").count()
    confirmed_by_payment = (
        Enrollment.objects.filter(payments__in=paid.exclude(placement=Payment.Placement.LOST)).distinct().count()
    )
    return {"unconfirmed": unconfirmed, "emails": emails, "confirmed_by_payment": confirmed_by_payment}


def report(args, database, tally, elapsed, samples, final_excess, checks=None):
    counts = tally.counts
    ms = [value * 1000 for value in tally.latencies]
    lines = [
        "Groepswijzer sign-up benchmark",
        f"  database            {database.label}",
        f"  workers             {args.workers} threads for {elapsed:.1f} s",
        f"  groups              {args.groups} x {args.places} places, {args.couples:.0%} couples, "
        f"{args.confirm:.0%} of holds confirmed, cancel chance {args.cancel:.0%}",
        f"  attempts            {counts['attempts']}  ({counts['attempts'] / elapsed:.1f} per second)",
        f"  successful holds    {counts['holds']}  ({counts['holds'] / elapsed:.1f} sign-ups per second, "
        f"{counts['places']} places)",
        f"  refusals (full)     {counts['full']}",
        f"  other refusals      {counts['other_refusals']}",
        f"  errors              {counts['errors']}",
        f"  confirmations       {counts['confirmations']}",
        f"  cancellations       {counts['cancellations']}",
        f"  time per attempt    median {statistics.median(ms) if ms else 0:.1f} ms, "
        f"p95 {percentile(ms, 0.95):.1f} ms, max {max(ms, default=0):.1f} ms",
        f"  overbooking         {final_excess} at the end, {max(samples, default=0)} at worst while running "
        f"({len(samples)} checks)",
    ]
    if args.payments:
        pay_ms = [value * 1000 for value in tally.payment_latencies]
        lines += [
            f"  payments            {counts['payments']} started at the fake Mollie, {counts['paid']} paid "
            f"({counts['paid'] / elapsed:.1f} per second), {counts['no_place']} paid without a place",
            f"  webhooks            {counts['webhooks']} (each payment twice), {counts['webhooks_changed']} changed "
            f"something, {counts['busy']} found the payment locked and came back",
            f"  time per payment    median {statistics.median(pay_ms) if pay_ms else 0:.1f} ms, "
            f"p95 {percentile(pay_ms, 0.95):.1f} ms, max {max(pay_ms, default=0):.1f} ms "
            f"(start, paid, two webhooks)",
        ]
        if checks is not None:
            lines.append(
                f"  payment check       {checks['unconfirmed']} paid places left unconfirmed (must be 0), "
                f"{checks['emails']} confirmation emails for {checks['confirmed_by_payment']} places confirmed by "
                f"payment"
            )
    for sample in tally.error_samples:
        lines.append(f"  error sample        {sample}")
    print("\n".join(lines))


def main():
    args = parse_args()
    url = os.environ.get("DATABASE_URL")
    database = PostgresDatabase(url, args.db_name) if url else SqliteFile(args.sqlite_path)
    os.environ["DJANGO_SETTINGS_MODULE"] = "groepswijzer.settings.test"
    fake = None
    if args.payments:
        from tests.fake_mollie import API_KEY, FakeMollie

        fake = FakeMollie().start()
        fake.call_webhooks = False  # the workers play the webhook themselves
        os.environ["MOLLIE_API_KEY"] = API_KEY
        os.environ["MOLLIE_API_ENDPOINT"] = fake.url
    print(f"Setting up {database.label} …", flush=True)
    database.create()
    checks = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        if args.payments:
            # Emails are queued as on the site, and left for a task worker: rendering and sending them is
            # not part of the sign-up (the plain confirmations above send none either).
            from django.test.utils import override_settings

            override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}).enable()

        call_command("migrate", verbosity=0)
        group_pks = build_groups(args)
        connections.close_all()
        tally, elapsed, samples = run(args, group_pks, fake)
        final_excess = overbooked(group_pks)
        checks = payment_check() if args.payments else None
        connections.close_all()
        report(args, database, tally, elapsed, samples, final_excess, checks)
    finally:
        if fake is not None:
            fake.stop()
        if args.keep:
            print(f"Kept {database.label}.")
        else:
            database.drop()
    unpaid = checks["unconfirmed"] if checks else 0
    return 1 if final_excess or max(samples, default=0) or tally.counts["errors"] or unpaid else 0


if __name__ == "__main__":
    sys.exit(main())
