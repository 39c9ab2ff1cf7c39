"""hubiC client: OAuth2 sign-in and refresh, the REST API, and Swift credentials.

hubiC hands out OpenStack Swift credentials behind an OAuth2 REST API. A user signs in
once (authorization-code flow) and the application keeps the refresh token. From it the
client gets a 6-hour access token, which ``/account/credentials`` exchanges for a Swift
storage URL and token that last about a day.

Wire facts this module follows, because no live server is left to check against:

- the token endpoint takes a form body only, with HTTP Basic client authentication;
- the refresh answer has no new refresh token, so the old one is kept;
- a bad refresh token is ``400 invalid_request`` (not the RFC's ``invalid_grant``) and
  means "sign in again"; both are handled the same way here;
- the OAuth host answers ``509 Bandwidth Limit Exceeded`` when called too fast;
- the API answers ``401 invalid_token`` for an expired access token (refreshed once) and
  ``403 invalid_token`` for a revoked one;
- ``expires`` of the Swift credentials carries the Paris offset (``+01:00``/``+02:00``).

Requests go through ``core.http.HttpClient`` with its retries turned off: this module
retries itself, because whether a request may be repeated depends on the grant (a code is
single-use) and because an HTML page where JSON was expected must be retried too.
"""

from __future__ import annotations

import datetime
import html.parser
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

import requests

from . import configfile, errors, http
from .accounts import Account
from .credentials import DEFAULT_REFRESH_MARGIN, CredentialProvider, SwiftCredentials
from .errors import secret_prefix
from .oauth_callback import AuthorizationResult, result_from_query

logger = logging.getLogger(__name__)

SERVICE = "hubic"

# The real service's endpoints. It shut down in 2022, so these are defaults only.
DEFAULT_AUTH_URL = "https://api.hubic.com/oauth/auth/"
DEFAULT_TOKEN_URL = "https://api.hubic.com/oauth/token/"
DEFAULT_API_URL = "https://api.hubic.com/1.0"

# The redirect URI most hubiC applications registered for a local callback (rclone's).
DEFAULT_REDIRECT_URI = "http://localhost:53682/"

# Rights letters of a scope: r for GET, w for PUT and POST, d for DELETE.
RIGHTS = "rwd"

# Every hubiC perimeter with the rights clients requested: the default scope.
FULL_SCOPE: dict[str, str] = {
    "usage": "r",
    "account": "r",
    "getAllLinks": "r",
    "credentials": "r",
    "sponsorCode": "r",
    "activate": "w",
    "sponsored": "r",
    "links": "drw",
}

# Lifetimes, in days, that a published link may have.
LINK_TTL_DAYS = (1, 5, 10, 15, 20, 25, 30)

# Seconds before its expiry at which the access token is refreshed.
ACCESS_TOKEN_REFRESH_MARGIN = 300.0

# Access token lifetime in seconds when the token response has no expires_in (6 hours).
DEFAULT_ACCESS_TOKEN_LIFETIME = 21600.0

# Statuses that mean the server turned the request away before doing anything with it,
# so even a request that must not run twice (a code exchange, a POST) may be repeated.
UNPROCESSED_STATUSES = frozenset({429, 503, 509})

# Maximum bytes of an object path or link uri, Swift's default object name limit.
MAX_PATH_LENGTH = 1024

SIGN_IN_HINT = "sign in again with %hubic_login (or ovhub hubic-token in a terminal)"

# ovhub.conf keys of a hubiC account, and the environment variables of the account "hubic".
ENVIRONMENT_VARIABLES = {
    "client_id": "HUBIC_CLIENT_ID",
    "client_secret": "HUBIC_CLIENT_SECRET",
    "refresh_token": "HUBIC_REFRESH_TOKEN",
    "redirect_uri": "HUBIC_REDIRECT_URI",
    "scope": "HUBIC_SCOPE",
    "auth_url": "HUBIC_AUTH_URL",
    "token_url": "HUBIC_TOKEN_URL",
    "api_url": "HUBIC_API_URL",
}

# Name of the account that HUBIC_* environment variables configure.
DEFAULT_ACCOUNT_NAME = "hubic"


# -- scopes ---------------------------------------------------------------------------------


def format_scope(perimeters: Mapping[str, str]) -> str:
    """Return the scope string for perimeters and their rights letters, such as ``{"links": "rw"}``."""
    items = []
    for perimeter, rights in perimeters.items():
        if perimeter not in FULL_SCOPE:
            raise errors.InvalidInputError(
                f"unknown hubiC scope perimeter {perimeter!r}", hint="use some of: " + ", ".join(FULL_SCOPE)
            )
        letters = set(rights)
        if not letters or not letters <= set(RIGHTS):
            raise errors.InvalidInputError(
                f"invalid rights {rights!r} for the hubiC scope perimeter {perimeter!r}",
                hint="use the letters r (read), w (write) and d (delete)",
            )
        items.append(f"{perimeter}.{''.join(sorted(letters))}")
    if not items:
        raise errors.InvalidInputError("the hubiC scope is empty", hint="ask at least for credentials.r")
    return ",".join(items)


def parse_scope(scope: str) -> dict[str, str]:
    """Return the perimeters and rights of a scope string such as ``usage.r,links.drw``."""
    perimeters: dict[str, str] = {}
    for item in scope.split(","):
        item = item.strip()
        if not item:
            continue
        perimeter, dot, rights = item.partition(".")
        if not dot:
            raise errors.InvalidInputError(
                f"invalid hubiC scope item {item!r}", hint="write perimeter.rights, such as credentials.r"
            )
        perimeters[perimeter] = perimeters.get(perimeter, "") + rights
    # format_scope validates every perimeter and letter.
    return parse_scope_items(format_scope(perimeters))


def parse_scope_items(scope: str) -> dict[str, str]:
    """Split a scope string into perimeters and rights without validating them."""
    result: dict[str, str] = {}
    for item in scope.split(","):
        perimeter, _, rights = item.strip().partition(".")
        if perimeter:
            result[perimeter] = result.get(perimeter, "") + rights
    return result


DEFAULT_SCOPE = format_scope(FULL_SCOPE)


def normalize_scope(scope: str | Mapping[str, str] | None) -> str:
    """Return a validated scope string from a string, a perimeter mapping, or None (the default)."""
    if scope is None:
        return DEFAULT_SCOPE
    if isinstance(scope, Mapping):
        return format_scope(scope)
    return format_scope(parse_scope(scope))


# -- the application ------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class HubicApp:
    """A hubiC application: its client id and secret, redirect URI, scope and server URLs."""

    client_id: str
    client_secret: str
    redirect_uri: str = DEFAULT_REDIRECT_URI
    scope: str = DEFAULT_SCOPE
    auth_url: str = DEFAULT_AUTH_URL
    token_url: str = DEFAULT_TOKEN_URL
    api_url: str = DEFAULT_API_URL

    def __post_init__(self) -> None:
        if not self.client_id:
            raise errors.InvalidInputError(
                "missing hubiC client id", hint="set HUBIC_CLIENT_ID, or client_id in ovhub.conf"
            )
        for name in ("redirect_uri", "auth_url", "token_url", "api_url"):
            value = getattr(self, name)
            if urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc:
                raise errors.InvalidInputError(f"invalid hubiC {name} {value!r}", hint="give an http:// or https:// URL")
        object.__setattr__(self, "scope", normalize_scope(self.scope))

    def __repr__(self) -> str:
        return (
            f"HubicApp(client_id={self.client_id!r}, client_secret={secret_prefix(self.client_secret)!r}, "
            f"redirect_uri={self.redirect_uri!r}, api_url={self.api_url!r})"
        )

    def authorize_url(self, state: str, scope: str | Mapping[str, str] | None = None) -> str:
        """Return the URL of the consent page for ``state`` and ``scope`` (default: the app's)."""
        params = {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope if scope is None else normalize_scope(scope),
            "response_type": "code",
            "state": state,
        }
        separator = "&" if urlsplit(self.auth_url).query else "?"
        return self.auth_url + separator + urlencode(params, safe=",")


@dataclass(frozen=True)
class AuthorizationRequest:
    """A sign-in in progress: the consent page URL and the state its redirect must carry."""

    url: str
    state: str
    scope: str


def start_authorization(app: HubicApp, scope: str | Mapping[str, str] | None = None) -> AuthorizationRequest:
    """Return the authorize URL with a fresh random ``state``."""
    state = secrets.token_urlsafe(24)
    chosen = app.scope if scope is None else normalize_scope(scope)
    return AuthorizationRequest(url=app.authorize_url(state, chosen), state=state, scope=chosen)


# Parameters that mark a redirect's query string, as opposed to a bare code (which may end with "=").
_QUERY_PARAMETER = re.compile(r"(?:^|[?&])(?:code|error|state)=")


def parse_redirect(text: str, expected_state: str | None) -> AuthorizationResult:
    """Return the code from a pasted redirect: a whole URL, its query string, or a bare code.

    A URL or query string must carry ``expected_state``; a bare code cannot be checked.
    An ``error`` in the redirect raises the matching error with hubiC's description.
    """
    text = text.strip()
    if not text:
        raise errors.InvalidInputError(
            "nothing was pasted", operation="sign-in", hint="paste the URL the browser was sent to, or its code"
        )
    if "://" in text or text.startswith("?") or _QUERY_PARAMETER.search(text):
        query = urlsplit(text).query if "://" in text else text.split("?", 1)[-1]
        params = dict(_parse_query(query))
        return result_from_query(params, expected_state, service=SERVICE)
    if any(c.isspace() or c in "&#/" for c in text) or not text.isprintable():
        raise errors.InvalidInputError(
            "the pasted text is neither a URL nor a code",
            operation="sign-in",
            hint="paste the whole URL the browser was sent to after the consent page",
        )
    return AuthorizationResult(code=text)


def _parse_query(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query.split("#", 1)[0], keep_blank_values=True)


@dataclass(frozen=True, repr=False)
class Tokens:
    """The tokens of one token response, of which ``refresh_token`` is the one to keep."""

    access_token: str
    refresh_token: str | None
    # Unix time at which the access token stops working.
    expires_at: float
    token_type: str = "Bearer"

    def __repr__(self) -> str:
        return (
            f"Tokens(access_token={secret_prefix(self.access_token)!r}, "
            f"refresh_token={secret_prefix(self.refresh_token)!r}, expires_at={self.expires_at!r})"
        )


# -- sending with retries ---------------------------------------------------------------------


@dataclass
class _Answer:
    response: requests.Response
    # The decoded JSON body; for an error status, the error object or {} when unreadable.
    payload: Any

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def error(self) -> str | None:
        value = self.payload.get("error") if isinstance(self.payload, dict) else None
        return value if isinstance(value, str) else None

    @property
    def description(self) -> str | None:
        value = self.payload.get("error_description") if isinstance(self.payload, dict) else None
        return value if isinstance(value, str) else None


class _Transport:
    """Send hubiC requests, choosing what ``HttpClient`` may retry by whether a request may run twice."""

    def __init__(self, http_client: http.HttpClient, policy: http.RetryPolicy) -> None:
        self.http = http_client
        self.policy = policy

    def send(
        self,
        method: str,
        url: str,
        *,
        operation: str,
        repeatable: bool,
        expect_json: bool = True,
        **kwargs: Any,
    ) -> _Answer:
        """Send one request and return the response, retrying what may be retried.

        ``repeatable`` requests are repeated after connection failures, every status of
        ``http.RETRYABLE_STATUSES`` and unreadable bodies; the others only after the
        statuses of ``UNPROCESSED_STATUSES``. Error statuses are returned, not raised.
        """

        def check_body(response: requests.Response) -> None:
            if not _has_no_content(method, response):
                decode_json(response, operation)

        response = self.http.request(
            method,
            url,
            retry=self.policy,
            idempotent=repeatable,
            retry_statuses=None if repeatable else UNPROCESSED_STATUSES,
            validate=check_body if expect_json else None,
            **kwargs,
        )
        if response.status_code >= 400:
            return _Answer(response, _error_payload(response))
        if not expect_json or _has_no_content(method, response):
            return _Answer(response, None)
        return _Answer(response, decode_json(response, operation))


def _has_no_content(method: str, response: requests.Response) -> bool:
    # A deletion answers 204 No Content: an empty body is its success, not a broken answer.
    return response.status_code == 204 or (method == "DELETE" and not response.content)


def decode_json(response: requests.Response, operation: str) -> Any:
    """Return the JSON body of a response, or raise ``InvalidResponseError`` saying what came instead."""
    body = response.content
    content_type = response.headers.get("Content-Type", "")
    if not body.strip():
        problem = "an empty body"
    else:
        try:
            return json.loads(body)
        except ValueError:
            pass
        looks_like_html = "html" in content_type.lower() or body.lstrip()[:1] == b"<"
        # The body itself is not shown, because a broken response may still contain a token.
        problem = "an HTML page" if looks_like_html else f"a body that is not JSON ({content_type or 'no type'})"
    raise errors.InvalidResponseError(
        f"hubiC returned {problem} where JSON was expected",
        operation=operation,
        status=response.status_code,
        service=SERVICE,
        request_id=http.request_id_of(response),
        hint="the service or a proxy in front of it is failing; try again later",
    )


def _error_payload(response: requests.Response) -> Any:
    try:
        payload = json.loads(response.content or b"null")
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _service_error(
    answer: _Answer, operation: str, *, target: str | None = None, hint: str | None = None, cls: type | None = None
) -> errors.ServiceError:
    status = answer.status
    error_class = cls or errors.error_class_for_status(status)
    return error_class(
        answer.description or answer.error or answer.response.reason or f"HTTP {status}",
        operation=operation,
        target=target,
        status=status,
        service=SERVICE,
        request_id=http.request_id_of(answer.response),
        code=answer.error,
        hint=hint or http.default_hint(status),
    )


# -- the client -----------------------------------------------------------------------------------


class HubicClient:
    """Sign in to hubiC, keep the access token fresh, and call the REST API.

    Thread-safe: the access token is shared and refreshed by one thread at a time.
    """

    def __init__(
        self,
        app: HubicApp,
        refresh_token: str | None = None,
        *,
        retry: http.RetryPolicy | None = None,
        http_client: http.HttpClient | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.app = app
        self.retry = retry or http.RetryPolicy()
        self.http = http_client or http.HttpClient(SERVICE, retry=self.retry, sleep=sleep)
        self._clock = clock
        self._transport = _Transport(self.http, self.retry)
        self._lock = threading.RLock()
        self._refresh_token = refresh_token or None
        self._access_token: str | None = None
        self._access_expires_at = 0.0

    def __repr__(self) -> str:
        return (
            f"HubicClient(api_url={self.app.api_url!r}, client_id={self.app.client_id!r}, "
            f"refresh_token={secret_prefix(self._refresh_token)!r})"
        )

    def __getstate__(self) -> dict[str, Any]:
        # The refresh token travels so that a Dask worker can sign in on its own.
        return {"app": self.app, "refresh_token": self._refresh_token, "retry": self.retry}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["app"], state["refresh_token"], retry=state["retry"])

    def close(self) -> None:
        """Close the pooled connections."""
        self.http.close()

    @property
    def refresh_token(self) -> str | None:
        """The refresh token to keep. It is a secret, so never print it."""
        return self._refresh_token

    @property
    def signed_in(self) -> bool:
        """True when an access token is held and not expired (no request is sent)."""
        return self._access_token is not None and self._clock() < self._access_expires_at

    # -- OAuth2 ---------------------------------------------------------------------------

    def exchange_code(self, code: str | AuthorizationResult) -> Tokens:
        """Exchange an authorization code for tokens, and keep them.

        A code works once. It is sent again only after 429, 503 or 509, which mean the
        server turned the request away unprocessed. After a dropped connection or a 5xx
        the server may have used the code, and a second try would fail with "invalid
        code" and hide the real problem, so the error is raised instead.
        """
        value = code.code if isinstance(code, AuthorizationResult) else code
        if not value:
            raise errors.InvalidInputError("missing authorization code", operation="exchange the hubiC code")
        form = {"grant_type": "authorization_code", "code": value, "redirect_uri": self.app.redirect_uri}
        tokens = self._token_request(form, operation="exchange the hubiC authorization code", repeatable=False)
        if not tokens.refresh_token:
            raise errors.InvalidResponseError(
                "the token response has no refresh_token",
                operation="exchange the hubiC authorization code",
                service=SERVICE,
                hint="check that the token URL is hubiC's",
            )
        with self._lock:
            self._refresh_token = tokens.refresh_token
            self._store_access_token(tokens)
        logger.info("hubiC sign-in complete; refresh token %s", secret_prefix(tokens.refresh_token))
        return tokens

    def refresh(self) -> Tokens:
        """Get a new access token from the refresh token (the refresh token is kept)."""
        with self._lock:
            refresh_token = self._refresh_token
            if not refresh_token:
                raise errors.SignInRequiredError(
                    "no hubiC refresh token is configured",
                    operation="refresh the hubiC access token",
                    service=SERVICE,
                    hint="sign in with %hubic_login, or run ovhub hubic-token and set HUBIC_REFRESH_TOKEN",
                )
            form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
            # The refresh grant may run twice: it only hands out another access token.
            tokens = self._token_request(form, operation="refresh the hubiC access token", repeatable=True)
            if tokens.refresh_token and tokens.refresh_token != refresh_token:
                self._refresh_token = tokens.refresh_token
            self._store_access_token(tokens)
        logger.info("hubiC access token refreshed; it expires in %.0f s", tokens.expires_at - self._clock())
        return tokens

    def get_access_token(self) -> str:
        """Return an access token valid for at least a few minutes, refreshing it when needed."""
        with self._lock:
            if self._access_token is None or self._clock() >= self._access_expires_at - ACCESS_TOKEN_REFRESH_MARGIN:
                if self._access_token is not None:
                    logger.info("hubiC access token expires soon; refreshing it")
                self.refresh()
            assert self._access_token is not None
            return self._access_token

    def _store_access_token(self, tokens: Tokens) -> None:
        self._access_token = tokens.access_token
        self._access_expires_at = tokens.expires_at

    def _forget_access_token(self, token: str) -> None:
        with self._lock:
            if self._access_token == token:
                self._access_token = None

    def _token_request(self, form: dict[str, str], *, operation: str, repeatable: bool) -> Tokens:
        answer = self._transport.send(
            "POST",
            self.app.token_url,
            operation=operation,
            repeatable=repeatable,
            data=form,
            auth=(self.app.client_id, self.app.client_secret),
            headers={"Accept": "application/json"},
        )
        if answer.status >= 400:
            raise self._token_error(answer, operation, refresh=form["grant_type"] == "refresh_token")
        return self._read_tokens(answer, operation)

    def _token_error(self, answer: _Answer, operation: str, *, refresh: bool) -> errors.ServiceError:
        if answer.status == 401 or answer.error in ("unauthorized_client", "invalid_client"):
            return _service_error(
                answer,
                operation,
                cls=errors.AuthenticationError,
                hint="check the client id and secret (HUBIC_CLIENT_ID, HUBIC_CLIENT_SECRET or ovhub.conf)",
            )
        if refresh and answer.status == 400 and answer.error in ("invalid_request", "invalid_grant", None):
            return _service_error(answer, operation, cls=errors.SignInRequiredError, hint=SIGN_IN_HINT)
        if answer.status == 400:
            return _service_error(
                answer,
                operation,
                hint="a code works once and only for a few minutes, with the redirect URI it was issued for; "
                "start the sign-in again",
            )
        return _service_error(answer, operation)

    def _read_tokens(self, answer: _Answer, operation: str) -> Tokens:
        payload = answer.payload
        access_token = payload.get("access_token") if isinstance(payload, dict) else None
        if not isinstance(access_token, str) or not access_token:
            raise errors.InvalidResponseError(
                "the token response has no access_token",
                operation=operation,
                status=answer.status,
                service=SERVICE,
                hint="check that the token URL is hubiC's",
            )
        try:
            lifetime = float(payload.get("expires_in", DEFAULT_ACCESS_TOKEN_LIFETIME))
        except (TypeError, ValueError):
            lifetime = DEFAULT_ACCESS_TOKEN_LIFETIME
        refresh_token = payload.get("refresh_token")
        return Tokens(
            access_token=access_token,
            refresh_token=refresh_token if isinstance(refresh_token, str) and refresh_token else None,
            expires_at=self._clock() + lifetime,
            token_type=str(payload.get("token_type", "Bearer")),
        )

    # -- REST API -------------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        *,
        data: Mapping[str, str] | None = None,
        operation: str | None = None,
        target: str | None = None,
    ) -> Any:
        """Call the REST API at ``path`` (under ``/1.0``) and return the decoded JSON.

        A rejected access token (401, or 403 ``invalid_token``) is refreshed once and the
        call sent again; a second rejection raises ``AuthenticationError``.
        """
        method = method.upper()
        operation = operation or f"hubiC {method} {path}"
        url = self.app.api_url.rstrip("/") + path
        repeatable = method in http.IDEMPOTENT_METHODS

        for attempt in (1, 2):
            token = self.get_access_token()
            answer = self._transport.send(
                method,
                url,
                operation=operation,
                repeatable=repeatable,
                data=dict(data) if data is not None else None,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            )
            if not _token_rejected(answer):
                break
            if attempt == 1:
                logger.info("%s: hubiC rejected the access token (%s); refreshing it", operation, answer.description)
                self._forget_access_token(token)
                continue
            raise _service_error(
                answer,
                operation,
                target=target,
                cls=errors.AuthenticationError,
                hint="the access token was refreshed and still rejected; " + SIGN_IN_HINT,
            )

        if answer.status >= 400:
            hint = None
            if answer.error == "insufficient_scope":
                hint = "the sign-in did not grant the scope this call needs; " + SIGN_IN_HINT + " and accept it"
            raise _service_error(answer, operation, target=target, hint=hint)
        return answer.payload

    def account(self) -> dict[str, Any]:
        """Return the account: email, creationDate, status, firstname, lastname."""
        return self.call("GET", "/account", operation="get the hubiC account")

    def usage(self) -> dict[str, Any]:
        """Return the storage quota and the bytes used: ``{"quota": ..., "used": ...}``."""
        return self.call("GET", "/account/usage", operation="get the hubiC usage")

    def credentials(self) -> SwiftCredentials:
        """Return the Swift storage URL and token, with their expiry as a Unix time."""
        operation = "get the hubiC Swift credentials"
        payload = self.call("GET", "/account/credentials", operation=operation)
        token = payload.get("token") if isinstance(payload, dict) else None
        endpoint = payload.get("endpoint") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token or not isinstance(endpoint, str) or "://" not in endpoint:
            raise errors.InvalidResponseError(
                "the response has no token or no endpoint", operation=operation, service=SERVICE
            )
        return SwiftCredentials(storage_url=endpoint, token=token, expires_at=parse_expiry(payload.get("expires")))

    def scopes(self) -> Any:
        """Return the scope perimeters and rights that ``GET /scope/scope`` describes."""
        return self.call("GET", "/scope/scope", operation="get the hubiC scopes")

    # -- published links ------------------------------------------------------------------

    def links(self) -> Any:
        """Return the published links."""
        return self.call("GET", "/account/links", operation="list the hubiC links")

    def all_links(self) -> Any:
        """Return the published links with their details."""
        return self.call("GET", "/account/getAllLinks", operation="list the hubiC links with details")

    def publish(self, container: str, path: str, ttl_days: int, comment: str = "") -> dict[str, Any]:
        """Publish an object as a read-only link for ``ttl_days`` days; return the link.

        The response has ``indirectUrl`` (the URL to share), ``expirationDate``,
        ``creationDate`` and ``uri``. Every argument is checked before any request.
        """
        ttl = check_link_ttl(ttl_days)
        check_container(container)
        uri = check_object_path(path)
        if not isinstance(comment, str) or "\x00" in comment:
            raise errors.InvalidInputError(f"invalid link comment {comment!r}", hint="give plain text")
        form = {"container": container, "uri": uri, "type": "file", "mode": "ro", "ttl": str(ttl), "comment": comment}
        return self.call("POST", "/account/links", data=form, operation="publish a hubiC link", target=uri)

    def link(self, uri: str) -> dict[str, Any]:
        """Return one published link by its ``uri`` (such as ``/file.txt``)."""
        return self.call("GET", link_path(uri), operation="get the hubiC link", target=uri)

    def unpublish(self, uri: str) -> Any:
        """Delete the published link ``uri``."""
        return self.call("DELETE", link_path(uri), operation="unpublish the hubiC link", target=uri)

    # -- Swift ----------------------------------------------------------------------------

    def swift_provider(self, *, refresh_margin: float = DEFAULT_REFRESH_MARGIN) -> HubicCredentialProvider:
        """Return a ``CredentialProvider`` of Swift credentials from this account."""
        return HubicCredentialProvider(self, refresh_margin=refresh_margin)


def _token_rejected(answer: _Answer) -> bool:
    if answer.status == 401:
        return True
    return answer.status == 403 and answer.error == "invalid_token"


# -- input checks and wire formats ------------------------------------------------------------


def check_link_ttl(ttl_days: Any) -> int:
    """Return ``ttl_days`` as an int when it is one of the lifetimes hubiC accepts, else raise."""
    value: int | None = None
    if isinstance(ttl_days, int) and not isinstance(ttl_days, bool):
        value = ttl_days
    elif isinstance(ttl_days, str) and ttl_days.strip().isdigit():
        value = int(ttl_days)
    if value not in LINK_TTL_DAYS:
        raise errors.InvalidInputError(
            f"invalid link lifetime {ttl_days!r} days",
            hint="choose one of " + ", ".join(str(d) for d in LINK_TTL_DAYS) + " days",
        )
    return value


def check_container(container: Any) -> str:
    """Return ``container`` when it is a valid Swift container name, else raise."""
    if not isinstance(container, str) or not container or "/" in container or _has_control(container):
        raise errors.InvalidInputError(
            f"invalid container name {container!r}", hint="give a container name without '/', such as default"
        )
    if len(container.encode("utf-8")) > 256:
        raise errors.InvalidInputError(f"container name {container[:40]!r}… is longer than 256 bytes")
    return container


def check_object_path(path: Any) -> str:
    """Return the object path with a leading ``/``, as hubiC's links take it, or raise.

    Nothing else changes: ``//`` and Unicode are kept byte for byte.
    """
    if not isinstance(path, str) or not path.strip("/") or _has_control(path):
        raise errors.InvalidInputError(
            f"invalid object path {path!r}", hint="give the object's path in the container, such as /folder/file.txt"
        )
    uri = path if path.startswith("/") else "/" + path
    if len(uri.encode("utf-8")) > MAX_PATH_LENGTH:
        raise errors.InvalidInputError(f"object path {uri[:40]!r}… is longer than {MAX_PATH_LENGTH} bytes")
    return uri


def link_path(uri: str) -> str:
    """Return the API path of one link: ``/account/links/`` and the uri with every ``/`` as ``%2F``."""
    if not isinstance(uri, str) or not uri.strip("/") or _has_control(uri):
        raise errors.InvalidInputError(f"invalid link uri {uri!r}", hint="give the uri that publish returned, such as /file.txt")
    return "/account/links/" + quote(uri, safe="")


def _has_control(text: str) -> bool:
    return any(ord(c) < 0x20 or c == "\x7f" for c in text)


# Offset assumed for an expiry written without one: Paris in winter. hubiC wrote the
# offset in every answer seen; this only keeps a malformed one usable.
_PARIS_WINTER = datetime.timezone(datetime.timedelta(hours=1))


def parse_expiry(value: Any) -> float | None:
    """Return the Unix time of an ``expires`` value, or None when it is missing or unreadable.

    Takes ISO 8601 with an offset (``2017-06-12T11:10:23+02:00``), ``Z``, or a number of
    seconds since the epoch.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        logger.warning("hubiC credentials expiry %r is not a date; the token will be renewed on its first 401", value)
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_PARIS_WINTER)
    return moment.timestamp()


# -- Swift credentials --------------------------------------------------------------------


class HubicCredentialProvider(CredentialProvider):
    """Swift credentials of a hubiC account, from ``GET /account/credentials``."""

    kind = "hubic"

    def __init__(self, client: HubicClient, *, refresh_margin: float = DEFAULT_REFRESH_MARGIN) -> None:
        super().__init__(refresh_margin=refresh_margin)
        self.client = client

    @property
    def endpoint(self) -> str:
        return self.client.app.api_url.rstrip("/") + "/account/credentials"

    def fetch(self) -> SwiftCredentials:
        return self.client.credentials()


# -- sign-in with the consent form ------------------------------------------------------------


@dataclass
class ConsentForm:
    """The consent page's form: the URL it posts to, and its fields."""

    action: str | None = None
    oauth: str | None = None
    # (name, value, type, checked) of every input of the form.
    inputs: list[tuple[str, str, str, bool]] = field(default_factory=list)
    # Text of the elements with class text-error (the login failure message).
    error_messages: list[str] = field(default_factory=list)


class _ConsentPageParser(html.parser.HTMLParser):
    """Collect the forms of a page and every ``text-error`` message."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[ConsentForm] = []
        self.error_messages: list[str] = []
        self._form: ConsentForm | None = None
        self._error_depth = 0
        self._error_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if self._error_depth:
            self._error_depth += 1
        elif "text-error" in attributes.get("class", "").split():
            self._error_depth = 1
            self._error_text = []
        if tag == "form":
            self._form = ConsentForm(action=attributes.get("action"))
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and attributes.get("name"):
            self._add_input(attributes)
            if self._error_depth:
                # <input> has no end tag.
                self._error_depth -= 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self._error_depth and tag != "input":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        if self._error_depth:
            self._error_depth -= 1
            if not self._error_depth:
                message = " ".join("".join(self._error_text).split())
                if message:
                    self.error_messages.append(message)

    def handle_data(self, data: str) -> None:
        if self._error_depth:
            self._error_text.append(data)

    def _add_input(self, attributes: dict[str, str]) -> None:
        assert self._form is not None
        name = attributes["name"]
        kind = attributes.get("type", "text").lower()
        value = attributes.get("value", "")
        if name == "oauth":
            self._form.oauth = value
        self._form.inputs.append((name, value, kind, "checked" in attributes))


def parse_consent_page(page: str) -> ConsentForm:
    """Return the consent form of a hubiC authorize page (the one with the ``oauth`` field)."""
    parser = _ConsentPageParser()
    parser.feed(page)
    parser.close()
    form = next((f for f in parser.forms if f.oauth), None) or ConsentForm()
    form.error_messages = parser.error_messages
    return form


def consent_fields(form: ConsentForm, scope: str, email: str, password: str) -> list[tuple[str, str]]:
    """Return the fields that accept the consent form for ``scope`` and sign in as ``email``.

    A scope field of the form (perimeter name, rights letter as value) is sent when it is
    checked or when the requested scope has it, so the grant matches the request.
    """
    requested = parse_scope_items(scope)
    fields: list[tuple[str, str]] = [("oauth", form.oauth or "")]
    for name, value, kind, checked in form.inputs:
        if name in ("oauth", "action", "login", "user_pwd") or kind in ("submit", "button", "image", "reset"):
            continue
        if kind in ("checkbox", "radio"):
            if checked or (name in requested and value in requested[name]):
                fields.append((name, value))
        elif kind == "hidden":
            fields.append((name, value))
    if not any(name in FULL_SCOPE for name, _ in fields):
        # NOTE: a form without scope fields gets the requested scope, one field per right,
        # as hubiC's page sent them. Whether hubiC ever served such a form is unknown.
        for perimeter, rights in requested.items():
            fields.extend((perimeter, letter) for letter in rights)
    fields += [("action", "accepted"), ("login", email), ("user_pwd", password)]
    return fields


def authorize_with_password(
    app: HubicApp,
    email: str,
    password: str,
    *,
    scope: str | Mapping[str, str] | None = None,
    retry: http.RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> AuthorizationResult:
    """Sign in by filling hubiC's consent form with ``email`` and ``password``; return the code.

    This is what ``mix hubic`` and hubicfuse's token script did, for machines without a
    browser. The password goes in one form POST and is kept nowhere.
    """
    request = start_authorization(app, scope)
    operation = "sign in to hubiC"
    session_client = http.HttpClient(SERVICE, retry=retry, sleep=sleep)  # own cookies for the consent page
    transport = _Transport(session_client, retry or http.RetryPolicy())
    try:
        page_url, page = _get_consent_page(transport, app, request, operation)
        if isinstance(page, AuthorizationResult):
            return page
        form = parse_consent_page(page.text)
        if not form.oauth:
            raise errors.InvalidResponseError(
                "the authorize page has no consent form",
                operation=operation,
                status=page.status_code,
                service=SERVICE,
                hint="check the authorize URL, or sign in with a browser",
            )

        fields = consent_fields(form, request.scope, email, password)
        post_url = urljoin(page_url, form.action) if form.action else page_url
        answer = transport.send("POST", post_url, operation=operation, repeatable=False, expect_json=False, data=fields)
        response = answer.response
        location = response.headers.get("Location")
        if response.is_redirect and location:
            return parse_redirect(urljoin(post_url, location), request.state)

        messages = parse_consent_page(response.text).error_messages if response.status_code == 200 else []
        if messages:
            raise errors.AuthenticationError(
                messages[0], operation=operation, target=email, service=SERVICE, hint="check the email and password"
            )
        if response.status_code >= 400:
            raise _service_error(answer, operation)
        raise errors.InvalidResponseError(
            "the consent form returned neither a redirect nor an error message",
            operation=operation,
            status=response.status_code,
            service=SERVICE,
            hint="sign in with a browser instead",
        )
    finally:
        session_client.close()


def _get_consent_page(
    transport: _Transport, app: HubicApp, request: AuthorizationRequest, operation: str
) -> tuple[str, requests.Response | AuthorizationResult]:
    """GET the authorize URL, following redirects on the OAuth host but never to the redirect URI.

    Returns the page, or the authorization when hubiC sends the browser straight back to
    the redirect URI (consent given earlier); an error redirect raises.
    """
    url = request.url
    for _ in range(5):
        answer = transport.send("GET", url, operation=operation, repeatable=True, expect_json=False)
        response = answer.response
        location = response.headers.get("Location")
        if response.is_redirect and location:
            target = urljoin(url, location)
            if target.startswith(app.redirect_uri.split("?", 1)[0]):
                return url, parse_redirect(target, request.state)
            url = target
            continue
        if response.status_code >= 400:
            raise _authorize_page_error(answer, operation)
        return url, response
    raise errors.InvalidResponseError("too many redirects before the consent page", operation=operation, service=SERVICE)


def _authorize_page_error(answer: _Answer, operation: str) -> errors.ServiceError:
    """Return the error for an authorize page that failed, with the page's message when it has one.

    The authorize endpoint may answer a bad client or redirect URI with an error page
    instead of a redirect (sending the browser to an unverified redirect URI is unsafe),
    so the page's ``text-error`` message is read as hubiC's description.
    """
    messages = parse_consent_page(answer.response.text).error_messages if answer.response.content else []
    if not messages:
        return _service_error(answer, operation)
    hint = "check the client id, and that the redirect URI is exactly the one registered for the application"
    return _service_error(_Answer(answer.response, {"error_description": messages[0]}), operation, hint=hint)


# -- accounts and configuration ---------------------------------------------------------------


def settings_from_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the hubiC settings given by ``HUBIC_*`` environment variables."""
    environ = os.environ if environ is None else environ
    return {key: environ[name] for key, name in ENVIRONMENT_VARIABLES.items() if environ.get(name)}


def app_from_settings(settings: Mapping[str, str]) -> HubicApp:
    """Build a ``HubicApp`` from ovhub.conf-style keys (client_id, client_secret, ..., api_url)."""
    missing = [key for key in ("client_id", "client_secret") if not settings.get(key)]
    if missing:
        names = " and ".join(f"{key} ({ENVIRONMENT_VARIABLES[key]})" for key in missing)
        raise errors.ConfigError(
            f"missing hubiC {names}",
            hint="run ovhub hubic-token to get a working configuration, or set them in ovhub.conf",
        )
    return HubicApp(
        client_id=settings["client_id"],
        client_secret=settings["client_secret"],
        redirect_uri=settings.get("redirect_uri") or DEFAULT_REDIRECT_URI,
        scope=settings.get("scope") or DEFAULT_SCOPE,
        auth_url=settings.get("auth_url") or DEFAULT_AUTH_URL,
        token_url=settings.get("token_url") or DEFAULT_TOKEN_URL,
        api_url=settings.get("api_url") or DEFAULT_API_URL,
    )


def build_account(
    name: str,
    settings: Mapping[str, str],
    *,
    source: str = "session",
    retry: http.RetryPolicy | None = None,
) -> Account:
    """Build the registry ``Account`` of a hubiC account from its settings."""
    app = app_from_settings(settings)
    client = HubicClient(app, settings.get("refresh_token"), retry=retry)
    return Account(
        name=name,
        kind="hubic",
        endpoint=app.api_url,
        provider=client.swift_provider(),
        client=client,
        source=source,
    )


def load_account(
    name: str = DEFAULT_ACCOUNT_NAME,
    *,
    environ: Mapping[str, str] | None = None,
    use_config_file: bool = True,
    retry: http.RetryPolicy | None = None,
    **arguments: str | None,
) -> Account:
    """Build a hubiC account from arguments, then ``HUBIC_*`` variables, then ovhub.conf.

    Each setting comes from the first of those that has it. The environment variables
    configure only the account named ``hubic``; other names come from their own ovhub.conf
    section and the arguments.
    """
    unknown = set(arguments) - set(ENVIRONMENT_VARIABLES)
    if unknown:
        raise TypeError(f"unknown hubiC settings: {', '.join(sorted(unknown))}")

    from_file: dict[str, str] = {}
    if use_config_file:
        from_file = configfile.ovhub_accounts().get(name, {})
        kind = from_file.get("kind", "hubic")
        if kind != "hubic":
            raise errors.ConfigError(
                f"the account {name!r} in ovhub.conf is a {kind} account, not a hubiC one",
                hint="choose another account name",
            )
    from_environment = settings_from_environment(environ) if name == DEFAULT_ACCOUNT_NAME else {}
    from_arguments = {key: value for key, value in arguments.items() if value}

    settings = {**from_file, **from_environment, **from_arguments}
    source = "session"
    if "refresh_token" in from_file and "refresh_token" not in from_arguments:
        source = "ovhub.conf"
    if "refresh_token" in from_environment and "refresh_token" not in from_arguments:
        source = "environment"
    return build_account(name, settings, source=source, retry=retry)


def config_values(app: HubicApp, refresh_token: str) -> dict[str, str | None]:
    """Return the ovhub.conf keys of a signed-in hubiC account; None marks a key to remove.

    Server URLs and the scope are written only when they differ from the defaults.
    """
    values: dict[str, str | None] = {
        "kind": "hubic",
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "redirect_uri": app.redirect_uri,
        "refresh_token": refresh_token,
        "scope": app.scope if app.scope != DEFAULT_SCOPE else None,
    }
    defaults = {"auth_url": DEFAULT_AUTH_URL, "token_url": DEFAULT_TOKEN_URL, "api_url": DEFAULT_API_URL}
    for key, default in defaults.items():
        value = getattr(app, key)
        values[key] = value if value != default else None
    return values


def save_refresh_token(app: HubicApp, refresh_token: str, name: str = DEFAULT_ACCOUNT_NAME) -> str:
    """Write the account to ovhub.conf (atomically, mode 0600) and return the file's path."""
    if not refresh_token:
        raise errors.InvalidInputError("missing refresh token", hint="sign in first")
    path = configfile.save_ovhub_account(name, config_values(app, refresh_token))
    logger.info("saved the hubiC account %r to %s", name, path)
    return str(path)


def environment_lines(values: Mapping[str, str | None]) -> Iterable[tuple[str, str]]:
    """Yield the ``HUBIC_*`` variable and value of every set key of ``config_values``."""
    for key, name in ENVIRONMENT_VARIABLES.items():
        value = values.get(key)
        if value:
            yield name, value
