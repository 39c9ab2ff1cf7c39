"""Storage options of the ``swift://`` and ``hubic://`` file systems: which account, and secrets out of sight.

fsspec builds a file system from keyword arguments (``storage_options``), keeps them on
the instance as ``fs.storage_options``, hashes their ``str()`` into the key of its
instance cache, and sends them along when the instance is pickled for a Dask worker.
This module makes those three uses safe and correct:

- Secret values (Swift tokens and keys, hubiC client secrets and refresh tokens,
  OVHcloud application keys and secrets and consumer keys) are wrapped in ``Secret``, a ``str`` whose
  ``repr()`` and ``str()`` show a fingerprint instead of the value. A pickle still
  carries the value, because a worker needs it to sign in.
- Options that name no credentials use the account registry: the ``account`` named, or
  the registry's default account at the moment the file system is created. A registry
  account can be replaced under the same name (a new sign-in, a restarted sandbox), so
  those file systems are not reused from fsspec's instance cache.
- ``connect`` turns the options into a ``SwiftAccount`` client and names the account.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fsspec.config import apply_config
from fsspec.spec import _Cached

from .core import errors
from .core.accounts import REGISTRY
from .core.credentials import CredentialProvider, StaticCredentials
from .core.swift import SwiftAccount

# Options whose values are secrets: wrapped in ``Secret`` as soon as the file system gets them.
SECRET_OPTIONS = frozenset(
    {
        "token",
        "key",
        "client_secret",
        "refresh_token",
        "application_key",
        "application_secret",
        "consumer_key",
    }
)

# Each way of reaching a Swift account, with the options it requires and those it also accepts.
CREDENTIAL_FAMILIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "provider": (("provider",), ()),
    "token": (("storage_url", "token"), ()),
    "v1": (("auth_url", "user", "key"), ("storage_url",)),
    "hubic": (("client_id", "client_secret", "refresh_token"), ("token_url", "api_url")),
    "ovh": (
        ("application_key", "application_secret", "consumer_key", "project"),
        ("ovh_endpoint", "region"),
    ),
}

# Options that tune the file system rather than choose the account.
TUNING_OPTIONS = frozenset(
    {"segment_size", "concurrency", "block_size", "part_size", "cache_type", "directory_markers"}
)

# Options of fsspec's listing cache (``fsspec.dircache.DirCache``), passed on unchanged.
LISTING_CACHE_OPTIONS = frozenset({"use_listings_cache", "listings_expiry_time", "max_paths"})

# Styles of the directory markers mkdir writes. "slash" is a zero-byte ``dir/`` object,
# which a delimiter listing folds into the folder's subdir entry. "typed" is a zero-byte
# ``dir`` object of content type application/directory, as hubiC writes them. Both
# styles are recognized when reading.
MARKER_STYLES = ("slash", "typed")

# Key of the fingerprints that ``Secret`` shows. It is random for each process and never
# leaves it, so fingerprints distinguish secrets without revealing anything about them.
_FINGERPRINT_KEY = secrets.token_bytes(32)


class Secret(str):
    """A secret option value: a ``str`` for every use, but shown as a fingerprint.

    ``repr()``, ``str()`` and ``format()`` give ``<secret 1a2b3c4d5e6f>``: 48 bits of an
    HMAC-SHA256 of the value under a per-process random key. Nothing of the value shows,
    and two different secrets are very unlikely to look alike, which matters because
    fsspec's instance cache keys on this text. ``reveal`` returns the plain value, and
    pickling keeps it.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        digest = hmac.new(_FINGERPRINT_KEY, self.reveal().encode("utf-8"), hashlib.sha256).hexdigest()
        return f"<secret {digest[:12]}>"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return format(repr(self), format_spec)

    def reveal(self) -> str:
        """Return the secret as a plain ``str``."""
        return str.__str__(self)


def protect_secrets(options: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``options`` with every secret value wrapped in ``Secret``."""
    protected = dict(options)
    for name in SECRET_OPTIONS & protected.keys():
        value = protected[name]
        if isinstance(value, str) and not isinstance(value, Secret):
            protected[name] = Secret(value)
    return protected


def reveal(value: Any) -> Any:
    """Return the plain value of a ``Secret``, and any other value unchanged."""
    return value.reveal() if isinstance(value, Secret) else value


def credential_family(options: Mapping[str, Any]) -> str | None:
    """Return which way of reaching an account the options name, or None for the registry.

    Raise ``InvalidInputError`` when they mix two ways, or miss a required option.
    """
    if options.get("provider") is not None:
        return "provider"
    present = {name for name, value in options.items() if value is not None}
    named = [family for family in CREDENTIAL_FAMILIES if present & _detecting_options(family)]
    if "v1" in named and "token" in named and "token" not in present:
        # storage_url next to auth_url is the v1 override of the storage URL.
        named.remove("token")
    if len(named) > 1:
        raise errors.InvalidInputError(
            f"the storage options mix {' and '.join(named)} credentials",
            hint="give one set: account=NAME, storage_url+token, auth_url+user+key, "
            "hubiC client_id+client_secret+refresh_token, or OVHcloud keys with project",
        )
    if not named:
        return None
    family = named[0]
    missing = [name for name in CREDENTIAL_FAMILIES[family][0] if options.get(name) is None]
    if missing:
        raise errors.InvalidInputError(
            f"missing {', '.join(missing)} in the {family} storage options",
            hint=f"give {', '.join(CREDENTIAL_FAMILIES[family][0])} together",
        )
    return family


def _detecting_options(family: str) -> set[str]:
    required, optional = CREDENTIAL_FAMILIES[family]
    options = set(required) | set(optional)
    if family == "v1":
        # storage_url is also the v1 override of the storage URL. Alone, it names the token family.
        options.discard("storage_url")
    return options


def check_option_names(options: Mapping[str, Any]) -> None:
    """Raise ``InvalidInputError`` for an option that no file system here accepts, usually a typo."""
    known = {"account"} | TUNING_OPTIONS | LISTING_CACHE_OPTIONS
    for required, optional in CREDENTIAL_FAMILIES.values():
        known.update(required + optional)
    unknown = sorted(set(options) - known)
    if unknown:
        raise errors.InvalidInputError(
            f"unknown storage option{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}",
            hint="accepted options: " + ", ".join(sorted(known)),
        )


def check_tuning_options(options: Mapping[str, Any]) -> None:
    """Raise ``InvalidInputError`` for a tuning option of the wrong type or range."""
    for name in ("block_size", "part_size", "segment_size", "concurrency"):
        value = options.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise errors.InvalidInputError(f"invalid {name} {value!r}: it must be a positive integer")
    style = options.get("directory_markers")
    if style is not None and style not in MARKER_STYLES:
        raise errors.InvalidInputError(
            f"invalid directory_markers {style!r}", hint=f"choose one of {', '.join(MARKER_STYLES)}"
        )


class FileSystemMeta(_Cached):
    """fsspec's caching metaclass, with secrets wrapped and registry accounts chosen first.

    ``_Cached.__call__`` hashes the options into its cache key before the instance
    exists, so the wrapping and the choice of the default account happen here.
    """

    def __call__(cls, *args: Any, **options: Any) -> Any:
        options = protect_secrets(apply_config(cls, options))
        check_option_names({name: value for name, value in options.items() if name != "skip_instance_cache"})
        if credential_family(options) is None:
            if options.get("account") is None:
                options["account"] = cls.default_account_name()
            # The registry may hold another account under this name next time.
            options["skip_instance_cache"] = True
        return super().__call__(*args, **options)


@dataclass(frozen=True)
class Connection:
    """The account a file system works on: its label, its credentials and its client."""

    # Registry name, or None when the options gave the credentials themselves.
    account: str | None
    provider: CredentialProvider
    storage: SwiftAccount
    # True when the provider came from the registry, which a Dask worker does not have.
    from_registry: bool


def connect(options: Mapping[str, Any]) -> Connection:
    """Build the account client the options describe (no request is sent)."""
    family = credential_family(options)
    name = options.get("account")
    tuning = {key: options[key] for key in ("concurrency", "segment_size") if options.get(key) is not None}

    if family is None:
        account = REGISTRY.get(name)
        if account.provider is None:
            # storage() raises the error that names the account and the fix.
            account.storage()
        storage = account.storage() if not tuning else SwiftAccount(account.provider, **tuning)
        return Connection(account.name, account.provider, storage, from_registry=True)

    provider = _build_provider(family, options)
    return Connection(name, provider, SwiftAccount(provider, **tuning), from_registry=False)


def _build_provider(family: str, options: Mapping[str, Any]) -> CredentialProvider:
    values = {name: reveal(option) for name, option in options.items()}
    if family == "provider":
        provider = values["provider"]
        if not isinstance(provider, CredentialProvider):
            raise errors.InvalidInputError(
                f"invalid provider {type(provider).__name__}: it must be a CredentialProvider",
                hint="pass one from ovhub_jupyter.core, such as V1AuthProvider or StaticCredentials",
            )
        return provider
    if family == "token":
        return StaticCredentials(values["storage_url"], values["token"])
    if family == "v1":
        from .core.swift_auth import V1AuthProvider

        return V1AuthProvider(values["auth_url"], values["user"], values["key"], storage_url=values.get("storage_url"))
    if family == "hubic":
        from .core import hubic

        settings = {name: values.get(name) for name in ("client_id", "client_secret", "refresh_token", "token_url", "api_url")}
        account = hubic.load_account(hubic.DEFAULT_ACCOUNT_NAME, environ={}, use_config_file=False, **settings)
        assert account.provider is not None
        return account.provider
    from .core.ovh import OvhClient
    from .core.ovh_storage import PublicCloudStorageAccess

    client = OvhClient(
        values.get("ovh_endpoint") or "ovh-eu",
        values["application_key"],
        values["application_secret"],
        values["consumer_key"],
    )
    return PublicCloudStorageAccess(client, values["project"], values.get("region"))
