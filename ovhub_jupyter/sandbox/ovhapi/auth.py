"""Authentication of API calls: signed consumer keys, and OAuth2 bearer tokens.

A signed call is checked in this order. Each failure returns the real status,
``errorCode`` and message:

1. all four ``X-Ovh-*`` headers present (401 NOT_AUTHENTICATED);
2. application key known (403 INVALID_KEY);
3. timestamp within ``ovh_timestamp_tolerance`` of the sandbox clock (400 QUERY_TIME_OUT);
4. signature (400 INVALID_SIGNATURE);
5. consumer key known to this application (403 NOT_CREDENTIAL);
6. consumer key validated and not expired (403 INVALID_CREDENTIAL);
7. caller address in ``allowedIPs`` (403 FORBIDDEN);
8. access rules (403 NOT_GRANTED_CALL).
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass

from werkzeug.wrappers import Request

from ..app import raw_path, raw_query
from ..state import SandboxState
from .responses import ApiError, json_response, legacy_error
from .signing import compute_signature, rule_allows, signature_matches
from .store import VALIDATED, Application, ConsumerKey, CredentialStore

logger = logging.getLogger(__name__)

# Kind of the OAuth2 access tokens in the sandbox's token registry.
OAUTH2_TOKEN_KIND = "ovh_oauth2"


@dataclass
class Caller:
    """The identity behind an authenticated call."""

    # Account (nic handle) the call acts for.
    account: str
    application: Application | None = None
    consumer_key: ConsumerKey | None = None
    # Client id, for calls authenticated with an OAuth2 bearer token.
    oauth2_client_id: str | None = None


def not_authenticated() -> ApiError:
    return ApiError(legacy_error(401, "NOT_AUTHENTICATED", "You must login first"))


def signed_url(request: Request) -> bytes:
    """Return the URL the client signed: scheme, Host header, raw path and raw query.

    The bytes are those received: nothing is decoded or re-encoded, so a client that
    signed one spelling and sent another fails, as it does against the real API.
    """
    host = request.environ.get("HTTP_HOST") or request.host
    url = f"{request.scheme}://{host}{raw_path(request)}"
    uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
    query = raw_query(request)
    if query or "?" in uri:
        url += "?" + query
    return url.encode("latin-1", "replace")


def authenticate(request: Request, state: SandboxState, store: CredentialStore, rule_path: str) -> Caller:
    """Return the caller of an API call, or raise ``ApiError`` carrying the error response.

    ``rule_path`` is the path access rules are matched against, such as ``/me`` for
    ``/1.0/me``.
    """
    authorization = request.headers.get("Authorization", "")
    if authorization[:7].lower() == "bearer ":
        return _authenticate_bearer(state, authorization[7:].strip())

    caller = _authenticate_signature(request, state, store)
    _check_consumer_key(request, state, caller.consumer_key, rule_path)
    return caller


def _authenticate_signature(request: Request, state: SandboxState, store: CredentialStore) -> Caller:
    headers = request.headers
    application_key = headers.get("X-Ovh-Application")
    if not application_key:
        raise not_authenticated()
    application = store.application(application_key)
    if application is None:
        raise ApiError(legacy_error(403, "INVALID_KEY", "This application key is invalid"))

    consumer_key_value = headers.get("X-Ovh-Consumer")
    timestamp = headers.get("X-Ovh-Timestamp")
    signature = headers.get("X-Ovh-Signature")
    if not consumer_key_value or not timestamp or not signature:
        raise not_authenticated()

    # NOTE: the real response to a stale timestamp is unverified. The sandbox returns
    # 400 QUERY_TIME_OUT, so a client should fetch /auth/time again on that code.
    now = state.now()
    tolerance = state.settings["ovh_timestamp_tolerance"]
    if not timestamp.isdigit() or abs(int(timestamp) - now) > tolerance:
        raise ApiError(legacy_error(400, "QUERY_TIME_OUT", "Query out of time"))

    expected = compute_signature(
        application.application_secret,
        consumer_key_value,
        request.method,
        signed_url(request),
        request.get_data(cache=True),
        timestamp,
    )
    if not signature_matches(expected, signature):
        logger.debug("invalid signature on %s %s (application %s)", request.method, raw_path(request), application.application_id)
        raise ApiError(legacy_error(400, "INVALID_SIGNATURE", "Invalid signature"))

    consumer_key = store.consumer_key(consumer_key_value)
    if consumer_key is None or consumer_key.application_key != application.application_key:
        raise ApiError(legacy_error(403, "NOT_CREDENTIAL", "This credential does not exist"))
    return Caller(account=consumer_key.owner or "", application=application, consumer_key=consumer_key)


def _check_consumer_key(request: Request, state: SandboxState, consumer_key: ConsumerKey | None, rule_path: str) -> None:
    assert consumer_key is not None
    now = state.now()
    # NOTE: the real response to a pending key is unverified. The sandbox returns
    # INVALID_CREDENTIAL for pending, refused and expired keys alike, even on
    # /auth/currentCredential, so a client polling for validation must read that 403 as
    # "not yet".
    if consumer_key.status_at(now) != VALIDATED:
        raise ApiError(legacy_error(403, "INVALID_CREDENTIAL", "This credential is not valid"))

    # NOTE: the real response to a call from outside allowedIPs is unverified.
    if consumer_key.allowed_ips and not _address_allowed(request.remote_addr, consumer_key.allowed_ips):
        raise ApiError(legacy_error(403, "FORBIDDEN", "This credential cannot be used from this IP address"))

    # NOTE: unverified whether the real API exempts /auth/currentCredential and /auth/logout
    # from access rules. The sandbox applies the rules to every path, the stricter choice.
    if not rule_allows(consumer_key.rules, request.method, rule_path):
        raise ApiError(legacy_error(403, "NOT_GRANTED_CALL", "This call has not been granted"))
    consumer_key.last_use = now


def _address_allowed(address: str | None, networks: list[str]) -> bool:
    if not address:
        return False
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    for network in networks:
        try:
            if client in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def _authenticate_bearer(state: SandboxState, token_value: str) -> Caller:
    status, token = state.tokens.check(token_value, OAUTH2_TOKEN_KIND)
    if status != "valid" or token is None:
        # NOTE: the real response body for an expired bearer token is unverified. OAuth2
        # clients act on the status and the RFC 6750 challenge header.
        response = legacy_error(401, "INVALID_CREDENTIAL", "This credential is not valid")
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        raise ApiError(response)
    return Caller(account=token.subject["account"], oauth2_client_id=token.subject["client_id"])


def oauth2_error(status: int, error: str, description: str) -> ApiError:
    """Return an ``ApiError`` carrying an RFC 6749 error response of the token endpoint."""
    response = json_response({"error": error, "error_description": description}, status)
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="oauth2"'
    return ApiError(response)
