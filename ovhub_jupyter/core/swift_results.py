"""Results of the Swift client: listing entries, stats, and transfer and delete outcomes.

Every result is a small dataclass with fixed fields, so ``frames.py`` can turn a list
of them into a DataFrame with fixed columns (``dataclasses.asdict`` gives the row).
Times are aware ``datetime`` objects in UTC; sizes are in bytes; metadata keys are
lower-case without their ``X-*-Meta-`` prefix.
"""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from . import errors
from .swift_names import decode_header_value

# Large object kinds, as ObjectInfo.large_object and ObjectStat.large_object name them.
STATIC_LARGE_OBJECT = "slo"
DYNAMIC_LARGE_OBJECT = "dlo"


@dataclass(frozen=True)
class AccountStat:
    """An account's usage and metadata (``HEAD`` on the storage URL)."""

    container_count: int
    object_count: int
    bytes_used: int
    # X-Account-Meta-Quota-Bytes when a quota is set, else None.
    quota_bytes: int | None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ContainerInfo:
    """One entry of an account listing."""

    name: str
    # Objects in the container and their bytes, as the account last heard (may lag).
    count: int
    bytes: int
    last_modified: datetime | None


@dataclass(frozen=True)
class ContainerStat:
    """A container's usage, ACLs and metadata (``HEAD`` on the container)."""

    name: str
    object_count: int
    bytes_used: int
    read_acl: str | None
    write_acl: str | None
    storage_policy: str | None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ObjectInfo:
    """One entry of a container listing: an object, or a folder of a delimiter listing.

    For a folder (``is_folder``), ``name`` is the Swift ``subdir``: the common prefix
    ending with the delimiter; ``bytes`` is 0 and the other fields are None.
    """

    name: str
    bytes: int
    # Hex MD5 of the content for plain objects; of the manifest for static large objects.
    hash: str | None
    last_modified: datetime | None
    content_type: str | None
    is_folder: bool = False
    # "slo" or "dlo" when known to be a large object manifest, else None. Listings mark
    # static large objects; dynamic ones only when the listing was asked to resolve them.
    large_object: str | None = None


@dataclass(frozen=True)
class ObjectStat:
    """An object's size, checksum, type and metadata (``HEAD`` on the object)."""

    container: str
    name: str
    bytes: int
    # The ETag without quotes: the content MD5 for plain objects, not for manifests.
    etag: str | None
    last_modified: datetime | None
    content_type: str | None
    # "slo", "dlo" or None.
    large_object: str | None = None
    # For a dynamic large object: the (container, prefix) its segments are listed from.
    manifest: tuple[str, str] | None = None
    # X-Object-Meta-Mtime: the source file's modification time (Unix seconds), if stored.
    mtime: float | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class TransferResult:
    """The outcome of one upload or download."""

    # "upload" or "download".
    action: str
    container: str
    name: str
    # The local file, or None for bytes and streams.
    path: str | None
    bytes: int = 0
    etag: str | None = None
    # Segments written for a large object upload, 0 for a plain object.
    segments: int = 0
    # The error that stopped this transfer, or None when it succeeded.
    error: errors.OvhubError | None = None

    @property
    def ok(self) -> bool:
        """True when the transfer succeeded."""
        return self.error is None


@dataclass
class DeleteResult:
    """The outcome of deleting many objects."""

    deleted: int = 0
    not_found: int = 0
    # (object name, reason) for every object that could not be deleted.
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every object is gone (deleted now, or not found)."""
        return not self.failures

    def add(self, other: "DeleteResult") -> None:
        """Add the counts and failures of ``other`` to this result."""
        self.deleted += other.deleted
        self.not_found += other.not_found
        self.failures.extend(other.failures)


def parse_listing_time(value: Any) -> datetime | None:
    """Parse a listing's ``last_modified`` (ISO 8601, UTC, usually with no zone)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def parse_http_date(value: str | None) -> datetime | None:
    """Parse an HTTP date header such as ``Last-Modified`` into an aware UTC datetime."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def header_int(headers: Mapping[str, str], name: str, default: int | None = 0) -> int | None:
    """Return an integer header, or ``default`` when it is missing or not a number."""
    value = headers.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        return default


def metadata_from_headers(headers: Mapping[str, str], kind: str) -> dict[str, str]:
    """Return the ``X-<kind>-Meta-*`` headers as ``{lower-case key: text}``."""
    prefix = f"x-{kind}-meta-"
    metadata = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered.startswith(prefix) and len(lowered) > len(prefix):
            metadata[lowered[len(prefix):]] = decode_header_value(value)
    return metadata


def strip_etag(value: str | None) -> str | None:
    """Return an ETag without the quotes Swift puts around manifest ETags."""
    if value is None:
        return None
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"') or None


def container_info_from_listing(entry: Mapping[str, Any]) -> ContainerInfo:
    """Build a ``ContainerInfo`` from one JSON account listing entry."""
    return ContainerInfo(
        name=str(entry["name"]),
        count=int(entry.get("count") or 0),
        bytes=int(entry.get("bytes") or 0),
        last_modified=parse_listing_time(entry.get("last_modified")),
    )


def object_info_from_listing(entry: Mapping[str, Any]) -> ObjectInfo:
    """Build an ``ObjectInfo`` from one JSON container listing entry (object or subdir)."""
    if "subdir" in entry and "name" not in entry:
        return ObjectInfo(
            name=str(entry["subdir"]),
            bytes=0,
            hash=None,
            last_modified=None,
            content_type=None,
            is_folder=True,
        )
    # Swift 2.x adds slo_etag to the entries of static large object manifests.
    large_object = STATIC_LARGE_OBJECT if "slo_etag" in entry else None
    return ObjectInfo(
        name=str(entry["name"]),
        bytes=int(entry.get("bytes") or 0),
        hash=entry.get("hash"),
        last_modified=parse_listing_time(entry.get("last_modified")),
        content_type=entry.get("content_type"),
        large_object=large_object,
    )
