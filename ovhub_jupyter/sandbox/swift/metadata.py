"""Metadata headers: which ones Swift keeps, their limits, and how a request changes them.

The limits and the 400 messages follow Swift 2.38 (``constraints.check_metadata`` and the
database brokers' ``validate_metadata``). The limits come from the sandbox settings, so a
test can lower them.
"""

from __future__ import annotations

from typing import Any, Mapping

# Object headers the object server keeps besides user metadata (its default allowed_headers).
OBJECT_KEPT_HEADERS = (
    "Content-Disposition",
    "Content-Encoding",
    "X-Delete-At",
    "X-Object-Manifest",
    "X-Static-Large-Object",
    "Cache-Control",
    "Content-Language",
    "Expires",
    "X-Robots-Tag",
)

# Container headers kept besides user metadata; the ACLs are among them.
CONTAINER_KEPT_HEADERS = ("X-Container-Read", "X-Container-Write", "X-Versions-Location", "X-History-Location")

# Headers only the account's owner may read or set (the proxy's swift_owner_headers).
OWNER_HEADERS = frozenset(
    name.lower()
    for name in (
        "X-Container-Read",
        "X-Container-Write",
        "X-Container-Sync-Key",
        "X-Container-Sync-To",
        "X-Account-Meta-Temp-Url-Key",
        "X-Account-Meta-Temp-Url-Key-2",
        "X-Container-Meta-Temp-Url-Key",
        "X-Container-Meta-Temp-Url-Key-2",
        "X-Account-Access-Control",
    )
)


class MetadataError(Exception):
    """The request's metadata breaks a limit; the message is Swift's 400 body."""


def canonical(name: str) -> str:
    """Return a header name the way Swift stores it: ``x-object-meta-mtime`` → ``X-Object-Meta-Mtime``."""
    return name.title()


def check_metadata(headers: Mapping[str, str] | Any, level: str, settings: Mapping[str, Any]) -> None:
    """Check the ``X-<level>-Meta-*`` headers of one request; raise ``MetadataError`` as Swift's proxy would."""
    prefix = f"x-{level}-meta-"
    max_name = settings["max_meta_name_length"]
    max_value = settings["max_meta_value_length"]
    max_count = settings["max_meta_count"]
    max_size = settings["max_meta_overall_size"]
    count = 0
    size = 0
    for key, value in headers.items():
        if len(value) > 8192:
            raise MetadataError(f"Header value too long: {key[:max_name]}")
        if not key.lower().startswith(prefix):
            continue
        name = key[len(prefix):]
        if not name:
            raise MetadataError("Metadata name cannot be empty")
        if level in ("account", "container") and not (_is_utf8(name) and (not value or _is_utf8(value))):
            raise MetadataError("Metadata must be valid UTF-8")
        # Lengths count UTF-8 bytes, because the proxy checks the WSGI (latin-1) form of the header.
        name_length = len(_header_bytes(name))
        value_length = len(_header_bytes(value))
        count += 1
        size += name_length + value_length
        if name_length > max_name:
            raise MetadataError(f"Metadata name too long: {prefix}{name}")
        if value_length > max_value:
            raise MetadataError(f"Metadata value longer than {max_value}: {prefix}{name}")
        if count > max_count:
            raise MetadataError(f"Too many metadata items; max {max_count}")
        if size > max_size:
            raise MetadataError(f"Total metadata too large; max {max_size}")


def check_stored_metadata(meta: Mapping[str, str], level: str, settings: Mapping[str, Any]) -> None:
    """Check an account's or container's metadata after a change, as its database server does."""
    prefix = f"x-{level}-meta-"
    count = 0
    size = 0
    for key, value in meta.items():
        if value and key.lower().startswith(prefix):
            count += 1
            size += len(_header_bytes(key[len(prefix):])) + len(_header_bytes(value))
    if count > settings["max_meta_count"]:
        raise MetadataError(f"Too many metadata items; max {settings['max_meta_count']}")
    if size > settings["max_meta_overall_size"]:
        raise MetadataError(f"Total metadata too large; max {settings['max_meta_overall_size']}")


def metadata_updates(headers: Mapping[str, str] | Any, level: str, kept: tuple[str, ...] = ()) -> dict[str, str | None]:
    """Return the account or container metadata a PUT or POST sets (``None`` removes).

    ``X-<Level>-Meta-Name: value`` sets, and an empty value or ``X-Remove-<Level>-Meta-Name``
    removes. ``kept`` names other headers stored the same way (the container ACLs).
    """
    prefix = f"x-{level}-meta-"
    remove_prefix = f"x-remove-{level}-meta-"
    kept_lower = {name.lower(): name for name in kept}
    updates: dict[str, str | None] = {}
    for key, value in headers.items():
        lower = key.lower()
        if lower.startswith(prefix):
            updates[canonical(lower)] = value.strip() or None
        elif lower in kept_lower:
            updates[kept_lower[lower]] = value.strip() or None
    for key, _value in headers.items():
        lower = key.lower()
        if lower.startswith(remove_prefix):
            updates[canonical(prefix + lower[len(remove_prefix):])] = None
        elif lower.startswith("x-remove-") and ("x-" + lower[len("x-remove-"):]) in kept_lower:
            updates[kept_lower["x-" + lower[len("x-remove-"):]]] = None
    return updates


def object_headers(headers: Mapping[str, str] | Any) -> dict[str, str]:
    """Return the headers an object PUT or POST stores: user metadata and the kept headers."""
    kept = {name.lower(): name for name in OBJECT_KEPT_HEADERS}
    stored: dict[str, str] = {}
    for key, value in headers.items():
        lower = key.lower()
        if lower.startswith("x-object-meta-"):
            if value.strip():
                stored[canonical(lower)] = value.strip()
        elif lower in kept and lower != "x-static-large-object":
            stored[kept[lower]] = value
    return stored


def _is_utf8(text: str) -> bool:
    try:
        _header_bytes(text).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _header_bytes(text: str) -> bytes:
    # Werkzeug decodes header bytes as latin-1, so the bytes come back unchanged.
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")
