"""Swift credentials that expire, and the providers that get them again.

Every way of reaching a Swift account (hubiC, the OVHcloud API, Keystone, v1 auth, or a
storage URL and token given by hand) ends in the same thing: a storage URL and a token
that stop working at some point. A ``CredentialProvider`` hides how they are obtained:

- ``get()`` returns cached credentials, fetching new ones when there are none or when they
  expire within ``refresh_margin`` seconds;
- ``invalidate(token)`` is called when the service returned 401 for that token, so the
  next ``get()`` fetches again. Many threads of one transfer may see the same 401; only
  the first of them causes a fetch.

Providers are thread-safe and can be pickled without their cached token, so a Dask worker
rebuilds its own credentials.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from .errors import secret_prefix

logger = logging.getLogger(__name__)

# Seconds before expiry at which credentials are fetched again, so that a request sent
# just before expiry does not arrive just after it.
DEFAULT_REFRESH_MARGIN = 300.0


@dataclass(frozen=True, repr=False)
class SwiftCredentials:
    """A storage URL and the token that opens it, with the time it expires."""

    storage_url: str
    token: str
    # Unix time after which the token stops working, or None when unknown.
    expires_at: float | None = None

    def __repr__(self) -> str:
        return (
            f"SwiftCredentials(storage_url={self.storage_url!r}, token={secret_prefix(self.token)!r}, "
            f"expires_at={self.expires_at!r})"
        )

    def expires_within(self, seconds: float, now: float | None = None) -> bool:
        """Return True when the token expires less than ``seconds`` from now."""
        if self.expires_at is None:
            return False
        return self.expires_at - (time.time() if now is None else now) < seconds


class CredentialProvider(ABC):
    """Get Swift credentials for one account and get them again when they expire."""

    # Short name of the account kind, shown in the accounts table ("hubic", "swift", ...).
    kind: str = "swift"

    def __init__(self, *, refresh_margin: float = DEFAULT_REFRESH_MARGIN) -> None:
        self.refresh_margin = refresh_margin
        self._lock = threading.Lock()
        self._current: SwiftCredentials | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_lock"] = None
        state["_current"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint={self.endpoint!r})"

    @property
    @abstractmethod
    def endpoint(self) -> str:
        """The URL the credentials come from, safe to show (no secret in it)."""

    @abstractmethod
    def fetch(self) -> SwiftCredentials:
        """Get new credentials from the service (sends requests)."""

    @property
    def signed_in(self) -> bool:
        """True when credentials are cached and not expired."""
        current = self._current
        return current is not None and not current.expires_within(0)

    def get(self) -> SwiftCredentials:
        """Return credentials valid for at least ``refresh_margin`` seconds when possible."""
        with self._lock:
            current = self._current
            if current is not None and not current.expires_within(self.refresh_margin):
                return current
            if current is not None:
                logger.info("%s credentials for %s expire soon; fetching new ones", self.kind, self.endpoint)
            self._current = self.fetch()
            return self._current

    def invalidate(self, token: str | None = None) -> None:
        """Forget the cached credentials after the service rejected ``token``.

        When ``token`` is given and the cache already contains a different one, another
        thread has fetched new credentials since, and nothing is forgotten.
        """
        with self._lock:
            if self._current is None:
                return
            if token is not None and self._current.token != token:
                return
            logger.info("%s token for %s was rejected; it will be fetched again", self.kind, self.endpoint)
            self._current = None


class StaticCredentials(CredentialProvider):
    """A storage URL and token given by hand; they cannot be renewed."""

    kind = "token"

    def __init__(self, storage_url: str, token: str, expires_at: float | None = None) -> None:
        super().__init__(refresh_margin=0)
        self._credentials = SwiftCredentials(storage_url, token, expires_at)

    @property
    def endpoint(self) -> str:
        return self._credentials.storage_url

    def fetch(self) -> SwiftCredentials:
        return self._credentials

    def __getstate__(self) -> dict[str, Any]:
        # The token is the only way to rebuild this provider, so it travels with it.
        state = super().__getstate__()
        state["_credentials"] = self._credentials
        return state
