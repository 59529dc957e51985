"""Settings, all read from the environment (see README.md for every variable)."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Everything the app writes to disk by default lives here: the SQLite file, media, mail,
# broker and result files, beat's schedule. A test run takes one of its own (tests/isolation.py)
# so that it never shares them with a `make run` in the same checkout.
VAR_DIR = BASE_DIR / (env.str("VAR_DIR", default="") or "var")  # relative: in the project


def env_bool(name: str, *, default: bool) -> bool:
    """Like env.bool, but a value that is neither true nor false stops the process."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true for local development."
        )
    SECRET_KEY = "development-only-key-never-use-in-production"  # noqa: S105


def env_list(name: str, *, default: list[str]) -> list[str]:
    return [item.strip() for item in env.list(name, default=default) if item.strip()]


ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "clientprogress",
    "projects",
    "milestones",
    "notifications",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clientprogress.middleware.ReaderLocaleMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "clientprogress.pages.CacheHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clientprogress.urls"
WSGI_APPLICATION = "clientprogress.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    }
]

# Databases: a SQLite file by default, PostgreSQL (psycopg 3 with Django's pool) in production.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": env.int("DATABASE_POOL_MAX", default=10),
        "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: wait for locks instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # The embedded database skips the deferrable card-position constraint PostgreSQL enforces.
    SILENCED_SYSTEM_CHECKS = ["models.W038"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rendered boards: whole pages per visitor, and each card's HTML. Their keys name the board or
# card version they show, so nothing ever needs invalidating across processes: each process
# keeps its own, read from its own memory. A 200-card page is about 120 kB, a card 0.6 kB.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
}

AUTH_USER_MODEL = "projects.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)

# Failed logins: after AXES_FAILURE_LIMIT failures the (e-mail, address) pair is locked.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the login form field that holds the e-mail address
# Counted per address as the user lookup reads it (any case, no spaces), on every login page.
AXES_USERNAME_CALLABLE = "clientprogress.auth.lockout_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# X-Forwarded-For is believed only when operators say how many proxies stand in front;
# otherwise anyone could dodge the lockout by sending a new address with each attempt.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUSTED_PROXY_COUNT else ["REMOTE_ADDR"]
)
AXES_VERBOSE = False

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
# Each language is named in itself, as a person looking for their own language reads it.
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Mail: files a person can open (one .eml per message) unless EMAIL_URL names a server.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "clientprogress.mail.EmlFileBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Client Progress <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis in production, the filesystem transport when REDIS_URL is not set.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "processed", "results", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{_broker_dir / 'results'}"
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
# Workers take tasks from this queue only: processes that share a broker (a Redis database, the
# broker folder) but not a database, such as a test run beside a `make run`, stay apart.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_KB", default=400_000)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Requests enqueue after they commit, and must answer even when the broker is down: a publish
# gives up after a few short tries (the rows stay and the outbox sweeps enqueue them later).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Rows, not task results, record what was done. A task whose result is kept makes each publish
# subscribe to it in the result store first, which retries for ~20 s while Redis is down.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Security: strict by default outside development; each can be relaxed from the environment.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Every answer (static files too) allows only our own scripts, styles, images and requests: no
# inline script or style, no eval (htmx is told so in templates/base.html), no framing, forms
# posted only to us, no <base> to redirect relative links.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Workspace: deliverable uploads.
DELIVERABLE_MAX_UPLOAD_BYTES = env.int("DELIVERABLE_MAX_UPLOAD_MB", default=50) * 1024 * 1024
# File kinds by extension; each is checked against the file's content, not its name alone.
DELIVERABLE_ALLOWED_TYPES = env_list(
    "DELIVERABLE_ALLOWED_TYPES",
    default=["pdf", "png", "jpg", "jpeg", "zip", "docx", "xlsx", "pptx", "txt", "csv", "md"],
)
# Rendered boards (see CACHES) are kept at most this long; 0 turns both caches off.
BOARD_CACHE_SECONDS = env.int("BOARD_CACHE_SECONDS", default=300)
# An open board checks this often whether someone else changed it (0: only on a reload).
BOARD_POLL_SECONDS = env.int("BOARD_POLL_SECONDS", default=15)
# An archived card, or a deleted acceptance criterion or deliverable, can be brought back this
# long; a deleted one is removed for good after it (by a periodic job, every few minutes).
UNDO_SECONDS = env.int("UNDO_SECONDS", default=10)

# Portal: sign-off and feedback.
# A client's feedback attachment: at most this many megabytes, one of these file types.
PORTAL_ATTACHMENT_MAX_MB = env.int("PORTAL_ATTACHMENT_MAX_MB", default=10)
PORTAL_ATTACHMENT_EXTENSIONS = env_list(
    "PORTAL_ATTACHMENT_EXTENSIONS",
    default=["pdf", "png", "jpg", "jpeg", "txt", "csv", "docx", "xlsx", "pptx", "zip"],
)
# A contact who marked an item done can take it back this long.
PORTAL_UNDO_SECONDS = env.int("PORTAL_UNDO_SECONDS", default=300)
if UNDO_SECONDS <= 0 or PORTAL_UNDO_SECONDS <= 0:
    raise ImproperlyConfigured("UNDO_SECONDS and PORTAL_UNDO_SECONDS must be positive numbers.")

# Notifications: reminders, overdue checks and their mail.
NOTIFICATIONS_CHECK_EVERY_MINUTES = env.int("NOTIFICATIONS_CHECK_EVERY_MINUTES", default=15)
NOTIFICATIONS_DUE_SOON_HOURS = env.int("NOTIFICATIONS_DUE_SOON_HOURS", default=48)
NOTIFICATIONS_ESCALATE_AFTER_HOURS = env.int("NOTIFICATIONS_ESCALATE_AFTER_HOURS", default=48)
NOTIFICATIONS_SIGNOFF_REMINDER_DAYS = env.int("NOTIFICATIONS_SIGNOFF_REMINDER_DAYS", default=3)
NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = env.int("NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", default=8)
NOTIFICATIONS_EMAIL_RETRY_BASE_SECONDS = env.int(
    "NOTIFICATIONS_EMAIL_RETRY_BASE_SECONDS", default=30
)
NOTIFICATIONS_EMAIL_RETRY_MAX_SECONDS = env.int(
    "NOTIFICATIONS_EMAIL_RETRY_MAX_SECONDS", default=1800
)
# The outbox sweep re-enqueues mails left pending this long past their time (a lost message)
# and takes back claims older than any attempt can last (a worker that died mid-send).
NOTIFICATIONS_OUTBOX_SWEEP_EVERY_MINUTES = env.int(
    "NOTIFICATIONS_OUTBOX_SWEEP_EVERY_MINUTES", default=5
)
NOTIFICATIONS_OUTBOX_GRACE_SECONDS = env.int("NOTIFICATIONS_OUTBOX_GRACE_SECONDS", default=300)
NOTIFICATIONS_EMAIL_CLAIM_EXPIRES_SECONDS = CELERY_TASK_TIME_LIMIT + EMAIL_TIMEOUT
for _name in [name for name in list(vars()) if name.startswith("NOTIFICATIONS_")]:
    if vars()[_name] <= 0:
        raise ImproperlyConfigured(f"{_name} must be a positive number.")
# Redis hands a message that is not acknowledged within this time to another worker; a mail
# retry waits unacknowledged for its countdown, so the longest wait must stay below it.
REDIS_VISIBILITY_TIMEOUT = env.int("REDIS_VISIBILITY_TIMEOUT", default=3600)
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = vars().get("CELERY_BROKER_TRANSPORT_OPTIONS", {}) | {
        "visibility_timeout": REDIS_VISIBILITY_TIMEOUT,
        # Without it, a Redis host that does not answer holds a publish for minutes.
        "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    }
if NOTIFICATIONS_EMAIL_RETRY_MAX_SECONDS >= REDIS_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "NOTIFICATIONS_EMAIL_RETRY_MAX_SECONDS must stay below REDIS_VISIBILITY_TIMEOUT, "
        "or Redis delivers a waiting retry twice."
    )

# Reports: weekly PDF status reports.
# The weekly mail goes out at this hour and minute on this ISO weekday (1 = Monday), in TIME_ZONE.
REPORT_WEEKLY_DAY = env.int("REPORT_WEEKLY_DAY", default=1)
REPORT_WEEKLY_HOUR = env.int("REPORT_WEEKLY_HOUR", default=8)
REPORT_WEEKLY_MINUTE = env.int("REPORT_WEEKLY_MINUTE", default=0)
if not (
    1 <= REPORT_WEEKLY_DAY <= 7
    and 0 <= REPORT_WEEKLY_HOUR <= 23
    and 0 <= REPORT_WEEKLY_MINUTE <= 59
):
    raise ImproperlyConfigured(
        "REPORT_WEEKLY_DAY must be 1-7 (Monday-Sunday), REPORT_WEEKLY_HOUR 0-23 and "
        "REPORT_WEEKLY_MINUTE 0-59."
    )
# Each list in a report shows this many items (the most urgent) and counts the rest.
REPORT_SECTION_ROWS = env.int("REPORT_SECTION_ROWS", default=12)
# Rendering one PDF: a soft limit (the task gives up cleanly) and a hard one (the child is killed).
REPORT_RENDER_SOFT_TIME_LIMIT = env.int("REPORT_RENDER_SOFT_TIME_LIMIT", default=60)
REPORT_RENDER_TIME_LIMIT = env.int("REPORT_RENDER_TIME_LIMIT", default=90)
# A delivery still "being sent" after this long belongs to a worker that died: it is retried.
REPORT_DELIVERY_LEASE_SECONDS = env.int("REPORT_DELIVERY_LEASE_SECONDS", default=900)
# A portfolio whose reports add up to more than this is mailed as the summary alone, with links.
REPORT_MAIL_MAX_MB = env.int("REPORT_MAIL_MAX_MB", default=15)
# WeasyPrint logs every rendering step at INFO; its warnings (a refused URL) still show.
LOGGING["loggers"]["weasyprint"] = {"level": "WARNING"}
