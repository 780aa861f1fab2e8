"""Access logging without bodies or query strings.

Uvicorn's own access log is switched off (`gongkai serve` passes `access_log=False`); this
middleware logs method, route template (`/requests/{request_id}/reply`), status and duration
only. Request bodies (which carry applicant personal data on `POST /requests`), query strings and
raw paths are never logged.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_logger = logging.getLogger("gongkai.access")


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            if access_logger.isEnabledFor(logging.INFO):
                access_logger.info(
                    "%s %s %d %.1fms",
                    scope["method"],
                    _route(scope),
                    status,
                    (time.perf_counter() - started) * 1000,
                )


def _route(scope: Scope) -> str:
    """The matched route's template (/requests/{request_id}/reply), never the raw path."""
    template = getattr(scope.get("route"), "path_format", None)
    return template if isinstance(template, str) else "(no route)"


LOG_CONFIG: dict[str, object] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "gongkai": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "uvicorn": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}
