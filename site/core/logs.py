"""The console's logging: ``settings.LOGGING = logging_config(LOG_LEVEL)``, the filter that keeps it readable, and
request ids (one line per event: time, level, logger, the request id, the text).

The development server logs one line per request; collectors post every few seconds, so their requests
would scroll the banner and any real error away. Their successful requests are dropped below DEBUG;
failures (4xx/5xx, logged as warnings and errors) are always kept.
"""

import logging
import re
import uuid
from contextvars import ContextVar

QUIET_REQUEST_PREFIXES = ("/api/monitoring/collector/", "/static/", "/favicon.ico")


class QuietRoutineRequests(logging.Filter):
    """Drop ``django.server`` lines of routine requests (collectors, static files) unless they failed or the
    console is at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING or logging.getLogger().isEnabledFor(logging.DEBUG):
            return True
        return not _request_path(record).startswith(QUIET_REQUEST_PREFIXES)


def _request_path(record: logging.LogRecord) -> str:
    """The path of a request log line: Daphne's ``django.channels.server`` passes a dict with ``path``;
    Django's ``django.server`` passes the request line ("GET /path HTTP/1.1") first."""
    args = record.args
    if isinstance(args, dict):
        return str(args.get("path", ""))
    if args:
        parts = str(args[0]).split(" ")
        return parts[1] if len(parts) > 1 else ""
    return ""


# Libraries that report routine work at INFO: Wagtail's background tasks ("Task id=… state=RUNNING"),
# WeasyPrint's "Step 1 … Step 7" of every PDF, django-q2's per-task lines. Quiet unless the level is DEBUG.
CHATTY_LOGGERS = ("django.tasks", "wagtail", "weasyprint", "fontTools", "django-q")


def logging_config(level: str) -> dict:
    """``LOGGING`` for a console at ``level`` (WARNING, INFO, DEBUG...): warnings and errors always show."""
    level = level.upper()
    chatty = "DEBUG" if level == "DEBUG" else "WARNING"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "quiet_routine_requests": {"()": "core.logs.QuietRoutineRequests"},
            "request_id": {"()": "core.logs.RequestIdFilter"},
        },
        "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
        "handlers": {
            # The developer's console prints the message alone; production settings switch to ``line``.
            "console": {"class": "logging.StreamHandler", "filters": ["request_id"]},
            "server": {"class": "logging.StreamHandler", "filters": ["quiet_routine_requests"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            # The development servers' request logs (Django's and Daphne's), without the collectors' posts.
            "django.server": {"handlers": ["server"], "level": level, "propagate": False},
            "django.channels.server": {"handlers": ["server"], "level": level, "propagate": False},
            **{name: {"level": chatty} for name in CHATTY_LOGGERS},
        },
    }


# Request ids ----------------------------------------------------------------------------------------------------
# The reverse proxy may send ``X-Request-ID`` (deploy/nginx.conf.template sends nginx's $request_id); otherwise one is
# made here. Every log line a request causes names it, and the response hands it back. Outside a request: ``-``.

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
REQUEST_ID_HEADER = "X-Request-ID"


def current_request_id() -> str:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` so the formatter can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestIdMiddleware:
    """Takes a well-formed ``X-Request-ID`` from the proxy or makes one, and returns it in the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response
