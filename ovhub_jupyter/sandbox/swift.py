"""OpenStack Swift emulation (placeholder until the real service lands).

The interface below is what the other sandbox services call; the replacement keeps it.
"""

from __future__ import annotations

from typing import Any, Iterator

from .app import Service
from .state import Token


class SwiftService(Service):
    name = "swift"

    def issue_token(self, grants: list[tuple[str, str]], ttl: float | None = None) -> Token:
        """Issue a Swift token for ``(cluster, account)`` pairs.

        ``cluster`` is "main" or a lower-case region such as "gra"; ``account`` has no
        ``AUTH_`` prefix. ``ttl`` defaults to the ``swift_token_ttl`` setting.
        """
        raise NotImplementedError

    def ensure_account(self, cluster: str, account: str) -> None:
        """Create the account if it does not exist yet."""
        raise NotImplementedError

    def account_containers(self, cluster: str, account: str) -> list[dict[str, Any]]:
        """Return the account's containers: name, count, bytes, last_modified (ISO 8601, UTC)."""
        raise NotImplementedError

    def account_usage(self, cluster: str, account: str) -> dict[str, int]:
        """Return ``{"containers", "objects", "bytes"}`` for the account."""
        raise NotImplementedError

    def open_object(self, cluster: str, account: str, container: str, name: str) -> tuple[dict[str, str], Iterator[bytes]] | None:
        """Return the object's headers and a byte iterator, or None when it does not exist."""
        raise NotImplementedError

    def storage_url(self, cluster: str, account: str) -> str:
        """Return the account's storage URL."""
        return self.state.swift_storage_url(account, None if cluster == "main" else cluster)
