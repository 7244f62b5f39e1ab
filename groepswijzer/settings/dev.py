"""Development: runs with no environment at all (SQLite, immediate tasks, console email)."""

import os
import sys

from groepswijzer.served import runserver_base_url

from .base import *
from .base import WAGTAILADMIN_BASE_URL, env

DEBUG = True
SECRET_KEY = env("SECRET_KEY", "dev-only-secret-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Links in emails point to where this development server serves (`make run HOST=0.0.0.0:8001`,
# `manage.py runserver 8001`), unless WAGTAILADMIN_BASE_URL says otherwise.
if not os.environ.get("WAGTAILADMIN_BASE_URL"):
    WAGTAILADMIN_BASE_URL = runserver_base_url(sys.argv) or WAGTAILADMIN_BASE_URL
