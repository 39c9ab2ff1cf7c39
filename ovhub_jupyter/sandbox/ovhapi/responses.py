"""Responses in the OVHcloud API's wire format: JSON bodies, error bodies and query ids.

Two error bodies exist on the real API. Authentication errors use the legacy form
``{"errorCode", "httpCode", "message"}``; resource errors use the newer
``{"class", "message"}`` form (``Client::NotFound``, ``Client::BadRequest``...). Both carry
``message``, the field clients show. Every response, errors included, carries
``X-Ovh-Queryid``, the id OVHcloud support requests.
"""

from __future__ import annotations

import json
import os
import secrets
from typing import Any

from werkzeug.wrappers import Response

from ..app import status_line

JSON_CONTENT_TYPE = "application/json; charset=utf-8"

# Error classes of the newer error body, by HTTP status.
ERROR_CLASSES = {
    400: "Client::BadRequest",
    401: "Client::Unauthorized",
    403: "Client::Forbidden",
    404: "Client::NotFound",
    405: "Client::MethodNotAllowed",
    409: "Client::Conflict",
    429: "Client::TooManyRequests",
    460: "Client::Gone",
    500: "Server::InternalServerError",
    502: "Server::BadGateway",
    503: "Server::ServiceUnavailable",
    504: "Server::GatewayTimeout",
}

# Message of a path that no route matches.
# NOTE: remembered from the real API's response to unknown paths, not checked against a
# primary source.
UNKNOWN_PATH_MESSAGE = "Got an invalid (or empty) URL"


def query_id(now: float) -> str:
    """Return a query id shaped like the real ones: ``EU.ext-<n>.<time hex>.<pid>.<32 hex>``."""
    return f"EU.ext-{secrets.randbelow(4) + 1}.{int(now):08x}.{os.getpid()}.{secrets.token_hex(16)}"


def json_response(data: Any, status: int = 200) -> Response:
    """Return a response with ``data`` as compact JSON."""
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return Response(body, status=status_line(status), content_type=JSON_CONTENT_TYPE)


def no_content() -> Response:
    """Return a 204 with no body, as the newer routes do for calls that return nothing."""
    return Response(b"", status=status_line(204))


def legacy_error(status: int, error_code: str, message: str) -> Response:
    """Return an authentication error in the legacy ``errorCode`` form."""
    return json_response({"errorCode": error_code, "httpCode": status_line(status), "message": message}, status)


def class_error(status: int, message: str, details: dict[str, Any] | None = None) -> Response:
    """Return a resource error in the newer ``class`` form."""
    fallback = "Client::Error" if status < 500 else "Server::Error"
    body: dict[str, Any] = {"class": ERROR_CLASSES.get(status, fallback), "message": message}
    if details:
        body["details"] = details
    return json_response(body, status)


def not_found(message: str = UNKNOWN_PATH_MESSAGE) -> Response:
    """Return a 404 in the API's format."""
    return class_error(404, message)


def object_not_found(field: str, value: Any) -> Response:
    """Return a 404 for an id that names nothing, with the path parameter and its value."""
    return class_error(404, f"The requested object ({field} = {value}) does not exist")


def bad_request(message: str) -> Response:
    """Return a 400 in the API's format."""
    return class_error(400, message)


class ApiError(Exception):
    """Raised by a route handler to return an error; ``response`` is the error response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response
