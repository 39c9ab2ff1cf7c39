"""Temporary URLs: HMAC-signed object URLs that need no token (Swift's tempurl middleware).

The signature is ``HMAC(key, "<METHOD>\\n<expires>\\n<path>")`` where ``path`` is the
decoded object path from ``/v1/`` on (so a ``/storage/<region>`` prefix of the sandbox's
URLs is not part of it, as a real regional host name is not), or
``prefix:/v1/AUTH_a/c/<prefix>`` with ``temp_url_prefix``. Keys come from
``X-Account-Meta-Temp-URL-Key`` (and ``-2``), which open the whole account, and from the
container's own keys, which open only that container. Signatures are hex for sha1, sha256
and sha512, or ``<digest>:<base64>``; every failure is the same 401.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import hmac
import ipaddress
import posixpath
import time
import urllib.parse
from dataclasses import dataclass

from werkzeug.wrappers import Request, Response

from .info import TEMPURL_DIGESTS, TEMPURL_METHODS
from .paths import PathError, parse_storage_path
from .responses import SwiftError, http_date

# Headers a temp URL may not set on a write (they would point at other data).
DISALLOWED_HEADERS = ("X-Object-Manifest", "X-Symlink-Target", "X-Copy-From")

# Hex signature lengths and the digest each one means.
_HEX_LENGTHS = {40: "sha1", 64: "sha256", 128: "sha512"}

# The body of a 401 for a bad temp URL (empty for HEAD).
INVALID_BODY = "401 Unauthorized: Temp URL invalid\n"


@dataclass
class TempUrlGrant:
    """The scope a valid signature opens, and the settings of the response headers."""

    account: str
    # None for an account-wide key; the container name for a container key.
    container: str | None
    expires: int
    filename: str | None
    inline: bool


def _invalid(request: Request) -> SwiftError:
    body = b"" if request.method == "HEAD" else INVALID_BODY
    return SwiftError(401, body, headers=[("Www-Authenticate", 'Swift realm="unknown"')])


def parse_expires(value: str | None, now: float) -> int:
    """Return the expiry as Unix time, or 0 when missing, malformed or past."""
    if value is None:
        return 0
    try:
        expires = int(value)
    except ValueError:
        try:
            expires = calendar.timegm(time.strptime(value, "%Y-%m-%dT%H:%M:%SZ"))
        except ValueError:
            return 0
    return 0 if expires < now else expires


def split_signature(value: str) -> tuple[str, str]:
    """Return ``(digest name, hex signature)``; raise ValueError when it is neither hex nor ``name:base64``."""
    if ":" in value:
        name, encoded = value.split(":", 1)
        if ("-" in encoded or "_" in encoded) and not ("+" in encoded or "/" in encoded):
            encoded = encoded.replace("-", "+").replace("_", "/")
        stripped = encoded.rstrip("=")
        raw = base64.b64decode(stripped + "=" * (-len(stripped) % 4), validate=True)
        return name, binascii.hexlify(raw).decode("ascii")
    binascii.unhexlify(value)
    name = _HEX_LENGTHS.get(len(value))
    if name is None:
        raise ValueError("bad digest length")
    return name, value


def signature(key: str, method: str, expires: int, path: str, digest: str, ip_range: str | None = None) -> str:
    """Return the hex HMAC a temp URL carries."""
    parts = [method, str(expires), path]
    if ip_range:
        parts.insert(0, f"ip={ip_range}")
    message = "\n".join(parts).encode("utf-8")
    return hmac.new(key.encode("utf-8"), message, getattr(hashlib, digest)).hexdigest()


def check(service, request: Request, rest: str, cluster: str, now: float) -> TempUrlGrant:  # noqa: ANN001
    """Validate a temp URL request; return what it opens or raise the 401 (400 for a bad header)."""
    query = urllib.parse.parse_qs(request.query_string.decode("latin-1"), keep_blank_values=True)

    def first(name: str) -> str | None:
        values = query.get(name)
        return values[0] if values else None

    signature_value, expires_value = first("temp_url_sig"), first("temp_url_expires")
    prefix, ip_range = first("temp_url_prefix"), first("temp_url_ip_range")
    expires = parse_expires(expires_value, now)
    if not signature_value or not expires:
        raise _invalid(request)
    try:
        digest, given = split_signature(signature_value)
    except (ValueError, binascii.Error):
        raise _invalid(request) from None
    if digest not in TEMPURL_DIGESTS or request.method not in TEMPURL_METHODS:
        raise _invalid(request)

    try:
        path = parse_storage_path(rest, cluster)
    except PathError:
        raise _invalid(request) from None
    container_root = request.method in ("GET", "HEAD") and prefix == ""
    if not path.container or (not container_root and not (path.obj or "").strip("/")):
        raise _invalid(request)
    if ip_range and not _address_in(request.remote_addr, ip_range):
        raise _invalid(request)

    keys = service.temp_url_keys(cluster, path.account, path.container)
    if not keys:
        raise _invalid(request)
    if prefix is None:
        signed = f"/v1/{path.account_segment}/{path.container}/{path.obj or ''}"
    else:
        if not (path.obj or "").startswith(prefix):
            raise _invalid(request)
        signed = f"prefix:/v1/{path.account_segment}/{path.container}/{prefix}"
    methods = ("HEAD", "GET", "POST", "PUT") if request.method == "HEAD" else (request.method,)

    scope = None
    for key, key_scope in keys:
        for method in methods:
            if hmac.compare_digest(given, signature(key, method, expires, signed, digest, ip_range)):
                scope = key_scope
                break
        if scope is not None:
            break
    if scope is None:
        raise _invalid(request)

    if request.method not in ("GET", "HEAD"):
        for header in DISALLOWED_HEADERS:
            if header in request.headers:
                raise SwiftError(400, f"The header {header!r} is not allowed in this tempurl")
    return TempUrlGrant(
        account=path.account,
        container=path.container if scope == "container" else None,
        expires=expires,
        filename=first("filename"),
        inline="inline" in query,
    )


def _address_in(address: str | None, network: str) -> bool:
    if not address:
        return False
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(network)
    except ValueError:
        return False


def dress(response: Response, request: Request, grant: TempUrlGrant, object_name: str) -> Response:
    """Adjust the response as tempurl does: hide user metadata, set Content-Disposition and Expires."""
    for name in list(response.headers.keys()):
        lower = name.lower()
        if lower.startswith("x-object-meta-") and not lower.startswith("x-object-meta-public-"):
            del response.headers[name]
    if request.method not in ("GET", "HEAD") or not 200 <= response.status_code < 300:
        return response

    existing = response.headers.get("Content-Disposition")
    if "Content-Disposition" in response.headers:
        del response.headers["Content-Disposition"]
    if grant.inline:
        disposition = _disposition("inline", grant.filename) if grant.filename else "inline"
    elif grant.filename:
        disposition = _disposition("attachment", grant.filename)
    elif existing:
        disposition = existing
    else:
        disposition = _disposition("attachment", posixpath.basename(object_name.rstrip("/")))
    response.headers["Content-Disposition"] = disposition.replace("\n", "%0A")
    response.headers["Expires"] = http_date(grant.expires)
    return response


def _disposition(kind: str, filename: str) -> str:
    quoted = urllib.parse.quote(filename, safe=" /")
    encoded = urllib.parse.quote(filename)
    return f"{kind}; filename=\"{quoted}\"; filename*=UTF-8''{encoded}"
