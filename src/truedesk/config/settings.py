"""Django settings for Truedesk, read from the environment (see .env.example)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from truedesk.config.env import (
    ConfigError,
    data_dir,
    env_bool,
    env_choice,
    env_database,
    env_int,
    env_list,
    env_str,
    env_time_zone,
    secret_key,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(DATA_DIR)
# Earlier keys, still accepted while they are phased out: sessions, signed links, and
# the sealed secrets (mailbox passwords, webhook signing secrets; lib/secrets_box.py).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # First, so its templates (the sign-in and password-reset pages) win over
    # the registration/ templates that django.contrib.admin also ships.
    "truedesk.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "truedesk.accounts",
    "truedesk.customers",
    "truedesk.notifications",
    "truedesk.calendars",
    "truedesk.cases",
    "truedesk.sla",
    "truedesk.runaround",
    "truedesk.promises",
    "truedesk.workforce",
    "truedesk.routing",
    "truedesk.desk",
    "truedesk.channels.portal",
    "truedesk.channels.contactcentre",
    "truedesk.channels.email",
    "truedesk.channels.partners",
    "truedesk.channels.webhooks",
    "truedesk.channels.webform",
    "truedesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "truedesk.accounts.middleware.UserPreferencesMiddleware",
    "truedesk.accounts.middleware.PartnerFenceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "truedesk.api.middleware.ApiJsonErrorsMiddleware",
    # Axes must come last: it inspects the result of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "truedesk.config.urls"
WSGI_APPLICATION = "truedesk.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        f"sqlite:///{DATA_DIR / 'truedesk.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes;
    # IMMEDIATE transactions take the write lock up front, so two writers queue
    # on busy_timeout instead of failing with "database is locked" mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (shared by all processes: the database by default, Redis when given)
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "truedesk_cache",
        }
    }

# --- Background tasks: database-backed by default (see docs/decisions/0003) -
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False  # no start-up banner on every `truedesk` command

API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90, minimum=1)

# --- Security ---------------------------------------------------------------
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
# Messages live in the server-side session, not a cookie: the admin shows one-time
# secrets (webhook and contact-centre signing secrets) as messages, and a cookie
# would carry them to the browser's disk and any proxy logs.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
# Behind a reverse proxy, `truedesk run` takes the client address and scheme
# from the proxy's X-Forwarded-For/-Proto headers, but only from TRUSTED_PROXY:
# the login rate limit counts failures per client address.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
TRUSTED_PROXY = env_str("TRUSTED_PROXY", "127.0.0.1")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline script or style anywhere: every script is a same-origin file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# --- Files --------------------------------------------------------------------
MEDIA_ROOT = DATA_DIR / "files"
MEDIA_URL = "/files-not-served-directly/"
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Front-end packages (htmx, the charting library) come from npm: see
# docs/decisions/0005-front-end-htmx-from-npm.md. `make` installs them into node_modules.
_NODE_MODULES = Path(
    env_str("TRUEDESK_NODE_MODULES", str(PACKAGE_DIR.parent.parent / "node_modules"))
)
STATICFILES_DIRS = [
    (f"vendor/{name}", _NODE_MODULES / name / "dist")
    for name in ("htmx.org", "chart.js")
    if (_NODE_MODULES / name / "dist").is_dir()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Email ----------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ConfigError("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true: choose one.")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Truedesk <support@truedesk.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Email channel (truedesk.channels.email; docs/email.md) -------------------
# Raw inbound messages are kept here, fsynced, before the sender hears "OK".
EMAIL_STORE_DIR = Path(env_str("EMAIL_STORE_DIR", str(DATA_DIR / "mail")))
# The address customers write to and replies come from, when no mailbox is configured.
EMAIL_CHANNEL_FROM = env_str("EMAIL_CHANNEL_FROM", DEFAULT_FROM_EMAIL)
# Department slug for cases opened by mail to an address without a mailbox department.
EMAIL_DEFAULT_DEPARTMENT = env_str("EMAIL_DEFAULT_DEPARTMENT", "")
EMAIL_MAX_MESSAGE_BYTES = env_int("EMAIL_MAX_MESSAGE_BYTES", 60 * 1024 * 1024, minimum=1024 * 1024)
EMAIL_AUTO_REPLIES_PER_HOUR = env_int("EMAIL_AUTO_REPLIES_PER_HOUR", 3, minimum=0)

# --- Languages and time -----------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("lt", _("Lithuanian")),
    ("uk", _("Ukrainian")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_time_zone("TIME_ZONE", "Europe/Vilnius")

# --- Logging ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
    },
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # aiosmtpd (truedesk smtpd) logs every connection, EOF and QUIT at INFO: noise
        # at any volume; truedesk.channels.email logs what matters about each message.
        "mail.log": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

# --- Public contact form (truedesk.channels.webform; docs/decisions/0024) -----
# Accepted submissions per client address and per email address per hour.
WEBFORM_PER_IP_PER_HOUR = env_int("WEBFORM_PER_IP_PER_HOUR", 10, minimum=1)
WEBFORM_PER_EMAIL_PER_HOUR = env_int("WEBFORM_PER_EMAIL_PER_HOUR", 5, minimum=1)
# Seconds a person needs at least to fill the form; faster is refused as a bot.
WEBFORM_MIN_FILL_SECONDS = env_int("WEBFORM_MIN_FILL_SECONDS", 3, minimum=0)
WEBFORM_MAX_LINKS = env_int("WEBFORM_MAX_LINKS", 3, minimum=0)
# Department slug for cases sent without a topic (empty: the unrouted queue).
WEBFORM_DEFAULT_DEPARTMENT = env_str("WEBFORM_DEFAULT_DEPARTMENT", "")
