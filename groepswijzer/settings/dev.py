"""Development: runs with no environment at all (SQLite, immediate tasks, console email)."""

from .base import *
from .base import env

DEBUG = True
SECRET_KEY = env("SECRET_KEY", "dev-only-secret-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
