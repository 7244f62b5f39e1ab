"""Tests: fast hashing, in-memory email, and the same database choice as base."""

import os
import re

from .base import BASE_DIR, env, env_bool, redis_cache
from .dev import *

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / ".test-media"
ACCOUNT_RATE_LIMITS = False
ALLOWED_HOSTS = ["*"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The database backend's table exists in the test database, so tests can run the real worker.
if "django_tasks_db" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "django_tasks_db"]
WAGTAILADMIN_BASE_URL = "http://testserver"
# Most tests change data inside a transaction that never commits, so the page cache would never hear
# of it: off, except where a test turns it on (tests/test_page_cache.py) or a server is started with it.
PAGE_CACHE = env_bool("PAGE_CACHE")
PAGE_FRAGMENT_CACHE = env_bool("PAGE_FRAGMENT_CACHE")

# SQLite tests use a file, never ":memory:", so that tests with real threads
# share one database the way web processes do.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": env("SQLITE_TEST_PATH", str(BASE_DIR / ".test-db.sqlite3"))}

# On PostgreSQL the database is emptied between transactional tests with DELETE instead of one
# TRUNCATE of every table (tests/postgresql/base.py says why), and a commit does not wait for the
# disk: a test database is thrown away, and the live server's and the races' tests commit often.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "tests.postgresql"
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()

# Demo content may be loaded by the tests (load_demo refuses elsewhere unless DEBUG).
GROEPSWIJZER_ALLOW_DEMO = True

# A periodic run in a test does what its steps' own budgets allow, however busy the machine: the whole
# run's time (GROEPSWIJZER_PERIODIC_RUN_MS, 700 ms elsewhere) is set by the tests that are about it.
GROEPSWIJZER_PERIODIC_RUN_MS = 600_000

# Parallel test workers (pytest -n): each worker has its own test database (pytest-django adds
# the worker name to it) and its own Redis database, since every test starts by emptying the cache.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER and env("REDIS_URL"):
    _base_url, _db = re.match(r"^(.*?)(?:/(\d+))?/?$", env("REDIS_URL")).groups()
    _worker_db = (int(_db or 0) + int(_WORKER.removeprefix("gw") or 0)) % 16
    CACHES = {"default": redis_cache(f"{_base_url}/{_worker_db}")}
