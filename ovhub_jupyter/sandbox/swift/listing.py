"""Account and container listings: query parameters, format negotiation and the three formats.

Swift 2.38 (``listing_formats`` and the container and account servers) sends JSON as
ASCII with ``json.dumps``' default separators, plain text as one name per line, and XML
with a double-quoted declaration. An empty plain listing is ``204 No Content``, while an
empty JSON list is ``200`` with ``[]``.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from .responses import SwiftError

# Content types a listing can take, in Swift's order of preference.
LISTING_TYPES = ("text/plain", "application/json", "application/xml", "text/xml")

# ``format=`` values and the content type each one selects; any other value means plain.
FORMATS = {"plain": "text/plain", "json": "application/json", "xml": "application/xml"}

# The truthy strings of Swift's config_true_value, which ``reverse=`` accepts.
TRUE_VALUES = frozenset({"true", "1", "yes", "on", "t", "y"})


def query_params(raw_query: str) -> dict[str, str]:
    """Parse a raw query string as Swift does: the last value wins, and ``+`` is a space.

    Values stay in their WSGI (latin-1) form, and ``text_param`` decodes them.
    """
    return dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True, encoding="latin-1"))


def text_param(params: dict[str, str], name: str) -> str | None:
    """Return a query parameter decoded from UTF-8; 400 with Swift's message when it is not UTF-8."""
    value = params.get(name)
    if not value:
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise SwiftError(400, f'"{name}" parameter not valid UTF-8', content_type="text/plain") from None


@dataclass
class ListingQuery:
    """The parameters of a listing request."""

    content_type: str
    limit: int
    marker: str
    end_marker: str
    prefix: str | None
    delimiter: str
    reverse: bool
    path: str | None
    # True when no ``format`` parameter was given, so the response varies with Accept.
    negotiated: bool

    def store_arguments(self) -> dict[str, Any]:
        """Return the keyword arguments of the store's listing methods."""
        return {
            "limit": self.limit,
            "marker": self.marker,
            "end_marker": self.end_marker,
            "prefix": self.prefix,
            "delimiter": self.delimiter,
            "reverse": self.reverse,
            "path": self.path,
        }


def parse_listing_query(params: dict[str, str], accept: str | None, max_limit: int, *, container: bool) -> ListingQuery:
    """Read the listing parameters; raise ``SwiftError`` (400, 406, 412) as Swift does."""
    names = ["marker", "end_marker", "prefix", "delimiter", "format", "reverse"]
    if container:
        names.append("path")
    values = {name: text_param(params, name) for name in names}

    limit = max_limit
    given = text_param(params, "limit")
    if given and given.isdigit():
        limit = int(given)
        if limit > max_limit:
            raise SwiftError(412, f"Maximum limit is {max_limit}")

    content_type = negotiate(values["format"], accept)
    return ListingQuery(
        content_type=content_type,
        limit=limit,
        marker=values["marker"] or "",
        end_marker=values["end_marker"] or "",
        prefix=values["prefix"],
        delimiter=values["delimiter"] or "",
        reverse=(values["reverse"] or "").lower() in TRUE_VALUES,
        path=values.get("path"),
        negotiated="format" not in params,
    )


def negotiate(format_value: str | None, accept: str | None) -> str:
    """Pick the listing's content type from ``format=`` or else the Accept header (406 if none fits)."""
    if format_value:
        accept = FORMATS.get(format_value.lower(), "text/plain")
    best = best_match(accept, LISTING_TYPES)
    if best is None:
        raise SwiftError(406)
    return best


def best_match(accept: str | None, offers: tuple[str, ...]) -> str | None:
    """Return the offer the Accept header prefers (the first one without a header), or None."""
    if not accept:
        return offers[0]
    best, best_quality = None, 0.0
    ranges = _parse_accept(accept)
    for offer in offers:
        quality = _quality(offer, ranges)
        if quality > best_quality:
            best, best_quality = offer, quality
    return best


def _parse_accept(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    raise SwiftError(400, "Invalid Accept header") from None
        if media:
            ranges.append((media.strip().lower(), quality))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    # The most specific matching range decides: type/subtype, then type/*, then */*.
    kind = offer.split("/")[0]
    for candidate in (offer, f"{kind}/*", "*/*"):
        for media, quality in ranges:
            if media == candidate:
                return quality
    return 0.0


def object_entry(name: str, size: int, etag: str, content_type: str, last_modified: str, slo_etag: str | None) -> dict[str, Any]:
    """Return an object's listing entry, keys in the order Swift sends them."""
    entry: dict[str, Any] = {"bytes": size, "hash": etag, "name": name, "content_type": content_type, "last_modified": last_modified}
    if slo_etag:
        entry["slo_etag"] = f'"{slo_etag}"'
    return entry


def container_entry(name: str, count: int, size: int, last_modified: str) -> dict[str, Any]:
    """Return a container's listing entry, keys in the order Swift sends them."""
    # NOTE: every container of the sandbox is in Swift's default policy, named as a fresh
    # Swift 2.38 names it. OVHcloud's clusters use their own policy names.
    return {"name": name, "count": count, "bytes": size, "last_modified": last_modified, "storage_policy": "Policy-0"}


def render(entries: list[dict[str, Any]], content_type: str, *, root: str, root_name: str) -> bytes:
    """Serialize listing entries; ``root`` is ``account`` or ``container`` for XML."""
    if content_type == "application/json":
        return json.dumps(entries).encode("ascii")
    if content_type.endswith("/xml"):
        return _render_xml(entries, root, root_name)
    return b"".join((entry.get("name", entry.get("subdir")) or "").encode("utf-8") + b"\n" for entry in entries)


def _render_xml(entries: list[dict[str, Any]], root: str, root_name: str) -> bytes:
    document = Element(root, name=root_name)
    if root == "account":
        document.text = "\n"
        fields = ("name", "count", "bytes", "last_modified", "storage_policy")
    else:
        fields = ("name", "hash", "bytes", "content_type", "last_modified")
    for entry in entries:
        if "subdir" in entry:
            item = SubElement(document, "subdir", name=entry["subdir"])
            if root == "container":
                SubElement(item, "name").text = entry["subdir"]
        else:
            item = SubElement(document, "object" if root == "container" else "container")
            for field in fields:
                if field in entry:
                    SubElement(item, field).text = str(entry[field])
        if root == "account":
            item.tail = "\n"
    body = tostring(document, encoding="unicode").encode("utf-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body
