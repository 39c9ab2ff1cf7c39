"""One exception hierarchy for every service the client core talks to.

Each error carries what a user needs to act on it: the operation that failed, the name it
failed on, the HTTP status, the service's request id (``X-Trans-Id`` for Swift,
``X-Ovh-Queryid`` for the OVHcloud API) and a hint for the next step. ``str()`` gives all
of it in one line, which is what the magics show.

HTTP errors also subclass the built-in exception that Python users already catch:
``FileNotFoundError`` for 404, ``PermissionError`` for 401 and 403, ``ValueError`` for
input rejected before any request. No secret may be passed into a message: callers show
at most a short prefix (see ``secret_prefix``).
"""

from __future__ import annotations

from typing import Any

# Characters of a secret that may be shown to identify it, like git's short hashes.
SECRET_PREFIX_LENGTH = 4


def secret_prefix(secret: str | None) -> str:
    """Return a short, safe label for a secret: its first characters and an ellipsis."""
    if not secret:
        return "(none)"
    if len(secret) <= SECRET_PREFIX_LENGTH * 2:
        return "…"
    return secret[:SECRET_PREFIX_LENGTH] + "…"


class OvhubError(Exception):
    """Base of every error raised by ovhub_jupyter."""

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        target: str | None = None,
        status: int | None = None,
        service: str | None = None,
        request_id: str | None = None,
        code: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.target = target
        self.status = status
        self.service = service
        self.request_id = request_id
        self.code = code
        self.hint = hint

    def __str__(self) -> str:
        head = self.message
        if self.operation and self.target is not None:
            head = f"{self.operation} {self.target!r} failed: {self.message}"
        elif self.operation:
            head = f"{self.operation} failed: {self.message}"

        details = []
        if self.status is not None:
            details.append(f"HTTP {self.status}")
        if self.code:
            details.append(self.code)
        if self.request_id:
            details.append(f"{_request_id_header(self.service)} {self.request_id}")
        line = head + (f" ({', '.join(details)})" if details else "")
        if self.hint:
            line += f". {self.hint[0].upper()}{self.hint[1:]}"
        return line

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only attributes do not survive the default pickling, and Dask and
        # concurrent.futures send exceptions between processes.
        return (_rebuild, (type(self), self.message, self._attributes()))

    def _attributes(self) -> dict[str, Any]:
        names = ("operation", "target", "status", "service", "request_id", "code", "hint")
        return {name: getattr(self, name) for name in names}


def _rebuild(cls: type[OvhubError], message: str, attributes: dict[str, Any]) -> OvhubError:
    error = cls.__new__(cls)
    OvhubError.__init__(error, message, **attributes)
    return error


def _request_id_header(service: str | None) -> str:
    if service == "ovh":
        return "X-Ovh-Queryid"
    if service == "swift":
        return "X-Trans-Id"
    return "request id"


class InvalidInputError(OvhubError, ValueError):
    """Input rejected before any request was sent."""


class ConfigError(OvhubError):
    """A configuration file or setting is missing, unreadable or inconsistent."""


class AccountNotFoundError(ConfigError, KeyError):
    """No account with that name is configured."""

    def __str__(self) -> str:
        # KeyError would otherwise quote the whole message.
        return OvhubError.__str__(self)


class ConnectionFailedError(OvhubError, ConnectionError):
    """The server could not be reached, or dropped the connection, after every retry."""


class ServiceError(OvhubError):
    """The service returned an HTTP error status."""


class BadRequestError(ServiceError, ValueError):
    """400, 412 or another status saying the request itself is wrong."""


class AuthenticationError(ServiceError, PermissionError):
    """401: the token or key is missing, invalid or expired."""


class SignInRequiredError(AuthenticationError):
    """The stored sign-in (a refresh token, a consumer key) no longer works."""


class ForbiddenError(ServiceError, PermissionError):
    """403: the credentials are valid but not allowed to do this."""


class NotFoundError(ServiceError, FileNotFoundError):
    """404: the container, object or API resource does not exist."""


class ConflictError(ServiceError):
    """409: the request conflicts with the current state, such as a non-empty container."""


class ChecksumMismatchError(ServiceError):
    """The MD5 of the bytes sent or received differs from the ETag (Swift returns 422)."""


class RateLimitedError(ServiceError):
    """429, 498 or 509: the service asked the client to slow down."""


class ServerError(ServiceError):
    """5xx: the service failed; retried a bounded number of times before this is raised."""


class InvalidResponseError(ServiceError):
    """The service returned a body that cannot be read, such as HTML where JSON was expected."""


def error_class_for_status(status: int) -> type[ServiceError]:
    """Return the exception class that matches an HTTP error status."""
    if status == 401:
        return AuthenticationError
    if status == 403:
        return ForbiddenError
    if status == 404:
        return NotFoundError
    if status == 409:
        return ConflictError
    if status == 422:
        return ChecksumMismatchError
    if status in (429, 498, 509):
        return RateLimitedError
    if status >= 500:
        return ServerError
    if 400 <= status < 500:
        return BadRequestError
    return ServiceError
