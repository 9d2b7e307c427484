"""All settings, read from the environment; safe production defaults, embedded defaults for dev."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("JXC_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


# --- core ---------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
# No secret lives in the repo: production must set SECRET_KEY; dev/test get a per-checkout key file.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or env_bool("JXC_ALLOW_GENERATED_SECRET", False)):
        raise RuntimeError("SECRET_KEY must be set (or DEBUG=1 / JXC_ALLOW_GENERATED_SECRET=1 for dev)")
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = _key_file.read_text().strip()

BASE_DOMAIN = os.environ.get("BASE_DOMAIN", "localhost")
# Every tenant host is <slug>.<BASE_DOMAIN>; the public site is BASE_DOMAIN itself.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", f"{BASE_DOMAIN},.{BASE_DOMAIN},127.0.0.1")
PUBLIC_PORT_SUFFIX = os.environ.get("PUBLIC_PORT_SUFFIX", "")  # e.g. ":8000" in dev links
USE_HTTPS = env_bool("USE_HTTPS", not DEBUG and BASE_DOMAIN != "localhost")
SITE_SCHEME = "https" if USE_HTTPS else "http"

# --- apps ---------------------------------------------------------------------------------------
SHARED_APPS = [
    # core comes first so its migrate/migrate_schemas (which also migrate the template) win
    "core",
    "django_tenants",
    "tenants",
    "billing",
    "core.rule_catalog",
    "core.site",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "tenants.accounts",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
]

TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "tenants.accounts",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    # the core 进销存 domain
    "core.catalog",
    "core.partners",
    "core.locations",
    "core.inventory",
    "core.purchasing",
    "core.sales",
    "core.logistics",
    "core.counts",
    "core.events",
    "core.planning",
    "core.signals",
    "core.rules",
    "core.imports",
    "core.web",
    "ml_models",
    # industry modules: installed for every tenant, enabled by entitlement
    "verticals.food",
    "verticals.restaurant",
    "verticals.discrete_mfg",
    "verticals.retail",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]
INSTALLED_APPS += ["graphene_django"]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
AUTH_USER_MODEL = "accounts.User"
# Provisioning clones this migrated template schema instead of running every migration.
TENANT_BASE_SCHEMA = os.environ.get("TENANT_BASE_SCHEMA", "tenant_template")
TENANT_CREATION_FAKES_MIGRATIONS = True
# Issue `SET search_path` once per connection and schema switch, not before every cursor: it halved the
# round trips of a stock posting (django-tenants resets it on set_tenant, rollback and savepoint rollback).
TENANT_LIMIT_SET_CALLS = True
# Spare schemas cloned ahead of time, so signup renames one instead of waiting seconds for a clone.
TENANT_SPARE_SCHEMAS = env_int("TENANT_SPARE_SCHEMAS", 2)
# The pool grows to the busiest minute of signups over this window (plus the floor above), up to the cap.
TENANT_SPARE_SCHEMAS_MAX = env_int("TENANT_SPARE_SCHEMAS_MAX", 25)
TENANT_SPARE_RATE_WINDOW_HOURS = env_int("TENANT_SPARE_RATE_WINDOW_HOURS", 24)
# `migrate` runs the stale tenant schemas in this many forked processes (one connection each).
TENANT_MIGRATE_PROCESSES = env_int("TENANT_MIGRATE_PROCESSES", 2)
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "core.urls_public"
ROOT_URLCONF = "core.urls_tenant"
# An unknown host is a 404, never the public site.
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False

MIDDLEWARE = [
    "django_tenants.middleware.main.TenantMainMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.ApiKeyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.TenantContextMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "core" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.platform",
                "billing.context_processors.billing",
            ],
        },
    }
]

WSGI_APPLICATION = "core.wsgi.application"

# --- database -----------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/jxc")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache --------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
_cache_backend = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
)
CACHES = {
    # Tenant data: keys carry the current schema, so one tenant never reads another's entry.
    "default": {
        **_cache_backend,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    },
    # Platform data about tenants (entitlements): keys name the tenant explicitly, whatever schema is active.
    "platform": {**_cache_backend, "KEY_PREFIX": "platform"},
}
ENTITLEMENT_CACHE_SECONDS = env_int("ENTITLEMENT_CACHE_SECONDS", 60)

# --- auth & security ----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
SESSION_COOKIE_SECURE = USE_HTTPS
CSRF_COOKIE_SECURE = USE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if USE_HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Host-only cookies: a session from alpha.localhost is never sent to beta.localhost.
SESSION_COOKIE_DOMAIN = None
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

# --- i18n ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "core" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing folder
MEDIA_ROOT = VAR_DIR / "media"

# --- files (local disk by default, S3 when a bucket is configured) ------------------------------
S3_BUCKET = os.environ.get("S3_BUCKET", "")
S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "") or None
AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID", "")
AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY", "")
AWS_S3_REGION_NAME = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
STORAGES = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": S3_BUCKET, "endpoint_url": S3_ENDPOINT_URL, "file_overwrite": False},
        }
        if S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(MEDIA_ROOT)}}
    ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_FILESYSTEM_DIR = Path(os.environ.get("CELERY_FILESYSTEM_DIR", VAR_DIR / "celery"))
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# The longest task (a fine-tune) must end within this; the broker's visibility timeout follows it (core/celery.py).
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 1800)
# Long jobs (core/jobs.py): a heartbeat every N seconds; a job silent for M seconds is failed by the reaper.
JOB_HEARTBEAT_SECONDS = float(os.environ.get("JOB_HEARTBEAT_SECONDS", "15"))
JOB_STALE_AFTER_SECONDS = float(os.environ.get("JOB_STALE_AFTER_SECONDS", "120"))
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or None

# --- outbound webhooks (core/events) ------------------------------------------------------------
# Tenant admins' webhook URLs may not point at loopback/private/link-local addresses unless this is on
# (local development by default; never in production).
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", DEBUG)

# --- mlflow -------------------------------------------------------------------------------------
MLFLOW_TRACKING_URI = os.environ.get("MLFLOW_TRACKING_URI", f"sqlite:///{VAR_DIR / 'mlflow.db'}")
MLFLOW_ARTIFACT_ROOT = os.environ.get("MLFLOW_ARTIFACT_ROOT", str(VAR_DIR / "mlartifacts"))
# Weather signal: a JSON endpoint polled by core.signals.services.HttpWeatherSource; empty = ingest API/file only.
WEATHER_PROVIDER_URL = os.environ.get("WEATHER_PROVIDER_URL", "")

# --- stripe -------------------------------------------------------------------------------------
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")  # localstripe in tests
BILLING_TRIAL_DAYS = env_int("BILLING_TRIAL_DAYS", 14)
BILLING_GRACE_DAYS = env_int("BILLING_GRACE_DAYS", 7)
STRIPE_WEBHOOK_TOLERANCE = env_int("STRIPE_WEBHOOK_TOLERANCE", 300)  # seconds a signed webhook stays valid
STRIPE_MAX_NETWORK_RETRIES = env_int("STRIPE_MAX_NETWORK_RETRIES", 2)
STRIPE_EVENT_RETENTION_DAYS = env_int("STRIPE_EVENT_RETENTION_DAYS", 90)  # processed webhook ids kept for dedupe

# --- sentry -------------------------------------------------------------------------------------
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "production")

# --- graphql ------------------------------------------------------------------------------------
GRAPHENE = {"SCHEMA": "core.graphql.schema.schema", "RELAY_CONNECTION_MAX_LIMIT": 100}
GRAPHQL_MAX_DEPTH = env_int("GRAPHQL_MAX_DEPTH", 10)
GRAPHQL_MAX_ALIASES = env_int("GRAPHQL_MAX_ALIASES", 50)
GRAPHQL_MAX_COMPLEXITY = env_int("GRAPHQL_MAX_COMPLEXITY", 5000)
GRAPHQL_MAX_DOCUMENT_BYTES = env_int("GRAPHQL_MAX_DOCUMENT_BYTES", 100_000)
GRAPHQL_INTROSPECTION = env_bool("GRAPHQL_INTROSPECTION", True)
# Cost control before validation (core/graphql/cost.py): a lexical pre-pass, then validation on a clock.
GRAPHQL_MAX_TOKENS = env_int("GRAPHQL_MAX_TOKENS", 5000)
GRAPHQL_MAX_NESTING = env_int("GRAPHQL_MAX_NESTING", 20)  # braces, so introspection's nested type refs fit
GRAPHQL_MAX_FIELDS = env_int("GRAPHQL_MAX_FIELDS", 500)
GRAPHQL_VALIDATION_SECONDS = float(os.environ.get("GRAPHQL_VALIDATION_SECONDS", "1.0"))
GRAPHQL_STATEMENT_TIMEOUT_MS = env_int("GRAPHQL_STATEMENT_TIMEOUT_MS", 5000)  # each SQL statement of a request
# Rate limits (the `limits` library; Redis when REDIS_URL is set, else per process). Syntax "N/second;M/minute".
GRAPHQL_RATE_PER_KEY = os.environ.get("GRAPHQL_RATE_PER_KEY", "20/second;600/minute")
GRAPHQL_RATE_PER_TENANT = os.environ.get("GRAPHQL_RATE_PER_TENANT", "50/second;1500/minute")
RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "") or REDIS_URL or "memory://"
# Login throttling (tenants/accounts/throttle.py): failed attempts per account and per address, per window.
LOGIN_FAILURES_PER_ACCOUNT = os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "5/15minute")
LOGIN_FAILURES_PER_IP = os.environ.get("LOGIN_FAILURES_PER_IP", "30/15minute")
# Uploads (core/imports/readers.py): seconds one file may take to read.
IMPORT_TIME_BUDGET_SECONDS = float(os.environ.get("IMPORT_TIME_BUDGET_SECONDS", "30"))

# --- email --------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "JXC Cloud <noreply@jxc.local>")
# Read only by the SMTP backend (production): verification and invitation mails.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

from core.observability import init_sentry

init_sentry(SENTRY_DSN, SENTRY_ENVIRONMENT)
