"""Split a Swift request path into cluster, account, container and object names.

Names are decoded from the raw request line, byte for byte. The path is percent-decoded to
bytes first and only then split on ``/``, as the real proxy does. So ``%2F`` in a container
segment splits it like a plain ``/`` would, and ``a//b``, ``/abs`` and ``dir/`` stay
distinct object names. The decoded bytes must be UTF-8 without NUL (412 otherwise).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

# Prefix Swift's auth systems (tempauth, keystoneauth) give account names in paths.
RESELLER_PREFIX = "AUTH_"

# The cluster of the main storage URL (hubiC, plain v1 auth, legacy webstorage).
MAIN_CLUSTER = "main"

_REGION = re.compile(r"^/storage/([a-z0-9-]+)(/.*)?$")


class PathError(Exception):
    """The path cannot name an account, container or object. Carries the status Swift returns."""

    def __init__(self, status: int, body: str | None = None) -> None:
        super().__init__(body or str(status))
        self.status = status
        self.body = body


@dataclass(frozen=True)
class SwiftPath:
    """The target of a storage request: cluster, account, container and object."""

    cluster: str
    # The account segment as sent, ``AUTH_<account>``; its name without the prefix is ``account``.
    account_segment: str
    account: str
    container: str | None
    obj: str | None
    # The raw path from ``/v1/`` on, the part a temporary URL signature covers.
    signed_path: str

    @property
    def level(self) -> str:
        """``account``, ``container`` or ``object``."""
        if self.obj:
            return "object"
        if self.container:
            return "container"
        return "account"


def split_cluster(path: str) -> tuple[str, str]:
    """Return ``(cluster, rest)``: the region of ``/storage/<region>/...`` paths, else the main cluster."""
    match = _REGION.match(path)
    if match:
        return match.group(1), match.group(2) or "/"
    return MAIN_CLUSTER, path


def decode_path(raw: str) -> str:
    """Percent-decode a raw path to text; raise ``PathError(412)`` unless it is UTF-8 without NUL.

    WSGI carries the request line as latin-1 text, so ``raw.encode("latin-1")`` gives back
    the bytes the client sent, escapes included.
    """
    try:
        data = urllib.parse.unquote_to_bytes(raw.encode("latin-1"))
        text = data.decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise PathError(412, "Invalid UTF8 or contains NULL") from None
    if "\x00" in text:
        raise PathError(412, "Invalid UTF8 or contains NULL")
    return text


def parse_storage_path(rest: str, cluster: str) -> SwiftPath:
    """Parse ``/v1/AUTH_<account>[/<container>[/<object>]]`` (raw) of ``cluster``.

    ``rest`` is the path after any ``/storage/<region>`` prefix. Raise ``PathError`` with
    412 for a name that is not UTF-8, 404 for an object path with an empty container
    segment (Swift's ``split_path`` rejects it).
    """
    text = decode_path(rest)
    segments = text.split("/", 4)
    if segments[0] or len(segments) < 3 or "" in segments[1:3]:
        raise PathError(404)
    if len(segments) == 5 and not segments[3]:
        raise PathError(404)
    account_segment = segments[2]
    account = account_segment[len(RESELLER_PREFIX):] if account_segment.startswith(RESELLER_PREFIX) else account_segment
    container = segments[3] if len(segments) > 3 and segments[3] else None
    obj = segments[4] if len(segments) > 4 and segments[4] else None
    return SwiftPath(cluster, account_segment, account, container, obj, rest)


def quote_name(name: str) -> str:
    """Percent-encode a name for a header or a bulk result, keeping ``/`` as Swift does."""
    return urllib.parse.quote(name.encode("utf-8"), safe="/")


def split_container_object(value: str) -> tuple[str, str] | None:
    """Split a decoded ``container/object`` (an optional leading ``/`` allowed) or return None."""
    value = value[1:] if value.startswith("/") else value
    container, slash, obj = value.partition("/")
    if not container or not slash or not obj:
        return None
    return container, obj
