"""Named accounts: which provider reaches which storage or API, and which one is the default.

The magics, the fsspec file system and scripts name an account (``hubic``, ``swift``,
``ovh``, ``ovh:PROJECT:REGION``) instead of passing credentials around. The registry maps
those names to ``Account`` objects. Names with a registered prefix (such as ``ovh:``) are
built on first use by a resolver, so ``ovh:PROJECT:REGION`` needs no set-up of its own.

``REGISTRY`` is the one registry a process uses; the Jupyter layer and ``fs.py`` share it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import errors
from .credentials import CredentialProvider


@dataclass(repr=False)
class Account:
    """One configured account: a name, its kind, and how to reach it."""

    name: str
    # "hubic", "ovh", "swift", "keystone", "ovh-storage", "webstorage", "token".
    kind: str
    # Address of the service, safe to show: an API base URL or a storage URL.
    endpoint: str
    # Swift credentials, for accounts that give access to object storage.
    provider: CredentialProvider | None = None
    # The API client (OvhClient, HubicClient) for accounts that have one.
    client: Any = None
    # Where the account was configured: "sandbox", "ovh.conf", "environment", "ovhub.conf", "session".
    source: str = "session"
    extra: dict[str, Any] = field(default_factory=dict)
    _storage: Any = field(default=None, init=False, compare=False)

    def __repr__(self) -> str:
        return f"Account(name={self.name!r}, kind={self.kind!r}, endpoint={self.endpoint!r})"

    @property
    def has_storage(self) -> bool:
        """True when the account gives access to Swift object storage."""
        return self.provider is not None

    @property
    def signed_in(self) -> bool:
        """True when the account can make calls without a new sign-in (no request is sent).

        That is: Swift credentials are cached, the API client has valid keys or an
        access token, or it has a refresh token to get one.
        """
        if self.provider is not None and self.provider.signed_in:
            return True
        if self.client is None:
            return False
        return bool(getattr(self.client, "signed_in", False) or getattr(self.client, "refresh_token", None))

    def storage(self) -> Any:
        """Return this account's ``SwiftAccount``, created on first use and then reused.

        Reusing it keeps its connection pool and cached ``/info``. Callers may change its
        ``concurrency`` and ``segment_size`` before a transfer.
        """
        if self.provider is None:
            raise errors.InvalidInputError(
                f"account {self.name!r} ({self.kind}) has no object storage",
                hint="use a hubiC, Swift or OVHcloud storage account, such as ovh:PROJECT:REGION",
            )
        with _storage_lock:
            if self._storage is None:
                from .swift import SwiftAccount

                self._storage = SwiftAccount(self.provider)
            return self._storage


_storage_lock = threading.Lock()

# A resolver builds the account for a name with its prefix, or raises AccountNotFoundError.
Resolver = Callable[["AccountRegistry", str], Account]


class AccountRegistry:
    """Named accounts of one process, with a default Swift account."""

    def __init__(self) -> None:
        self._accounts: dict[str, Account] = {}
        self._resolvers: dict[str, Resolver] = {}
        self._default: str | None = None
        self._lock = threading.RLock()

    def register(self, account: Account, *, make_default: bool = False) -> Account:
        """Add or replace an account, and make it the default Swift account if asked."""
        with self._lock:
            self._accounts[account.name] = account
            if make_default:
                self.set_default(account.name)
        return account

    def add_resolver(self, prefix: str, resolver: Resolver) -> None:
        """Build accounts named ``PREFIX...`` on first use with ``resolver``."""
        with self._lock:
            self._resolvers[prefix] = resolver

    def remove(self, name: str) -> None:
        """Forget an account; the default is cleared when it was that one."""
        with self._lock:
            self._accounts.pop(name, None)
            if self._default == name:
                self._default = None

    def clear(self) -> None:
        """Forget every account and resolver."""
        with self._lock:
            self._accounts.clear()
            self._resolvers.clear()
            self._default = None

    def names(self) -> list[str]:
        """Return the names of the registered accounts, in registration order."""
        with self._lock:
            return list(self._accounts)

    def accounts(self) -> list[Account]:
        """Return the registered accounts, in registration order."""
        with self._lock:
            return list(self._accounts.values())

    def get(self, name: str | None = None) -> Account:
        """Return the account called ``name``, or the default account when ``name`` is None."""
        with self._lock:
            if name is None:
                return self.default_account()
            account = self._accounts.get(name)
            if account is not None:
                return account
            for prefix, resolver in self._resolvers.items():
                if name.startswith(prefix):
                    account = resolver(self, name)
                    self._accounts[name] = account
                    return account
        raise errors.AccountNotFoundError(
            f"no account named {name!r}",
            hint=self._known_hint(),
        )

    @property
    def default(self) -> str | None:
        """Name of the default Swift account, or None."""
        return self._default

    def set_default(self, name: str) -> None:
        """Make ``name`` the account used when a command names none."""
        with self._lock:
            account = self.get(name)
            if not account.has_storage:
                raise errors.InvalidInputError(
                    f"account {name!r} ({account.kind}) has no object storage",
                    hint="choose a hubiC, Swift or OVHcloud storage account, such as ovh:PROJECT:REGION",
                )
            self._default = name

    def default_account(self) -> Account:
        """Return the default Swift account, or raise with how to choose one."""
        with self._lock:
            if self._default is None:
                raise errors.AccountNotFoundError(
                    "no default account is set",
                    hint="run %ovhub sandbox to use the local sandbox, or %ovhub use NAME",
                )
            return self._accounts[self._default]

    def _known_hint(self) -> str:
        names = self.names()
        if names:
            return "known accounts: " + ", ".join(names) + " (see %ovhub accounts)"
        return "no account is configured yet; run %ovhub sandbox, or sign in with %hubic_login or %ovh_login"


REGISTRY = AccountRegistry()
