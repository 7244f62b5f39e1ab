"""Tests: fast hashing, in-memory email, and the same database choice as base."""

from .base import BASE_DIR, env, env_bool
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

# SQLite tests use a file, never ":memory:", so that tests with real threads
# share one database the way web processes do.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": env("SQLITE_TEST_PATH", str(BASE_DIR / ".test-db.sqlite3"))}

# Demo content may be loaded by the tests (load_demo refuses elsewhere unless DEBUG).
GROEPSWIJZER_ALLOW_DEMO = True
