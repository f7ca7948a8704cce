"""ServerStock settings, driven by the environment.

With no environment at all the project runs embedded: SQLite, in-memory channel layer, local-memory
cache, django-q2's ORM broker and e-mail written to ``var/mail/``. Production sets ``DATABASE_URL``,
``REDIS_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``FIELD_ENCRYPTION_KEYS`` and the SMTP variables
(see ``deploy/serverstock.env.example``).
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("SERVERSTOCK_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean from the environment: 1/true/yes/on are true."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list from the environment."""
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


def generated_secret(filename: str, factory) -> str:
    """Return a secret kept in ``var/``, generating it on first use (the embedded default only)."""
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(factory())
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or generated_secret("secret_key", lambda: secrets.token_urlsafe(64))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Newest key first; older keys still decrypt until `manage.py rotate_encryption_keys` has run.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", []) or [
    generated_secret("field_encryption_key", lambda: Fernet.generate_key().decode())
]

INSTALLED_APPS = [
    "daphne",
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "unfold.contrib.simple_history",
    "core.apps.ServerStockAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # third party
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "django_q",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # ServerStock
    "core",
    "accounts",
    "portal",
    "billing",
    "catalog",
    "monitoring",
    "ipam",
    "tickets",
    "dcim",
    "remote",
    "cms.home",
    "cms.marketing",
    "cms.leads",
    "cms.announcements",
]

MIDDLEWARE = [
    "core.logs.RequestIdMiddleware",
    "core.middleware.RefuseNulCharactersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.csp.AreaContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "serverstock.urls"
WSGI_APPLICATION = "serverstock.wsgi.application"
ASGI_APPLICATION = "serverstock.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'serverstock.sqlite3'}",
        # Production keeps connections open (opening one per request halved portal throughput on PostgreSQL);
        # the ASGI process sets 0 (deploy/run), since its thread pool would hold one per thread.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0" if DEBUG else "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the django-q2 worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Wagtail's search index uses PostgreSQL's full-text fields there.
    INSTALLED_APPS.append("django.contrib.postgres")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions read from Redis, written through to the database: every signed-in page skips a query (a session
    # load took 0.5 ms of web CPU from PostgreSQL, 0.15 ms from Redis). Only with a shared cache: a
    # per-process cache would keep serving a session another process has ended.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # Redis pub/sub: a group message is published once and each ASGI process hands it to its own sockets, where
    # the list-based layer (channels_redis.core) queued one copy per socket in Redis. 500 NOC boards got a
    # 1,000-event burst with p99 0.90 s against 1.05 s (make bench BENCH=noc). Nothing is kept for a socket that
    # is not connected: the board and the portal refetch on every reconnect. The longer socket timeout dates from
    # the list-based layer, whose 5 s BZPOPMIN redis-py 8's default aborted (django/channels_redis#422).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30, "socket_connect_timeout": 5}]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

Q_CLUSTER = {
    "name": "serverstock",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 600,
    "retry": 900,
    "catch_up": False,
    "label": _("Background tasks"),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: e-mail (or a staff handle) and password; nobody signs up on their own, customers are invited.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ServerStock"
# Staff must have a second factor before any admin page, API call or WebSocket; the local demo may skip it.
SERVERSTOCK_REQUIRE_STAFF_MFA = env_bool("REQUIRE_STAFF_MFA", not DEBUG)
# Open WebSockets re-check their user's right this often (and at once on sign-out or a change of roles).
SERVERSTOCK_WEBSOCKET_RECHECK_SECONDS = float(os.environ.get("WEBSOCKET_RECHECK_SECONDS", "15"))

# Remote access (site/remote): seconds a BMC gets to answer a power command; console idle timeout; transcripts.
REMOTE_POWER_TIMEOUT = float(os.environ.get("REMOTE_POWER_TIMEOUT", "15"))
REMOTE_CONSOLE_IDLE_SECONDS = float(os.environ.get("REMOTE_CONSOLE_IDLE_SECONDS", "900"))
REMOTE_CONSOLE_TRANSCRIPTS = env_bool("REMOTE_CONSOLE_TRANSCRIPTS", False)

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end libraries from npm (package.json; the Makefile installs them), served under /static/vendor/<name>/.
VENDOR_STATIC = {
    "xterm": NODE_MODULES / "@xterm" / "xterm",
    "xterm-addon-fit": NODE_MODULES / "@xterm" / "addon-fit",
    "axe-core": NODE_MODULES / "axe-core",
}
STATICFILES_DIRS = [
    BASE_DIR / "site" / "static",
    *((f"vendor/{name}", path) for name, path in VENDOR_STATIC.items() if path.is_dir()),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
PRIVATE_MEDIA_ROOT = VAR_DIR / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# E-mail: SMTP when EMAIL_HOST is set, otherwise one file per message in var/mail/ for staff to read.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ServerStock <noreply@serverstock.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }

# Security: strict unless DEBUG; a reverse proxy terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Collectors may post to the web processes over the internal network (compose: http://web:8001) with their token;
# everything else is sent to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^api/monitoring/collector/"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN" if DEBUG else "DENY"
# Content-Security-Policy: scripts from this site, and inline ones only with the request's nonce; the admin and
# the Wagtail editor widen script-src for their front ends (core/csp.py). Styles may be inline (style attributes).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "worker-src": [CSP.SELF, "blob:"],
    "frame-src": [CSP.SELF],
    "frame-ancestors": [CSP.SELF] if DEBUG else [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}
SESSION_COOKIE_HTTPONLY = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.filters.SpecFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ServerStock API",
    "DESCRIPTION": "Customers see their own companies' data; staff tokens carry their user's permissions.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["core.api.schema.only_api_endpoints"],
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Off: import-export's own escaping drops a leading "=" once and nothing else; every resource neutralises all
# formula cells itself (core.exports.FormulaSafeResource) in CSV and XLSX alike.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False

WAGTAIL_SITE_NAME = "ServerStock"
# Staff sign in once, through allauth (with its MFA), for the admin, the editor and the portal alike.
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False
# No Gravatar: staff e-mail hashes are not sent to a third party, and the editor stays within the CSP's img-src.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does the editor's dashboard ask releases.wagtail.org for updates (CSP connect-src 'self'); upgrades come by pins.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]

UNFOLD = {
    "SITE_TITLE": "ServerStock",
    "SITE_HEADER": "ServerStock",
    "SITE_SYMBOL": "dns",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": True,
    "DASHBOARD_CALLBACK": "serverstock.navigation.dashboard_callback",
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": "serverstock.navigation.sidebar",
    },
}

# One line per event: time, level, logger, request id (core.logs: from X-Request-ID or made per request), text.
# The console shows warnings and errors (and `make run`'s banner, which is not logged); LOG_LEVEL=INFO or
# DEBUG shows more (`manage.py serve -v 2` / `-v 3` sets it for the processes it starts). Without DEBUG
# (production, where logs go to the journal) the default is INFO.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "").upper() or ("WARNING" if DEBUG else "INFO")
LOGGING = logging_config(LOG_LEVEL)  # core/logs.py: chatty libraries and collector requests kept quiet
if not DEBUG:
    LOGGING["handlers"]["console"]["formatter"] = "line"  # time level logger [request id] message, for the journal

# Tickets: attachment limits, SLA warnings, e-mail reply matching, remote-hands rate.
TICKET_ATTACHMENT_MAX_BYTES = int(os.environ.get("TICKET_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
TICKET_SLA_WARNING_MINUTES = int(os.environ.get("TICKET_SLA_WARNING_MINUTES", "60"))
TICKET_REPLY_ADDRESS = os.environ.get("TICKET_REPLY_ADDRESS", "support@serverstock.example")
TICKET_REMOTE_HANDS_HOURLY_RATE = os.environ.get("TICKET_REMOTE_HANDS_HOURLY_RATE", "120.00")

# Marketing site (cms/): where quote requests go when a form page names no address, and the form's rate limit.
CMS_SALES_EMAIL = os.environ.get("CMS_SALES_EMAIL", "sales@serverstock.example")
CMS_QUOTE_RATE_LIMIT = int(os.environ.get("CMS_QUOTE_RATE_LIMIT", "5"))  # submissions per address per hour
CMS_QUOTE_RATE_WINDOW_SECONDS = 3600
# Behind a reverse proxy, the request header carrying the visitor's address (e.g. HTTP_X_REAL_IP); empty: REMOTE_ADDR.
CMS_CLIENT_IP_HEADER = os.environ.get("CMS_CLIENT_IP_HEADER", "")

# Monitoring: where collectors write RRD files (the portal reads them for graphs) and the NOC's alert address.
MONITORING_RRD_DIR = Path(os.environ.get("RRD_DIR") or VAR_DIR / "rrd")
# The rrdcached the collectors write through: graphs ask it to write a file's pending samples before reading it.
MONITORING_RRDCACHED_ADDRESS = os.environ.get("RRDCACHED_ADDRESS", "")
MONITORING_NOC_EMAIL = os.environ.get("MONITORING_NOC_EMAIL", "noc@serverstock.example")
# Service checks a company may have: included with every account, plus per unit of a monitoring service.
MONITORING_CHECKS_INCLUDED = int(os.environ.get("MONITORING_CHECKS_INCLUDED", "10"))
MONITORING_CHECKS_PER_SERVICE = int(os.environ.get("MONITORING_CHECKS_PER_SERVICE", "25"))
# Bandwidth notice levels in % of the commit (above 100: "over level-1 %"), and who gets the month-end report.
MONITORING_BANDWIDTH_LEVELS = tuple(
    int(level) for level in env_list("MONITORING_BANDWIDTH_LEVELS", ["80", "100", "101"])
)
MONITORING_BILLING_EMAIL = os.environ.get("MONITORING_BILLING_EMAIL", "billing@serverstock.example")

# Billing policy (billing/conf.py documents each and its default). Days are comma-separated; "off" disables.
if os.environ.get("BILLING_REMINDER_DAYS_BEFORE"):
    BILLING_REMINDER_DAYS_BEFORE = tuple(int(day) for day in env_list("BILLING_REMINDER_DAYS_BEFORE", []))
if os.environ.get("BILLING_REMINDER_DAYS_AFTER"):
    BILLING_REMINDER_DAYS_AFTER = tuple(int(day) for day in env_list("BILLING_REMINDER_DAYS_AFTER", []))
if os.environ.get("BILLING_SUSPEND_AFTER_DAYS"):
    _suspend = os.environ["BILLING_SUSPEND_AFTER_DAYS"]
    BILLING_SUSPEND_AFTER_DAYS = None if _suspend == "off" else int(_suspend)
if os.environ.get("BILLING_LATE_FEE", "off") != "off":  # "fixed:25.00" or "percent:1.5"
    _kind, _, _amount = os.environ["BILLING_LATE_FEE"].partition(":")
    BILLING_LATE_FEE = {"kind": _kind, "amount": _amount}
BILLING_LATE_FEE_AFTER_DAYS = int(os.environ.get("BILLING_LATE_FEE_AFTER_DAYS", "7"))
