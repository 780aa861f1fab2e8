"""Response classes rendered with orjson."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse

ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z


class OrjsonResponse(JSONResponse):
    """JSON rendered by orjson (FastAPI 0.165 deprecates its own `ORJSONResponse`)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=ORJSON_OPTIONS)


class ProblemResponse(OrjsonResponse):
    """RFC 9457 problem details."""

    media_type = "application/problem+json"
