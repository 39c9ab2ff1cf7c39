"""Swift names and metadata: validation against the cluster's limits, and URL encoding.

A container or object name goes on the wire as its UTF-8 bytes, percent-encoded, with
``/`` kept literal. Nothing is normalized: ``a//b``, ``/abs`` and ``dir/`` are distinct
names, and a name read back from a listing is the same ``str`` that was written. Names
and metadata that Swift would reject are rejected here, before any request, with the
value and the limit in the message.

``SwiftLimits`` contains the limits, from ``GET /info`` when the cluster publishes it and
from Swift's own defaults otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from . import errors

# Characters of an invalid value shown in an error message.
SHOWN_VALUE_LENGTH = 60

# RFC 9110 token characters: the only characters allowed in a header name, and so in a
# metadata key.
_HEADER_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")

# Characters that would end a header line or be dropped by proxies.
_FORBIDDEN_IN_HEADER_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True)
class SwiftLimits:
    """Constraints of one Swift cluster; defaults are those of Swift 2.x."""

    max_file_size: int = 5368709122
    max_object_name_length: int = 1024
    max_container_name_length: int = 256
    container_listing_limit: int = 10000
    account_listing_limit: int = 10000
    max_meta_name_length: int = 128
    max_meta_value_length: int = 256
    max_meta_count: int = 90
    max_meta_overall_size: int = 4096
    # Static large objects: False when /info is published and does not list them.
    slo: bool = True
    max_manifest_segments: int = 1000
    max_manifest_size: int = 8388608
    min_segment_size: int = 1
    # Bulk delete: False when /info does not list it.
    bulk_delete: bool = False
    max_deletes_per_request: int = 10000
    # Digests /info allows for temp URLs, or None when /info does not list them.
    tempurl_digests: tuple[str, ...] | None = None
    # True when the values come from the cluster's /info, False for the defaults.
    from_cluster: bool = False

    @classmethod
    def from_info(cls, info: Mapping[str, Any]) -> "SwiftLimits":
        """Build the limits from a ``GET /info`` document; missing values keep the defaults."""
        swift = info.get("swift") or {}
        slo = info.get("slo")
        bulk = info.get("bulk_delete")
        tempurl = info.get("tempurl")
        defaults = cls()
        values: dict[str, Any] = {"from_cluster": True}

        for name in (
            "max_file_size",
            "max_object_name_length",
            "max_container_name_length",
            "container_listing_limit",
            "account_listing_limit",
            "max_meta_name_length",
            "max_meta_value_length",
            "max_meta_count",
            "max_meta_overall_size",
        ):
            values[name] = _positive_int(swift.get(name), getattr(defaults, name))

        values["slo"] = isinstance(slo, Mapping)
        if isinstance(slo, Mapping):
            for name in ("max_manifest_segments", "max_manifest_size", "min_segment_size"):
                values[name] = _positive_int(slo.get(name), getattr(defaults, name))

        values["bulk_delete"] = isinstance(bulk, Mapping)
        if isinstance(bulk, Mapping):
            values["max_deletes_per_request"] = _positive_int(
                bulk.get("max_deletes_per_request"), defaults.max_deletes_per_request
            )

        if isinstance(tempurl, Mapping) and isinstance(tempurl.get("allowed_digests"), list):
            values["tempurl_digests"] = tuple(str(d).lower() for d in tempurl["allowed_digests"])
        return cls(**values)


DEFAULT_LIMITS = SwiftLimits()


def _positive_int(value: Any, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return default
    return value


def shorten(value: str, length: int = SHOWN_VALUE_LENGTH) -> str:
    """Return ``value`` cut to ``length`` characters with an ellipsis, for messages."""
    return value if len(value) <= length else value[: length - 1] + "…"


def _utf8(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise errors.InvalidInputError(
            f"{what} must be a str, not {type(value).__name__}",
            hint="pass the name as text",
        )
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        printable = shorten(value.encode("utf-8", "backslashreplace").decode("utf-8"))
        raise errors.InvalidInputError(
            f"invalid {what} {printable!r}: it is not valid UTF-8 (it contains a lone surrogate)",
            hint="Swift names are UTF-8 text; fix the name, or decode file names with the right encoding",
        ) from None


def validate_container_name(container: Any, limits: SwiftLimits = DEFAULT_LIMITS) -> str:
    """Raise ``InvalidInputError`` unless ``container`` is a valid container name; return it.

    A container name is 1 to ``max_container_name_length`` bytes of UTF-8 with no ``/``
    and no NUL character.
    """
    encoded = _utf8(container, "container name")
    if not encoded:
        raise errors.InvalidInputError("invalid container name: it is empty", hint="give a container name")
    if b"/" in encoded:
        raise errors.InvalidInputError(
            f"invalid container name {shorten(container)!r}: it contains '/'",
            hint="a container name cannot contain '/'; put the path in the object name instead",
        )
    if b"\x00" in encoded:
        raise errors.InvalidInputError(
            f"invalid container name {shorten(container)!r}: it contains a NUL character",
            hint="remove the NUL character",
        )
    if len(encoded) > limits.max_container_name_length:
        raise errors.InvalidInputError(
            f"invalid container name {shorten(container)!r}: {len(encoded)} bytes of UTF-8, "
            f"more than the limit of {limits.max_container_name_length}",
            hint="use a shorter container name",
        )
    return container


def validate_object_name(name: Any, limits: SwiftLimits = DEFAULT_LIMITS) -> str:
    """Raise ``InvalidInputError`` unless ``name`` is a valid object name; return it.

    An object name is 1 to ``max_object_name_length`` bytes of UTF-8 with no NUL
    character. Any other character, ``/`` included, is allowed anywhere.
    """
    encoded = _utf8(name, "object name")
    if not encoded:
        raise errors.InvalidInputError("invalid object name: it is empty", hint="give an object name")
    if b"\x00" in encoded:
        raise errors.InvalidInputError(
            f"invalid object name {shorten(name)!r}: it contains a NUL character",
            hint="remove the NUL character",
        )
    if len(encoded) > limits.max_object_name_length:
        raise errors.InvalidInputError(
            f"invalid object name {shorten(name)!r}: {len(encoded)} bytes of UTF-8, "
            f"more than the limit of {limits.max_object_name_length}",
            hint="use a shorter object name",
        )
    return name


def validate_prefix(value: Any, what: str = "prefix") -> str:
    """Raise ``InvalidInputError`` unless ``value`` can go in a listing query; return it."""
    encoded = _utf8(value, what)
    if b"\x00" in encoded:
        raise errors.InvalidInputError(f"invalid {what} {shorten(value)!r}: it contains a NUL character")
    return value


def quote_name(name: str) -> str:
    """Percent-encode the UTF-8 bytes of a name, keeping ``/`` literal.

    Path segments that are exactly ``.`` or ``..`` are encoded as ``%2E``: urllib3
    removes literal dot segments from a URL (RFC 3986 normalization), which would send
    ``x/../y`` as ``y``, while Swift stores such names as they are.
    """
    encoded = quote(name.encode("utf-8"), safe="/")
    if "." not in name:
        return encoded
    segments = encoded.split("/")
    return "/".join("%2E" * len(segment) if segment in (".", "..") else segment for segment in segments)


def object_path(container: str | None = None, name: str | None = None) -> str:
    """Return the encoded path below the storage URL: ``""``, ``/container`` or ``/container/name``."""
    if container is None:
        return ""
    path = "/" + quote_name(container)
    if name is not None:
        path += "/" + quote_name(name)
    return path


def object_reference(container: str, name: str) -> str:
    """Return ``container/name`` encoded for ``X-Copy-From`` and ``X-Object-Manifest``."""
    return quote_name(container) + "/" + quote_name(name)


def parse_object_reference(value: str) -> tuple[str, str]:
    """Split an ``X-Object-Manifest`` value (``container/prefix``, encoded) into its names."""
    container, _, prefix = value.partition("/")
    return unquote(container, errors="strict"), unquote(prefix, errors="strict")


def validate_metadata(
    metadata: Mapping[str, Any],
    limits: SwiftLimits = DEFAULT_LIMITS,
    *,
    what: str = "metadata",
) -> dict[str, str | None]:
    """Raise ``InvalidInputError`` unless every item fits Swift's metadata limits.

    Keys must be header tokens (letters, digits and ``!#$%&'*+-.^_`|~``), at most
    ``max_meta_name_length`` bytes; values are text of at most ``max_meta_value_length``
    bytes of UTF-8 without line breaks or control characters. The count and overall size
    (keys plus values, in bytes) are checked too. A value of None means "remove this
    key" and counts for nothing. Return the metadata with keys lower-cased.
    """
    checked: dict[str, str | None] = {}
    overall = 0
    for key, value in metadata.items():
        if not isinstance(key, str) or not _HEADER_TOKEN.match(key):
            raise errors.InvalidInputError(
                f"invalid {what} key {shorten(str(key))!r}: only ASCII letters, digits and !#$%&'*+-.^_`|~ are allowed",
                hint="use a key such as 'project' or 'source-file'",
            )
        if len(key) > limits.max_meta_name_length:
            raise errors.InvalidInputError(
                f"invalid {what} key {shorten(key)!r}: {len(key)} bytes, more than the limit of "
                f"{limits.max_meta_name_length}",
                hint="use a shorter key",
            )
        if value is None:
            checked[key.lower()] = None
            continue
        text = str(value)
        encoded = _utf8(text, f"{what} value for {key!r}")
        if _FORBIDDEN_IN_HEADER_VALUE.search(text):
            raise errors.InvalidInputError(
                f"invalid {what} value for {key!r}: {shorten(text)!r} contains a line break or control character",
                hint="remove line breaks and control characters from the value",
            )
        if len(encoded) > limits.max_meta_value_length:
            raise errors.InvalidInputError(
                f"invalid {what} value for {key!r}: {len(encoded)} bytes of UTF-8, more than the limit of "
                f"{limits.max_meta_value_length}",
                hint="store long values in an object instead of metadata",
            )
        overall += len(key) + len(encoded)
        checked[key.lower()] = text

    count = sum(1 for value in checked.values() if value is not None)
    if count > limits.max_meta_count:
        raise errors.InvalidInputError(
            f"too much {what}: {count} items, more than the limit of {limits.max_meta_count}",
            hint="store fewer items",
        )
    if overall > limits.max_meta_overall_size:
        raise errors.InvalidInputError(
            f"too much {what}: {overall} bytes of keys and values, more than the limit of "
            f"{limits.max_meta_overall_size}",
            hint="store fewer or shorter items",
        )
    return checked


def encode_header_value(value: str) -> bytes:
    """Return a header value as UTF-8 bytes, which Swift stores and returns unchanged."""
    return value.encode("utf-8")


def decode_header_value(value: str) -> str:
    """Return the text of a header value that ``http.client`` decoded as latin-1.

    Swift returns metadata values as the UTF-8 bytes it was given. Values that are not
    valid UTF-8 (set by another client) are returned as latin-1 text.
    """
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value
