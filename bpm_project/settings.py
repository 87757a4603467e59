"""Flowdesk settings, read from the environment.

Without DATABASE_URL and REDIS_URL Flowdesk runs embedded: an SQLite file,
Channels' in-memory layer, Celery tasks executed in the web process and
periodic jobs on an in-process ticker. With them it runs the full stack:
PostgreSQL, channels-redis, a Celery worker and Celery beat over Redis.
Nothing else differs between the two.
"""

import os
from pathlib import Path

import dj_database_url
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


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY") or "flowdesk-embedded-insecure-key-change-me"  # noqa: S105
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
    "outbox",
    "crm",
    "processes",
    "activities",
    "dynamic_cases",
    "knowledge",
    "cases",
    "portal",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Portal customers reach /portal/ only; agents' pages refuse them.
    "portal.middleware.PortalUserMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm.context_processors.frame",
                "notifications.context_processors.panel",
            ],
        },
    },
]

if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
    }
else:
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
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env("CHANNELS_PREFIX", "flowdesk")},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "crm:login"
LOGIN_REDIRECT_URL = "crm:home"
LOGOUT_REDIRECT_URL = "crm:login"
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(60 * 60 * 12)))
CSRF_FAILURE_VIEW = "crm.views.csrf_failure"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"

# SMTP once a mail host is configured; until then mail lands as files in var/mail.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Flowdesk <support@flowdesk.localhost>")
# Effects (mail above all) that fail are retried after 30 s, 1 min, 2 min, … up to an hour
# between tries; after the last attempt they are marked failed.
OUTBOX_MAX_ATTEMPTS = int(env("OUTBOX_MAX_ATTEMPTS", "12"))
OUTBOX_RETRY_SECONDS = float(env("OUTBOX_RETRY_SECONDS", "30"))
OUTBOX_RETRY_MAX_SECONDS = float(env("OUTBOX_RETRY_MAX_SECONDS", "3600"))

# Periodic jobs. Celery beat runs them on the full stack; the embedded web
# process runs the same functions on an in-process ticker.
FLOWDESK_PERIODIC_JOBS = {
    "processes.fire_due_timers": float(env("TIMER_SWEEP_SECONDS", "2")),
    "processes.resume_stuck_instances": 60.0,
    "processes.release_postponed_steps": 15.0,
    "cases.fetch_mail": float(env("FETCH_MAIL_SECONDS", "60")),
    "cases.close_resolved_cases": 24 * 60 * 60.0,
    "outbox.deliver_due_effects": float(env("OUTBOX_SWEEP_SECONDS", "10")),
}
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

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG and not EMBEDDED:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        # One line per task is noise when the embedded ticker runs jobs every few seconds.
        "celery.app.trace": {"level": "INFO" if not EMBEDDED else "WARNING"},
    },
}
