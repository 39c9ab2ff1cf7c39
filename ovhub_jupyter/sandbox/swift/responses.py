"""Responses in Swift's own shape: status bodies, transaction ids, timestamps and dates.

A real Swift proxy (swob, 2.38) returns an error with a short HTML page named after the
status, and sends ``X-Trans-Id`` and ``X-Openstack-Request-Id`` on every response. It
formats times three ways: ``X-Timestamp`` as a zero-padded float with five decimals,
listings as ISO 8601 without a zone, and HTTP dates rounded up to the next second.
"""

from __future__ import annotations

import datetime
import email.utils
import math
import urllib.parse
import uuid
from typing import Iterable

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Response

from ..app import status_line

# Swift's content type for error pages and empty responses.
HTML = "text/html; charset=UTF-8"

# Title and explanation of the HTML page Swift sends with an error status (swob's table).
REASONS: dict[int, tuple[str, str]] = {
    200: ("OK", ""),
    201: ("Created", ""),
    202: ("Accepted", "The request is accepted for processing."),
    204: ("No Content", ""),
    206: ("Partial Content", ""),
    304: ("Not Modified", ""),
    400: ("Bad Request", "The server could not comply with the request since it is either malformed or otherwise incorrect."),
    401: ("Unauthorized", "This server could not verify that you are authorized to access the document you requested."),
    403: ("Forbidden", "Access was denied to this resource."),
    404: ("Not Found", "The resource could not be found."),
    405: ("Method Not Allowed", "The method is not allowed for this resource."),
    406: ("Not Acceptable", "The resource is not available in a format acceptable to your browser."),
    408: ("Request Timeout", "The server has waited too long for the request to be sent by the client."),
    409: ("Conflict", "There was a conflict when trying to complete your request."),
    411: ("Length Required", "Content-Length header required."),
    412: ("Precondition Failed", "A precondition for this request was not met."),
    413: ("Request Entity Too Large", "The body of your request was too large for this server."),
    416: ("Requested Range Not Satisfiable", "The Range requested is not available."),
    422: ("Unprocessable Entity", "Unable to process the contained instructions"),
    499: ("Client Disconnect", "The client was disconnected during request."),
    500: ("Internal Error", "The server has either erred or is incapable of performing the requested operation."),
    501: ("Not Implemented", "The requested method is not implemented by this server."),
    502: ("Bad Gateway", "Bad gateway."),
    503: ("Service Unavailable", "The server is currently unavailable. Please try again at a later time."),
    504: ("Gateway Timeout", "A timeout has occurred speaking to a backend server."),
}

# Reason phrases Swift uses where they differ from Python's http module.
PHRASES = {
    416: "Requested Range Not Satisfiable",
    413: "Request Entity Too Large",
    498: "Rate Limited",
}


class SwiftResponse(Response):
    """A werkzeug response that keeps the headers Swift sends on 204 and 304 responses.

    Werkzeug drops Content-Length from a 204 and the entity headers from a 304. A real
    Swift sends ``Content-Length: 0`` and ``Content-Type`` on both, and clients read them.
    """

    def get_wsgi_headers(self, environ: dict) -> Headers:  # type: ignore[type-arg]
        headers = super().get_wsgi_headers(environ)
        if self.status_code in (204, 304):
            return Headers(list(self.headers.items()))
        return headers


def new_response(status: int, body: Iterable[bytes] | bytes = b"", headers: Iterable[tuple[str, str]] = ()) -> SwiftResponse:
    """Return a response with exactly ``headers`` (no default Content-Type), streaming ``body``."""
    streamed = not isinstance(body, bytes)
    response = SwiftResponse(body, status=swift_status(status), direct_passthrough=streamed)
    response.headers.clear()
    for name, value in headers:
        response.headers.add(name, value)
    return response


def swift_status(status: int) -> str:
    """Return the status line Swift sends for ``status``."""
    if status in PHRASES:
        return f"{status} {PHRASES[status]}"
    if status in REASONS:
        return f"{status} {REASONS[status][0]}"
    return status_line(status)


def default_body(status: int) -> bytes:
    """Return the HTML page Swift sends with an error status that has no body of its own."""
    title, explanation = REASONS.get(status, ("", ""))
    if not explanation:
        return b""
    return f"<html><h1>{title}</h1><p>{explanation}</p></html>".encode("utf-8")


def swift_response(
    status: int,
    body: bytes | str | None = None,
    *,
    content_type: str = HTML,
    headers: Iterable[tuple[str, str]] = (),
    head: bool = False,
) -> SwiftResponse:
    """Build a response the way swob does: a status page unless a body is given.

    ``head`` drops the body but keeps its Content-Length, except for error pages, which
    a HEAD response sends with Content-Length 0 as the real proxy does.
    """
    if body is None:
        payload = b"" if head else default_body(status)
    else:
        payload = body.encode("utf-8") if isinstance(body, str) else body
    response = new_response(status, payload, [("Content-Type", content_type), ("Content-Length", str(len(payload)))])
    for name, value in headers:
        response.headers[name] = value
    return response


def new_trans_id(now: float, extra: str | None = None) -> str:
    """Return a transaction id in Swift's format: ``tx``, 21 hex digits, ``-``, the time in hex.

    A client's ``X-Trans-Id-Extra`` (its first 32 characters, percent-encoded) is appended
    after one more ``-``, as the proxy does.
    """
    trans_id = f"tx{uuid.uuid4().hex[:21]}-{int(now):010x}"
    if extra:
        trans_id += "-" + urllib.parse.quote(extra[:32])
    return trans_id


def normal_timestamp(timestamp: float) -> str:
    """Return ``X-Timestamp``'s form: 16 characters, five decimals (``1700000000.12345``)."""
    return f"{timestamp:016.5f}"


def round_timestamp(timestamp: float) -> float:
    """Round a time to Swift's resolution of 10 microseconds."""
    return round(timestamp, 5)


def iso_timestamp(timestamp: float) -> str:
    """Return a listing's ``last_modified``: UTC, microseconds, no zone."""
    fraction, seconds = math.modf(float(normal_timestamp(timestamp)))
    micros = round(fraction * 1e6)
    if micros >= 1_000_000:
        seconds += 1
        micros -= 1_000_000
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).replace(microsecond=micros)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


def http_date(timestamp: float) -> str:
    """Return ``Last-Modified``'s form, rounded up to the second as Swift does."""
    return email.utils.formatdate(math.ceil(float(normal_timestamp(timestamp))), usegmt=True)


def parse_http_date(value: str | None) -> float | None:
    """Return the Unix time of an HTTP date header, or None when it does not parse."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.timestamp()


class SwiftError(Exception):
    """Stop handling a request and respond ``status`` with Swift's page or ``body``."""

    def __init__(
        self,
        status: int,
        body: bytes | str | None = None,
        *,
        content_type: str = HTML,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        super().__init__(f"{status} {body if isinstance(body, str) else ''}".strip())
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = list(headers)

    def response(self, head: bool = False) -> Response:
        """Return the response of this error."""
        return swift_response(self.status, self.body, content_type=self.content_type, headers=self.headers, head=head)
