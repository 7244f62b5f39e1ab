"""Small helpers the tests share: page text, signup URLs, emails to one address, threads that start together."""

import os
import re
import threading

from django.db import connection, connections
from django.urls import reverse


def text(response):
    """The page's HTML with every run of white space made one space, for phrases that wrap in the template."""
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


def signup_url(name, group):
    """The URL of one step of the sign-up for `group`."""
    return reverse(f"signup:{name}", kwargs={"group_id": group.pk})


def fitting_answers(course):
    """Answers to the course's suitability questions that fit, as the step's form data."""
    return {f"vraag_{q.pk}": q.fitting_answer for q in course.suitability_questions.all()} | {"action": "next"}


def emails_to(mailoutbox, address):
    return [message for message in mailoutbox if message.to == [address]]


def run_together(jobs, *, while_running=None, timeout=120):
    """Start every job at the same moment, each in its own thread; return each result or exception."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)
    done = threading.Event()

    def work(index, job):
        try:
            barrier.wait()
            outcomes[index] = job()
        except BaseException as error:  # every outcome is inspected by the test
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    watcher = None
    if while_running is not None:
        watcher = threading.Thread(target=while_running, args=(done,))
        watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    done.set()
    if watcher is not None:
        watcher.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a sign-up never finished"
    return outcomes


def assert_admin_refused(response):
    """The Wagtail admin refuses someone without the permission: back to its dashboard, with a message."""
    assert (response.status_code, response.get("Location")) == (302, "/admin/"), (
        response.status_code,
        response.get("Location"),
    )


def database_environment(**extra):
    """The environment for a child process (``manage.py …``) on the test database, as a second machine would run."""
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
    env.update(DJANGO_SETTINGS_MODULE="groepswijzer.settings.dev", **extra)
    return env
