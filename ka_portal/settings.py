"""KA Portal settings: one module, everything from the environment.

With no variables set it runs on an embedded default (a SQLite file, Celery tasks in-process).
``DATABASE_URL`` and ``CELERY_BROKER_URL`` / ``REDIS_URL`` move it onto PostgreSQL and Redis;
``PRODUCTION=true`` switches on the hardening that ``manage.py check --deploy`` asks for.
"""

import copy
import os
import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from ka_portal import queues
from ka_portal.config import KaSettings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

PRODUCTION = env.bool("PRODUCTION", default=False)
# The business's numbers (SPEC) and every other KA_* variable: typed and checked here, once; a wrong value stops
# start-up with a message naming it (ka_portal/config.py lists each one with its range and default).
KA = KaSettings.from_environ(os.environ)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("change-me", "django-insecure")):
        # Refuse to start rather than sign sessions and password-reset links with a missing or placeholder key.
        raise ImproperlyConfigured(
            "PRODUCTION=true needs SECRET_KEY: a random string of at least 50 characters, e.g. "
            'python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
else:
    SECRET_KEY = env("SECRET_KEY", default="dev-only-not-secret-ka-portal-0123456789-abcdefghijklmnop")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# a background write (the phone's outbox) with a rotated token is told so in JSON, to be sent again (ka_portal/pages.py)
CSRF_FAILURE_VIEW = "ka_portal.pages.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "ka_portal.third_party.KnoxConfig",  # django-rest-knox, its admin in both languages
    "ka_portal.third_party.AxesConfig",  # django-axes, its admin in both languages
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "ka_portal",
    "accounts",
    "stores",
    "visits",
    "promotions",
    "contracts",
    "tradespend",
    "evidence",
    "promoters",
    "analytics",
    "imports",
]
# The demo company and `seed_demo` (the demo/ app): on by default in development, off in production unless
# DEMO=true asks for it (docker-compose loads the demo that way). No runtime app imports it.
DEMO = env.bool("DEMO", default=not PRODUCTION)
if DEMO:
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and API answers gzip-compressed (static files have WhiteNoise's own copies): below WhiteNoise, above
    # everything that writes the body.
    "ka_portal.middleware.PageGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Under /api/ Django's own 400, 403, 404 (its DEBUG pages too), 405 and 500 in the API's JSON error shape
    # (ka_portal/api.py): below LocaleMiddleware (the request's language), above CommonMiddleware (its host check).
    "ka_portal.api.ApiErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ka_portal.middleware.AtomicWritesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the 429 of ka_portal.signin.lockout_response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ka_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ka_portal.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "ka_portal.wsgi.application"
ASGI_APPLICATION = "ka_portal.asgi.application"

# Database: a SQLite file unless DATABASE_URL names another (an empty value counts as unset).
_database_url = env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(_database_url)}
# Writes are atomic per request through ka_portal.middleware.AtomicWritesMiddleware (reads stay outside a transaction).
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Parallel writers on the embedded default: IMMEDIATE takes the write lock when a transaction begins, so a
    # writer waits (up to `timeout` seconds) instead of failing with "database is locked" when a read turns into a
    # write; WAL lets readers go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_TIMEOUT", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    # No JIT: PostgreSQL compiles a query whose estimated cost is high, and the reports' per-invoice sums are
    # estimated far above what they cost (compiling took 2.2 s of a 2.4 s aging query over a chain's year; the
    # query itself 0.13 s: docs/performance.md). Added to what PGOPTIONS asks, which a connection option replaces.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"{os.environ.get('PGOPTIONS', '')} -c jit=off".strip()
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # psycopg 3 binds parameters on the server and prepares a statement once a connection has run it five times:
    # PostgreSQL then neither parses nor plans it again (a visit's create: 10.9 → 7.5 ms of the server's CPU;
    # docs/performance.md). Behind a transaction-pooling PgBouncer without prepared-statement support, set
    # PG_PREPARED_STATEMENTS=false; restart app servers and workers after a migration that changes a column's type.
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
    if env.bool("PG_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A read replica of it (docs/scaling.md): when DATABASE_REPLICA_URL names one (a streaming replica of the primary),
# the report selectors read there (ka_portal/db_router.py); writes never do. READ_REPLICA is the alias they read from,
# None for the primary. Under the tests the alias is the primary itself (a test mirror), so the router's tests run
# against a second alias on SQLite and PostgreSQL alike, with READ_REPLICA None unless a test sets it.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    # The same engine as the primary, so the same connection options (no JIT, persistent connections), plus the URL's.
    _replica = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"] = {
        **copy.deepcopy(DATABASES["default"]),
        **_replica,
        "OPTIONS": {**DATABASES["default"].get("OPTIONS", {}), **_replica.get("OPTIONS", {})},
        "TEST": {"MIRROR": "default"},
    }
elif "pytest" in sys.modules:
    DATABASES["replica"] = {**copy.deepcopy(DATABASES["default"]), "TEST": {"MIRROR": "default"}}
READ_REPLICA = "replica" if DATABASE_REPLICA_URL else None
DATABASE_ROUTERS = ["ka_portal.db_router.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (Index(include=…)) are a PostgreSQL speed-up for the reports; SQLite builds them without the
# extra columns, which is all the embedded default needs: no warning about it at every start.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (django-axes), on the login page, /admin/ and POST /api/v1/auth/token/ alike.
# Failed sign-ins are counted per username and per client address within the cool-off window; at the
# limit that door answers 429 with Retry-After until the window has passed. A successful sign-in is not counted.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in before the password is checked
    "ka_portal.auth_backends.KeptPermissionsBackend",  # ModelBackend, its permission sets kept per auth revisions
]
LOGIN_FAILURES_PER_USER = KA.login_failures_per_user
LOGIN_FAILURES_PER_ADDRESS = KA.login_failures_per_address
LOGIN_COOLOFF_MINUTES = KA.login_cooloff_minutes
TRUSTED_PROXIES = KA.trusted_proxies
AXES_ENABLED = True
AXES_HANDLER = "ka_portal.signin.SignInAttempts"
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_FAILURE_LIMIT = LOGIN_FAILURES_PER_USER  # SignInAttempts measures the address against its own limit
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
# A refused try while locked does not push the end of the lockout further: Retry-After stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "ka_portal.signin.client_ip"
AXES_LOCKOUT_CALLABLE = "ka_portal.signin.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # failed attempts are kept (admin: Axes); successful ones need no second log
AXES_VERBOSE = False

# API tokens (django-rest-knox): random, stored only as a SHA-512 digest, one per sign-in (each device its own),
# valid for KA_API_TOKEN_TTL_HOURS, revoked by DELETE /api/v1/auth/token/ (this one) or /api/v1/auth/tokens/ (all).
API_TOKEN_TTL_HOURS = KA.api_token_ttl_hours
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# Languages: Simplified Chinese first (the fallback), English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# One date format per language, named on pages ({{ d|date:"SHORT_DATE_FORMAT" }}): see ka_portal/formats/.
FORMAT_MODULE_PATH = ["ka_portal.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names, gzip/brotli copies, cached for good by the browser (ka_portal/staticfiles.py): needs
    # `collectstatic`, which the Dockerfile and `make run` do.
    "staticfiles": {"BACKEND": "ka_portal.staticfiles.HashedStaticFilesStorage"},
}
# WhiteNoise serves a hashed name for ten years (immutable); a plain name (a file not collected, or edited
# since) for a minute in production, not at all in development, so an edit shows on the next reload.
WHITENOISE_MAX_AGE = 0 if DEBUG else 60

# Cache: Redis when REDIS_URL is set, memory otherwise.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# API list pages kept while their tables stand still (ka_portal/api_cache.py): in each process's memory, as each
# answer is checked against the database's table revisions before it is used; at most 1,000 pages of ≤ 512 KB.
API_LIST_CACHE = env.bool("API_LIST_CACHE", default=True)  # false: every list page is read afresh
CACHES["api_lists"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "api-lists",
    "TIMEOUT": 300,
    "OPTIONS": {"MAX_ENTRIES": 1000},
}

# Celery: a broker URL means real workers; none means tasks run in-process (the embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker keeps its database connection between tasks as a web worker does between requests (CONN_MAX_AGE, with a
# health check before reuse: ka_portal/celery.py). Celery's Django fixup would close it after every task, so each
# task paid a new PostgreSQL backend, its catalogue caches and its prepared statements (a night's chunk: some 10 ms
# of 60; docs/performance.md); it now closes only every this many tasks.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Three queues (ka_portal/queues.py): nightly computation, imports, interactive. Each task is routed by name, so a
# machine runs the workers of the queue it is for (`celery -A ka_portal worker -Q nightly`); a worker without -Q takes
# all three. A task without a route goes to the interactive queue.
CELERY_TASK_QUEUES = tuple(Queue(name, Exchange(name, type="direct"), routing_key=name) for name in queues.QUEUES)
CELERY_TASK_DEFAULT_QUEUE = queues.INTERACTIVE
CELERY_TASK_ROUTES = {task: {"queue": queue} for task, queue in queues.ROUTES.items()}
CELERY_BEAT_SCHEDULE: dict = {
    "health-check-nightly": {"task": "ka_portal.tasks.health_check", "schedule": crontab(hour=1, minute=55)},
    "idempotency-keys-purge": {"task": "ka_portal.tasks.idempotency_keys_purge", "schedule": crontab(minute=35)},
    "api-tokens-purge": {"task": "ka_portal.tasks.api_tokens_purge", "schedule": crontab(minute=40)},
    "promotions-daily-transitions": {
        "task": "promotions.tasks.promotions_advance_by_date",
        "schedule": crontab(hour=0, minute=10),
    },
    "contracts-receivables-nightly": {
        "task": "contracts.tasks.receivables_nightly",
        "schedule": crontab(hour=2, minute=15),
    },
    # Every store's suggested order (SPEC §4) ready before the reps start: 02:00 Asia/Shanghai (CELERY_TIMEZONE).
    "suggested-orders-nightly": {
        "task": "visits.tasks.suggested_orders_nightly",
        "schedule": crontab(hour=2, minute=0),
    },
    # Display agreements (issue 13) generated and evaluated before deduction matching reads their status.
    "evidence-agreements-nightly": {
        "task": "evidence.tasks.agreements_nightly",
        "schedule": crontab(hour=2, minute=20),
    },
    # The trade-spend ledger (issue 12 item 4) after the receivables run, then deduction matching.
    "tradespend-accruals-nightly": {
        "task": "tradespend.tasks.accruals_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
}

# REST API.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ka_portal.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "ka_portal.api.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "ka_portal.api.FilterBackend",  # django-filter's, building no FilterSet for a request naming no filter
        "ka_portal.api.SearchFilter",  # DRF's, or a view's own `search_term` (what one term finds)
        "ka_portal.api.OrderingFilter",  # DRF's, ending every order with a unique key
    ],
    # Not a throttle: every GET refuses a query parameter its schema does not document. DRF runs these on every view
    # after authentication and permissions; a view naming its own throttle_classes keeps this one
    # (ka_portal/api_parameters.py).
    "DEFAULT_THROTTLE_CLASSES": ["ka_portal.api_parameters.KnownParameters"],
    # drf-spectacular's, documenting `format` on every operation and not the pages' ?q= and ?o= (ka_portal/schema.py).
    "DEFAULT_SCHEMA_CLASS": "ka_portal.schema.AutoSchema",
    # ?format= the API does not serve is a 400 naming it and the formats it serves, not DRF's 404.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "ka_portal.api_parameters.ContentNegotiation",
    "EXCEPTION_HANDLER": "ka_portal.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KA Portal API",
    "DESCRIPTION": "Key accounts, stores, visits, promotions, contracts and receivables.",
    "VERSION": "1.0.0",
    # In English whatever the request's or the command's language (titles and choices are verbose names).
    "DEFAULT_GENERATOR_CLASS": "ka_portal.schema.SchemaGenerator",
    "SERVE_INCLUDE_SCHEMA": False,
    # A request body lists only what a client may send (the API refuses a read-only key in a create or a step,
    # 400): requests and responses are separate components (`KeyAccountRequest`, `PatchedKeyAccountRequest`, and
    # the answer's `KeyAccount`). This also says `minLength: 1` on a request's text that may not be blank.
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's files come from drf-spectacular-sidecar, served locally: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RoutePlanStatusEnum": "visits.models.RoutePlan.Status",
        "PromotionStatusEnum": "promotions.models.PromotionPlan.Status",
        "ContractStatusEnum": "contracts.models.Contract.Status",
        "ContractKindEnum": "contracts.models.Contract.Kind",
        "ContractTermKindEnum": "contracts.models.ContractTerm.Kind",
        "ChecklistItemEnum": "visits.models.ChecklistResult.Item",  # a checklist result's item, a photo's item
        "DisplayKindEnum": "evidence.models.DisplayKind",  # issue 13: one display vocabulary for every part
        # visit evidence: display agreements (issue 13 item 2)
        "DisplayAgreementKindEnum": "evidence.agreement_rules.AGREEMENT_KINDS",
        "DisplayAgreementStatusEnum": "evidence.models.DisplayAgreement.Status",
        "DisplayAgreementSourceEnum": "evidence.models.DisplayAgreement.Source",
        # trade spend: what a chain deducts for, and what a ledger line pays for (two vocabularies named "kind")
        "DeductionKindEnum": "contracts.models.Deduction.Kind",
        "SpendKindEnum": "tradespend.models.SpendKind",
        "TaskStatusEnum": "visits.models.Task.Status",  # a task and its update (PATCH) share one vocabulary
        "DisputeStatusEnum": "tradespend.models.Dispute.Status",  # a dispute's status and its steps' from and to
    },
    # Every operation's error answers (400/401/403/404/429, and 409 on writes) in the one error shape.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ka_portal.schema.declare_error_responses",
        "ka_portal.schema.tag_by_resource",  # the docs grouped by resource, not all under "v1"
        "ka_portal.idempotency.document_key_responses",  # a create's Idempotency-Key answers 409 and 422
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Behind TLS keep these true; docker-compose.yml turns them off for plain http://localhost.
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
