"""LLM Registry settings: one module, every deployment difference read from the environment.

See README.md ("Configuration") for every variable. Helpers in ``core.env`` fail
loudly on bad values and read ``NAME_FILE`` secrets.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import orjson
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.management.utils import get_random_secret_key
from django.utils.translation import gettext_lazy as _

from core.env import (
    ImproperlyConfiguredEnv,
    env_bool,
    env_choice,
    env_crontab,
    env_int,
    env_list,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfiguredEnv(
            "DJANGO_SECRET_KEY must be set (or DJANGO_SECRET_KEY_FILE) when DJANGO_DEBUG is off."
        )
    # Development only: a fresh key per process is fine, sessions do not need to survive.
    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before django.contrib.admin: its change-form template adds the "Events" history button.
    "pghistory.admin",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_htmx",
    "django_countries",
    # The shared framework (API tokens, catalog generation); its app label is "llmregistry".
    "core.apps.CoreConfig",
    # Failed-login lockout, kept in the database (holds across workers); its admin unlocks.
    "axes",
    "pgtrigger",
    "pghistory",
    "catalog",
    "licenses",
    "hardware",
    "evaluations",
    "curation",
    "adoption",
    "assistants",
    "ops",
]

MIDDLEWARE = [
    # First: refuses an oversized body (413) before anything reads it ("Request limits").
    "core.middleware.RequestSizeLimitMiddleware",
    "core.middleware.RejectNulBytesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # gzip for pages and API answers (static files are WhiteNoise's, precompressed): above all
    # that reads or writes the body, so cached answers are stored plain and compressed per
    # request. Answers carrying a CSRF token are left plain (BREACH; docs/operations.md).
    "core.middleware.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag on every GET and 304 for a matching If-None-Match; keeps the response cache's
    # generation ETags (below it) as they are.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # As early as it can be (it needs the session's user and the language): a hit skips
    # everything below. Stored answers keep the headers added below (CSP, X-Frame-Options).
    "core.response_cache.ResponseCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Inside the header middleware (its 503 gets them), above everything that reads the database.
    "core.middleware.DatabaseUnavailableMiddleware",
    "core.middleware.PublicReadMiddleware",
    # After authentication: records the acting user and URL with every history event.
    "pghistory.middleware.HistoryMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "llmregistry.urls"

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
                "core.context_processors.language_switch",
                "core.context_processors.single_sign_on",
            ],
        },
    },
]

WSGI_APPLICATION = "llmregistry.wsgi.application"
ASGI_APPLICATION = "llmregistry.asgi.application"

# --- Database: PostgreSQL only --------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", default="", schemes=("postgres", "postgresql"))
if not DATABASE_URL:
    from llmregistry.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url(BASE_DIR / ".pgdata")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=60, minimum=0),
        conn_health_checks=True,
    )
}
# A database that cannot be reached fails the request within this time (answered 503 by
# core.middleware.DatabaseUnavailableMiddleware) instead of holding a worker until the
# network gives up. A ?connect_timeout= in DATABASE_URL wins.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", default=5, minimum=1)
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -------------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", default="", schemes=("redis", "rediss"))
# Redis holds caches and the task queue, never data: while it is down or hung, pages and the
# API are served uncached and saves record their follow-up work in the database (docs/
# operations.md, "Faults"). Every call to it gives up after this long; above the broker's
# 1-second BRPOP poll, which a worker's connection must outlast.
REDIS_SOCKET_TIMEOUT_SECONDS = env_int("REDIS_SOCKET_TIMEOUT_SECONDS", default=2, minimum=2)
REDIS_CLIENT_OPTIONS = {
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
    "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
}
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis, and per-process local memory for a few seconds after a Redis call fails
            # (core/cache_backends.py): an outage costs one timeout, not one a request.
            "BACKEND": "core.cache_backends.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "llmregistry",
            "TIMEOUT": 300,
            "OPTIONS": REDIS_CLIENT_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Whole responses (public pages for anonymous visitors, API reads for everyone), keyed by the
# catalog generation (core/response_cache.py); how long one is kept, 0 turns it off.
REGISTRY_PAGE_CACHE_SECONDS = env_int("REGISTRY_PAGE_CACHE_SECONDS", default=86400, minimum=0)
# Each process also keeps the answers it served last in its own memory, up to this many MiB
# (keys hold the generation: such a copy is never stale); 0 turns it off.
REGISTRY_RESPONSE_CACHE_LOCAL_MB = env_int(
    "REGISTRY_RESPONSE_CACHE_LOCAL_MB", default=32, minimum=0
)

CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", default="", schemes=("redis", "rediss"))
# Without a broker, tasks run in the calling process (enqueued after commit by the services),
# so `make run` needs no Redis.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"  # never contacted: eager tasks run in-process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", default=900, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = max(1, CELERY_TASK_TIME_LIMIT - 60)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task a killed worker held unacknowledged (acks_late) goes back to the queue once it is this
# old, when a worker starts or on its periodic check (about every 100 s). Keep it above
# CELERY_TASK_TIME_LIMIT: a task still running when it expires is delivered a second time
# (harmless, tasks are idempotent, but the work is done twice). The fault tests set it low.
CELERY_VISIBILITY_TIMEOUT_SECONDS = env_int(
    "CELERY_VISIBILITY_TIMEOUT_SECONDS", default=3600, minimum=1
)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **REDIS_CLIENT_OPTIONS,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT_SECONDS,
}
# Publishing happens inside requests (after commit): with Redis down it gives up after one
# retry, a few seconds at most; the RecomputeRun row stays queued and the nightly recompute
# does the work. The one retry reconnects a pooled connection Redis dropped when it restarted.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULE = {
    # The nightly safety net: recompute every recommendation (idempotent, cheap when nothing
    # changed). Edits enqueue their own recompute after commit.
    "recompute-recommendations-nightly": {
        "task": "hardware.tasks.recompute_recommendations",
        "schedule": crontab(hour=2, minute=30),
    },
}

# --- The adoption layer (adoption/): health checks and webhooks ------------------------------
# Health checks ask each active deployment's endpoint GET /v1/models at this interval, each
# within the timeout; redirects are followed only on the same host.
ADOPTION_HEALTH_INTERVAL_SECONDS = env_int(
    "ADOPTION_HEALTH_INTERVAL_SECONDS", default=300, minimum=10
)
ADOPTION_HEALTH_TIMEOUT_SECONDS = env_int("ADOPTION_HEALTH_TIMEOUT_SECONDS", default=5, minimum=1)
# Webhook deliveries: each attempt within the timeout, then retried with exponential backoff
# up to the maximum attempts, after which the delivery is failed and the webhook failing.
ADOPTION_WEBHOOK_TIMEOUT_SECONDS = env_int(
    "ADOPTION_WEBHOOK_TIMEOUT_SECONDS", default=10, minimum=1
)
ADOPTION_WEBHOOK_MAX_ATTEMPTS = env_int("ADOPTION_WEBHOOK_MAX_ATTEMPTS", default=6, minimum=1)
ADOPTION_WEBHOOK_BACKOFF_SECONDS = env_int(
    "ADOPTION_WEBHOOK_BACKOFF_SECONDS", default=30, minimum=1
)
# The registry's own address (https://registry.intranet.example): links in webhook messages are
# absolute with it; empty, they are paths.
REGISTRY_SITE_URL = env_url("REGISTRY_SITE_URL", default="", schemes=("http", "https"))
# Directories under which the registry may read the checksum file beside recorded weights
# (SHA256SUMS, checksums.sha256) to verify artifacts; empty turns reading local disks off.
ADOPTION_ARTIFACT_ROOTS = env_list("ADOPTION_ARTIFACT_ROOTS", default=[])
CELERY_BEAT_SCHEDULE["adoption-check-deployments"] = {
    "task": "adoption.tasks.check_deployments",
    "schedule": float(ADOPTION_HEALTH_INTERVAL_SECONDS),
}
CELERY_BEAT_SCHEDULE["adoption-deliver-due"] = {
    "task": "adoption.tasks.deliver_due",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["adoption-scan-catalog"] = {
    "task": "adoption.tasks.scan_catalog",
    "schedule": 900.0,
}

# --- Ingestion of new releases (catalog/ingest/) -----------------------------------------------
# The only outbound network use. Endpoints may point at an internal mirror; tokens are read
# from *_FILE secrets in production (never logged).
HF_ENDPOINT = env_url("HF_ENDPOINT", default="https://huggingface.co", schemes=("http", "https"))
HF_TOKEN = env_str("HF_TOKEN", default="")
MODELSCOPE_ENDPOINT = env_url(
    "MODELSCOPE_ENDPOINT", default="https://modelscope.cn", schemes=("http", "https")
)
MODELSCOPE_TOKEN = env_str("MODELSCOPE_TOKEN", default="")
INGEST_TIMEOUT_SECONDS = env_int("INGEST_TIMEOUT_SECONDS", default=20, minimum=1)
INGEST_MAX_RETRIES = env_int("INGEST_MAX_RETRIES", default=4, minimum=0)
# An http(s) proxy for every ingestion request (the environment's *_PROXY are not read).
INGEST_PROXY = env_url("INGEST_PROXY", default="", schemes=("http", "https"))
INGEST_MAX_RESPONSE_BYTES = env_int("INGEST_MAX_RESPONSE_BYTES", default=50_000_000, minimum=1024)
# When the scheduled run starts (cron fields, UTC), or "off".
INGEST_SCHEDULE = env_crontab("INGEST_SCHEDULE", default="15 3 * * *")
if INGEST_SCHEDULE is not None:
    try:
        _ingest_crontab = crontab(**INGEST_SCHEDULE)
    except ValueError as exc:
        raise ImproperlyConfiguredEnv(f"INGEST_SCHEDULE is not a valid cron line: {exc}") from None
    CELERY_BEAT_SCHEDULE["ingest-releases"] = {
        "task": "catalog.tasks.ingest_releases",
        "schedule": _ingest_crontab,
    }

# --- Auth -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Login throttling (django-axes) -----------------------------------------------------------
# Failed sign-ins are counted per username and client address in the database, so a lockout
# holds across every web worker and process. API tokens are not passwords (256-bit random,
# looked up by hash) and are not counted.
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5, minimum=1)
# 0: locked until an admin unlocks it (admin, "Access attempts", or `manage.py axes_reset`).
_axes_cooloff_minutes = env_int("AXES_COOLOFF_MINUTES", default=15, minimum=0)
AXES_COOLOFF_TIME = timedelta(minutes=_axes_cooloff_minutes) if _axes_cooloff_minutes else None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Behind AXES_PROXY_COUNT proxies (the TLS proxy), REMOTE_ADDR is the nearest proxy: the client
# is the address the outermost trusted proxy appended to X-Forwarded-For. Entries left of it
# come from the client and are not trusted.
_axes_proxy_count = env_int("AXES_PROXY_COUNT", default=0, minimum=0)


def _axes_client_ip(request) -> str | None:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if _axes_proxy_count and len(hops) >= _axes_proxy_count:
        return hops[-_axes_proxy_count]
    return request.META.get("REMOTE_ADDR")


AXES_CLIENT_IP_CALLABLE = _axes_client_ip
AXES_COOLOFF_MESSAGE = _(
    "Too many failed sign-in attempts: this account is locked from your address for a while. "
    "Try again later, or ask an administrator to unlock it."
)
AXES_PERMALOCK_MESSAGE = _(
    "Too many failed sign-in attempts: this account is locked from your address until an "
    "administrator unlocks it."
)

# --- Single sign-on (OpenID Connect; ops/sso.py, docs/security.md) -----------------------
# Off unless OIDC_RP_CLIENT_ID is set. The endpoints come from the provider's discovery document
# (/.well-known/openid-configuration). Local accounts keep working beside it.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", default="")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", default="")  # or _FILE
OIDC_RP_SIGN_ALGO = env_choice(
    "OIDC_RP_SIGN_ALGO", "RS256", ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]
)
# http is allowed for a provider on the same private network (and for the tests' provider).
_oidc_schemes = ("https", "http")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_url(
    "OIDC_OP_AUTHORIZATION_ENDPOINT", default="", schemes=_oidc_schemes
)
OIDC_OP_TOKEN_ENDPOINT = env_url("OIDC_OP_TOKEN_ENDPOINT", default="", schemes=_oidc_schemes)
OIDC_OP_USER_ENDPOINT = env_url("OIDC_OP_USER_ENDPOINT", default="", schemes=_oidc_schemes)
OIDC_OP_JWKS_ENDPOINT = env_url("OIDC_OP_JWKS_ENDPOINT", default="", schemes=_oidc_schemes)
if OIDC_ENABLED:
    _oidc_missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not globals()[name]
    ]
    if _oidc_missing:
        raise ImproperlyConfiguredEnv(
            f"OIDC_RP_CLIENT_ID is set, so single sign-on needs {', '.join(_oidc_missing)}."
        )
    AUTHENTICATION_BACKENDS.insert(1, "ops.sso.RegistryOIDCBackend")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", default=10, minimum=1)
OIDC_REQUIRE_VERIFIED_EMAIL = env_bool("OIDC_REQUIRE_VERIFIED_EMAIL", default=True)
# The claim holding the user's groups at the provider, and which of them grant which role.
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_ADMIN_GROUPS = env_list("OIDC_ADMIN_GROUPS", default=[])
OIDC_EDITOR_GROUPS = env_list("OIDC_EDITOR_GROUPS", default=[])
OIDC_APPROVER_GROUPS = env_list("OIDC_APPROVER_GROUPS", default=[])
OIDC_VIEWER_GROUPS = env_list("OIDC_VIEWER_GROUPS", default=[])
# The name on the sign-in page's button ("Sign in with …").
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", default="")
LOGIN_REDIRECT_URL = "/admin/"
LOGIN_REDIRECT_URL_FAILURE = "/admin/login/?sso=failed"

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
# Licences exclude territories by country or the European Union as a whole (licenses.models):
# the union is a territory of its own beside the ISO 3166-1 countries django-countries names.
COUNTRIES_OVERRIDE = {"EU": _("European Union")}
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files: served by the app itself (WhiteNoise), never from a CDN ---------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security (production defaults; DJANGO_DEBUG relaxes nothing here but cookies over HTTP) ---
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
# The compose health checks probe over plain HTTP from inside the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", default=0, minimum=0)
# Only sent when DJANGO_HSTS_SECONDS is set; the registry's own subdomains are its own.
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# `manage.py check --deploy --fail-level WARNING` passes with these production settings; what it
# cannot know about the design is silenced here, each with its reason (tests/llmregistry/
# test_deploy.py runs the check).
SILENCED_SYSTEM_CHECKS = [
    # W004 (no HSTS) and W008 (no redirect to HTTPS): TLS ends at the intranet's TLS proxy in
    # front of the app (README, docs/operations.md), which redirects plain HTTP and sends HSTS.
    # DJANGO_SECURE_SSL_REDIRECT and DJANGO_HSTS_SECONDS make the app do both where it does not.
    "security.W004",
    "security.W008",
    # W021 (HSTS without preload): intranet host names cannot be on the browsers' public
    # preload list, and a preload entry is not undone for months.
    "security.W021",
]

# Content Security Policy: every page, script, style, image and font comes from this origin
# (deployments are often air-gapped; nothing may call out). Swagger UI is served in its split
# form so it needs no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- History (django-pghistory) ---------------------------------------------------------------
PGHISTORY_ADMIN_LIST_DISPLAY = [
    "pgh_created_at",
    "pgh_label",
    "pgh_obj_model",
    "pgh_obj_id",
    "pgh_diff",
    "pgh_context",
]

# --- REST framework ---------------------------------------------------------------------------
REGISTRY_PUBLIC_READ = env_bool("REGISTRY_PUBLIC_READ", default=True)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # JSON nested past Python's recursion limit is a 400, not a 500.
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.NestingSafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.RegistryPermission"],
    "DEFAULT_FILTER_BACKENDS": ["core.api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.RegistryPagination",
    "DEFAULT_RENDERER_CLASSES": [
        # orjson: the same JSON as DRF's renderer, an order of magnitude faster.
        "drf_orjson_renderer.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "core.api.renderers.ListCSVRenderer",
    ],
    # drf-spectacular's, and public reads described as open to anonymous clients.
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.RegistryAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.ResilientAnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env_str("REGISTRY_ANON_RATE", default="600/min")},
    "EXCEPTION_HANDLER": "core.api.exceptions.registry_exception_handler",
    # Validation errors of list items are keyed by index ({"aliases": {0: [...]}}): orjson
    # writes such keys as strings, as DRF's own renderer did.
    "ORJSON_RENDERER_OPTIONS": (orjson.OPT_NON_STR_KEYS,),
    "ORDERING_PARAM": "ordering",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LLM Registry API",
    "DESCRIPTION": "Open LLMs: families, versions, variants with their exact architecture, "
    "licences with structured terms, accelerators, hardware profiles and recommendations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs follow the API's read rule (REGISTRY_PUBLIC_READ).
    "SERVE_PERMISSIONS": ["core.api.permissions.RegistryPermission"],
    # Swagger UI and ReDoc from the installed sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "WorkloadEnum": "hardware.models.Workload",
        "OrganizationKindEnum": "catalog.choices.OrganizationKind",
        "VariantKindEnum": "catalog.choices.VariantKind",
        "LicenseKindEnum": "licenses.choices.LicenseKind",
        "LineageKindEnum": "catalog.choices.LineageKind",
        # The features kept the name they had before benchmarks had categories too.
        "CategoryEnum": "catalog.choices.FeatureCategory",
        "BenchmarkCategoryEnum": "evaluations.choices.Category",
        # The catalog's statuses keep the name they had before the adoption layer's.
        "StatusEnum": "core.choices.PublicationStatus",
        "DeploymentStatusEnum": "adoption.choices.DeploymentStatus",
        "ApprovalStatusEnum": "adoption.choices.ApprovalStatus",
        "ApprovalDecisionEnum": "adoption.api.serializers.DECISION_CHOICES",
    },
}

# --- Registry ---------------------------------------------------------------------------------
CATALOG_DATA_DIRS = [
    BASE_DIR / "catalog" / "data",
    BASE_DIR / "licenses" / "data",
    BASE_DIR / "hardware" / "data",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    # axes announces itself at INFO on every start; its lockouts are warnings. The MCP SDK's
    # session manager announces its start and stop at INFO for every /mcp/ request.
    "loggers": {
        "pgserver": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "mcp.server.streamable_http_manager": {"level": "WARNING"},
    },
}

# --- Compression and robots -------------------------------------------------------------------
# gzip pages and API answers for clients that accept it (core.middleware.
# CompressionMiddleware); turn it off where the proxy in front compresses instead.
REGISTRY_COMPRESSION = env_bool("REGISTRY_COMPRESSION", default=True)
# /robots.txt: an intranet registry keeps every crawler out; on, crawlers may index the pages
# (not the admin, sign-in, API or MCP endpoints).
REGISTRY_ROBOTS_ALLOW = env_bool("REGISTRY_ROBOTS_ALLOW", default=False)

# --- Request limits ---------------------------------------------------------------------------
# The largest request body: API writes, admin forms, the pasted config.json (itself limited to
# 256 KB by its form). The registry's largest legitimate body, a variant with its config.json,
# is a few kilobytes; anything above this is refused with 413 before it is read
# (core.middleware.RequestSizeLimitMiddleware, first of all middleware: the API's
# parsers would otherwise read any size).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB, Django's default, made explicit
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000  # fields in one form post, Django's default
