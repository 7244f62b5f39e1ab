"""Security headers: a strict Content-Security-Policy, a Permissions-Policy, no Server banner,
and pages with personal data that no browser or proxy keeps."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests import factories
from tests.booking.factories import coordinator, planned_group, signup_course, trainer_account

pytestmark = pytest.mark.django_db


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.fixture
def course(course_index):
    return signup_course(course_index, questions=False, title="Mentaal Fit")


@pytest.fixture
def group(course):
    return planned_group(course, factories.LocationFactory(name="Gezondheidscentrum Geldrop"), capacity=8, count=5)


def test_public_pages_allow_no_inline_scripts(client, course):
    for url in ["/", course.url, "/zoeken/?q=stress", "/account/login/"]:
        response = client.get(url)
        policy = directives(response)
        assert policy["script-src"][0] == "'self'", url
        assert "'unsafe-inline'" not in policy["script-src"], url
        assert "'unsafe-eval'" not in policy["script-src"], url
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], url


def test_the_admin_has_its_own_relaxations(client, settings):
    settings.GROEPSWIJZER_STAFF_MFA_REQUIRED = False
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    policy = directives(client.get("/admin/"))
    assert "'unsafe-inline'" in policy["script-src"] and "'unsafe-inline'" in policy["style-src"]


def test_every_response_switches_off_browser_features_we_never_use(client, course):
    for url in ["/", course.url, "/bestaat-niet/"]:
        policy = client.get(url)["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


def never_stored(response):
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def test_pages_with_personal_data_are_never_stored(client, course, group):
    signup = [reverse(f"signup:{name}", kwargs={"group_id": group.pk}) for name in ("group", "participant", "consent")]
    urls = [
        reverse("signup:course", kwargs={"course_id": course.pk}),
        *signup,
        reverse("waitlist:join", kwargs={"course_id": course.pk}),
        reverse("waitlist:status", kwargs={"token": "onbekend"}),
        reverse("selfservice:new_link"),
        reverse("selfservice:manage", kwargs={"token": "onbekend"}),
        reverse("selfservice:cancel", kwargs={"token": "onbekend"}),
        reverse("payments:choice", kwargs={"token": "onbekend"}),
        reverse("payments:receipt", kwargs={"token": "onbekend"}),
        reverse("staff:my_groups"),
        reverse("feeds:trainer", kwargs={"token": "onbekend"}),
        "/account/login/",
        "/account/signup/",
        "/account/password/reset/",
        reverse("accounts:dashboard"),
        "/admin/",
    ]
    for url in urls:
        assert never_stored(client.get(url)), url
    # A form sent back with an error shows what was typed: not stored either.
    response = client.post(signup[1], {"first_name": "Joëlle", "action": "next"})
    assert response.status_code == 200 and never_stored(response)


def test_every_page_for_a_logged_in_person_is_never_stored(client, course):
    client.force_login(factories.UserFactory(first_name="Joëlle", last_name="van 't Hof"))
    for url in ["/", course.url, "/zoeken/?q=stress"]:
        assert never_stored(client.get(url)), url


def test_public_pages_for_anonymous_visitors_may_be_cached(client, course):
    for url in ["/", course.url]:
        assert not never_stored(client.get(url)), url


def test_staff_pages_are_never_stored(client, settings):
    settings.GROEPSWIJZER_STAFF_MFA_REQUIRED = False
    client.force_login(coordinator(email="ilse@example.nl"))
    for url in ["/admin/", "/admin/aanmeldingen/", "/admin/betalingen/"]:
        assert never_stored(client.get(url)), url


def free_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def test_gunicorn_sends_no_server_banner():
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "groepswijzer.settings.dev",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "groepswijzer.wsgi"],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        headers = None
        deadline = time.monotonic() + 60
        while headers is None and time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", "/static/css/site.css")
                response = connection.getresponse()
                headers = {name.lower(): value for name, value in response.getheaders()}
                connection.close()
            except OSError:
                time.sleep(0.2)
        assert headers is not None, "gunicorn did not start"
        assert "server" not in headers
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_printed_lists_script_runs_under_the_policy(client, settings):
    settings.GROEPSWIJZER_STAFF_MFA_REQUIRED = False
    trainer, user = trainer_account("Marieke van den Heuvel", email="marieke@example.nl")
    group = planned_group(factories.CoursePageFactory(title="Mentaal Fit"), trainers=[trainer], days=7)
    client.force_login(user)
    response = client.get(reverse("staff:print", kwargs={"group_id": group.pk}))
    (nonce,) = re.findall(r'<script nonce="([^"]+)">', response.content.decode())
    assert f"'nonce-{nonce}'" in directives(response)["script-src"]
