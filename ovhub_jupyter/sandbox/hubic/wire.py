"""Response formats shared by hubiC's OAuth2 endpoints and REST API: JSON bodies and dates."""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.wrappers import Response

logger = logging.getLogger(__name__)

# hubiC's JSON content type, with the non-standard charset name "utf8" it sent.
JSON_CONTENT_TYPE = "application/json; charset=utf8"

# hubiC dated everything in French local time: +01:00 in winter, +02:00 in summer.
PARIS = ZoneInfo("Europe/Paris")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Return ``data`` as a hubiC JSON response."""
    return Response(json.dumps(data), status=status, headers=headers, content_type=JSON_CONTENT_TYPE)


def error_response(status: int, error: str, description: str) -> Response:
    """Return a hubiC error body, ``{"error_description", "error"}`` in that key order."""
    logger.debug("hubic: %d %s: %s", status, error, description)
    return json_response({"error_description": description, "error": error}, status)


def paris_time(timestamp: float) -> str:
    """Return a Unix time as ISO 8601 in Paris time, to the second: ``2017-06-12T11:10:23+02:00``."""
    moment = datetime.datetime.fromtimestamp(timestamp, PARIS)
    return moment.isoformat(timespec="seconds")
