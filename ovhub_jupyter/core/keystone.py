"""Keystone password auth: an OpenStack user exchanged for a Swift storage URL and token.

Two versions are spoken:

- v3 (OVHcloud Public Cloud and current OpenStack): ``POST /v3/auth/tokens`` with a
  password identity and a project scope. The token comes back in the
  ``X-Subject-Token`` header, and the catalog and ``expires_at`` in the body.
- v2.0 (OVH legacy CDN webstorage): ``POST /v2.0/tokens`` with ``passwordCredentials``
  and ``tenantName``; token, ``expires`` and ``serviceCatalog`` come back in the body.

Either way the storage URL is the ``object-store`` endpoint of the catalog for the
chosen region and interface. Asking for a token is safe to repeat (a second token is
simply issued), so these POSTs are retried like idempotent requests.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

import requests

from . import errors
from .credentials import DEFAULT_REFRESH_MARGIN, CredentialProvider, SwiftCredentials
from .http import HttpClient, raise_for_status, request_id_of
from .swift_results import parse_http_date

logger = logging.getLogger(__name__)

# The catalog service type of Swift.
OBJECT_STORE = "object-store"

# The catalog interface used unless the caller names another, because clients usually
# run outside the cloud.
DEFAULT_INTERFACE = "public"


def select_endpoint(
    endpoints: Iterable[Mapping[str, Any]],
    *,
    region: str | None,
    interface: str = DEFAULT_INTERFACE,
    service: str = "Keystone",
) -> str:
    """Return the URL of the endpoint for ``region`` and ``interface``.

    ``endpoints`` are ``{"region" or "region_id", "interface", "url"}`` mappings (v3
    shape; ``v2_endpoints`` converts v2.0 ones). Regions match exactly first, then
    ignoring case. With no region, the catalog must offer exactly one region for the
    interface. Raise ``ConfigError`` naming the regions on offer otherwise.
    """
    matching = [e for e in endpoints if str(e.get("interface", "")).lower() == interface.lower() and e.get("url")]
    regions = sorted({_region_of(e) for e in matching if _region_of(e)})
    if not matching:
        raise errors.ConfigError(
            f"the {service} catalog has no {interface} object-store endpoint",
            hint="choose another interface (public, internal or admin), or check that the project has object storage",
        )

    if region is None:
        if len({_region_of(e) for e in matching}) == 1:
            return str(matching[0]["url"])
        raise errors.ConfigError(
            f"the {service} catalog offers object storage in several regions: {', '.join(regions)}",
            hint="choose one with region=",
        )

    for exact in (True, False):
        for endpoint in matching:
            name = _region_of(endpoint)
            if name == region or (not exact and name.lower() == region.lower()):
                return str(endpoint["url"])
    raise errors.ConfigError(
        f"the {service} catalog has no object storage in region {region!r}",
        hint=f"choose one of: {', '.join(regions) or '(none)'}",
    )


def _region_of(endpoint: Mapping[str, Any]) -> str:
    return str(endpoint.get("region_id") or endpoint.get("region") or "")


def v2_endpoints(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Convert v2.0 catalog endpoints (``publicURL``, ``internalURL``, ``adminURL``) to the v3 shape."""
    converted = []
    for entry in entries:
        for interface in ("public", "internal", "admin"):
            url = entry.get(f"{interface}URL")
            if url:
                converted.append({"region": entry.get("region"), "interface": interface, "url": url})
    return converted


def object_store_endpoints(catalog: Any) -> list[Mapping[str, Any]]:
    """Return the endpoints of every ``object-store`` service in a v3 or v2.0 catalog."""
    endpoints: list[Mapping[str, Any]] = []
    if not isinstance(catalog, list):
        return endpoints
    for service in catalog:
        if isinstance(service, Mapping) and service.get("type") == OBJECT_STORE:
            for endpoint in service.get("endpoints") or []:
                if isinstance(endpoint, Mapping):
                    endpoints.append(endpoint)
    return endpoints


def parse_expiry(value: Any, response: requests.Response | None = None, sent_at: float | None = None) -> float | None:
    """Return the local Unix time at which a token expiring at ``value`` (ISO 8601) stops working.

    When the response has a ``Date`` header, the token's remaining life is measured on
    the server's clock and added to the local time the request was sent, so a clock
    difference between client and server does not shift the refresh.
    """
    if not isinstance(value, str) or not value:
        return None
    try:
        expires = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=timezone.utc)

    server_now = parse_http_date(response.headers.get("Date")) if response is not None else None
    if server_now is not None and sent_at is not None:
        return sent_at + (expires - server_now).total_seconds()
    return expires.timestamp()


def _versioned_url(auth_url: str, version: str, path: str) -> str:
    base = auth_url.rstrip("/")
    if base.endswith("/" + version):
        return base + path
    return f"{base}/{version}{path}"


def _check_url(auth_url: str, example: str) -> None:
    if not auth_url or not auth_url.startswith(("http://", "https://")):
        raise errors.InvalidInputError(
            f"invalid Keystone auth URL {auth_url!r}: it must start with http:// or https://",
            hint=f"give the identity endpoint, such as {example}",
        )


def _read_json(response: requests.Response, operation: str, target: str) -> dict[str, Any]:
    try:
        document = response.json()
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise errors.InvalidResponseError(
            "the response is not a JSON object",
            operation=operation,
            target=target,
            status=response.status_code,
            service="keystone",
            request_id=request_id_of(response),
            hint="check that the auth URL points at a Keystone identity service",
        )
    return document


class KeystoneV3Provider(CredentialProvider):
    """Swift credentials from Keystone v3 password auth, scoped to one project.

    Name the user by ``username`` (with ``user_domain_id`` or ``user_domain_name``) or by
    ``user_id``, and the project by ``project_id`` or ``project_name`` (with a project
    domain). The password travels in a pickle, because it is what rebuilds the
    credentials on a Dask worker; the token does not.
    """

    kind = "keystone"

    def __init__(
        self,
        auth_url: str,
        *,
        password: str,
        username: str | None = None,
        user_id: str | None = None,
        user_domain_id: str | None = None,
        user_domain_name: str | None = None,
        project_id: str | None = None,
        project_name: str | None = None,
        project_domain_id: str | None = None,
        project_domain_name: str | None = None,
        region: str | None = None,
        interface: str = DEFAULT_INTERFACE,
        http: HttpClient | None = None,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN,
    ) -> None:
        super().__init__(refresh_margin=refresh_margin)
        _check_url(auth_url, "https://HOST/v3")
        if not (username or user_id):
            raise errors.InvalidInputError("Keystone v3 auth needs a username or a user_id", hint="give one of them")
        if not password:
            raise errors.InvalidInputError("Keystone v3 auth needs a password", hint="give the OpenStack user's password")
        if not (project_id or project_name):
            raise errors.InvalidInputError(
                "Keystone v3 auth needs a project_id or a project_name",
                hint="give the project (tenant) the object storage belongs to",
            )
        self.auth_url = auth_url
        self.username = username
        self.user_id = user_id
        self.user_domain_id = user_domain_id if (user_domain_id or user_domain_name) else "default"
        self.user_domain_name = user_domain_name
        self.project_id = project_id
        self.project_name = project_name
        self.project_domain_id = project_domain_id if (project_domain_id or project_domain_name) else "default"
        self.project_domain_name = project_domain_name
        self.region = region
        self.interface = interface
        self._password = password
        self.http = http or HttpClient("keystone")

    def __repr__(self) -> str:
        user = self.username or self.user_id
        return f"KeystoneV3Provider(auth_url={self.auth_url!r}, user={user!r}, region={self.region!r})"

    @property
    def endpoint(self) -> str:
        return self.auth_url

    def _request_body(self) -> dict[str, Any]:
        user: dict[str, Any] = {"password": self._password}
        if self.user_id:
            user["id"] = self.user_id
        else:
            user["name"] = self.username
            user["domain"] = {"id": self.user_domain_id} if self.user_domain_id else {"name": self.user_domain_name}

        project: dict[str, Any]
        if self.project_id:
            project = {"id": self.project_id}
        else:
            domain = {"id": self.project_domain_id} if self.project_domain_id else {"name": self.project_domain_name}
            project = {"name": self.project_name, "domain": domain}

        return {
            "auth": {
                "identity": {"methods": ["password"], "password": {"user": user}},
                "scope": {"project": project},
            }
        }

    def fetch(self) -> SwiftCredentials:
        """Ask Keystone for a project-scoped token and pick the object-store endpoint."""
        target = self.username or self.user_id or ""
        sent_at = time.time()
        response = self.http.request(
            "POST",
            _versioned_url(self.auth_url, "v3", "/auth/tokens"),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            data=json.dumps(self._request_body()).encode("utf-8"),
            idempotent=True,
        )
        raise_for_status(
            response,
            operation="Keystone v3 sign-in of",
            target=target,
            service="keystone",
            hint="check the username, password and project" if response.status_code in (401, 403, 404) else None,
        )

        token = response.headers.get("X-Subject-Token")
        document = _read_json(response, "Keystone v3 sign-in of", target)
        body = document.get("token") if isinstance(document.get("token"), dict) else {}
        if not token:
            raise errors.InvalidResponseError(
                "the response has no X-Subject-Token header",
                operation="Keystone v3 sign-in of",
                target=target,
                status=response.status_code,
                service="keystone",
                request_id=request_id_of(response),
            )

        storage_url = select_endpoint(
            object_store_endpoints(body.get("catalog")), region=self.region, interface=self.interface, service="Keystone v3"
        )
        expires_at = parse_expiry(body.get("expires_at"), response, sent_at)
        logger.info("Keystone v3 sign-in of %s at %s: got a token for %s", target, self.auth_url, storage_url)
        return SwiftCredentials(storage_url=storage_url, token=token, expires_at=expires_at)


class KeystoneV2Provider(CredentialProvider):
    """Swift credentials from Keystone v2.0 password auth (``passwordCredentials`` and a tenant).

    OVH's legacy CDN webstorage still uses this version. The password travels in a
    pickle, as for ``KeystoneV3Provider``.
    """

    kind = "keystone"

    def __init__(
        self,
        auth_url: str,
        *,
        username: str,
        password: str,
        tenant_name: str | None = None,
        tenant_id: str | None = None,
        region: str | None = None,
        interface: str = DEFAULT_INTERFACE,
        http: HttpClient | None = None,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN,
    ) -> None:
        super().__init__(refresh_margin=refresh_margin)
        _check_url(auth_url, "https://HOST/v2.0")
        if not username or not password:
            raise errors.InvalidInputError("Keystone v2.0 auth needs a username and a password", hint="give both")
        if not (tenant_name or tenant_id):
            raise errors.InvalidInputError(
                "Keystone v2.0 auth needs a tenant_name or a tenant_id",
                hint="give the tenant the object storage belongs to",
            )
        self.auth_url = auth_url
        self.username = username
        self.tenant_name = tenant_name
        self.tenant_id = tenant_id
        self.region = region
        self.interface = interface
        self._password = password
        self.http = http or HttpClient("keystone")

    def __repr__(self) -> str:
        return f"KeystoneV2Provider(auth_url={self.auth_url!r}, user={self.username!r}, region={self.region!r})"

    @property
    def endpoint(self) -> str:
        return self.auth_url

    def _request_body(self) -> dict[str, Any]:
        auth: dict[str, Any] = {"passwordCredentials": {"username": self.username, "password": self._password}}
        if self.tenant_id:
            auth["tenantId"] = self.tenant_id
        else:
            auth["tenantName"] = self.tenant_name
        return {"auth": auth}

    def fetch(self) -> SwiftCredentials:
        """Ask Keystone v2.0 for a tenant-scoped token and pick the object-store endpoint."""
        sent_at = time.time()
        response = self.http.request(
            "POST",
            _versioned_url(self.auth_url, "v2.0", "/tokens"),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            data=json.dumps(self._request_body()).encode("utf-8"),
            idempotent=True,
        )
        raise_for_status(
            response,
            operation="Keystone v2.0 sign-in of",
            target=self.username,
            service="keystone",
            hint="check the username, password and tenant" if response.status_code in (401, 403, 404) else None,
        )

        document = _read_json(response, "Keystone v2.0 sign-in of", self.username)
        access = document.get("access") if isinstance(document.get("access"), dict) else {}
        token_info = access.get("token") if isinstance(access.get("token"), dict) else {}
        token = token_info.get("id")
        if not token:
            raise errors.InvalidResponseError(
                "the response has no access.token.id",
                operation="Keystone v2.0 sign-in of",
                target=self.username,
                status=response.status_code,
                service="keystone",
                request_id=request_id_of(response),
            )

        endpoints = v2_endpoints(object_store_endpoints(access.get("serviceCatalog")))
        storage_url = select_endpoint(endpoints, region=self.region, interface=self.interface, service="Keystone v2.0")
        expires_at = parse_expiry(token_info.get("expires"), response, sent_at)
        logger.info("Keystone v2.0 sign-in of %s at %s: got a token for %s", self.username, self.auth_url, storage_url)
        return SwiftCredentials(storage_url=storage_url, token=token, expires_at=expires_at)
