"""The HTTP layer under every client in ``core``: pooled sessions, timeouts, bounded retries.

The Swift, OVHcloud API, hubiC and Keystone clients all send their requests through
``HttpClient.request``. It does the things every one of them needs:

- one ``requests.Session`` a client, with a connection pool sized for concurrent transfers;
- a connect and read timeout on every request;
- bounded retries with exponential backoff and jitter, honouring ``Retry-After``, for
  connection failures and the statuses in ``RETRYABLE_STATUSES``, and only for requests
  the caller marks idempotent;
- a 408 closes the connection before the retry, because the server has given up on it;
- one DEBUG log line a request (method, URL without secrets, status, time) and one INFO
  line a retry.

A 401 is not retried here: only the caller knows how to get new credentials, so the Swift
and hubiC clients refresh and retry once themselves.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any, Union
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import requests.adapters

from . import errors

logger = logging.getLogger(__name__)

# Statuses that mean "try again later" rather than "this request is wrong".
RETRYABLE_STATUSES = frozenset({408, 429, 498, 500, 502, 503, 504, 509})

# Methods that may be repeated without changing the result; others need idempotent=True.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "COPY"})

# Query parameters whose values are secrets and are replaced in log lines and errors.
SECRET_QUERY_PARAMETERS = frozenset(
    {
        "temp_url_sig",
        "code",
        "access_token",
        "refresh_token",
        "client_secret",
        "credentialtoken",
        "token",
        "password",
        "user_pwd",
    }
)

# Connect and read timeouts in seconds; a read timeout bounds each wait for bytes, not
# the whole transfer.
DEFAULT_TIMEOUT = (10.0, 120.0)

# Connections kept open a host; transfers run at most this many requests at once.
DEFAULT_POOL_SIZE = 32

USER_AGENT = "ovhub-jupyter/0.1"

# A request body: bytes, a file object, an iterable of bytes, or a callable that returns a
# fresh one of those for each attempt (needed to retry a streamed upload).
Body = Union[bytes, str, IO[bytes], Iterable[bytes], Callable[[], Any], None]


@dataclass(frozen=True)
class RetryPolicy:
    """How many times and how long to wait before repeating a failed request."""

    max_retries: int = 5
    # Seconds before the first retry; doubled each time, with up to 50% random jitter.
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    # A Retry-After longer than this is cut down to it so a notebook cell never hangs.
    retry_after_max: float = 120.0
    # Retries after "connection refused": nothing listens, so a few quick ones are enough
    # for a server that is restarting, and a stopped server is reported in about a second.
    max_refused_retries: int = 2

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Return the seconds to wait before retry number ``attempt`` (1 for the first)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_max)
        base = min(self.backoff_initial * (2 ** (attempt - 1)), self.backoff_max)
        return base * (1 + random.random() / 2)


NO_RETRY = RetryPolicy(max_retries=0)


def redact_url(url: str) -> str:
    """Return ``url`` with the values of secret query parameters replaced by ``***``."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(name.lower() in SECRET_QUERY_PARAMETERS for name, _ in pairs):
        return url
    cleaned = [(name, "***" if name.lower() in SECRET_QUERY_PARAMETERS else value) for name, value in pairs]
    return urlunsplit(parts._replace(query=urlencode(cleaned, safe="/*:,")))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Return the seconds a ``Retry-After`` header requests (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


def request_id_of(response: requests.Response) -> str | None:
    """Return the service's request id from a response, for error messages."""
    headers = response.headers
    return headers.get("X-Trans-Id") or headers.get("X-Ovh-Queryid") or headers.get("X-Openstack-Request-Id")


class HttpClient:
    """Send HTTP requests for one service with pooling, timeouts, retries and logging."""

    def __init__(
        self,
        service: str,
        *,
        retry: RetryPolicy | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        pool_size: int = DEFAULT_POOL_SIZE,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service = service
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.pool_size = pool_size
        self._sleep = sleep
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self._shared = self._new_session()

    def __getstate__(self) -> dict[str, Any]:
        # Sessions and locks cannot be pickled; a rebuilt client opens its own.
        return {
            "service": self.service,
            "retry": self.retry,
            "timeout": self.timeout,
            "pool_size": self.pool_size,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["service"], retry=state["retry"], timeout=state["timeout"], pool_size=state["pool_size"])

    def __repr__(self) -> str:
        return f"HttpClient(service={self.service!r}, retries={self.retry.max_retries})"

    @property
    def session(self) -> requests.Session:
        """The pooled session. Threads share it: urllib3's connection pool is thread-safe,
        and the clients keep no cookies or per-request state on it."""
        return self._shared

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=4, pool_maxsize=self.pool_size, max_retries=0, pool_block=False
        )
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = USER_AGENT
        # Proxies and .netrc from the environment must not receive tokens meant for the service.
        session.trust_env = False
        with self._lock:
            self._sessions.append(session)
        return session

    def close(self) -> None:
        """Close every pooled connection."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Body = None,
        stream: bool = False,
        idempotent: bool | None = None,
        retry: RetryPolicy | None = None,
        timeout: tuple[float, float] | None = None,
        auth: Any = None,
        allow_redirects: bool = False,
        retry_statuses: Collection[int] | None = None,
        validate: Callable[[requests.Response], None] | None = None,
    ) -> requests.Response:
        """Send one request, retrying what may be retried, and return the last response.

        The response is returned whatever its status, unless every attempt failed to
        connect (``ConnectionFailedError``). Callers turn error statuses into exceptions
        with ``raise_for_status``.

        ``retry_statuses`` replaces ``RETRYABLE_STATUSES``, and applies to any request. For
        one that is not idempotent, list only statuses that mean the server did not process
        it. ``validate`` checks a response below 300 and raises ``InvalidResponseError``
        for a body that cannot be read, such as an HTML page where JSON was expected. An
        idempotent request is then sent again, as after a retryable status.
        """
        method = method.upper()
        policy = retry or self.retry
        may_retry = idempotent if idempotent is not None else method in IDEMPOTENT_METHODS
        if retry_statuses is not None:
            statuses = frozenset(retry_statuses)
        elif may_retry:
            statuses = RETRYABLE_STATUSES
        else:
            statuses = frozenset()
        attempt = 0
        refusals = 0

        while True:
            attempt += 1
            body = data() if callable(data) else data
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    headers=headers,
                    data=body,
                    stream=stream,
                    timeout=timeout or self.timeout,
                    auth=auth,
                    allow_redirects=allow_redirects,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                elapsed = time.monotonic() - started
                logger.debug("%s %s -> %s (%.3f s)", method, redact_url(url), type(exc).__name__, elapsed)
                if _describe_connection_error(exc) == "connection refused":
                    refusals += 1
                if not may_retry or attempt > policy.max_retries or refusals > policy.max_refused_retries:
                    raise errors.ConnectionFailedError(
                        f"{method} {redact_url(url)} could not complete: {_describe_connection_error(exc)}",
                        service=self.service,
                        hint="check that the server is running and reachable, then try again",
                    ) from None
                self._wait_before_retry(method, url, attempt, policy, f"{type(exc).__name__}", None)
                continue

            elapsed = time.monotonic() - started
            logger.debug("%s %s -> %s (%.3f s)", method, redact_url(response.url or url), response.status_code, elapsed)
            if validate is not None and response.status_code < 300:
                try:
                    validate(response)
                except errors.InvalidResponseError as exc:
                    if not may_retry or attempt > policy.max_retries:
                        raise
                    self._wait_before_retry(method, url, attempt, policy, exc.message, None)
                    continue
            if response.status_code not in statuses or attempt > policy.max_retries:
                return response

            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if response.status_code == 408:
                # The server has given up on this connection: do not reuse it.
                _drop_connection(response)
            else:
                response.close()
            self._wait_before_retry(method, url, attempt, policy, f"HTTP {response.status_code}", retry_after)

    def _wait_before_retry(
        self, method: str, url: str, attempt: int, policy: RetryPolicy, reason: str, retry_after: float | None
    ) -> None:
        delay = policy.delay(attempt, retry_after)
        logger.info(
            "%s %s: %s, retry %d of %d in %.1f s",
            method,
            redact_url(url),
            reason,
            attempt,
            policy.max_retries,
            delay,
        )
        self._sleep(delay)


def _drop_connection(response: requests.Response) -> None:
    raw = response.raw
    connection = getattr(raw, "_connection", None) or getattr(raw, "connection", None)
    try:
        if connection is not None:
            connection.close()
    finally:
        response.close()


def _describe_connection_error(exc: Exception) -> str:
    if isinstance(exc, requests.Timeout):
        return "timed out"
    text = str(exc)
    if "Connection refused" in text:
        return "connection refused"
    if "RemoteDisconnected" in text or "Connection aborted" in text:
        return "the server closed the connection"
    return type(exc).__name__


def raise_for_status(
    response: requests.Response,
    *,
    operation: str,
    target: str | None = None,
    service: str,
    message: str | None = None,
    code: str | None = None,
    hint: str | None = None,
) -> None:
    """Raise the matching ``ServiceError`` when ``response`` has an error status."""
    status = response.status_code
    if status < 400:
        return
    cls = errors.error_class_for_status(status)
    raise cls(
        message or response.reason or f"HTTP {status}",
        operation=operation,
        target=target,
        status=status,
        service=service,
        request_id=request_id_of(response),
        code=code,
        hint=hint or default_hint(status),
    )


def default_hint(status: int) -> str | None:
    """Return the usual next step for an HTTP error status, or None."""
    if status == 401:
        return "sign in again or check the account's credentials"
    if status == 403:
        return "check that the account is allowed to do this"
    if status in (429, 498, 509):
        return "the service is rate limiting; wait a moment and try again"
    if status >= 500:
        return "the service failed; try again later"
    return None
