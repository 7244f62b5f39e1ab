"""Two web nodes: two gunicorn servers on one database and one Redis, as behind a load balancer.

The servers serve this test's database (committed data: a transactional test) with the test
settings, the page cache on. Over real HTTP, through both nodes at once, many people sign up
for a group with few places: never more places are given than the group has. And a page stored
by one node is stale on both as soon as a place is taken through the other.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from booking.models import Enrollment
from groepswijzer import page_cache
from home.organisation import OrganisationSettings
from tests.booking.factories import planned_group, signup_course
from tests.factories import CourseIndexPageFactory, HomePageFactory, LocationFactory
from tests.helpers import run_together, signup_url

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "")
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))

pytestmark = [
    pytest.mark.skipif(
        not (ON_POSTGRES and REDIS_URL),
        reason="two web nodes need a database server and a Redis they both reach: "
        "set DATABASE_URL to PostgreSQL and REDIS_URL (SQLite is one machine's file)",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("wagtail_roots"),
]

# Both nodes are reached under the site's one public name, as through a load balancer.
HOST = "www.groepswijzer.test"
PEOPLE = 16
CAPACITY = 5


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def redis_url():
    """The Redis database this test process uses (with several test workers, each has its own)."""
    return settings.CACHES["default"]["LOCATION"]


def start_node(port, log):
    env = {
        # Not a test worker's name: the servers use exactly the database and Redis given here.
        **{name: value for name, value in os.environ.items() if name != "PYTEST_XDIST_WORKER"},
        "DJANGO_SETTINGS_MODULE": "groepswijzer.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url(),
        "PAGE_CACHE": "1",
        "PAGE_FRAGMENT_CACHE": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        # The test plays the load balancer: it names each visitor's own address (X-Forwarded-For).
        "TRUSTED_PROXY_COUNT": "1",
    }
    return subprocess.Popen(
        # Loaded once, then forked into its workers: quicker to start, the same code serving.
        [
            sys.executable,
            "-m",
            "gunicorn",
            "groepswijzer.wsgi",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--preload",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_until_serving(base, process, seconds=240):
    # Generous: on a busy machine loading the site takes long; a server that stops is reported at once.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server at {base} stopped")
        try:
            requests.get(base + "/", headers={"Host": HOST}, timeout=10)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"the server at {base} did not start within {seconds} s")


@pytest.fixture(scope="module")
def nodes(django_db_setup, tmp_path_factory):
    """Both servers, started once for this module (on the test database, which each test fills anew)."""
    ports = [free_port(), free_port()]
    folder = tmp_path_factory.mktemp("nodes")
    logs = [open(folder / f"node-{n}.log", "w") for n in range(2)]  # noqa: SIM115  (closed below)
    processes = [start_node(port, log) for port, log in zip(ports, logs, strict=True)]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base, process in zip(bases, processes, strict=True):
            wait_until_serving(base, process)
        yield bases
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()


@pytest.fixture
def course():
    # The site's settings row exists (a node would create it at its first page, and rightly make
    # every stored page stale then).
    OrganisationSettings.load()
    home = HomePageFactory()
    return signup_course(CourseIndexPageFactory(parent=home), questions=False, title="Mentaal Fit")


@pytest.fixture
def group(course):
    location = LocationFactory(name="Gezondheidscentrum De Linde", town="Eindhoven")
    return planned_group(course, location, days=21, capacity=CAPACITY, taken=0)


def form_token(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)


class Visitor:
    """One person in their own browser, on one node."""

    def __init__(self, base, number):
        self.base = base
        self.number = number
        self.browser = requests.Session()
        self.browser.headers["Host"] = HOST
        self.browser.headers["X-Forwarded-For"] = f"192.0.2.{number + 1}"

    def get(self, path):
        return self.browser.get(self.base + path, timeout=30)

    def post(self, path, data):
        page = self.get(path)
        return self.browser.post(self.base + path, data={**data, "csrfmiddlewaretoken": form_token(page)}, timeout=30)

    def fill_in(self, group):
        """Steps 2 and 3, up to the consent form that holds the place."""
        person = {
            "first_name": "Fenna",
            "last_name": f"van 't Hof {self.number}",
            "email": f"deelnemer{self.number}@example.nl",
            "birth_year": "1988",
            "postcode": "5611 AB",
            "action": "next",
        }
        answer = self.post(signup_url("participant", group), person)
        assert answer.url.endswith(signup_url("consent", group)), answer.url
        self.consent_path = signup_url("consent", group)
        self.consent_token = form_token(answer)
        return self

    def give_consent(self):
        return self.browser.post(
            self.base + self.consent_path,
            data={"consent": "on", "action": "next", "csrfmiddlewaretoken": self.consent_token},
            timeout=30,
        )


def places_text(html):
    return re.search(r"nog \d+ plek(?:ken)?|vol\b", html).group(0)


def test_two_nodes_never_give_out_more_places_than_a_group_has(nodes, group):
    visitors = [Visitor(nodes[number % 2], number) for number in range(PEOPLE)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda visitor: visitor.fill_in(group), visitors))

    answers = run_together([visitor.give_consent for visitor in visitors])

    assert all(isinstance(answer, requests.Response) for answer in answers), answers
    assert all(answer.status_code == 200 for answer in answers)
    held = Enrollment.objects.filter(group=group, status="held")
    assert held.count() == CAPACITY
    refused = [answer for answer in answers if "Deze groep is net vol geraakt" in answer.text]
    assert len(refused) == PEOPLE - CAPACITY
    assert all(answer.url.endswith(signup_url("consent", group)) for answer in refused)
    # Both nodes answered: the race was run through both.
    assert {answer.url.split("/aanmelden/")[0] for answer in answers} == set(nodes)


def test_a_place_taken_through_one_node_shows_at_once_on_the_other(nodes, course, group):
    node_a, node_b = nodes
    reader = requests.Session()
    reader.headers["Host"] = HOST

    first = reader.get(node_a + course.url, timeout=30)
    again = reader.get(node_a + course.url, timeout=30)
    elsewhere = reader.get(node_b + course.url, timeout=30)
    assert first.headers[page_cache.HEADER] == "miss"
    assert again.headers[page_cache.HEADER] == "hit"
    assert elsewhere.headers[page_cache.HEADER] == "hit"  # one cache for both nodes
    assert places_text(again.text) == f"nog {CAPACITY} plekken"

    taken = Visitor(node_b, 1).fill_in(group).give_consent()
    assert not taken.url.endswith(signup_url("consent", group))
    assert Enrollment.objects.filter(group=group, status="held").count() == 1

    after = reader.get(node_a + course.url, timeout=30)
    assert after.headers.get(page_cache.HEADER) != "hit"
    assert places_text(after.text) == f"nog {CAPACITY - 1} plekken"
    assert reader.get(node_b + course.url, timeout=30).headers[page_cache.HEADER] == "hit"
    assert settings.PAGE_CACHE is False  # this test process itself never stored a page
