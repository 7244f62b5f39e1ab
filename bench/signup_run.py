"""The sign-up benchmark's run, in a child process of bench/signup.py (which makes and drops the database).

    python -m bench.signup_run '{"workers": 16, "seconds": 2.5, "rounds": 4, ...}'

Phases, each on its own groups and for the same time, so their figures compare:
services with the payment step (when payments are on), services without it,
the bare transaction: the same lock, count and insert in plain SQL, with
nothing else around them, and (when payments are on) the bare transaction with
the payment step: the same, plus the same requests to the fake Mollie with a
plain HTTP client and a plain locked update of the places. The fake Mollie runs
in a process of its own (bench/signup_mollie.py), as Mollie is another
company's server. The phases take turns in rounds (every second round the
other way round), each round on fresh groups, after ANALYZE and with workers
that warmed up before the clock started; besides sign-ups per second each
phase gets the CPU per sign-up of the workers, PostgreSQL, Redis and the fake
Mollie. Then one sign-up after another without competition ("alone"): time
and queries of one hold through the services and of one bare hold. Prints the
report; exits with status 1 on overbooking, an unexpected error or a paid
place left unconfirmed.
"""

import bench.django_setup  # noqa: F401

# isort: split
import datetime
import http.client
import itertools
import json
import multiprocessing
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from urllib.parse import urlsplit

import redis
from django.core.management import call_command
from django.db import OperationalError, connection, connections, transaction
from django.db.models import F, Sum
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from wagtail.models import Page

from bench import booking_api as booking
from bench.benchlib import children, process_cpu
from courses.models import CourseIndexPage, CoursePage
from home.models import HomePage
from tests.fake_mollie import API_KEY

SOLO_PLACES = 10_000
REFERENCE = "0.04× (0.07× without the payment step); one hold is 14 queries, 9.9 ms alone"
TARGET = "≥ 0.5× the bare transaction on PostgreSQL, 0 overbooking"
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
BARE = "bare transaction: lock, count, insert"
BARE_PAYING = "bare transaction, with the payment step"
WITH_PAYMENT = "services, with the payment step"


# --- content to sign up for ----------------------------------------------------------------------


def build_course(args):
    home = Page.get_first_root_node().add_child(
        instance=HomePage(title="Bench", slug="bench", intro="Bench.", professionals_text="Bench.")
    )
    index = home.add_child(instance=CourseIndexPage(title="Trainingen", slug="trainingen"))
    return index.add_child(
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
            group_max=args["places"],
            suitable_for="<p>Bench.</p>",
            not_suitable_for="<p>Bench.</p>",
            alternative_advice="<p>Bench.</p>",
        )
    )


def build_groups(course, count, places, label):
    """Open groups, each at its own location with a few sessions planned a month ahead."""
    first_start = timezone.now() + datetime.timedelta(days=30)
    groups = []
    for number in range(count):
        location = booking.Location.objects.create(
            name=f"Locatie {label} {number}",
            kind=booking.Location.Kind.HEALTH_CENTRE,
            address="Dorpsstraat 1",
            postcode="5611 AB",
            town="Eindhoven",
            latitude=51.44,
            longitude=5.47,
        )
        group = booking.TrainingGroup.objects.create(
            course=course,
            location=location,
            capacity=places,
            min_participants=1,
            status=booking.TrainingGroup.Status.OPEN,
        )
        booking.plan_sessions(group, first_start=first_start, count=3)
        groups.append(group.pk)
    return groups


# --- the bare transaction ------------------------------------------------------------------------


class Bare:
    """A sign-up with nothing but the rule: lock the group, count its places, insert the held enrollments.

    Plain SQL through Django's connection, values prepared the way Django
    stores them, so it runs on both databases. This is the floor a sign-up
    through the services is measured against.
    """

    def __init__(self):
        self.group_table = booking.TrainingGroup._meta.db_table
        self.enrollment_table = booking.Enrollment._meta.db_table
        self.participant_table = booking.Participant._meta.db_table
        self.lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""

    def prep(self, model, name, value):
        return model._meta.get_field(name).get_db_prep_save(value, connection)

    def _lock(self, cursor, group_id):
        cursor.execute(f"SELECT capacity FROM {self.group_table} WHERE id = %s{self.lock}", [group_id])
        return cursor.fetchone()[0]

    def hold(self, group_id, people, now):
        """Held enrollment ids, or None when the group has too few places left."""
        expires = now + datetime.timedelta(minutes=15)
        E, P = booking.Enrollment, booking.Participant
        with transaction.atomic(), connection.cursor() as cursor:
            capacity = self._lock(cursor, group_id)
            cursor.execute(
                f"SELECT COUNT(*) FROM {self.enrollment_table} WHERE group_id = %s "
                "AND (status = 'confirmed' OR (status = 'held' AND hold_expires_at > %s))",
                [group_id, self.prep(E, "hold_expires_at", now)],
            )
            if capacity - cursor.fetchone()[0] < len(people):
                return None
            party = self.prep(E, "party", uuid.uuid4())
            ids = []
            for person in people:
                cursor.execute(
                    f"INSERT INTO {self.participant_table} (first_name, last_name, email, phone, birth_year, "
                    "postcode, gp_practice, gp_letter_consent, created_at) "
                    "VALUES (%s, %s, %s, '', %s, %s, '', %s, %s) RETURNING id",
                    [
                        person["first_name"],
                        person["last_name"],
                        person["email"],
                        person["birth_year"],
                        person["postcode"],
                        self.prep(P, "gp_letter_consent", False),
                        self.prep(P, "created_at", now),
                    ],
                )
                participant_id = cursor.fetchone()[0]
                cursor.execute(
                    f"INSERT INTO {self.enrollment_table} (group_id, participant_id, status, hold_expires_at, party, "
                    "reference, consent_text_version, consent_at, consent_channel, language, created_at) "
                    "VALUES (%s, %s, 'held', %s, %s, %s, 'bench', %s, 'online', 'nl', %s) RETURNING id",
                    [
                        group_id,
                        participant_id,
                        self.prep(E, "hold_expires_at", expires),
                        party,
                        "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8)),
                        self.prep(E, "consent_at", now),
                        self.prep(E, "created_at", now),
                    ],
                )
                ids.append(cursor.fetchone()[0])
        return ids

    def set_status(self, group_id, ids, status, now, moment_column, only_from=("held", "confirmed")):
        """Lock the group and give these places `status`; returns how many changed."""
        with transaction.atomic(), connection.cursor() as cursor:
            self._lock(cursor, group_id)
            marks = ", ".join(["%s"] * len(ids))
            states = ", ".join(f"'{state}'" for state in only_from)
            cursor.execute(
                f"UPDATE {self.enrollment_table} SET status = %s, {moment_column} = %s "
                f"WHERE id IN ({marks}) AND status IN ({states})",
                [status, self.prep(booking.Enrollment, moment_column, now), *ids],
            )
            return cursor.rowcount


# --- the fake Mollie, in a process of its own ----------------------------------------------------


class MollieProcess:
    """bench/signup_mollie.py started as a child process: its address, and the CPU it has used."""

    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.signup_mollie"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
        )
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.stop()
            raise SystemExit("The fake Mollie did not start.")

    def cpu_seconds(self):
        """User and system CPU time of the fake Mollie's process so far (Linux; 0 elsewhere)."""
        try:
            return process_cpu(self.process.pid)[1]
        except OSError:
            return 0.0

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class MollieClient:
    """What the bench itself says to the fake Mollie, with a plain HTTP client (one connection per thread).

    `pay`: the payer clicks "Betaald" on the checkout page (the bank says paid), for both the
    services and the bare payment step. `create_payment` and `payment_status`: the bare payment
    step's requests, the same three the services make through the Mollie client.
    """

    def __init__(self, url):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.local = threading.local()
        self.numbers = itertools.count(1)

    def _request(self, method, path, body=None, headers=None):
        connection_ = getattr(self.local, "connection", None)
        if connection_ is None:
            connection_ = self.local.connection = http.client.HTTPConnection(self.host, self.port, timeout=20)
        headers = {"Authorization": f"Bearer {API_KEY}", **(headers or {})}
        if body is not None:
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            connection_.request(method, path, body=body, headers=headers)
            response = connection_.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            connection_.close()
            self.local.connection = None
            raise
        return response.status, data

    def pay(self, payment_id):
        status, _ = self._request("POST", f"/checkout/{payment_id}/paid", body={})
        if status != 303:
            raise RuntimeError(f"the fake Mollie's checkout answered {status}")

    def create_payment(self, party):
        data = {
            "amount": {"value": "25.00", "currency": "EUR"},
            "description": f"Mentaal Fit, aanmelding {party}",
            "redirectUrl": "http://bench.invalid/betalen/terug/",
            "webhookUrl": "http://bench.invalid/betalen/webhook/",
            "locale": "nl_NL",
            "metadata": {"party": str(party)},
        }
        key = f"bench-betaling-{os.getpid()}-{next(self.numbers)}"
        status, answer = self._request("POST", "/v2/payments", body=data, headers={"Idempotency-Key": key})
        if status != 201:
            raise RuntimeError(f"the fake Mollie answered {status} to a new payment")
        return json.loads(answer)["id"]

    def payment_status(self, payment_id):
        status, answer = self._request("GET", f"/v2/payments/{payment_id}")
        if status != 200:
            raise RuntimeError(f"the fake Mollie answered {status} to a payment's look-up")
        return json.loads(answer)["status"]


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
        self.cpu = 0.0  # the workers' own CPU seconds while the clock ran

    def add(self, **counts):
        with self.lock:
            for key, value in counts.items():
                self.counts[key] += value

    def merge(self, latencies, errors, payment_latencies=(), cpu=0.0):
        with self.lock:
            self.latencies.extend(latencies)
            self.payment_latencies.extend(payment_latencies)
            self.error_samples = (self.error_samples + errors)[:3]
            self.cpu += cpu

    def absorb(self, other):
        """Add another tally (a round of the same phase) to this one."""
        self.add(**other.counts)
        self.merge(other.latencies, other.error_samples, other.payment_latencies, other.cpu)


def overbooked(group_pks):
    """Places given out beyond capacity, over all groups, counted right now."""
    excess = (
        booking.TrainingGroup.objects.filter(pk__in=group_pks)
        .with_places_left()
        .filter(places_taken__gt=F("capacity"))
        .aggregate(excess=Sum(F("places_taken") - F("capacity")))["excess"]
    )
    return excess or 0


class ServerCpu:
    """CPU seconds spent so far by the PostgreSQL server and by Redis, where they can be read.

    PostgreSQL: when it runs on this machine, from /proc: the postmaster and everything it started
    (live backends, and what ended backends spent, which the postmaster collects when they exit).
    Redis: its own count (INFO cpu), when REDIS_URL is set. None for what cannot be read (SQLite,
    another machine).
    """

    def __init__(self):
        self.postmaster = self._postmaster()
        url = os.environ.get("REDIS_URL")
        self.redis = redis.Redis.from_url(url) if url else None

    @staticmethod
    def _postmaster():
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        try:
            parent, _, _ = process_cpu(backend)
            with open(f"/proc/{parent}/comm") as comm:
                return parent if comm.read().strip() == "postgres" else None
        except OSError:
            return None  # the server runs elsewhere

    def _postgres(self):
        total = 0.0
        for pid in [self.postmaster, *children(self.postmaster)]:
            try:
                _, own, ended = process_cpu(pid)
            except OSError:
                continue  # a backend that ended meanwhile: the postmaster counts it from now on
            total += own + ended
        return total

    def read(self):
        figures = {"PostgreSQL": None, "Redis": None}
        if self.postmaster is not None:
            figures["PostgreSQL"] = self._postgres()
        if self.redis is not None:
            info = self.redis.info("cpu")
            figures["Redis"] = info["used_cpu_sys"] + info["used_cpu_user"]
        return figures

    def since(self, mark):
        """CPU seconds of each server from `mark` (an earlier `read()`) until now."""
        now = self.read()
        return {name: None if mark[name] is None else now[name] - mark[name] for name in now}


class Round:
    """What one round of one phase gave."""

    def __init__(self, tally, elapsed, samples, excess, server_cpu):
        self.tally, self.elapsed, self.samples, self.excess = tally, elapsed, samples, excess
        self.server_cpu = server_cpu
        self.mollie_cpu = None
        self.checks = None


class Phase:
    """All rounds of one phase in one mode, added up."""

    def __init__(self):
        self.tally = Tally()
        self.elapsed = 0.0
        self.samples = []
        self.excess = 0
        self.server_cpu = {"PostgreSQL": 0.0, "Redis": 0.0}
        self.mollie_cpu = None
        self.checks = None
        self.rates = []  # sign-ups per second of each round

    def add(self, one):
        self.tally.absorb(one.tally)
        self.elapsed += one.elapsed
        self.samples += one.samples
        self.excess += one.excess
        for name, seconds in one.server_cpu.items():
            self.server_cpu[name] = (
                None if seconds is None or self.server_cpu[name] is None else (self.server_cpu[name] + seconds)
            )
        if one.mollie_cpu is not None:
            self.mollie_cpu = (self.mollie_cpu or 0.0) + one.mollie_cpu
        if one.checks is not None:
            self.checks = {key: (self.checks or {}).get(key, 0) + value for key, value in one.checks.items()}
        self.rates.append(one.tally.counts["holds"] / one.elapsed)

    @property
    def rate(self):
        return self.tally.counts["holds"] / self.elapsed

    def cpu_per_signup(self):
        """Milliseconds of CPU per successful hold: each part's, and the site's (all parts but the fake Mollie,
        which is another company's server)."""
        holds = max(self.tally.counts["holds"], 1)
        parts = {"workers": self.tally.cpu, **self.server_cpu, "fake Mollie": self.mollie_cpu}
        parts = {name: 1000 * seconds / holds for name, seconds in parts.items() if seconds is not None}
        return parts, sum(value for name, value in parts.items() if name != "fake Mollie")


class Clock:
    """Shared by all workers: the run starts when everyone is ready, and stops for everyone at once.

    With `processes`, the start line and the moments live in shared memory, for worker processes
    forked after the clock was made (time.monotonic is the same clock in every process).
    """

    def __init__(self, parties, seconds, processes=False):
        self.seconds = seconds
        if processes:
            context = multiprocessing.get_context("fork")
            self._moments = context.Array("d", 2, lock=False)
            self.start_line = context.Barrier(parties, action=self._start)
        else:
            self._moments = [0.0, 0.0]
            self.start_line = threading.Barrier(parties, action=self._start)

    def _start(self):
        self._moments[0] = time.monotonic()
        self._moments[1] = self._moments[0] + self.seconds

    @property
    def began(self):
        return self._moments[0]

    def wait_for_start(self):
        self.start_line.wait()

    def running(self):
        return time.monotonic() < self._moments[1]


def pay_online(enrollments, mollie, gateway, tally):
    """The payment step as the site does it: start at (fake) Mollie, the bank says paid, the webhook twice.

    The second webhook is the duplicate Mollie may send: it must change nothing.
    On PostgreSQL a webhook that finds the payment locked answers 503 and
    Mollie comes back later; here it simply tries again.
    """
    payment = booking.start_online_payment(
        enrollments,
        gateway=gateway,
        redirect_url_for=lambda p: "http://bench.invalid/betalen/terug/",
        webhook_url="http://bench.invalid/betalen/webhook/",
    )
    tally.add(payments=1)
    mollie.pay(payment.mollie_id)
    for _ in range(2):
        while True:
            try:
                payment, changed = booking.sync_payment(payment, gateway=gateway, actor="webhook", nowait=True)
            except OperationalError:
                tally.add(busy=1)
                time.sleep(0.01)
                continue
            break
        tally.add(webhooks=1, webhooks_changed=int(changed))
    tally.add(paid=1, no_place=int(payment.placement == booking.Payment.Placement.LOST))
    return payment.placement != booking.Payment.Placement.LOST


def people_for(size, emails):
    return [
        {
            "first_name": "Bench",
            "last_name": f"Deelnemer {number}",
            "email": f"deelnemer{number}@bench.example",
            "birth_year": 1980,
            "postcode": "5611 AB",
        }
        for number in (next(emails) for _ in range(size))
    ]


def service_worker(index, args, group_pks, clock, tally, emails, mollie):
    rng = random.Random(args["seed"] + index)
    latencies, errors, mine, payment_latencies = [], [], [], []
    gateway = booking.mollie_gateway() if mollie is not None else None  # one per thread: no shared HTTP session
    cpu_began = None
    try:
        wanted = [*group_pks, args["warm_group"]]
        groups = {
            group.pk: group for group in booking.TrainingGroup.objects.select_related("course").filter(pk__in=wanted)
        }
        warm_up(lambda: warm_up_services(groups[args["warm_group"]], emails, mollie, gateway), tally, errors)
        clock.wait_for_start()
        cpu_began = time.thread_time()
        while clock.running():
            if mine and rng.random() < args["cancel"]:
                # Someone changes their mind: a place comes free again for the others.
                try:
                    booking.cancel_enrollment(mine.pop(rng.randrange(len(mine))))
                except Exception as error:  # counted and shown, never hidden
                    tally.add(errors=1)
                    errors.append(f"cancel: {type(error).__name__}: {error}")
                else:
                    tally.add(cancellations=1)
                continue
            people = people_for(2 if rng.random() < args["couples"] else 1, emails)
            began = time.perf_counter()
            try:
                enrollments = booking.hold_places(groups[rng.choice(group_pks)], people, consent_text_version="bench")
            except booking.GroupFull:
                tally.add(attempts=1, full=1)
            except booking.BookingError:
                tally.add(attempts=1, other_refusals=1)
            except Exception as error:  # counted and shown, never hidden
                tally.add(attempts=1, errors=1)
                errors.append(f"{type(error).__name__}: {error}")
            else:
                tally.add(attempts=1, holds=1, places=len(enrollments))
                party = enrollments[0].party
                if rng.random() < args["confirm"]:
                    paying_began = time.perf_counter()
                    try:
                        if gateway is not None:
                            confirmed = pay_online(enrollments, mollie, gateway, tally)
                        else:
                            booking.confirm_enrollment(party)
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
        cpu = time.thread_time() - cpu_began if cpu_began is not None else 0.0
        tally.merge(latencies, errors, payment_latencies, cpu)
        connections.close_all()


def warm_up(step, tally, errors):
    """A worker's warm-up (`step`); an error in it is counted and shown, never hidden, and the worker still goes
    to the start line, where everyone waits for everyone."""
    try:
        step()
    except Exception as error:
        tally.add(errors=1)
        errors.append(f"warm-up: {type(error).__name__}: {error}")


def warm_up_services(group, emails, mollie, gateway):
    """One sign-up on the warm-up group before the clock starts: held, confirmed (paid), cancelled.

    A web worker has served requests before: its connection is open, its statements are prepared,
    its Mollie session and Django's lazily built validators exist. What a worker does once in its
    life is not part of a sign-up; the bare worker warms up the same way.
    """
    enrollments = booking.hold_places(group, people_for(1, emails), consent_text_version="bench")
    party = enrollments[0].party
    if gateway is not None:
        pay_online(enrollments, mollie, gateway, Tally())
    else:
        booking.confirm_enrollment(party)
    booking.cancel_enrollment(party)


def bare_pay(bare, group_id, ids, mollie, tally):
    """The payment step in bare form: the same requests to the fake Mollie as the services make, with a
    plain HTTP client (create the payment; the payer pays; look the payment up on each of the two
    webhooks), and a plain locked update of the places when it is paid. Returns whether they were confirmed.
    """
    payment_id = mollie.create_payment(uuid.uuid4())
    tally.add(payments=1)
    mollie.pay(payment_id)
    confirmed = 0
    for _ in range(2):
        changed = 0
        if mollie.payment_status(payment_id) == "paid":
            changed = bare.set_status(group_id, ids, "confirmed", timezone.now(), "confirmed_at", only_from=("held",))
        confirmed += changed
        tally.add(webhooks=1, webhooks_changed=int(bool(changed)))
    tally.add(paid=1, no_place=int(not confirmed))
    return bool(confirmed)


def bare_worker(index, args, group_pks, clock, tally, emails, mollie):
    """The same choices as `service_worker` (cancel, couple, confirm), each step a bare transaction;
    with `mollie`, a confirmation is the bare payment step (`bare_pay`)."""
    rng = random.Random(args["seed"] + index)
    latencies, errors, mine, payment_latencies = [], [], [], []
    bare = Bare()
    cpu_began = None
    try:
        warm_up(lambda: warm_up_bare(bare, args["warm_group"], emails, mollie), tally, errors)
        clock.wait_for_start()
        cpu_began = time.thread_time()
        while clock.running():
            if mine and rng.random() < args["cancel"]:
                group_id, ids = mine.pop(rng.randrange(len(mine)))
                bare.set_status(group_id, ids, "cancelled", timezone.now(), "cancelled_at")
                tally.add(cancellations=1)
                continue
            people = people_for(2 if rng.random() < args["couples"] else 1, emails)
            group_id = rng.choice(group_pks)
            began = time.perf_counter()
            try:
                ids = bare.hold(group_id, people, timezone.now())
            except Exception as error:  # counted and shown, never hidden
                tally.add(attempts=1, errors=1)
                errors.append(f"{type(error).__name__}: {error}")
                ids = None
            else:
                if ids is None:
                    tally.add(attempts=1, full=1)
                else:
                    tally.add(attempts=1, holds=1, places=len(ids))
                    if rng.random() < args["confirm"]:
                        paying_began = time.perf_counter()
                        if mollie is not None:
                            try:
                                confirmed = bare_pay(bare, group_id, ids, mollie, tally)
                            except Exception as error:  # counted and shown, never hidden
                                tally.add(errors=1)
                                errors.append(f"confirm: {type(error).__name__}: {error}")
                                confirmed = False
                            payment_latencies.append(time.perf_counter() - paying_began)
                        else:
                            bare.set_status(group_id, ids, "confirmed", timezone.now(), "confirmed_at")
                            confirmed = True
                        tally.add(confirmations=int(confirmed))
                    mine.append((group_id, ids))
            latencies.append(time.perf_counter() - began)
    finally:
        cpu = time.thread_time() - cpu_began if cpu_began is not None else 0.0
        tally.merge(latencies, errors, payment_latencies, cpu)
        connections.close_all()


def warm_up_bare(bare, group_id, emails, mollie):
    """The bare worker's warm-up, as `warm_up_services`: one hold, confirmed (paid), cancelled."""
    ids = bare.hold(group_id, people_for(1, emails), timezone.now())
    if mollie is not None:
        bare_pay(bare, group_id, ids, mollie, Tally())
    else:
        bare.set_status(group_id, ids, "confirmed", timezone.now(), "confirmed_at")
    bare.set_status(group_id, ids, "cancelled", timezone.now(), "cancelled_at")


def watch(group_pks, clock, done, samples, server, marks):
    """Checks all groups for overbooking, over and over, while the workers run.

    At the start line it reads the servers' CPU (`server`) into `marks`, so the phase's share is
    what they spent while the clock ran, not the workers' warming up.
    """
    try:
        clock.wait_for_start()
        marks.append(server.read())
        while not done.is_set():
            samples.append(overbooked(group_pks))
            time.sleep(0.02)
    finally:
        connections.close_all()


def refresh_statistics():
    """The planner's numbers brought up to date before each round of a phase, outside its time.

    On a running site autovacuum keeps them current as the tables grow; this machine's PostgreSQL
    runs with autovacuum off (a setting for CI), so without this every plan would be made for empty
    tables: a sign-up's places would be looked for among all of its group's rows instead of by its own
    index. The same for every phase, the bare transaction's included.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run_phase(args, worker, group_pks, emails, server, mollie_url=None, processes=False):
    """One round of a phase: `args["workers"]` workers as threads of this process, or (`processes`) as
    processes of their own; returns a Round.

    `mollie_url`: the fake Mollie's address, for a phase with the payment step.
    """
    if processes:
        return run_phase_in_processes(args, worker, group_pks, server, mollie_url)
    mollie = MollieClient(mollie_url) if mollie_url else None
    tally = Tally()
    clock = Clock(args["workers"] + 1, args["seconds"])
    done = threading.Event()
    samples, marks = [], []
    threads = [
        threading.Thread(target=worker, args=(index, args, group_pks, clock, tally, emails, mollie))
        for index in range(args["workers"])
    ]
    watcher = threading.Thread(target=watch, args=(group_pks, clock, done, samples, server, marks))
    for thread in threads + [watcher]:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - clock.began
    done.set()
    watcher.join()
    return Round(tally, elapsed, samples, overbooked(group_pks), server.since(marks[0]))


def process_worker(index, args, worker, group_pks, clock, results, mollie_url):
    """A worker in a process of its own (forked): its own connections (database, fake Mollie), its own tally."""
    connections.close_all()  # never a connection of the parent's
    mollie = MollieClient(mollie_url) if mollie_url else None
    tally = Tally()
    # Addresses of its own, unlike any other worker's in this round or another.
    emails = itertools.count((args["round"] * args["workers"] + index + 1) * 1_000_000)
    try:
        worker(index, args, group_pks, clock, tally, emails, mollie)
    finally:
        results.put((tally.counts, tally.latencies, tally.payment_latencies, tally.error_samples, tally.cpu))


def run_phase_in_processes(args, worker, group_pks, server, mollie_url):
    context = multiprocessing.get_context("fork")
    clock = Clock(args["workers"] + 1, args["seconds"], processes=True)
    results = context.Queue()
    connections.close_all()  # forked children must not share this process's connection
    workers = [
        context.Process(target=process_worker, args=(index, args, worker, group_pks, clock, results, mollie_url))
        for index in range(args["workers"])
    ]
    for process in workers:
        process.start()
    done = threading.Event()
    samples, marks = [], []
    watcher = threading.Thread(target=watch, args=(group_pks, clock, done, samples, server, marks))
    watcher.start()
    tally = Tally()
    for _ in workers:
        counts, latencies, payment_latencies, errors, cpu = results.get()
        tally.add(**counts)
        tally.merge(latencies, errors, payment_latencies, cpu)
    elapsed = time.monotonic() - clock.began
    for process in workers:
        process.join()
    done.set()
    watcher.join()
    return Round(tally, elapsed, samples, overbooked(group_pks), server.since(marks[0]))


# --- alone: one sign-up at a time ----------------------------------------------------------------


def median_and_queries(step, prepare, repeat):
    """Queries of one `step(prepare())` (after one to warm up), and its median ms over `repeat` more."""
    step(prepare())
    ready = prepare()
    with CaptureQueriesContext(connection) as queries:
        step(ready)
    times = []
    for _ in range(repeat):
        ready = prepare()
        began = time.perf_counter()
        step(ready)
        times.append((time.perf_counter() - began) * 1000)
    return {"queries": len(queries), "ms": statistics.median(times)}


def alone(course, args, emails):
    """Median ms and queries of one hold, and of one confirmation, without competition: services and bare."""
    [group_id] = build_groups(course, 1, SOLO_PLACES, "alone")
    group = booking.TrainingGroup.objects.select_related("course").get(pk=group_id)
    bare = Bare()

    def hold(people):
        return booking.hold_places(group, people, consent_text_version="bench")

    def bare_hold(people):
        return bare.hold(group_id, people, timezone.now())

    def person():
        return people_for(1, emails)

    return {
        "services": median_and_queries(hold, person, args["alone"]),
        "bare": median_and_queries(bare_hold, person, args["alone"]),
        "confirm": median_and_queries(
            lambda held: booking.confirm_enrollment(held[0].party), lambda: hold(person()), args["alone"]
        ),
        "bare confirm": median_and_queries(
            lambda ids: bare.set_status(group_id, ids, "confirmed", timezone.now(), "confirmed_at"),
            lambda: bare_hold(person()),
            args["alone"],
        ),
    }


# --- the report ----------------------------------------------------------------------------------


def percentile(values, share):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def payment_check(group_pks):
    """After a phase: every paid payment's places confirmed, or its loss on record; one email per place."""
    paid = booking.Payment.objects.filter(status="paid", provider="mollie", group_id__in=group_pks)
    unconfirmed = 0
    for payment in paid.exclude(placement=booking.Payment.Placement.LOST).prefetch_related("enrollments"):
        mine = [e for e in payment.enrollments.all() if e.party == payment.party]
        unconfirmed += sum(
            e.status not in (booking.Enrollment.Status.CONFIRMED, booking.Enrollment.Status.CANCELLED) for e in mine
        )
    emails = (
        booking.OutgoingEmail.objects.filter(kind="confirmation", participant__enrollments__group_id__in=group_pks)
        .distinct()
        .count()
    )
    confirmed_by_payment = (
        booking.Enrollment.objects.filter(payments__in=paid.exclude(placement=booking.Payment.Placement.LOST))
        .distinct()
        .count()
    )
    return {"unconfirmed": unconfirmed, "emails": emails, "confirmed_by_payment": confirmed_by_payment}


def report(title, args, phase, processes=False, paying=False):
    tally, elapsed = phase.tally, phase.elapsed
    counts = tally.counts
    ms = [value * 1000 for value in tally.latencies]
    rounds = len(phase.rates)
    lines = [
        f"{title}",
        f"  workers             {args['workers']} {'processes' if processes else 'threads'}, {rounds} rounds, "
        f"{elapsed:.1f} s in all",
        f"  groups              {args['groups']} x {args['places']} places a round, {args['couples']:.0%} couples, "
        f"{args['confirm']:.0%} of holds confirmed, cancel chance {args['cancel']:.0%}",
        f"  attempts            {counts['attempts']}  ({counts['attempts'] / elapsed:.1f} per second)",
        f"  successful holds    {counts['holds']}  ({counts['holds'] / elapsed:.1f} sign-ups per second, "
        f"{counts['places']} places; rounds {' / '.join(f'{rate:.0f}' for rate in phase.rates)})",
        f"  refusals (full)     {counts['full']}",
        f"  other refusals      {counts['other_refusals']}",
        f"  errors              {counts['errors']}",
        f"  confirmations       {counts['confirmations']}",
        f"  cancellations       {counts['cancellations']}",
        f"  time per attempt    median {statistics.median(ms) if ms else 0:.1f} ms, "
        f"p95 {percentile(ms, 0.95):.1f} ms, max {max(ms, default=0):.1f} ms",
        f"  overbooking         {phase.excess} at the ends of the rounds, {max(phase.samples, default=0)} at worst "
        f"while running ({len(phase.samples)} checks)",
    ]
    if paying:
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
        if phase.mollie_cpu is not None:
            lines.append(
                f"  fake Mollie         {phase.mollie_cpu:.2f} s of CPU in its own process "
                f"({1000 * phase.mollie_cpu / max(counts['payments'], 1):.2f} ms per payment), not charged to the "
                "workers"
            )
    parts, together = phase.cpu_per_signup()
    lines.append(
        "  CPU per sign-up     "
        + ", ".join(f"{name} {value:.1f} ms" for name, value in parts.items())
        + f"; the site's (all but the fake Mollie) {together:.1f} ms"
    )
    if phase.checks is not None:
        checks = phase.checks
        lines.append(
            f"  payment check       {checks['unconfirmed']} paid places left unconfirmed (must be 0), "
            f"{checks['emails']} confirmation emails for {checks['confirmed_by_payment']} places confirmed "
            "by payment"
        )
    for sample in tally.error_samples:
        lines.append(f"  error sample        {sample}")
    print("\n".join(lines), flush=True)


def main():
    args = json.loads(sys.argv[1])
    # Emails are queued as on the site and left for a task worker: sending them is not part of a sign-up.
    override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}).enable()
    mollie = None
    if args["payments"]:  # another company's server: in a process of its own, which plays no webhook itself
        mollie = MollieProcess()
        override_settings(MOLLIE_API_KEY=API_KEY, MOLLIE_API_ENDPOINT=mollie.url).enable()
    call_command("migrate", verbosity=0)
    course = build_course(args)
    emails = itertools.count(1)  # next() on it is atomic in CPython: every sign-up gets its own address
    mollie_url = mollie.url if mollie else None
    phases = []
    if args["payments"]:
        phases.append((WITH_PAYMENT, service_worker, mollie_url))
    phases.append(("services, without the payment step", service_worker, None))
    if args["bare"]:
        phases.append((BARE, bare_worker, None))
        if args["payments"]:
            phases.append((BARE_PAYING, bare_worker, mollie_url))
    modes = ["threads", "processes"] if args["processes"] else ["threads"]
    rounds = range(args["rounds"])
    # One group with room for everyone's warm-up sign-up, outside the phases' groups and checks.
    [args["warm_group"]] = build_groups(course, 1, SOLO_PLACES, "opwarmen")
    groups = {
        (mode, title, number): build_groups(course, args["groups"], args["places"], f"{mode} {number} {title[:20]}")
        for mode in modes
        for title, _, _ in phases
        for number in rounds
    }
    server = ServerCpu()
    connections.close_all()
    print(f"Groepswijzer sign-up benchmark\n  database            {args['label']}", flush=True)
    failed = False
    results = {(mode, title): Phase() for mode in modes for title, _, _ in phases}
    try:
        for mode in modes:
            in_processes = mode == "processes"
            for number in rounds:
                args["round"] = number
                # The phases take turns, the other way round every second round, so a machine that gets
                # faster or slower during the run weighs on each phase alike.
                for title, worker, phase_mollie in phases if number % 2 == 0 else phases[::-1]:
                    group_pks = groups[mode, title, number]
                    refresh_statistics()
                    mollie_cpu = mollie.cpu_seconds() if phase_mollie else None
                    one = run_phase(args, worker, group_pks, emails, server, phase_mollie, processes=in_processes)
                    if phase_mollie:
                        one.mollie_cpu = mollie.cpu_seconds() - mollie_cpu
                    if phase_mollie and worker is service_worker:
                        one.checks = payment_check(group_pks)
                    connections.close_all()
                    results[mode, title].add(one)
            for title, _, phase_mollie in phases:
                phase = results[mode, title]
                report(f"{title} ({mode})", args, phase, processes=in_processes, paying=bool(phase_mollie))
                failed |= bool(phase.excess or max(phase.samples, default=0) or phase.tally.counts["errors"])
                failed |= bool(phase.checks and phase.checks["unconfirmed"])
        figures = alone(course, args, emails) if args["alone"] else None
    finally:
        if mollie is not None:
            mollie.stop()
    print(f"\nSign-ups per second (successful holds), {args['rounds']} rounds in turn, measured in this run")
    for mode in modes:
        bare = results.get((mode, BARE))
        paying = results.get((mode, BARE_PAYING))
        print(f"  workers as {mode}")
        for title, _, _ in phases:
            phase = results[mode, title]
            ratio = f"  {phase.rate / bare.rate:.3f}× the bare transaction" if bare else ""
            reference = paying if title == WITH_PAYMENT and paying else bare
            if title == WITH_PAYMENT and bare:
                ratio += " (without its payment step: not like for like)"
            print(f"    {title:<40} {phase.rate:8.1f}{ratio}")
            if title == WITH_PAYMENT and paying:
                print(
                    f"    {'':<40} {'':>8}  {phase.rate / paying.rate:.3f}× the bare transaction with the payment step"
                )
            if reference and phase is not reference:
                pairs = zip(phase.rates, reference.rates, strict=True)
                each = " / ".join(f"{mine / theirs:.2f}" for mine, theirs in pairs)
                _, together = phase.cpu_per_signup()
                _, reference_together = reference.cpu_per_signup()
                print(
                    f"    {'':<40} {'':>8}  rounds: {each}; the site's CPU per sign-up {together:.1f} ms against "
                    f"{reference_together:.1f} ms ({reference_together / together:.3f}×)"
                )
    if figures:
        print(
            f"  one hold alone: {figures['services']['queries']} queries, {figures['services']['ms']:.1f} ms "
            f"(median of {args['alone']}); bare: {figures['bare']['queries']} queries, "
            f"{figures['bare']['ms']:.1f} ms"
        )
        print(
            f"  one confirmation alone (confirm_enrollment): {figures['confirm']['queries']} queries, "
            f"{figures['confirm']['ms']:.1f} ms; bare: {figures['bare confirm']['queries']} queries, "
            f"{figures['bare confirm']['ms']:.1f} ms"
        )
    print(f"  issue 9, before: {REFERENCE}\n  target: {TARGET}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
