"""Production-safe settings shared by every environment.

Secrets and services come from the environment only. ``dev`` and ``test``
relax what they need to; ``production`` adds the hardening that needs HTTPS.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "home",
    "accounts",
    "courses",
    "resources",
    "booking",
    "carepath",
    "events",
    "privacy",
    "reports",
    "news",
    "ninja",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtail_modeladmin",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "csp",
    "schedule",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "groepswijzer.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous pages from the cache: after the headers every response gets, before the session.
    "groepswijzer.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "groepswijzer.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "groepswijzer.urls"
WSGI_APPLICATION = "groepswijzer.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "home.context_processors.site_navigation",
                "carepath.context_processors.referral",
            ],
        },
    },
]

# Database: DATABASE_URL when set (PostgreSQL in production), SQLite otherwise.
# SQLite is tuned for several writers: WAL lets readers go on while one
# writes, IMMEDIATE takes the write lock at BEGIN so two transactions never
# deadlock on a lock upgrade, and the timeout makes a writer wait its turn.
SQLITE_PATH = Path(env("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")))


def sqlite_database(path):
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;PRAGMA busy_timeout=30000;"
            ),
        },
        "TEST": {"NAME": env("SQLITE_TEST_PATH") or None},
    }


if env("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL"), conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The statements the site keeps prepared (``groepswijzer.prepared.statement_cursor``) are looked up by key
        # and run on one plan made once per connection, instead of being planned anew on every run while
        # PostgreSQL weighs a plan for the values against the general one. Django's own statements carry their
        # values in the text and are not affected.
        _options = ["-c plan_cache_mode=force_generic_plan"]
        if not env_bool("POSTGRES_JIT", False):
            # The site's queries are short and end in a LIMIT; PostgreSQL's JIT compiles the big ones (a listing
            # over a million enrollments) for longer than they then run. Off for the site's own connections;
            # POSTGRES_JIT=1 gives the server's setting back (see docs/operations.md and bench/README.md).
            _options.append("-c jit=off")
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(_options)
else:
    DATABASES = {"default": sqlite_database(SQLITE_PATH)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("Engels"))]
# The interface language is the visitor's own choice (the language switch on every page, kept in a cookie);
# without a choice it is Dutch, whatever the browser asks for (groepswijzer.middleware.ChosenLanguageMiddleware).
# A page's address is the same in both languages.
LANGUAGE_COOKIE_NAME = "taal"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
# A Dutch week starts on Monday; django-scheduler's weeks (the planning calendar) follow this setting.
FIRST_DAY_OF_WEEK = 1

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Cache: Redis in production (shared by every web process), local memory otherwise.
# The cache is a help, never a need: when Redis is down or stops answering, every cache call gives up
# after REDIS_TIMEOUT seconds, counts as a miss, and is logged; pages are then built from the database.
REDIS_TIMEOUT = float(env("REDIS_TIMEOUT", "0.25"))


def redis_cache(url, timeout=REDIS_TIMEOUT):
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": timeout,
            "SOCKET_TIMEOUT": timeout,
            "IGNORE_EXCEPTIONS": True,
        },
    }


if env("REDIS_URL"):
    CACHES = {"default": redis_cache(env("REDIS_URL"))}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# Public pages for anonymous visitors from that cache (groepswijzer/page_cache.py, docs/operations.md).
# On with Redis only: a cache in one process's memory would not hear of another process's changes.
PAGE_CACHE = env_bool("PAGE_CACHE", bool(env("REDIS_URL")))
# The longest a page is kept; changes and the moments places change by themselves end it sooner.
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "300"))
# Parts of pages that are the same for every visitor (menu, footer, a training's card), kept under the
# same generations for pages that are built (logged in, a session, after a change). Also Redis only.
PAGE_FRAGMENT_CACHE = env_bool("PAGE_FRAGMENT_CACHE", bool(env("REDIS_URL")))
PAGE_FRAGMENT_SECONDS = int(env("PAGE_FRAGMENT_SECONDS", "3600"))
DJANGO_REDIS_LOGGER = "groepswijzer.cache"

# Background work through the django-tasks API. Immediate unless a worker backend is configured;
# production uses the database backend, whose worker is `manage.py db_worker` (docs/operations.md).
DATABASE_TASKS_BACKEND = "django_tasks_db.DatabaseBackend"


def tasks_backend(path):
    """TASKS for one backend; the database backend brings its app (its table) along."""
    if path == DATABASE_TASKS_BACKEND and "django_tasks_db" not in INSTALLED_APPS:
        INSTALLED_APPS.append("django_tasks_db")
    return {"default": {"BACKEND": path}}


TASKS = tasks_backend(env("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"))

# Email
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# Seconds before a mail server that does not answer is given up on (the outbox tries again later).
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Groepswijzer <noreply@groepswijzer.nl>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Accounts (django-allauth): email login, verified addresses, MFA for staff.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Groepswijzer] "
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.signup_forms.PersonNameSignupForm"
# Account emails go through the site's outbox (accounts.emails), never sent inside the request.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Failed logins (accounts/adapter.py). Per client address: 10 a minute. Per account from one client:
# 5 in 5 minutes, 20 an hour, 50 a day. Per account from all clients together a slower curve that one
# client alone can never reach, so whoever knows a coordinator's address cannot lock them out.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key,20/h/key,50/d/key",
    "login_failed_account": "100/h/key,300/d/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Groepswijzer"
# Staff (anyone who can open the Wagtail admin) must have MFA switched on.
GROEPSWIJZER_STAFF_MFA_REQUIRED = True

# Wagtail
WAGTAIL_SITE_NAME = "Groepswijzer"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
# Pages can be translated (Wagtail's own i18n: "Vertalen" in the page menu). Course content stays Dutch until an
# editor translates a page; an English visitor then sees the Dutch page in an English frame (home.languages).
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
WAGTAIL_USER_EDIT_FORM = None
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        "SEARCH_CONFIG": "dutch",
    }
}
# Documents always go through Django, so access rules hold for direct URLs too.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "xlsx", "pptx", "txt"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "svg"]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Clients behind our load balancers (groepswijzer/clients.py): trust X-Forwarded-For only as far as
# our own proxies wrote it. Give their networks (comma-separated, e.g. 10.0.0.0/8) or their number.
GROEPSWIJZER_TRUSTED_PROXY_RANGES = env_list("TRUSTED_PROXY_RANGES")
GROEPSWIJZER_TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
# allauth reads the client address through our adapter (accounts/adapter.py); this keeps its own
# setting in step for any part of allauth that reads it directly.
ALLAUTH_TRUSTED_PROXY_COUNT = GROEPSWIJZER_TRUSTED_PROXY_COUNT

# Session and cookies
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts, styles and images from this site only. An inline
# script needs the request's nonce (`<script nonce="{{ request.csp_nonce }}">`). The Wagtail admin
# and the stand-alone error pages get their relaxations in groepswijzer/middleware.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    }
}
# No calls from the admin to outside services: no avatar service, no update check.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # Cache calls that failed and were skipped (Redis down or silent): logged, never fatal.
        "groepswijzer.cache": {"level": "WARNING"},
    },
}


def require(name):
    """Read a required environment value, failing loudly when it is missing."""
    value = env(name)
    if not value:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


# --- Booking (booking app) -------------------------------------------------------------------------
# How long a held place stays reserved while the participant pays. After this
# the hold no longer counts, whether or not the expire_holds sweep has run.
GROEPSWIJZER_HOLD_MINUTES = 15
# Unfinished sign-ups at the same time (booking.services.hold_limits): per email address in all groups,
# held places per client (connection address) in all groups, and a client's share of one group.
GROEPSWIJZER_HOLDS_PER_EMAIL = int(env("GROEPSWIJZER_HOLDS_PER_EMAIL", "2"))
GROEPSWIJZER_HOLDS_PER_CLIENT = int(env("GROEPSWIJZER_HOLDS_PER_CLIENT", "6"))
GROEPSWIJZER_HOLD_SHARE_PER_GROUP = float(env("GROEPSWIJZER_HOLD_SHARE_PER_GROUP", str(1 / 3)))
# A freed place offered to the next person on the waiting list is kept this long.
GROEPSWIJZER_OFFER_HOURS = int(env("GROEPSWIJZER_OFFER_HOURS", "48"))
# Everyone on a waiting list is asked "still waiting?" this often, and removed
# when they do not answer within the second number of days.
GROEPSWIJZER_WAITLIST_CHECK_DAYS = 30
GROEPSWIJZER_WAITLIST_ANSWER_DAYS = 14
# Personal links in emails (no account needed) stay valid this long.
GROEPSWIJZER_PERSONAL_LINK_DAYS = 400
# Reminders: before the first session, and before each session.
GROEPSWIJZER_FIRST_REMINDER_DAYS = 3
GROEPSWIJZER_SESSION_REMINDER_HOURS = 24


# --- Figures (reports) ------------------------------------------------------------------------------
# Map tiles under the demand map (/admin/cijfers/vraag/), fetched by the staff member's browser; the
# page's Content-Security-Policy allows images from this host. Empty: no tiles and no Leaflet map,
# only the plain map of points with its table (docs/operations.md).
DEMAND_MAP_TILES_URL = env("DEMAND_MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png").strip()


# --- Personal data (privacy; docs/privacy.md) --------------------------------------------------------
# A participant's name, email, phone, full postcode and free text are anonymised this many months after
# their group ended or they left the waiting list (and their money is settled). Records stay.
GROEPSWIJZER_RETENTION_MONTHS = int(env("GROEPSWIJZER_RETENTION_MONTHS", "24"))
# What bookkeeping needs of a payment (amount, date, Mollie id) is kept this many years, then the
# Mollie ids go too.
GROEPSWIJZER_BOOKKEEPING_YEARS = int(env("GROEPSWIJZER_BOOKKEEPING_YEARS", "7"))
# An enrollments export covering more rows than this is made in the background and sent as a link (24 hours).
GROEPSWIJZER_EXPORT_IN_BACKGROUND_ROWS = int(env("GROEPSWIJZER_EXPORT_IN_BACKGROUND_ROWS", "50000"))
# The access log (NEN 7513) is kept this many years (never less than 5), then removed by the periodic run.
GROEPSWIJZER_ACCESS_LOG_YEARS = int(env("GROEPSWIJZER_ACCESS_LOG_YEARS", "5"))
# The key of the access log's chain; the secret key when empty. Never change it once the log has rows.
GROEPSWIJZER_ACCESS_LOG_KEY = env("GROEPSWIJZER_ACCESS_LOG_KEY", "")
# How many rows one step of the periodic run anonymises at a time (one transaction; some 1.5 ms a person
# at national scale, so a batch is what a run may overrun its time by).
GROEPSWIJZER_RETENTION_BATCH = 100
# The whole periodic run aims at this many milliseconds: the steps that work off a backlog in batches
# (retention, questionnaire invitations) start no new batch once the run used it (privacy.budget).
GROEPSWIJZER_PERIODIC_RUN_MS = int(env("GROEPSWIJZER_PERIODIC_RUN_MS", "700"))
# The periodic run invites to questionnaires for at most this many milliseconds; the next run goes on.
GROEPSWIJZER_INVITATIONS_RUN_MS = int(env("GROEPSWIJZER_INVITATIONS_RUN_MS", "300"))
# A retention step of the periodic run starts no new batch after this many milliseconds; the next run goes on.
GROEPSWIJZER_RETENTION_RUN_MS = int(env("GROEPSWIJZER_RETENTION_RUN_MS", "300"))
# The link that confirms an erasure request stays valid this many days.
GROEPSWIJZER_ERASURE_LINK_DAYS = 7


# --- Payments (booking/payments) -----------------------------------------------------------------
# Online payment of the own contribution through Mollie. Without an API key
# (test_… or live_…) only the offline ways are offered. The profile id is only
# needed with an organisation access token; MOLLIE_API_ENDPOINT is for tests
# (a local stand-in for Mollie) and is left empty otherwise.
MOLLIE_API_KEY = env("MOLLIE_API_KEY", "")
MOLLIE_PROFILE_ID = env("MOLLIE_PROFILE_ID", "")
MOLLIE_API_ENDPOINT = env("MOLLIE_API_ENDPOINT", "")
# Paying by bank transfer: the account participants transfer to. The site settings (Instellingen →
# Organisatie) come first; these are used while those are empty. Checked with schwifty (see the
# system check booking.E001). Without a valid account nobody can choose to pay by transfer.
GROEPSWIJZER_IBAN = env("GROEPSWIJZER_IBAN", "")
GROEPSWIJZER_ACCOUNT_HOLDER = env("GROEPSWIJZER_ACCOUNT_HOLDER", "")
# A transfer is due this many days after signing up, and at the latest the day before the first session.
GROEPSWIJZER_TRANSFER_DAYS = int(env("GROEPSWIJZER_TRANSFER_DAYS", "14"))

# Care path: a referral's code works this many days; wrong codes per client address per hour before
# the code pages refuse for the rest of the hour; referrals one professional can make per hour.
GROEPSWIJZER_REFERRAL_DAYS = int(env("GROEPSWIJZER_REFERRAL_DAYS", "90"))
GROEPSWIJZER_REFERRAL_CODE_TRIES = 20
GROEPSWIJZER_REFERRALS_PER_HOUR = 60
# A questionnaire not answered gets one reminder this many days after the invitation; the end letter
# to the GP waits at most this many days for the questionnaire after the training.
GROEPSWIJZER_QUESTIONNAIRE_REMINDER_DAYS = 4
GROEPSWIJZER_END_LETTER_WAIT_DAYS = 7
# --- end of payments -------------------------------------------------------------------------------
