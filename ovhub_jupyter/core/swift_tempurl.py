"""Temp URLs: links that allow one method on one object, without a token, until they expire.

The signature is an HMAC, with the account's temp URL key, of
``METHOD\nEXPIRES\n/v1/AUTH_x/container/object`` (the decoded path), which is what
Swift's tempurl middleware computes for the request it receives. The key is read from
the account's metadata and, when the account has none, set to a random one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from . import errors
from .swift_names import object_path
from .swift_results import metadata_from_headers

if TYPE_CHECKING:
    from .swift import SwiftAccount

logger = logging.getLogger(__name__)

# Digests Swift accepts for temp URLs, in order of preference.
TEMP_URL_DIGESTS = ("sha256", "sha512", "sha1")

# Methods a temp URL can be signed for.
TEMP_URL_METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")


def temp_url_key(account: "SwiftAccount", *, create: bool = True) -> str | None:
    """Return the account's temp URL key, setting a random one first when it has none.

    The key is read from ``X-Account-Meta-Temp-URL-Key`` (or ``-Key-2``). When neither
    is set and ``create`` is True, a random 256-bit key is stored in
    ``X-Account-Meta-Temp-URL-Key``. This changes the account, and anyone with that key
    can sign URLs for any of its objects. The key is cached on ``account``.
    """
    if account._temp_url_key:
        return account._temp_url_key
    key = _read_temp_url_key(account)
    if key is None and create:
        new_key = secrets.token_hex(32)
        account.request(
            "POST",
            headers={"X-Account-Meta-Temp-URL-Key": new_key},
            idempotent=True,
            operation="set temp URL key of",
            target="account",
        )
        logger.info("set a new temp URL key on account %s", account.provider.endpoint)
        # Read it back, because another client may have set its own key at the same moment.
        key = _read_temp_url_key(account)
    account._temp_url_key = key
    return key


def _read_temp_url_key(account: "SwiftAccount") -> str | None:
    response = account.request("HEAD", operation="read account", target="account")
    metadata = metadata_from_headers(response.headers, "account")
    return metadata.get("temp-url-key") or metadata.get("temp-url-key-2") or None


def temp_url(
    account: "SwiftAccount",
    container: str,
    name: str,
    *,
    method: str = "GET",
    expires_in: float = 3600,
    digest: str | None = None,
    filename: str | None = None,
    inline: bool = False,
    key: str | None = None,
) -> str:
    """Return a URL that allows ``method`` on one object, without a token, for ``expires_in`` seconds.

    The key is ``key`` or the account's (see ``temp_url_key``, which may set one).
    ``digest`` defaults to sha256, or the best digest ``/info`` allows. The signed path
    starts at ``/v1/`` even when the storage URL has a prefix before it. ``filename``
    names the download, and ``inline`` lets browsers show it in place.
    NOTE: the expiry is computed from the local clock.
    """
    account._container_name(container)
    account._object_name(name)
    method = method.upper()
    if method not in TEMP_URL_METHODS:
        raise errors.InvalidInputError(
            f"invalid temp URL method {method!r}", hint=f"choose one of {', '.join(TEMP_URL_METHODS)}"
        )
    if expires_in <= 0:
        raise errors.InvalidInputError(f"invalid expiry {expires_in!r}: it must be a positive number of seconds")
    digest = _choose_digest(account, digest)

    storage_url = account.provider.get().storage_url.rstrip("/")
    expires = int(time.time() + expires_in)
    signed_path = unquote(_account_path(storage_url), errors="strict") + "/" + container + "/" + name
    signature = sign_temp_url(key or temp_url_key(account, create=True) or "", method, expires, signed_path, digest)

    query = f"temp_url_sig={quote(signature, safe='')}&temp_url_expires={expires}"
    if filename is not None:
        query += "&filename=" + quote(filename.encode("utf-8"), safe="")
    if inline:
        query += "&inline"
    return storage_url + object_path(container, name) + "?" + query


def _choose_digest(account: "SwiftAccount", digest: str | None) -> str:
    allowed = account.limits().tempurl_digests
    if digest is not None:
        digest = digest.lower()
        if digest not in TEMP_URL_DIGESTS or (allowed is not None and digest not in allowed):
            choices = [d for d in TEMP_URL_DIGESTS if allowed is None or d in allowed]
            raise errors.InvalidInputError(
                f"invalid temp URL digest {digest!r}", hint=f"this cluster allows {', '.join(choices) or 'none'}"
            )
        return digest
    for candidate in TEMP_URL_DIGESTS:
        if allowed is None or candidate in allowed:
            return candidate
    raise errors.ConfigError(
        "the cluster allows none of the temp URL digests this client can sign with",
        hint=f"the cluster allows {', '.join(allowed or ())}",
    )


def sign_temp_url(key: str, method: str, expires: int, path: str, digest: str = "sha256") -> str:
    """Return the ``temp_url_sig`` value for ``method`` on ``path`` (``/v1/...``) until ``expires``.

    sha1 and sha256 signatures are hex. sha512 ones are ``sha512:`` and URL-safe base64,
    as Swift's tempurl middleware expects.
    """
    body = f"{method}\n{expires}\n{path}".encode("utf-8")
    mac = hmac.new(key.encode("utf-8"), body, getattr(hashlib, digest))
    if digest == "sha512":
        # Padding dropped, as python-swiftclient does; Swift accepts the value either way.
        return "sha512:" + base64.urlsafe_b64encode(mac.digest()).decode("ascii").rstrip("=")
    return mac.hexdigest()


def _account_path(storage_url: str) -> str:
    """Return the encoded ``/v1/AUTH_x`` part of a storage URL, whatever comes before it."""
    path = urlsplit(storage_url).path.rstrip("/")
    index = path.find("/v1/")
    if index < 0:
        raise errors.ConfigError(
            f"the storage URL {storage_url!r} has no /v1/ in its path, so temp URLs cannot be signed",
            hint="check the account's storage URL",
        )
    return path[index:]
