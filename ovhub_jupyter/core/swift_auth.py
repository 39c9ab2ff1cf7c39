"""Swift v1 authentication: a user and key exchanged for a storage URL and a token.

This is the auth of plain Swift clusters (tempauth, swauth) and of the sandbox's plain
account. The response to ``GET <auth_url>`` with ``X-Auth-User`` and ``X-Auth-Key``
has ``X-Storage-Url`` and ``X-Auth-Token`` headers and, on recent servers,
``X-Auth-Token-Expires`` (seconds the token has left). Keystone lives in ``keystone.py``.
"""

from __future__ import annotations

import logging
import time

from . import errors
from .credentials import DEFAULT_REFRESH_MARGIN, CredentialProvider, SwiftCredentials
from .http import HttpClient, raise_for_status, request_id_of

logger = logging.getLogger(__name__)


class V1AuthProvider(CredentialProvider):
    """Credentials from Swift v1 auth (``X-Auth-User`` / ``X-Auth-Key``).

    ``storage_url`` replaces the storage URL the auth service returns, for clusters that
    return an internal address. The key travels in a pickle, because it is what rebuilds
    the credentials on a Dask worker; the token does not.
    """

    kind = "swift"

    def __init__(
        self,
        auth_url: str,
        user: str,
        key: str,
        *,
        storage_url: str | None = None,
        http: HttpClient | None = None,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN,
    ) -> None:
        super().__init__(refresh_margin=refresh_margin)
        if not auth_url or not auth_url.startswith(("http://", "https://")):
            raise errors.InvalidInputError(
                f"invalid auth URL {auth_url!r}: it must start with http:// or https://",
                hint="give the v1 auth URL, such as http://HOST:8080/auth/v1.0",
            )
        if not user or not key:
            raise errors.InvalidInputError("v1 auth needs a user and a key", hint="give both the user and the key")
        self.auth_url = auth_url
        self.user = user
        self._key = key
        self.storage_url_override = storage_url
        self.http = http or HttpClient("swift")

    def __repr__(self) -> str:
        return f"V1AuthProvider(auth_url={self.auth_url!r}, user={self.user!r})"

    @property
    def endpoint(self) -> str:
        return self.auth_url

    def fetch(self) -> SwiftCredentials:
        """Send the user and key to the auth URL and return the storage URL and token."""
        started = time.time()
        response = self.http.request(
            "GET",
            self.auth_url,
            headers={"X-Auth-User": self.user, "X-Auth-Key": self._key},
        )
        raise_for_status(
            response,
            operation="v1 auth for",
            target=self.user,
            service="swift",
            hint="check the user and key" if response.status_code in (401, 403) else None,
        )

        storage_url = self.storage_url_override or response.headers.get("X-Storage-Url")
        token = response.headers.get("X-Auth-Token") or response.headers.get("X-Storage-Token")
        if not storage_url or not token:
            raise errors.InvalidResponseError(
                "the response has no X-Storage-Url or X-Auth-Token header",
                operation="v1 auth for",
                target=self.user,
                status=response.status_code,
                service="swift",
                request_id=request_id_of(response),
                hint="check that the auth URL points at a Swift v1 auth service",
            )

        expires_at = _expiry_from_seconds(response.headers.get("X-Auth-Token-Expires"), started)
        logger.info("v1 auth for %s at %s: got a token for %s", self.user, self.auth_url, storage_url)
        return SwiftCredentials(storage_url=storage_url, token=token, expires_at=expires_at)


def _expiry_from_seconds(value: str | None, started: float) -> float | None:
    # Counted from when the request was sent, so a slow response errs on the early side.
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return started + seconds
