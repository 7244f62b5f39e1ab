"""Production: everything from the environment, HTTPS everywhere."""

from .base import *
from .base import DATABASE_TASKS_BACKEND, env, env_bool, env_list, require, tasks_backend

SECRET_KEY = require("SECRET_KEY")
require("ALLOWED_HOSTS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# A real task worker: emails and refunds are queued in the database and sent by `manage.py db_worker`
# (docs/operations.md), so no web request waits on the mail server or on Mollie.
TASKS = tasks_backend(env("TASKS_BACKEND", DATABASE_TASKS_BACKEND))
