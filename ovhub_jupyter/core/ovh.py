"""Signed client of the OVHcloud API: endpoints, request signing, time delta, errors, OAuth2.

Our own client rather than python-ovh, because this one must reach a custom base URL (the
sandbox, a proxy), sign the exact URL that goes on the wire, and retry idempotent calls.
python-ovh's configuration format and its official signature vectors are kept.

A signed call carries ``X-Ovh-Signature = "$1$" + sha1_hex(AS+CK+METHOD+URL+BODY+TIMESTAMP)``
(joined with ``+``). The URL is built here: path segments percent-encoded, the query string
encoded with booleans as ``true``/``false``. A ``requests`` auth hook then sets that exact
URL on the prepared request and signs it, so what is signed is what is sent, and each retry
gets a fresh timestamp.

Consumer keys (``request_consumer_key``, ``wait_for_validation``) live here because they
need the signer. Access rules and the web forms (createApp, validation page) are in
``ovh_keys.py``, object storage in ``ovh_storage.py``.
"""

from __future__ import annotations

import hashlib
import json
import keyword
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import requests.auth

from . import errors
from .errors import secret_prefix
from .http import HttpClient, RetryPolicy, redact_url

logger = logging.getLogger(__name__)

# Base URL of each named endpoint (python-ovh 1.2.0 uses the same names).
ENDPOINTS = {
    "ovh-eu": "https://eu.api.ovh.com/1.0",
    "ovh-ca": "https://ca.api.ovh.com/1.0",
    "ovh-us": "https://api.us.ovhcloud.com/1.0",
    "kimsufi-eu": "https://eu.api.kimsufi.com/1.0",
    "kimsufi-ca": "https://ca.api.kimsufi.com/1.0",
    "soyoustart-eu": "https://eu.api.soyoustart.com/1.0",
    "soyoustart-ca": "https://ca.api.soyoustart.com/1.0",
}

# OAuth2 token URL of the endpoints that accept service accounts.
OAUTH2_TOKEN_URLS = {
    "ovh-eu": "https://www.ovh.com/auth/oauth2/token",
    "ovh-ca": "https://ca.ovh.com/auth/oauth2/token",
    "ovh-us": "https://us.ovhcloud.com/auth/oauth2/token",
}

# Characters left as they are in a path segment: RFC 3986 "pchar" without "%".
PATH_SEGMENT_SAFE = "-._~!$&'()*+,;=:@"

# Characters left as they are in a query value; "&", "=", "+", "#" and ";" are encoded.
QUERY_VALUE_SAFE = "-._~:/@!$'()*,"

# Characters left as they are in a query parameter name; dots stay (``date.from``).
QUERY_NAME_SAFE = "-._~"

# API error codes that mean the request timestamp was rejected, not the request itself.
TIME_ERROR_CODES = frozenset({"QUERY_TIME_OUT"})

# A new time delta that differs from the old one by more than this many seconds means the
# clock drifted, so an INVALID_SIGNATURE may have come from a stale timestamp.
TIME_DRIFT_TOLERANCE = 2

# Seconds before an OAuth2 access token expires at which a new one is requested.
OAUTH2_REFRESH_MARGIN = 60.0

# Consumer key states returned by GET /auth/currentCredential.
CREDENTIAL_STATES = ("pendingValidation", "validated", "refused", "expired")

# Waits between two polls of a pending consumer key: the first one, and the longest one.
VALIDATION_POLL_INITIAL = 2.0
VALIDATION_POLL_MAX = 10.0

SIGN_IN_HINT = "request a new consumer key with %ovh_login (or ovhub ovh-app)"

# Errors the API reports with an error code, mapped to the exception to raise and a hint.
# Codes not listed here fall back to the class for their HTTP status.
ERROR_CODES: dict[str, tuple[type[errors.ServiceError], str | None]] = {
    "INVALID_SIGNATURE": (
        errors.AuthenticationError,
        "check that application_secret and consumer_key belong to this application key",
    ),
    "QUERY_TIME_OUT": (errors.BadRequestError, "the local clock is far off; check the system time"),
    "NOT_CREDENTIAL": (errors.SignInRequiredError, SIGN_IN_HINT),
    "INVALID_CREDENTIAL": (errors.SignInRequiredError, SIGN_IN_HINT),
    "NOT_GRANTED_CALL": (
        errors.ForbiddenError,
        "the consumer key's access rules do not allow this call; request a consumer key "
        "with a rule for it, such as %ovh_login --rules 'GET:/*'",
    ),
    "INVALID_KEY": (
        errors.AuthenticationError,
        "check application_key in ovh.conf, or create an application with ovhub ovh-app",
    ),
    "FORBIDDEN": (errors.ForbiddenError, "check that the account is allowed to do this"),
}


class OvhServerPageError(errors.ServerError, errors.InvalidResponseError):
    """A 5xx response whose body is not JSON, such as an HTML maintenance page."""


class ValidationTimeoutError(errors.OvhubError, TimeoutError):
    """A consumer key was still pending validation when the wait ended."""


def resolve_endpoint(endpoint: str) -> tuple[str | None, str]:
    """Return ``(name, base_url)`` for an endpoint name or a full base URL.

    ``name`` is None for a base URL that is not one of ``ENDPOINTS``.
    """
    if not endpoint or not isinstance(endpoint, str):
        raise errors.InvalidInputError(
            f"invalid OVHcloud API endpoint {endpoint!r}", hint="use one of " + ", ".join(ENDPOINTS) + " or a base URL"
        )
    if endpoint in ENDPOINTS:
        return endpoint, ENDPOINTS[endpoint]

    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise errors.InvalidInputError(
            f"unknown OVHcloud API endpoint {endpoint!r}",
            hint="use one of " + ", ".join(ENDPOINTS) + ", or a base URL such as https://eu.api.ovh.com/1.0",
        )
    base_url = endpoint.rstrip("/")
    for name, known in ENDPOINTS.items():
        if known == base_url:
            return name, base_url
    return None, base_url


def api_root(base_url: str) -> str:
    """Return the URL that ``/v1/`` and ``/v2/`` paths are relative to: the base without ``/1.0``."""
    for suffix in ("/1.0", "/v1"):
        if base_url.endswith(suffix):
            return base_url[: -len(suffix)]
    return base_url


def encode_path(path: str) -> str:
    """Percent-encode each segment of an API path (UTF-8), keeping ``/`` and empty segments."""
    return "/".join(quote(segment, safe=PATH_SEGMENT_SAFE) for segment in path.split("/"))


def encode_query(params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> str:
    """Encode query parameters as the API expects them.

    Booleans become ``true``/``false``, None values are left out, a list or tuple repeats
    the parameter, and dotted names such as ``date.from`` are kept.
    """
    if not params:
        return ""
    pairs = params.items() if isinstance(params, Mapping) else params
    encoded = []
    for name, value in pairs:
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if item is None:
                continue
            encoded.append(quote(str(name), safe=QUERY_NAME_SAFE) + "=" + quote(_query_text(item), safe=QUERY_VALUE_SAFE))
    return "&".join(encoded)


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def build_url(base_url: str, path: str, params: Mapping[str, Any] | None = None) -> str:
    """Return the exact URL to send and sign for ``path`` and its query parameters.

    ``path`` is plain text (``/me/bill``); a ``?query`` already in it is kept as written and
    ``params`` are appended after it. Paths under ``/v1/`` and ``/v2/`` go to the API root.
    """
    if not isinstance(path, str) or not path.startswith("/"):
        raise errors.InvalidInputError(f"invalid API path {path!r}", hint="an API path starts with '/', such as '/me'")
    path, _, written_query = path.partition("?")

    root = base_url
    if path.startswith(("/v1/", "/v2/")) or path in ("/v1", "/v2"):
        root = api_root(base_url)

    query = "&".join(part for part in (written_query, encode_query(params)) if part)
    url = root + encode_path(path)
    return f"{url}?{query}" if query else url


def encode_body(params: Mapping[str, Any] | None) -> bytes | None:
    """Return the compact JSON body for ``params``, or None when there are none."""
    if not params:
        return None
    return json.dumps(params, separators=(",", ":")).encode("utf-8")


def sign(application_secret: str, consumer_key: str, method: str, url: str, body: bytes | str | None, timestamp: int | str) -> str:
    """Return the ``X-Ovh-Signature`` value for one request."""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    text = "+".join([application_secret, consumer_key, method.upper(), url, body or "", str(timestamp)])
    return "$1$" + hashlib.sha1(text.encode("utf-8")).hexdigest()


def canonical_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``params`` with ``_from`` renamed ``from``: Python keywords take a leading underscore."""
    canonical = {}
    for name, value in params.items():
        if name.startswith("_") and keyword.iskeyword(name[1:]):
            name = name[1:]
        canonical[name] = value
    return canonical


class _SignedRequest(requests.auth.AuthBase):
    """Set the exact URL on the prepared request and sign it; runs again for each retry."""

    def __init__(self, client: "OvhClient", url: str, body: bytes | None, consumer_key: str) -> None:
        self.client = client
        self.url = url
        self.body = body
        self.consumer_key = consumer_key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        # requests may have normalized the URL (dot segments, re-quoting): send ours.
        request.url = self.url
        timestamp = str(int(time.time()) + (self.client._time_delta_value or 0))
        signature = sign(self.client.application_secret or "", self.consumer_key, request.method or "", self.url, self.body, timestamp)
        request.headers["X-Ovh-Consumer"] = self.consumer_key
        request.headers["X-Ovh-Timestamp"] = timestamp
        request.headers["X-Ovh-Signature"] = signature
        return request


class _ExactUrl(requests.auth.AuthBase):
    """Send the URL as built, for unsigned calls; add a bearer token when one is given."""

    def __init__(self, url: str, token_source: Callable[[], str] | None = None) -> None:
        self.url = url
        self.token_source = token_source

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.url = self.url
        if self.token_source is not None:
            request.headers["Authorization"] = "Bearer " + self.token_source()
        return request


class OAuth2ServiceAccount:
    """Access tokens of an OAuth2 service account (client credentials grant), renewed before expiry."""

    def __init__(self, http: HttpClient, token_url: str, client_id: str, client_secret: str) -> None:
        self.http = http
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def __repr__(self) -> str:
        return f"OAuth2ServiceAccount(token_url={self.token_url!r}, client_id={self.client_id!r})"

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.update(_lock=None, _token=None, _expires_at=0.0)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def has_token(self) -> bool:
        """True when a token is cached and not about to expire."""
        return self._token is not None and time.time() < self._expires_at - OAUTH2_REFRESH_MARGIN

    def token(self) -> str:
        """Return a valid access token, requesting a new one when needed."""
        with self._lock:
            if self._token is None or time.time() >= self._expires_at - OAUTH2_REFRESH_MARGIN:
                self._token, self._expires_at = self._request_token()
            return self._token

    def invalidate(self, token: str) -> None:
        """Forget ``token`` after the API rejected it, unless another thread replaced it already."""
        with self._lock:
            if self._token == token:
                logger.info("OAuth2 access token for %s was rejected; requesting a new one", self.client_id)
                self._token = None

    def _request_token(self) -> tuple[str, float]:
        response = self.http.request(
            "POST",
            self.token_url,
            data={"grant_type": "client_credentials", "scope": "all"},
            auth=(self.client_id, self.client_secret),
            headers={"Accept": "application/json"},
            idempotent=True,
        )
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.status_code >= 400 or not isinstance(payload, dict) or not payload.get("access_token"):
            self._raise_token_error(response, payload)
        expires_in = float(payload.get("expires_in") or 3600)
        logger.info("got an OAuth2 access token for %s, valid %.0f s", self.client_id, expires_in)
        return payload["access_token"], time.time() + expires_in

    def _raise_token_error(self, response: requests.Response, payload: Any) -> None:
        status = response.status_code
        code = payload.get("error") if isinstance(payload, dict) else None
        if status in (400, 401) and code in ("invalid_client", "unauthorized_client", None):
            cls: type[errors.ServiceError] = errors.AuthenticationError
        elif status >= 400:
            cls = errors.error_class_for_status(status)
        else:
            cls = errors.InvalidResponseError
        raise cls(
            "the OAuth2 token request was rejected" if status >= 400 else "the OAuth2 token response has no access_token",
            operation="POST",
            target=self.token_url,
            status=status,
            service="ovh",
            request_id=response.headers.get("X-Ovh-Queryid"),
            code=code,
            hint="check client_id and client_secret of the service account",
        )


class OvhClient:
    """One OVHcloud API account: signed calls with application and consumer keys, or OAuth2.

    Give ``application_key`` and ``application_secret`` (plus ``consumer_key`` for calls
    that need a signed-in user), or ``client_id`` and ``client_secret`` of a service account.
    """

    def __init__(
        self,
        endpoint: str = "ovh-eu",
        application_key: str | None = None,
        application_secret: str | None = None,
        consumer_key: str | None = None,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        token_url: str | None = None,
        http: HttpClient | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint_name, self.base_url = resolve_endpoint(endpoint)
        self.endpoint = self.endpoint_name or self.base_url
        self.application_key = application_key or None
        self.application_secret = application_secret or None
        self._consumer_key = consumer_key or None
        self.retry = retry or RetryPolicy()
        self.http = http or HttpClient("ovh", retry=self.retry, sleep=sleep)
        self._sleep = sleep
        self._lock = threading.Lock()
        self._time_delta_value: int | None = None
        self._credentials_rejected = False
        self.oauth2 = self._oauth2_account(client_id, client_secret, token_url)
        self._check_keys()

    def _oauth2_account(self, client_id: str | None, client_secret: str | None, token_url: str | None) -> OAuth2ServiceAccount | None:
        if bool(client_id) != bool(client_secret):
            raise errors.ConfigError(
                "an OAuth2 service account needs both client_id and client_secret",
                hint="set both in ovh.conf or as OVH_CLIENT_ID and OVH_CLIENT_SECRET",
            )
        if not client_id:
            return None
        if token_url is None:
            token_url = OAUTH2_TOKEN_URLS.get(self.endpoint_name or "")
        if token_url is None and self.endpoint_name is None:
            # NOTE: a guess for proxies and the sandbox, which serve the token URL beside the API.
            token_url = api_root(self.base_url) + "/auth/oauth2/token"
        if token_url is None:
            raise errors.ConfigError(
                f"the {self.endpoint} endpoint does not accept OAuth2 service accounts",
                hint="use ovh-eu, ovh-ca or ovh-us, or application keys",
            )
        return OAuth2ServiceAccount(self.http, token_url, client_id, client_secret or "")

    def _check_keys(self) -> None:
        if bool(self.application_key) != bool(self.application_secret):
            raise errors.ConfigError(
                "application_key and application_secret must be given together",
                hint="copy both from the application's creation page, or run ovhub ovh-app",
            )
        if self.oauth2 is not None and self.application_key:
            raise errors.ConfigError(
                "both application keys and an OAuth2 service account are configured",
                hint="keep either application_key/application_secret or client_id/client_secret",
            )

    def __repr__(self) -> str:
        if self.oauth2 is not None:
            return f"OvhClient(endpoint={self.endpoint!r}, client_id={self.oauth2.client_id!r})"
        return (
            f"OvhClient(endpoint={self.endpoint!r}, application_key={secret_prefix(self.application_key)!r}, "
            f"consumer_key={secret_prefix(self.consumer_key)!r})"
        )

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.update(_lock=None, _sleep=None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._sleep = time.sleep

    # -- state --------------------------------------------------------------------------

    @property
    def consumer_key(self) -> str | None:
        """The consumer key that signs calls; setting a new one clears an earlier rejection."""
        return self._consumer_key

    @consumer_key.setter
    def consumer_key(self, value: str | None) -> None:
        self._consumer_key = value or None
        self._credentials_rejected = False

    @property
    def signed_in(self) -> bool:
        """True when credentials for signed calls are configured and were not rejected (no request)."""
        if self._credentials_rejected:
            return False
        if self.oauth2 is not None:
            return True
        return bool(self.application_key and self.application_secret and self.consumer_key)

    @property
    def time_delta(self) -> int:
        """Seconds to add to the local clock to get the API's clock (fetched once, lazily)."""
        with self._lock:
            if self._time_delta_value is None:
                self._time_delta_value = self._fetch_time_delta()
            return self._time_delta_value

    def refresh_time_delta(self) -> int:
        """Fetch the API's clock again; return the new delta."""
        delta = self._fetch_time_delta()
        with self._lock:
            self._time_delta_value = delta
        return delta

    def _fetch_time_delta(self) -> int:
        server_time = self._send("GET", "/auth/time", None, auth="none")
        if isinstance(server_time, bool) or not isinstance(server_time, (int, float)):
            raise errors.InvalidResponseError(
                "GET /auth/time did not return a number", operation="GET", target="/auth/time", service="ovh"
            )
        delta = int(server_time) - int(time.time())
        logger.debug("OVHcloud API clock differs from the local clock by %d s", delta)
        return delta

    # -- calls --------------------------------------------------------------------------

    def call(self, method: str, path: str, /, **params: Any) -> Any:
        """Send a signed call; parameters go to the query string (GET, DELETE) or the JSON body."""
        method = method.upper()
        params = canonical_params(params)
        if method in ("GET", "DELETE", "HEAD"):
            return self._send(method, path, params, auth="user")
        return self._send(method, path, params, auth="user", in_body=True)

    def get(self, path: str, /, **params: Any) -> Any:
        """Send a signed GET; ``params`` go to the query string."""
        return self.call("GET", path, **params)

    def post(self, path: str, /, **params: Any) -> Any:
        """Send a signed POST; ``params`` go to the JSON body."""
        return self.call("POST", path, **params)

    def put(self, path: str, /, **params: Any) -> Any:
        """Send a signed PUT; ``params`` go to the JSON body."""
        return self.call("PUT", path, **params)

    def delete(self, path: str, /, **params: Any) -> Any:
        """Send a signed DELETE; ``params`` go to the query string."""
        return self.call("DELETE", path, **params)

    def whoami(self) -> dict[str, Any]:
        """Return the account behind the credentials (``GET /me``)."""
        return self.get("/me")

    def current_credential(self) -> dict[str, Any]:
        """Return the consumer key's state and access rules (``GET /auth/currentCredential``)."""
        return self.get("/auth/currentCredential")

    def logout(self) -> None:
        """Revoke the consumer key in use (``POST /auth/logout``) and forget it."""
        self.post("/auth/logout")
        self.consumer_key = None

    # -- consumer keys ------------------------------------------------------------------

    def request_consumer_key(
        self,
        access_rules: Iterable[Mapping[str, str]] | str,
        redirection: str | None = None,
        allowed_ips: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """Ask for a new consumer key (unsigned ``POST /auth/credential``).

        Return ``{validationUrl, consumerKey, state}``. The key works once the account
        owner has opened ``validationUrl`` and accepted. ``access_rules`` is a list of
        ``{"method", "path"}``, or a rule text or preset name that
        ``ovh_keys.parse_access_rules`` reads.
        """
        from .ovh_keys import parse_access_rules

        if not self.application_key:
            raise errors.ConfigError(
                "requesting a consumer key needs an application key",
                hint="create an application with ovhub ovh-app, or set application_key in ovh.conf",
            )
        rules = parse_access_rules(access_rules)
        body: dict[str, Any] = {"accessRules": rules}
        if redirection:
            body["redirection"] = redirection
        if allowed_ips is not None:
            body["allowedIPs"] = list(allowed_ips)
        answer = self._send("POST", "/auth/credential", body, auth="application", in_body=True)
        if not isinstance(answer, dict) or not answer.get("consumerKey") or not answer.get("validationUrl"):
            raise errors.InvalidResponseError(
                "the response has no consumerKey or validationUrl",
                operation="POST",
                target="/auth/credential",
                service="ovh",
            )
        logger.info("requested consumer key %s, state %s", secret_prefix(answer["consumerKey"]), answer.get("state"))
        return answer

    def credential_state(self, consumer_key: str) -> str:
        """Return the state of ``consumer_key``; 403 INVALID_CREDENTIAL or NOT_CREDENTIAL count as pending.

        NOTE: whether the API returns 403 or ``pendingValidation`` for a key not yet
        validated is not documented, so both are read as pending. A key refused that way
        is then only seen as pending until the wait ends. A 403 NOT_GRANTED_CALL means the
        key works but its access rules leave out this call, so it counts as validated.
        """
        try:
            answer = self._send("GET", "/auth/currentCredential", None, auth="user", consumer_key=consumer_key, keep_signed_in=True)
        except errors.SignInRequiredError:
            return "pendingValidation"
        except errors.ForbiddenError as exc:
            if exc.code == "NOT_GRANTED_CALL":
                return "validated"
            raise
        status = answer.get("status") if isinstance(answer, dict) else None
        if status not in CREDENTIAL_STATES:
            raise errors.InvalidResponseError(
                f"unknown consumer key state {status!r}",
                operation="GET",
                target="/auth/currentCredential",
                service="ovh",
            )
        return status

    def wait_for_validation(
        self,
        consumer_key: str | None = None,
        timeout: float = 600.0,
        interval: float = VALIDATION_POLL_INITIAL,
        *,
        on_poll: Callable[[str], None] | None = None,
    ) -> str:
        """Poll a consumer key until it is validated, refused or expired; return that state.

        The wait starts at ``interval`` seconds and grows to ``VALIDATION_POLL_MAX``. Raise
        ``ValidationTimeoutError`` when it is still pending after ``timeout`` seconds.
        """
        consumer_key = consumer_key or self.consumer_key
        if not consumer_key:
            raise errors.InvalidInputError("no consumer key to wait for", hint="request one with request_consumer_key")
        deadline = time.monotonic() + timeout
        wait = max(interval, 0.1)

        while True:
            state = self.credential_state(consumer_key)
            if on_poll is not None:
                on_poll(state)
            if state != "pendingValidation":
                logger.info("consumer key %s is %s", secret_prefix(consumer_key), state)
                return state
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ValidationTimeoutError(
                    f"consumer key {secret_prefix(consumer_key)} was not validated within {timeout:.0f} s",
                    service="ovh",
                    hint="open the validation URL, log in and accept, or request a new consumer key",
                )
            self._sleep(min(wait, remaining))
            wait = min(wait * 1.5, max(VALIDATION_POLL_MAX, interval))

    # -- sending ------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        *,
        auth: str,
        in_body: bool = False,
        consumer_key: str | None = None,
        keep_signed_in: bool = False,
    ) -> Any:
        """Send one call and return its decoded JSON (None for 204), or raise its error.

        ``auth`` is "user" (signed or bearer), "application" (``X-Ovh-Application`` only) or
        "none". A rejected timestamp or OAuth2 token is renewed and the call sent once more.
        """
        url = build_url(self.base_url, path, None if in_body else params)
        body = encode_body(params) if in_body else None
        renewed = False

        while True:
            response, payload = self._send_decoded(method, url, path, body, auth, consumer_key)
            if response.status_code < 300:
                return payload
            if not renewed and self._renew_after_rejection(response, payload, auth):
                renewed = True
                continue
            error = self._api_error(method, path, response, payload)
            if isinstance(error, errors.SignInRequiredError) and auth == "user" and not keep_signed_in and consumer_key is None:
                self._credentials_rejected = True
            raise error

    def _send_decoded(
        self, method: str, url: str, path: str, body: bytes | None, auth: str, consumer_key: str | None
    ) -> tuple[requests.Response, Any]:
        """Send the call and return the response with its decoded JSON.

        An idempotent call whose 2xx body is not JSON (a maintenance page) is sent again by
        ``HttpClient``, within the retry policy.
        """

        def check_body(response: requests.Response) -> None:
            if not _decode_json(response)[1]:
                raise errors.InvalidResponseError(
                    "the API returned a page that is not JSON",
                    operation=method,
                    target=path,
                    status=response.status_code,
                    service="ovh",
                    request_id=response.headers.get("X-Ovh-Queryid"),
                    hint="the service may be under maintenance; try again later",
                )

        response = self._send_once(method, url, body, auth, consumer_key, check_body)
        logger.debug(
            "OVHcloud API %s %s -> %s (X-Ovh-Queryid %s)",
            method, redact_url(url), response.status_code, response.headers.get("X-Ovh-Queryid", "-"),
        )
        return response, _decode_json(response)[0]

    def _send_once(
        self,
        method: str,
        url: str,
        body: bytes | None,
        auth: str,
        consumer_key: str | None,
        validate: Callable[[requests.Response], None] | None = None,
    ) -> requests.Response:
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"

        signer: requests.auth.AuthBase
        if auth == "user" and self.oauth2 is not None and consumer_key is None:
            signer = _ExactUrl(url, self.oauth2.token)
        elif auth == "user":
            key = consumer_key or self.consumer_key
            self._require_signing_keys(key)
            # Fetch the delta now, so the signing hook only reads it.
            _ = self.time_delta
            headers["X-Ovh-Application"] = self.application_key or ""
            signer = _SignedRequest(self, url, body, key or "")
        else:
            if self.application_key:
                headers["X-Ovh-Application"] = self.application_key
            signer = _ExactUrl(url)
        return self.http.request(method, url, headers=headers, data=body, auth=signer, validate=validate)

    def _require_signing_keys(self, consumer_key: str | None) -> None:
        if not self.application_key or not self.application_secret:
            raise errors.ConfigError(
                "no OVHcloud API application key is configured",
                hint="run ovhub ovh-app, or set application_key and application_secret in ovh.conf",
            )
        if not consumer_key:
            raise errors.SignInRequiredError("no consumer key is configured", service="ovh", hint=SIGN_IN_HINT)

    def _renew_after_rejection(self, response: requests.Response, payload: Any, auth: str) -> bool:
        """Renew what a rejection may have been caused by; return True to send the call again.

        A 400 QUERY_TIME_OUT always refetches the time delta. An INVALID_SIGNATURE refetches
        it too, but the call is repeated only when the delta moved by more than
        ``TIME_DRIFT_TOLERANCE`` seconds, as after a suspend. With an unchanged delta the new
        signature would be the same wrong one, because the keys are at fault.
        """
        code = payload.get("errorCode") if isinstance(payload, dict) else None
        if auth == "user" and self.oauth2 is not None and response.status_code == 401:
            token = (response.request.headers.get("Authorization") or "").removeprefix("Bearer ")
            self.oauth2.invalidate(token)
            return True
        if auth != "user" or self.oauth2 is not None:
            return False
        if code in TIME_ERROR_CODES:
            old = self._time_delta_value
            new = self.refresh_time_delta()
            logger.info("the API rejected the request time (%s); clock delta %s -> %d s, sending again", code, old, new)
            return True
        if code == "INVALID_SIGNATURE":
            old = self._time_delta_value or 0
            new = self.refresh_time_delta()
            if abs(new - old) > TIME_DRIFT_TOLERANCE:
                logger.info("invalid signature after the clock delta moved from %d to %d s; sending again", old, new)
                return True
        return False

    def _api_error(self, method: str, path: str, response: requests.Response, payload: Any) -> errors.ServiceError:
        status = response.status_code
        request_id = response.headers.get("X-Ovh-Queryid")
        if not isinstance(payload, dict):
            cls: type[errors.ServiceError] = OvhServerPageError if status >= 500 else errors.error_class_for_status(status)
            message = "the API returned a page that is not JSON" if payload is _NOT_JSON else (response.reason or f"HTTP {status}")
            return cls(message, operation=method, target=path, status=status, service="ovh", request_id=request_id, hint=_status_hint(status))

        code = payload.get("errorCode") or payload.get("class")
        message = self._redact(str(payload.get("message") or response.reason or f"HTTP {status}"))
        cls, hint = ERROR_CODES.get(payload.get("errorCode") or "", (None, None))  # type: ignore[assignment]
        if cls is None:
            cls = _class_for_status(status)
            hint = _status_hint(status)
        return cls(message, operation=method, target=path, status=status, service="ovh", request_id=request_id, code=code, hint=hint)

    def _redact(self, text: str) -> str:
        """Replace any of this client's secrets found in a server message by its prefix."""
        secrets = [self.application_secret, self.consumer_key]
        if self.oauth2 is not None:
            secrets += [self.oauth2.client_secret, self.oauth2._token]
        for secret in secrets:
            if secret and len(secret) >= 8 and secret in text:
                text = text.replace(secret, secret_prefix(secret))
        return text


# Stands for a body that could not be decoded as JSON.
_NOT_JSON = object()


def _decode_json(response: requests.Response) -> tuple[Any, bool]:
    """Return ``(payload, readable)``: the JSON body (None when empty) and whether it parsed."""
    if response.status_code == 204 or not response.content:
        return None, True
    try:
        return response.json(), True
    except ValueError:
        return _NOT_JSON, False


def _class_for_status(status: int) -> type[errors.ServiceError]:
    if status == 401:
        return errors.AuthenticationError
    if status == 460:
        return errors.ForbiddenError
    return errors.error_class_for_status(status)


def _status_hint(status: int) -> str | None:
    if status == 401:
        return "this call needs a consumer key; " + SIGN_IN_HINT
    if status == 460:
        return "the service has expired; renew it in the OVHcloud Control Panel"
    from .http import default_hint

    return default_hint(status)
