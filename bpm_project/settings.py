"""Flowdesk settings, read from the environment.

Without DATABASE_URL and REDIS_URL Flowdesk runs embedded: an SQLite file,
Channels' in-memory layer, Celery tasks executed in the web process and
periodic jobs on an in-process ticker. With them it runs the full stack:
PostgreSQL, channels-redis, a Celery worker and Celery beat over Redis.
Nothing else differs between the two.
"""

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    """An environment variable, or the contents of the file named by NAME_FILE."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_days(name, default):
    """A whole number of days from 0 to 36500; empty counts as 0. A typo stops the start
    with the variable's name rather than deleting or keeping history other than meant."""
    value = (env(name, default) or "").strip()
    days = int(value) if value.isdigit() else (0 if not value else -1)
    if not 0 <= days <= 36500:
        raise ImproperlyConfigured(
            f"{name} is a whole number of days from 0 to 36500 (0 or empty: keep forever), "
            f"not {value!r}."
        )
    return days


DEBUG = env_bool("DEBUG", False)
# The embedded default signs sessions and satisfaction links on a laptop only:
# with DEBUG off a key anyone can read (ours, the old compose default, Django's
# startproject placeholder) would let anyone forge them, so Flowdesk refuses to start.
EMBEDDED_SECRET_KEY = "flowdesk-embedded-insecure-key-change-me"  # noqa: S105
KNOWN_INSECURE_SECRET_KEYS = {EMBEDDED_SECRET_KEY, "change-me-in-production", "changeme", "secret"}
# Management commands that read the code and sign nothing (CI's migration check, the image's
# collectstatic, the translation tools) run without a key: they get a random one, which
# nothing outside this one process could ever verify. Serving, workers, `migrate` and
# `check --deploy` still refuse.
OFFLINE_COMMANDS = {
    "makemigrations",
    "showmigrations",
    "sqlmigrate",
    "collectstatic",
    "makemessages",
    "compilemessages",
}
SECRET_KEY = (env("SECRET_KEY") or "").strip()
if (
    not SECRET_KEY
    and Path(sys.argv[0]).name in {"manage.py", "django-admin"}
    and sys.argv[1:2] in [[command] for command in OFFLINE_COMMANDS]
):
    SECRET_KEY = secrets.token_urlsafe(50)
if not DEBUG and (
    not SECRET_KEY
    or SECRET_KEY in KNOWN_INSECURE_SECRET_KEYS
    or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        "SECRET_KEY is empty or a published default, and DEBUG is off. Set SECRET_KEY "
        "(or SECRET_KEY_FILE) to a long random value, e.g. the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
SECRET_KEY = SECRET_KEY or EMBEDDED_SECRET_KEY
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

DATABASE_URL = env("DATABASE_URL")
REDIS_URL = env("REDIS_URL")
EMBEDDED = not (DATABASE_URL and REDIS_URL)

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "channels",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "outbox",
    "crm",
    "processes",
    "activities",
    "dynamic_cases",
    "knowledge",
    "cases",
    "portal",
    "webhooks",
    "notifications",
    "api",
    # django-ninja's templates and static files: the API docs page loads Swagger UI
    # from our own static files, never from a CDN.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # An optional TOTP second factor for local accounts: pages wait for the code.
    "django_otp.middleware.OTPMiddleware",
    "bpm_project.second_factor.SecondFactorMiddleware",
    "bpm_project.log.RequestContextMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Times in the signed-in person's own time zone, pages in their own language (both
    # chosen in the user menu; without a choice LocaleMiddleware's pick from the browser).
    "crm.time_zones.TimeZoneMiddleware",
    "crm.languages.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Portal customers reach /portal/ only; agents' pages refuse them.
    "portal.middleware.PortalUserMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bpm_project.urls"
ASGI_APPLICATION = "bpm_project.asgi.application"
WSGI_APPLICATION = "bpm_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "crm.context_processors.frame",
                "notifications.context_processors.panel",
            ],
        },
    },
]

if DATABASE_URL:
    # DB_POOL=0 turns the pool off and goes back to one persistent connection per thread
    # (CONN_MAX_AGE seconds, 600 unless set): the before of bench/pool.py, and a way out
    # should a PostgreSQL proxy in front (PgBouncer) already pool.
    DB_POOL = env_bool("DB_POOL", True)
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=0 if DB_POOL else int(env("CONN_MAX_AGE", "600")),
            conn_health_checks=not DB_POOL,
        )
    }
    if DB_POOL and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Under Daphne, persistent connections (CONN_MAX_AGE) leak one per thread and never
        # close; each process keeps a psycopg pool instead, sized here. Every Daphne,
        # worker process and beat has its own: size PostgreSQL's max_connections for all.
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(env("DB_POOL_MIN", "2")),
            "max_size": int(env("DB_POOL_MAX", "10")),
            # How long a request waits for a free connection before it fails.
            "timeout": float(env("DB_POOL_TIMEOUT", "10")),
        }
# The statements every process step runs (processes.persistence.statement_cursor) are
# prepared once per connection. DB_PREPARE=0 for a proxy that cannot keep prepared
# statements across transactions (PgBouncer in transaction mode before 1.21).
DB_PREPARE = env_bool("DB_PREPARE", True)

if not DATABASE_URL:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(BASE_DIR / "var" / "flowdesk.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py's pool allows 100 connections in use at once unless told otherwise:
            # a thousand sockets dropped together (a network blip) then fail their
            # group_discard and leave their groups in Redis (bench/sockets.py showed it).
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": int(env("CHANNELS_REDIS_MAX_CONNECTIONS", "2000")),
                        # redis-py 8 gives up reading after 5 s, the very time channels-redis
                        # blocks waiting for a message: idle, a socket's consumer then died
                        # of a read timeout every few seconds.
                        "socket_timeout": float(env("CHANNELS_REDIS_SOCKET_TIMEOUT", "30")),
                    }
                ],
                "prefix": env("CHANNELS_PREFIX", "flowdesk"),
                # Every socket of one Daphne shares one Redis list for its messages, so
                # capacity (100 by default) bounds one push to all of them: at 1,000
                # sockets part of a broadcast was dropped as "over capacity".
                "capacity": int(env("CHANNELS_CAPACITY", "10000")),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The cache holds only the worker's and beat's heartbeats: Redis on the full stack, so
# every process sees them; embedded, one process's memory.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_PREFIX", env("CHANNELS_PREFIX", "flowdesk")),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: the broker is Redis on the full stack; embedded, tasks run eagerly in
# the web process after the transaction that queued them commits.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = EMBEDDED
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_POOL_LIMIT = 10
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "flowdesk")
# A task whose worker died unacknowledged is delivered again after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "300"))
}
CELERY_TIMEZONE = "UTC"
# Modules outside the apps' tasks.py that define tasks.
CELERY_IMPORTS = ["bpm_project.heartbeat"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is locked for LOGIN_LOCKOUT_MINUTES. Admins unlock
# in Django admin (Axes › Access attempts: delete) or with `manage.py axes_reset_username`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Company sign-in (OpenID Connect), on when OIDC_CLIENT_ID is set; the endpoints are the
# ones the provider's /.well-known/openid-configuration lists.
OIDC_ENABLED = bool(env("OIDC_CLIENT_ID"))
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("bpm_project.oidc.CompanyAccountBackend")
    OIDC_RP_CLIENT_ID = env("OIDC_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env("OIDC_CLIENT_SECRET", "")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env("OIDC_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env("OIDC_USERINFO_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env("OIDC_JWKS_URI")
    OIDC_RP_SIGN_ALGO = env("OIDC_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = env("OIDC_SCOPES", "openid email profile")
    OIDC_TIMEOUT = float(env("OIDC_TIMEOUT", "10"))
    OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
    LOGIN_REDIRECT_URL_FAILURE = "/login/"  # mozilla-django-oidc takes a path, not a name
    missing = [
        name
        for name in ("OIDC_AUTHORIZATION_ENDPOINT", "OIDC_TOKEN_ENDPOINT", "OIDC_USERINFO_ENDPOINT")
        if not env(name)
    ]
    if missing:
        raise ImproperlyConfigured(
            f"OIDC_CLIENT_ID is set but {', '.join(missing)} is not: copy them from your "
            "provider's /.well-known/openid-configuration."
        )
OIDC_GROUP_CLAIM = env("OIDC_GROUP_CLAIM", "groups")
# The issuer name authenticator apps show beside a TOTP key.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "Flowdesk")
# "provider group=Flowdesk group;...": the Flowdesk groups (roles) a provider group gives.
OIDC_GROUP_ROLES = {
    provider.strip(): flowdesk.strip()
    for provider, sep, flowdesk in (
        pair.partition("=") for pair in env("OIDC_GROUP_ROLES", "").split(";")
    )
    if sep and provider.strip() and flowdesk.strip()
}
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "bpm_project.lockout.login_locked_out"
AXES_VERBOSE = False
LOGIN_URL = "crm:login"
LOGIN_REDIRECT_URL = "crm:home"
LOGOUT_REDIRECT_URL = "crm:login"
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(60 * 60 * 12)))
CSRF_FAILURE_VIEW = "crm.views.csrf_failure"

LANGUAGE_CODE = "en"
# The languages Flowdesk ships (locale/<code>/); each person picks one in the user menu.
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# One way to write dates and times on every page, per locale (crm/formats/<locale>/).
FORMAT_MODULE_PATH = ["crm.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"

# SMTP once a mail host is configured; until then mail lands as files in var/mail. The
# EMAIL_* environment variables fill Django's MAILERS (the EMAIL_* settings are deprecated).
MAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
if MAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    MAIL_OPTIONS = {
        "host": env("EMAIL_HOST", "localhost"),
        "port": int(env("EMAIL_PORT", "25")),
        "username": env("EMAIL_HOST_USER", ""),
        "password": env("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        # Seconds before a silent mail server counts as a failed delivery (retried later).
        "timeout": float(env("EMAIL_TIMEOUT", "30")),
    }
elif MAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
    MAIL_OPTIONS = {"file_path": env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))}
else:  # console, locmem or a third-party backend: configured by its own settings
    MAIL_OPTIONS = {}
MAILERS = {"default": {"BACKEND": MAIL_BACKEND, "OPTIONS": MAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Flowdesk <support@flowdesk.localhost>")
# Effects (mail above all) that fail are retried after 30 s, 1 min, 2 min, … up to an hour
# between tries; after the last attempt they are marked failed.
OUTBOX_MAX_ATTEMPTS = int(env("OUTBOX_MAX_ATTEMPTS", "12"))
OUTBOX_RETRY_SECONDS = float(env("OUTBOX_RETRY_SECONDS", "30"))
OUTBOX_RETRY_MAX_SECONDS = float(env("OUTBOX_RETRY_MAX_SECONDS", "3600"))

# Webhooks go to public https addresses only; WEBHOOKS_ALLOW_PRIVATE=1 also lets them
# reach private, loopback and link-local hosts (and those over plain http) — for a
# receiver inside your own network, or tests. Checked on save and before each send.
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)

# Periodic jobs. Celery beat runs them on the full stack; the embedded web
# process runs the same functions on an in-process ticker.
FLOWDESK_PERIODIC_JOBS = {
    "processes.fire_due_timers": float(env("TIMER_SWEEP_SECONDS", "2")),
    "processes.resume_stuck_instances": 60.0,
    "processes.release_postponed_steps": 15.0,
    "processes.sweep_kept_messages": float(env("KEPT_MESSAGE_SWEEP_SECONDS", "30")),
    "cases.fetch_mail": float(env("FETCH_MAIL_SECONDS", "60")),
    "cases.close_resolved_cases": 24 * 60 * 60.0,
    "flowdesk.heartbeat": float(env("HEARTBEAT_SECONDS", "30")),
    "outbox.deliver_due_effects": float(env("OUTBOX_SWEEP_SECONDS", "10")),
    "api.prune_idempotent_answers": 60 * 60.0,
    "processes.archive_instances": 60 * 60.0,
    "outbox.prune_history": 24 * 60 * 60.0,
}
# Finished process instances older than this leave the Process log's default view (and
# its indexes); "Include archived" still finds them.
FLOWDESK_ARCHIVE_AFTER_DAYS = int(env("FLOWDESK_ARCHIVE_AFTER_DAYS", "90"))
# Operational rows that are finished (effects done, webhook deliveries delivered or given
# up with their attempts, kept messages delivered, expired or failed) are deleted once
# older than this (daily job, `manage.py prune_history`); 0 keeps them forever.
FLOWDESK_RETAIN_DAYS = env_days("FLOWDESK_RETAIN_DAYS", "30")
# The timer sweep claims due timers in batches and queues one task per batch, so every
# worker fires a share; a claim a lost worker held is handed out again after it runs out.
TIMER_BATCH_SIZE = int(env("TIMER_BATCH_SIZE", "200"))
# Instances one transaction starts (a bulk start, a trigger over many records) are
# stepped by the worker this many per transaction, each in its own savepoint.
ADVANCE_BATCH = max(1, min(500, int(env("ADVANCE_BATCH", "20"))))
TIMER_SWEEP_BATCHES = int(env("TIMER_SWEEP_BATCHES", "50"))
TIMER_CLAIM_SECONDS = int(env("TIMER_CLAIM_SECONDS", "120"))
# Timers a worker fires per transaction (each in its own savepoint): one commit for many.
TIMER_COMMIT_EVERY = int(env("TIMER_COMMIT_EVERY", "20"))
# /healthz calls a heartbeat stale after three missed beats.
HEARTBEAT_STALE_SECONDS = 3 * FLOWDESK_PERIODIC_JOBS["flowdesk.heartbeat"]
CELERY_BEAT_SCHEDULE = {
    name: {"task": name, "schedule": seconds} for name, seconds in FLOWDESK_PERIODIC_JOBS.items()
}
FLOWDESK_TICKER = env_bool("FLOWDESK_TICKER", False)

# The customer side of cases. Attachments: per file, refused above the size or
# outside the extensions (the limit is named to whoever sent it).
CASE_ATTACHMENT_MAX_BYTES = int(env("CASE_ATTACHMENT_MAX_MB", "10")) * 1024 * 1024
CASE_ATTACHMENT_MAX_FILES = int(env("CASE_ATTACHMENT_MAX_FILES", "5"))
CASE_ATTACHMENT_EXTENSIONS = [
    e.strip().lower().lstrip(".")
    for e in env(
        "CASE_ATTACHMENT_EXTENSIONS",
        "pdf,png,jpg,jpeg,gif,webp,txt,log,csv,json,xml,doc,docx,xls,xlsx,ppt,pptx,odt,ods,"
        "zip,eml,msg",
    ).split(",")
    if e.strip()
]
# Incoming email to the support address: a Maildir the MTA delivers to, and/or IMAP.
INBOUND_MAILDIR = env("INBOUND_MAILDIR", str(BASE_DIR / "var" / "inbox"))
IMAP_HOST = env("IMAP_HOST", "")
IMAP_PORT = int(env("IMAP_PORT", "993"))
IMAP_USER = env("IMAP_USER", "")
IMAP_PASSWORD = env("IMAP_PASSWORD", "")
IMAP_FOLDER = env("IMAP_FOLDER", "INBOX")
IMAP_QUARANTINE_FOLDER = env("IMAP_QUARANTINE_FOLDER", "Quarantine")
IMAP_SSL = env_bool("IMAP_SSL", True)
IMAP_TIMEOUT_SECONDS = float(env("IMAP_TIMEOUT_SECONDS", "30"))
# How long the satisfaction links of a resolution email stay valid.
SATISFACTION_LINK_MAX_AGE = int(env("SATISFACTION_LINK_DAYS", "30")) * 24 * 60 * 60
FLOWDESK_WS_ALLOWED_ORIGINS = [
    o.strip() for o in env("WS_ALLOWED_ORIGINS", "").split(",") if o.strip()
]

# Content Security Policy: scripts only from our origin or carrying the request's nonce
# (`{{ csp_nonce }}`; django-htmx's {% htmx_script %} adds it by itself). Styles allow
# inline because htmx injects its indicator style and bpmn-js styles SVG elements.
# WebSockets: 'self' covers ws:/wss: on our own host. No inline handler, no eval.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Outside DEBUG and embedded mode cookies are sent over HTTPS only (SECURE_COOKIES=0 for
# plain HTTP on localhost). Behind a TLS proxy also set SECURE_PROXY_SSL_HEADER=1 (trust
# its X-Forwarded-Proto), SECURE_SSL_REDIRECT=1 (never for /healthz, which the container
# checks over plain HTTP) and SECURE_HSTS_SECONDS; `manage.py check --deploy` names any
# that is missing.
SECURE_COOKIES = not DEBUG and not EMBEDDED and env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# LOG_FORMAT=json: one JSON object a line with the request id, user and instance id.
LOG_FORMAT = env("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "bpm_project.log.ContextFilter"}},
    "formatters": {
        "json": {"()": "bpm_project.log.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        # One line per task is noise when the embedded ticker runs jobs every few seconds.
        "celery.app.trace": {"level": "INFO" if not EMBEDDED else "WARNING"},
    },
}
# Celery workers keep our handlers instead of installing their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Errors to Sentry, only when a DSN is configured (sentry-sdk is imported only then).
SENTRY_DSN = env("SENTRY_DSN", "")
if SENTRY_DSN:
    from bpm_project import sentry  # noqa: E402

    sentry.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(env("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )

# The REST API at /api/: calls a minute per personal token (or per signed-in user)
# before it answers 429 with Retry-After.
API_REQUESTS_PER_MINUTE = int(env("API_REQUESTS_PER_MINUTE", "600"))
