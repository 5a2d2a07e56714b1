"""Settings for the CoP forum, read from environment variables.

One module serves every machine. `DJANGO_ENV=production` turns on the secure
defaults and refuses to start without a real SECRET_KEY; anything else is a
development machine with safe local defaults (SQLite, in-process Celery,
console email). `.env.example` documents every variable.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DJANGO_ENV = env("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105 - development only

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env("SITE_NAME", "CoP Forum")
DEMO_MODE = env_bool("DEMO_MODE", default=False)
# /bench/ok, the load benchmark's no-work baseline view (bench/run.py turns it on); off unless asked.
BENCH_ENDPOINTS = env_bool("BENCH_ENDPOINTS", default=False)

INSTALLED_APPS = [
    # daphne first: its runserver serves HTTP and WebSockets (the chat rooms) in `make run`.
    # Production serves with uvicorn (or gunicorn): there daphne would only load Twisted and
    # Autobahn into every web worker (about 7 MiB of each worker's memory, bench/memory.py).
    *([] if PRODUCTION else ["daphne"]),
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "csp",
    "channels",
    "core",
    "accounts",
    "communities",
    "notifications",
    "discussions",
    "resources",
    "calendar_app",
    "mentoring",
    "polls",
    "chats",
    "digests",
    "reports",
    # Not "rest_framework": the API renders JSON only (no browsable API, so none of its templates), and
    # as an installed app its template tags are imported with every app's when the first page renders,
    # bringing the REST framework, pygments and markdown into every web worker (issue 19, memory).
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "lti_tool",
    "api",
]

MIDDLEWARE = [
    # First: a body over its URL's limit is refused before anything reads it.
    "core.middleware.RequestSizeLimitMiddleware",
    "core.middleware.RetryAfterMiddleware",
    "core.middleware.BadInputMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.pagecache.PageCacheInvalidationMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.cachecontrol.PrivateCacheControlMiddleware",
    "accounts.middleware.TimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, so it sees a view's uncaught refusal first (see core/refusals.py).
    "core.refusals.RefusalMiddleware",
]
# A stale or missing CSRF token gets the same refusal as any other (shown next to an htmx control).
CSRF_FAILURE_VIEW = "core.refusals.csrf_failure"

ROOT_URLCONF = "cop_site.urls"
# The Sites framework (allauth's emails greet with its name and domain) is kept equal to
# SITE_NAME and SITE_URL by core on every migrate.
SITE_ID = 1
WSGI_APPLICATION = "cop_site.wsgi.application"
ASGI_APPLICATION = "cop_site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "notifications.context_processors.bell",
            ],
            # {% url %} keeping each distinct link it reversed (issue 19).
            "builtins": ["core.templatetags.reversed_urls"],
        },
    },
]

# Database: DATABASE_URL, or a SQLite file beside manage.py for zero-setup runs.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60" if PRODUCTION else "0")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# Prepared statements are off by default. DB_PREPARE_THRESHOLD=N turns on server-side binding,
# so psycopg prepares a statement once it has run N times on a connection and PostgreSQL stops
# planning it again (Django's default, client-side binding, never prepares). It halves
# PostgreSQL's CPU on the thread pages, but after a few runs PostgreSQL may switch a prepared
# statement to a generic plan, one made without the parameters' values: the ORM sends every
# constant as a parameter, so such a plan cannot use a partial index and misjudges skewed
# columns. Measured here: the site home's unanswered questions went from 10 ms to 600 ms on the
# eleventh run (bench/README.md, "Prepared statements"). So turn it on only after measuring
# your own workload; never behind a pooler in transaction mode (PgBouncer before 1.21).
DB_PREPARE_THRESHOLD = int(env("DB_PREPARE_THRESHOLD", "0"))
# The statements the member pages run most (core/compiled.py: the session, the user, the bell, the
# homes' panels) are prepared anyway, with their constants written in, so their generic plans see them.
# Off (DB_PREPARE_COMPILED=0) behind a pooler in transaction mode (PgBouncer before 1.21).
DB_PREPARE_COMPILED = env_bool("DB_PREPARE_COMPILED", True)
if USING_POSTGRES and DB_PREPARE_THRESHOLD > 0:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=DB_PREPARE_THRESHOLD
    )

# Cache and Celery: Redis when REDIS_URL is set, otherwise local memory and
# tasks run in-process.
REDIS_URL = env("REDIS_URL", "")
_xdist_worker = env("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _xdist_worker.startswith("gw"):
    # Parallel test processes each get their own Redis database, so one
    # clearing its cache never touches another's.
    _base, _, _db = REDIS_URL.rpartition("/")
    REDIS_URL = f"{_base}/{(int(_db) if _db.isdigit() else 0) + 1 + int(_xdist_worker[2:])}"
if REDIS_URL:
    CACHES = {
        # Redis; while it is unreachable, the database cache below (core/cache.py), so rate
        # limits and allauth's locks keep working and nothing answers 500.
        "default": {
            "BACKEND": "core.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "cop"),
            "OPTIONS": {"FALLBACK": "fallback", "RETRY_SECONDS": float(env("CACHE_RETRY_SECONDS", "5"))},
        },
        # Created by core's migration (createcachetable).
        "fallback": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "core_cache_fallback",
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "cop"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions live in PostgreSQL and are read from it (one indexed query): they never depend
# on Redis, and a session ended while Redis was away can never come back from a stale
# cached copy. Every web process shares them. accounts.sessions is Django's database
# engine reading with one fixed statement (no queryset built per request).
SESSION_ENGINE = "accounts.sessions"
# Whole-page cache of visitors' pages (core/pagecache.py); 0 turns it off. Short, since
# only writes through the site retire entries early. On by default only with Redis: a
# local-memory cache is one per process, and a write in one process could not retire the
# pages another process keeps.
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "30" if REDIS_URL else "0"))

# Live chats (Django Channels): every ASGI process shares rooms through Redis. The pub/sub
# layer publishes a room's event once and each process hands it to its own sockets (the
# list-based RedisChannelLayer writes one copy per socket: 200 Redis writes per answer in a
# room of 200). Nothing is queued for a socket that is away; the room's script catches up
# from the database when it reconnects. Without REDIS_URL (`make run`, one process) the
# in-memory layer is enough.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env("CHANNEL_LAYER_PREFIX", "cop-chat")},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# Tasks that exist only for tests (tests/celery_tasks.py: debug_ping); never set in production.
CELERY_INCLUDE = ["tests.celery_tasks"] if env_bool("CELERY_TEST_TASKS", default=False) else []
# With the broker unreachable a task is kept in the database (core/outbox.py) and sent
# when it is back; a request never waits long for it.
CELERY_BROKER_CONNECTION_TIMEOUT = float(env("CELERY_BROKER_CONNECTION_TIMEOUT", "1"))
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_RESULT_EXPIRES = 3600
# Periodic jobs; the apps that own them add entries here (digests, reminders,
# link checks).
CELERY_BEAT_SCHEDULE = {
    # Tasks kept while the broker was unreachable are sent once it is back.
    "core-send-pending-tasks": {"task": "core.send_pending_tasks", "schedule": 60.0},
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's backends, looking the user up with SQL compiled once (issue 19).
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if env("PYTEST_VERSION"):
    # Under pytest (and the workers/servers it starts, which inherit the
    # variable) a fast hasher: thousands of test users, no real passwords.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional" if DEMO_MODE else "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# Teachers signing up with an address they already used get told so on the
# form (issue 2) instead of allauth's silent "check your email".
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = None
# allauth's emails go through core.mail (accounts/adapters.py), which adds EMAIL_SUBJECT_PREFIX;
# failed logins are counted per account *and* address there too.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, written out so they are visible and tunable.
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    # "key" is the account and the client's address together (accounts/adapters.py): five
    # wrong passwords from one place lock that place out, never the owner elsewhere.
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}
SOCIALACCOUNT_PROVIDERS = {}
if env("GOOGLE_CLIENT_ID"):
    INSTALLED_APPS.append("allauth.socialaccount.providers.google")
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{"client_id": env("GOOGLE_CLIENT_ID"), "secret": env("GOOGLE_CLIENT_SECRET", "")}],
        "SCOPE": ["profile", "email"],
    }
if env("MICROSOFT_CLIENT_ID"):
    INSTALLED_APPS.append("allauth.socialaccount.providers.microsoft")
    SOCIALACCOUNT_PROVIDERS["microsoft"] = {
        "APPS": [
            {
                "client_id": env("MICROSOFT_CLIENT_ID"),
                "secret": env("MICROSOFT_CLIENT_SECRET", ""),
                "settings": {"tenant": env("MICROSOFT_TENANT", "common")},
            }
        ],
    }

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
# locale/en: the site's own wording over django-allauth's ("Log in", not "Sign In").
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# Static files: the project's own in static/, Bootstrap and htmx straight from
# node_modules (installed by npm from package-lock.json), served by WhiteNoise.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules/bootstrap/dist"),
    ("vendor/htmx", BASE_DIR / "node_modules/htmx.org/dist"),
    ("vendor/text-expander", BASE_DIR / "node_modules/@github/text-expander-element/dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "core.storage.StaticStorage"  # WhiteNoise's compressed manifest storage, URLs kept per process
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if env("AWS_STORAGE_BUCKET_NAME"):
    # Uploads in object storage (S3 or any S3-compatible store), so every web machine
    # and worker sees the same files. Files are private; links are signed and expire.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 600,
            "file_overwrite": False,
        },
    }
WHITENOISE_MAX_AGE = 31536000 if PRODUCTION else 0
# Outside production WhiteNoise serves straight from the finders, so tests and
# `make run` work without collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
# Files browsers ask for at the site's root (/favicon.ico).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

# Email: console unless EMAIL_HOST (SMTP) or EMAIL_SERVICE (an email service through
# django-anymail) is set. Every email goes through core.mail (README: "Email").
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "CoP Forum <noreply@example.org>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
EMAIL_HOST = env("EMAIL_HOST", "")
EMAIL_SERVICE = env("EMAIL_SERVICE", "").strip().lower()
if EMAIL_SERVICE:
    # One setting picks the service (postmark, mailgun, sendgrid, amazon_ses, brevo, resend,
    # sparkpost, mailjet, postal, ...); its credentials are ANYMAIL_* variables, for example
    # ANYMAIL_POSTMARK_SERVER_TOKEN, and ANYMAIL_WEBHOOK_SECRET guards the bounce webhooks.
    EMAIL_BACKEND = f"anymail.backends.{EMAIL_SERVICE}.EmailBackend"
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
    EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "20"))
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
ANYMAIL = {name.removeprefix("ANYMAIL_"): value for name, value in os.environ.items() if name.startswith("ANYMAIL_")}
EMAIL_MAX_ATTEMPTS = int(env("EMAIL_MAX_ATTEMPTS", "5"))
EMAIL_RETRY_BACKOFF = int(env("EMAIL_RETRY_BACKOFF", "60"))  # seconds before an email task's first retry; doubles
EMAIL_CLAIM_TIMEOUT = int(env("EMAIL_CLAIM_TIMEOUT", "900"))  # seconds before a dead worker's claim is retaken
EMAIL_UNSUBSCRIBE_MAILTO = env("EMAIL_UNSUBSCRIBE_MAILTO", "unsubscribe@example.org")

# Security headers. CSP applies everywhere so that tests catch violations;
# scripts only from our own origin (no inline script, no eval).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", "https:"] if PRODUCTION else ["'self'", "http:", "https:"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The health check is polled by load balancers over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")},
}

# Product settings that apps read.
POST_RATE_LIMIT = env("POST_RATE_LIMIT", "10/m")
FLAG_RATE_LIMIT = env("FLAG_RATE_LIMIT", "20/h")  # flags per member
# A post flagged by this many different members is hidden until a moderator decides.
FLAG_AUTO_HIDE_COUNT = int(env("FLAG_AUTO_HIDE_COUNT", "3"))
INVITATION_RATE_LIMIT = env("INVITATION_RATE_LIMIT", "40/h")  # invitations per moderator
RESOURCE_UPLOAD_MAX_BYTES = int(env("RESOURCE_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
# A profile picture (accounts/avatars.py): refused above this, re-encoded to a 256 px square below it.
AVATAR_UPLOAD_MAX_BYTES = int(env("AVATAR_UPLOAD_MAX_BYTES", str(8 * 1024 * 1024)))
# Request bodies (core/middleware.py): the first pattern matching the path sets the limit;
# anything else may send REQUEST_BODY_MAX_BYTES. Uploads get the file's limit and room for
# the form around it; logging in and signing up need a few kilobytes.
REQUEST_BODY_MAX_BYTES = int(env("REQUEST_BODY_MAX_BYTES", str(1024 * 1024)))
_UPLOAD_BODY_BYTES = RESOURCE_UPLOAD_MAX_BYTES + 1024 * 1024
REQUEST_BODY_LIMITS = [
    (r"^/c/[-\w]+/resources/(submit|\d+/edit)/$", _UPLOAD_BODY_BYTES),
    (r"^/admin/", _UPLOAD_BODY_BYTES),
    (r"^/settings/avatar/$", AVATAR_UPLOAD_MAX_BYTES + 64 * 1024),
    (r"^/accounts/", 64 * 1024),
]
# The REST API (api/): tokens, JSON only, cursor pages, the services' refusals as JSON.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.handle",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CoP Forum API",
    "DESCRIPTION": "Communities, discussions, resources, activities and polls you may see, as the pages show them.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # /api/docs/ is Redoc from the drf-spectacular-sidecar package, served by WhiteNoise: the strict CSP holds.
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ThreadKindEnum": "discussions.models.Thread.Kind",
        "ResourceKindEnum": "resources.models.Resource.Kind",
        "ActivityKindEnum": "calendar_app.models.Activity.Kind",
        "PollKindEnum": "polls.models.Poll.Kind",
    },
}
API_TOKEN_RATE_LIMIT = env("API_TOKEN_RATE_LIMIT", "600/m")  # requests per personal access token
WEBHOOK_MAX_ATTEMPTS = int(env("WEBHOOK_MAX_ATTEMPTS", "5"))  # tries of one delivery
WEBHOOK_RETRY_BACKOFF = int(env("WEBHOOK_RETRY_BACKOFF", "60"))  # seconds before the first retry; doubles
WEBHOOK_DISABLE_AFTER = int(env("WEBHOOK_DISABLE_AFTER", "10"))  # failed deliveries in a row switch it off
# Tests only: lets webhooks reach http:// and loopback receivers. Production never sets it.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", default=False) and not PRODUCTION
# LTI 1.3 (django-lti): a launch signs the person in inside the LMS's frame, which needs the session
# cookie in a third-party context: set SESSION_COOKIE_SAMESITE=None (HTTPS only) where LMSs launch the site.
SESSION_COOKIE_SAMESITE = env("SESSION_COOKIE_SAMESITE", "Lax")
CELERY_BEAT_SCHEDULE["api-due-webhooks"] = {"task": "api.send_due_webhooks", "schedule": crontab(minute="*")}
# Polls whose closing time passed send their poll.closed webhooks (once per closing) within five minutes;
# closings older than the lookback (a first run, a beat down for days) are not announced late.
CELERY_BEAT_SCHEDULE["api-announce-closed-polls"] = {
    "task": "api.announce_closed_polls",
    "schedule": crontab(minute="*/5"),
}
WEBHOOK_POLL_CLOSED_LOOKBACK_HOURS = int(env("WEBHOOK_POLL_CLOSED_LOOKBACK_HOURS", "48"))
LINK_CHECK_ALLOW_PRIVATE = env_bool("LINK_CHECK_ALLOW_PRIVATE", default=False)
DIGEST_DAY_OF_MONTH = int(env("DIGEST_DAY_OF_MONTH", "1"))
DIGEST_HOUR_UTC = int(env("DIGEST_HOUR_UTC", "13"))
DIGEST_BATCH_SIZE = int(env("DIGEST_BATCH_SIZE", "500"))
DIGEST_CLAIM_TIMEOUT = int(env("DIGEST_CLAIM_TIMEOUT", "900"))  # seconds before a dead worker's claim is retaken
DIGEST_MAX_ATTEMPTS = int(env("DIGEST_MAX_ATTEMPTS", "5"))
DIGEST_SEND_DELAY = float(env("DIGEST_SEND_DELAY", "0"))  # seconds between sends (SMTP rate limits)
DIGEST_UNSUBSCRIBE_MAX_AGE_DAYS = int(env("DIGEST_UNSUBSCRIBE_MAX_AGE_DAYS", "365"))
CELERY_BEAT_SCHEDULE["digests-monthly"] = {
    "task": "digests.start_monthly_digest",
    "schedule": crontab(day_of_month=DIGEST_DAY_OF_MONTH, hour=DIGEST_HOUR_UTC, minute=0),
}
CELERY_BEAT_SCHEDULE["digests-weekly"] = {
    "task": "digests.start_weekly_digest",
    "schedule": crontab(day_of_week="mon", hour=DIGEST_HOUR_UTC, minute=0),
}
# Picks up members a killed worker left behind (their claims time out first).
CELERY_BEAT_SCHEDULE["digests-resume"] = {"task": "digests.resume_unfinished_runs", "schedule": crontab(minute="*/30")}
# Emails whose retry time has come, or whose task was lost (core.mail's outbox).
CELERY_BEAT_SCHEDULE["mail-due"] = {"task": "core.send_due_emails", "schedule": crontab(minute="*/10")}
# Mentoring check-ins: each pairing's next one is created once per cadence period (idempotent).
CELERY_BEAT_SCHEDULE["mentoring-check-ins"] = {"task": "mentoring.create_due_check_ins", "schedule": crontab(minute=15)}
# Calendar reminders a day ahead; each is claimed once, so hourly runs never repeat one.
CELERY_BEAT_SCHEDULE["calendar-reminders"] = {
    "task": "calendar_app.send_activity_reminders",
    "schedule": crontab(minute=5),
}
# Rotations of series without an end get duties for the dates that came within their horizon (idempotent).
CELERY_BEAT_SCHEDULE["calendar-extend-rotations"] = {
    "task": "calendar_app.extend_endless_rotations",
    "schedule": crontab(hour=3, minute=40),
}
# Each activity's next date (what "Coming up" and "What needs me" read from an index) is
# kept on every change; nightly, the ones whose date has passed are worked out again.
CELERY_BEAT_SCHEDULE["calendar-next-dates"] = {
    "task": "calendar_app.refresh_next_occurrences",
    "schedule": crontab(hour=0, minute=20),
}
# Anonymous polls that closed have their sealed answers written as ballots, all at once.
CELERY_BEAT_SCHEDULE["polls-mix-closed"] = {"task": "polls.mix_closed_polls", "schedule": crontab(minute="*/10")}
# Repeating pulse polls open their next round (and close the one before) within a quarter hour of its time.
CELERY_BEAT_SCHEDULE["polls-open-due-rounds"] = {"task": "polls.open_due_rounds", "schedule": crontab(minute="*/15")}
# Members are told when a poll scheduled for later opens (once each; polls opened at once are told at once).
CELERY_BEAT_SCHEDULE["polls-announce-opened"] = {
    "task": "polls.announce_opened_polls",
    "schedule": crontab(minute="*/5"),
}
# Chat prompts are posted at their time: every few seconds the due ones are claimed and posted.
CHAT_PROMPT_TICK_SECONDS = float(env("CHAT_PROMPT_TICK_SECONDS", "5"))
CELERY_BEAT_SCHEDULE["chats-post-due-prompts"] = {
    "task": "chats.post_due_prompts",
    "schedule": CHAT_PROMPT_TICK_SECONDS,
}
# Without Redis there is no beat: a thread in the (single) web process posts the prompts.
CHAT_PROMPT_TICKER = env_bool("CHAT_PROMPT_TICKER", default=not REDIS_URL)
CHAT_RATE_LIMIT = env("CHAT_RATE_LIMIT", "12/m")  # answers and replies per person
CHAT_MESSAGE_MAX = int(env("CHAT_MESSAGE_MAX", "2000"))  # characters in one answer or reply
CHAT_RECHECK_SECONDS = float(env("CHAT_RECHECK_SECONDS", "30"))  # an open socket re-checks membership this often
# Search's "Did you mean" word list takes in each day's new writing at night.
CELERY_BEAT_SCHEDULE["discussions-search-words"] = {
    "task": "discussions.refresh_search_words",
    "schedule": crontab(hour=2, minute=15),
}
# Resource links are checked weekly (Sunday night UTC); broken ones show in each review queue.
CELERY_BEAT_SCHEDULE["resources-link-check"] = {
    "task": "resources.check_resource_links",
    "schedule": crontab(day_of_week="sun", hour=3, minute=30),
}
# Notifications (the bell) and their emails. Replies in a followed thread wait this long and go
# out together (one email per thread per window); moderators get one email per community per hour.
NOTIFICATION_BATCH_MINUTES = int(env("NOTIFICATION_BATCH_MINUTES", "15"))
NOTIFICATION_MODERATOR_BATCH_MINUTES = int(env("NOTIFICATION_MODERATOR_BATCH_MINUTES", "60"))
NOTIFICATION_DAILY_HOUR_UTC = int(env("NOTIFICATION_DAILY_HOUR_UTC", "12"))
CELERY_BEAT_SCHEDULE["notifications-emails"] = {
    "task": "notifications.send_due_emails",
    "schedule": crontab(minute="*"),
}

# Districts' responsibilities: "due soon" this many days ahead (What needs me, badges); a reminder
# goes to the district this many days before the due date, and once more the day after it passes.
RESPONSIBILITY_DUE_SOON_DAYS = int(env("RESPONSIBILITY_DUE_SOON_DAYS", "7"))
RESPONSIBILITY_REMIND_DAYS_BEFORE = int(env("RESPONSIBILITY_REMIND_DAYS_BEFORE", "3"))
# Each reminder is claimed once (calendar_app.ResponsibilityReminder), so hourly runs never repeat one.
CELERY_BEAT_SCHEDULE["calendar-duty-reminders"] = {
    "task": "calendar_app.send_duty_reminders",
    "schedule": crontab(minute=20),
}
# Nudges: a question with replies but no accepted answer asks its author after this many days.
ANSWER_NUDGE_DAYS = int(env("ANSWER_NUDGE_DAYS", "3"))
# "What needs me" starts with the onboarding checklist for this many days after signing up.
ONBOARDING_DAYS = int(env("ONBOARDING_DAYS", "30"))
