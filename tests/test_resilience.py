"""The site stays up when its services fail: Redis down or silent, a mail server that never answers.

The outside services are real sockets on this machine: a port where nothing
listens, and a server that accepts connections and then never says a word.
Emails go through the real task worker (`manage.py db_worker`), run as a
separate process the way production runs it.
"""

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection, connections
from django.urls import reverse
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from booking.models import Enrollment, OutgoingEmail
from booking.services import places
from groepswijzer.settings.base import DATABASE_TASKS_BACKEND, redis_cache
from tests.booking.factories import person, planned_group, signup_course
from tests.factories import CoursePageFactory, LocationFactory

# How long a page may take before the test gives up on it. Far above what a page needs with the
# short socket timeouts, far below the time a request used to hang (forever, or until gunicorn's 30 s).
ANSWER_WITHIN = 10
WORKER_WITHIN = 120
MANAGE = Path(django_settings.BASE_DIR) / "manage.py"


class SilentServer:
    """Accepts every connection and never sends a byte, like a mail server or Redis that hangs."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _address = self.socket.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self):
        self.socket.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture
def silent_server():
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def closed_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens here any more
    return port


def answer(client, url, method="get", data=None):
    """The response, from a thread the test waits for at most ANSWER_WITHIN seconds."""
    result = {}

    def call():
        try:
            result["response"] = getattr(client, method)(url, data or {})
        except Exception as error:  # shown by the assertion below
            result["error"] = error
        finally:
            connections.close_all()  # this thread's own connections, so the test database can be dropped

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(ANSWER_WITHIN)
    assert not worker.is_alive(), f"{url} did not answer within {ANSWER_WITHIN} s"
    assert "error" not in result, f"{url} raised {result.get('error')!r}"
    return result["response"]


# --- Redis ---------------------------------------------------------------------------------------


@pytest.fixture
def public_pages(course_index):
    course = CoursePageFactory(parent=course_index, title="Mindfulness", summary="Leer aandachtig leven.")
    return ["/", course_index.url, course.url, "/zoeken/?q=mindfulness", "/account/login/", "/account/signup/"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("redis", ["closed_port", "silent_server"])
def test_pages_are_served_when_redis_is_down_or_silent(wagtail_roots, public_pages, client, settings, request, redis):
    target = request.getfixturevalue(redis)
    port = target if isinstance(target, int) else target.port
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{port}/4")}
    for url in public_pages:
        response = answer(client, url)
        assert response.status_code == 200, url


def test_failed_cache_calls_are_logged(db, closed_port, settings, caplog):
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{closed_port}/4")}
    assert caches["default"].get("site-root-paths", "missing") == "missing"
    assert any(record.name == "groepswijzer.cache" for record in caplog.records)


def test_a_sign_up_is_taken_while_redis_is_down_and_the_page_cache_failure_is_logged(
    course_index, closed_port, settings, caplog, committed
):
    course = signup_course(course_index, questions=False)
    group = planned_group(course, LocationFactory(), capacity=4, count=3)
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{closed_port}/4")}
    settings.PAGE_CACHE = True  # as in production, where REDIS_URL switches it on
    with committed():  # after the commit, the page cache's generations are replaced: Redis does not answer
        held = places.hold_places(group, [person(1)], consent_text_version="t")
    assert [enrollment.status for enrollment in held] == ["held"]
    assert Enrollment.objects.filter(group=group, status="held").count() == 1
    assert any(
        record.name == "groepswijzer.cache" and "generations not replaced" in record.getMessage()
        for record in caplog.records
    )


# --- The task worker -----------------------------------------------------------------------------


@task()
def leave_a_note(path, text):
    """A small piece of work for the worker test: it leaves a note where the test can see it."""
    Path(path).write_text(text, encoding="utf-8")
    return len(text)


def worker_environment(**extra):
    """The worker's environment: the test database, the database task backend, like production."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    database = connection.settings_dict
    if database["ENGINE"] == "django.db.backends.sqlite3":
        env["SQLITE_PATH"] = str(database["NAME"])
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        )
    env.update(DJANGO_SETTINGS_MODULE="groepswijzer.settings.dev", TASKS_BACKEND=DATABASE_TASKS_BACKEND, **extra)
    return env


def run_worker(**extra):
    return subprocess.run(
        [sys.executable, str(MANAGE), "db_worker", "--batch", "--no-startup-delay", "--interval", "0"],
        env=worker_environment(**extra),
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=WORKER_WITHIN,
    )


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_runs_queued_work(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": DATABASE_TASKS_BACKEND}}
    note = tmp_path / "note.txt"
    result = leave_a_note.enqueue(str(note), "Geldrop, Eindhoven en Veldhoven")
    assert not note.exists()  # queued, not done in this process

    finished = run_worker()

    assert finished.returncode == 0, finished.stderr
    assert note.read_text(encoding="utf-8") == "Geldrop, Eindhoven en Veldhoven"
    stored = DBTaskResult.objects.get(pk=result.id)
    assert stored.status == "SUCCESSFUL"
    assert stored.return_value == 31


def test_production_settings_use_the_database_worker():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "groepswijzer.settings.production",
        "SECRET_KEY": "only-for-this-test-" + "x" * 40,
        "ALLOWED_HOSTS": "groepswijzer.example",
    }
    env.pop("TASKS_BACKEND", None)
    shown = subprocess.run(
        [
            sys.executable,
            str(MANAGE),
            "shell",
            "--verbosity=0",
            "-c",
            "from django.conf import settings as s; "
            "print(s.TASKS['default']['BACKEND'], 'django_tasks_db' in s.INSTALLED_APPS, s.EMAIL_TIMEOUT)",
        ],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=WORKER_WITHIN,
    )
    assert shown.stdout.split() == [DATABASE_TASKS_BACKEND, "True", "10"], shown.stderr


# --- A mail server that never answers ------------------------------------------------------------


def signup_url(name, group):
    return reverse(f"signup:{name}", kwargs={"group_id": group.pk})


PERSON = {
    "first_name": "Joëlle",
    "last_name": "van 't Hof",
    "email": "joelle@example.nl",
    "phone": "06-12345678",
    "birth_year": "1984",
    "postcode": "5664 AB",
    "gp_practice": "Huisartsenpraktijk Geldrop",
    "action": "next",
}


@pytest.mark.django_db(transaction=True)
def test_a_silent_mail_server_never_holds_up_a_page_and_the_worker_gives_up_in_time(
    wagtail_roots, course_index, client, settings, silent_server
):
    settings.TASKS = {"default": {"BACKEND": DATABASE_TASKS_BACKEND}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", silent_server.port, 2
    course = signup_course(course_index, questions=False, title="Mentaal Fit")
    group = planned_group(course, LocationFactory(name="Gezondheidscentrum Geldrop"), capacity=8, count=5)

    for url in ["/", course.url, signup_url("group", group), signup_url("participant", group)]:
        assert answer(client, url).status_code == 200, url
    assert answer(client, signup_url("participant", group), "post", PERSON)["Location"] == signup_url("consent", group)
    consent = answer(client, signup_url("consent", group), "post", {"consent": "on", "action": "next"})
    assert consent["Location"] == signup_url("payment", group)
    paid = answer(client, signup_url("payment", group), "post", {"provider": "offline", "action": "next"})
    assert paid["Location"] == signup_url("done", group)
    assert "U bent aangemeld" in answer(client, signup_url("done", group)).content.decode()

    # No web request talked to the mail server: the confirmation waits for the worker.
    assert silent_server.connections == []
    email = OutgoingEmail.objects.get(to="joelle@example.nl")
    assert email.sent_at is None
    assert DBTaskResult.objects.filter(status="READY").exists()

    finished = run_worker(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(silent_server.port),
        EMAIL_TIMEOUT="2",
    )

    assert finished.returncode == 0, finished.stderr
    assert silent_server.connections  # the worker tried, gave up after the timeout, and kept the email
    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == 1 and "timed out" in email.last_error
