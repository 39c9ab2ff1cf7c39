"""Large objects: dynamic (``X-Object-Manifest``) and static (``?multipart-manifest=``).

Both follow Swift 2.38's dlo and slo middleware, quirks included:

- A DLO manifest's body is the concatenation of the objects under its prefix, listed one
  page deep: beyond ``container_listing_limit`` segments the response has no Content-Length
  nor ETag, and a Range is honoured only when it is a single range.
- An SLO manifest is stored as the JSON slo keeps (``name``, ``bytes``, ``hash``,
  ``content_type``, ``last_modified``, optional ``range``, ``sub_slo`` and inline ``data``).
  Its ETag is the quoted MD5 of the segment ETags. Listings show the segments' total as
  ``bytes`` with an extra ``slo_etag``, while the container's byte counter adds the JSON.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import mimetypes
import urllib.parse
from typing import Any, Iterator

from werkzeug.wrappers import Response

from . import bulk
from .bodies import Body, Piece, parse_range, ranges_for_length
from .call import Call
from .listing import best_match
from .paths import quote_name
from .responses import SwiftError, http_date, iso_timestamp, new_response, normal_timestamp, round_timestamp
from .store import BodyTooLarge, ObjectRecord, StagedBody

# Headers where an SLO manifest keeps its ETag and total size (Swift's sysmeta names).
SLO_ETAG = "X-Object-Sysmeta-Slo-Etag"
SLO_SIZE = "X-Object-Sysmeta-Slo-Size"

# Maximum size in bytes of a manifest body (slo's max_manifest_size default).
MAX_MANIFEST_SIZE = 8388608

# Maximum depth of static large objects nested inside one another before a GET gives up.
MAX_NESTING = 10

# Keys a manifest segment may have, by its kind: object-backed (``path``) or inline (``data``).
SEGMENT_KEYS = {"path": {"path", "etag", "size_bytes", "range"}, "data": {"data"}}


def is_slo(record: ObjectRecord) -> bool:
    """True when the object is a static large object manifest."""
    return record.headers.get("X-Static-Large-Object", "").lower() == "true"


# -- dynamic large objects --------------------------------------------------------------


def check_dlo_header(value: str | None) -> None:
    """Reject an ``X-Object-Manifest`` that is not ``container/prefix`` (400, Swift's message)."""
    if value is None:
        return
    container, slash, prefix = value.partition("/")
    if not container or not slash or not prefix or "?" in value or "&" in value or prefix.startswith("/"):
        raise SwiftError(400, "X-Object-Manifest must be in the format container/prefix")


def manifest_target(record: ObjectRecord) -> tuple[str, str]:
    """Return the ``(container, prefix)`` a DLO manifest's header names, percent-decoded."""
    value = urllib.parse.unquote_to_bytes(record.headers["X-Object-Manifest"].encode("latin-1")).decode("utf-8", "replace")
    container, _slash, prefix = value.partition("/")
    return container, prefix


def dlo_segments(call: Call, record: ObjectRecord) -> tuple[list[ObjectRecord], bool]:
    """Return the first page of a DLO's segments and whether it is the whole list."""
    container, prefix = manifest_target(record)
    if call.service.store.get_container(call.cluster, call.account, container) is None:
        # The segment listing fails, and Swift returns its 404.
        raise SwiftError(404)
    limit = call.settings["container_listing_limit"]
    page = call.service.store.list_objects(call.cluster, call.account, container, limit=limit, prefix=prefix)
    segments = [entry for entry in page if isinstance(entry, ObjectRecord)]
    return segments, len(segments) < limit


def dlo_response(call: Call, record: ObjectRecord) -> Response:
    """Handle GET or HEAD on a DLO manifest with the concatenated segments."""
    from .objects import serve, stored_headers

    segments, complete = dlo_segments(call, record)
    store = call.service.store
    body = Body(Piece(store.root / segment.file, 0, segment.size) if segment.file else Piece(None, 0, 0) for segment in segments)
    headers = [
        ("Content-Type", record.content_type),
        *stored_headers(record),
        ("Last-Modified", http_date(record.timestamp)),
        ("X-Timestamp", normal_timestamp(record.timestamp)),
        ("Accept-Ranges", "bytes"),
    ]
    if not complete:
        # Like Swift, no Content-Length nor ETag when the segments fill more than one
        # listing page. The body goes out chunked, every page of segments read as it
        # streams, and Range is ignored.
        chunks = iter(()) if call.head else _all_dlo_chunks(call, record)
        return new_response(200, chunks, headers)

    etag = hashlib.md5("".join(segment.etag for segment in segments).encode("ascii"), usedforsecurity=False).hexdigest()
    headers.append(("Etag", f'"{etag}"'))
    if call.head:
        return serve(call, None, body.size, headers, etag, record.timestamp, record.content_type)
    specs = parse_range(call.request.headers.get("Range"))
    single_range = specs is not None and len(specs) == 1
    return serve(call, body, body.size, headers, etag, record.timestamp, record.content_type, honour_range=single_range)


def _all_dlo_chunks(call: Call, record: ObjectRecord) -> Iterator[bytes]:
    container, prefix = manifest_target(record)
    store = call.service.store
    for segment in store.iter_objects(call.cluster, call.account, container, prefix):
        if segment.file:
            yield from Body([Piece(store.root / segment.file, 0, segment.size)]).iter_range(0, segment.size)


# -- static large objects: reading ---------------------------------------------------------


def read_manifest(call: Call, record: ObjectRecord) -> list[dict[str, Any]]:
    """Return the stored segment list of an SLO manifest."""
    handle = call.service.store.open_body(record)
    if handle is None:
        return []
    with handle:
        return json.loads(handle.read(MAX_MANIFEST_SIZE + 1))


def slo_pieces(call: Call, record: ObjectRecord, depth: int = 0) -> list[Piece]:
    """Resolve an SLO manifest into body pieces, nested manifests included; 409 when a segment changed."""
    if depth > MAX_NESTING:
        raise SwiftError(409)
    from .objects import live_object

    pieces: list[Piece] = []
    for segment in read_manifest(call, record):
        if "data" in segment:
            data = base64.b64decode(segment["data"])
            pieces.append(Piece(None, 0, len(data), data))
            continue
        container, _slash, name = segment["name"].lstrip("/").partition("/")
        target = live_object(call, container, name)
        if target is not None and is_slo(target):
            etag, size = target.headers.get(SLO_ETAG, ""), int(target.headers.get(SLO_SIZE, target.listing_bytes))
        elif target is not None:
            etag, size = target.etag, target.size
        if target is None or etag != segment["hash"] or size != segment["bytes"]:
            # NOTE: Swift notices a missing or changed segment only when it reaches it. It
            # then cuts the body short, or returns 409 when it is the first segment. The
            # sandbox checks every segment before it sends anything.
            raise SwiftError(409)
        if segment.get("sub_slo"):
            inner = slo_pieces(call, target, depth + 1)
            pieces.extend(_slice_pieces(inner, segment.get("range")))
            continue
        first, length = 0, target.size
        if segment.get("range"):
            start, stop = (int(part) for part in segment["range"].split("-"))
            first, length = start, stop - start + 1
        pieces.append(Piece(call.service.store.root / target.file if target.file else None, first, length))
    return pieces


def _slice_pieces(pieces: list[Piece], byte_range: str | None) -> list[Piece]:
    if not byte_range:
        return pieces
    start, stop = (int(part) for part in byte_range.split("-"))
    stop += 1
    sliced, position = [], 0
    for piece in pieces:
        piece_start, piece_stop = position, position + piece.length
        position = piece_stop
        first, last = max(start, piece_start), min(stop, piece_stop)
        if first < last:
            sliced.append(Piece(piece.path, piece.offset + first - piece_start, last - first, piece.data))
    return sliced


def slo_response(call: Call, record: ObjectRecord) -> Response:
    """Handle GET or HEAD on an SLO with the concatenated segments."""
    from .objects import serve, stored_headers

    slo_etag = record.headers.get(SLO_ETAG, "")
    size = int(record.headers.get(SLO_SIZE, record.listing_bytes))
    headers = [
        ("Content-Type", record.content_type),
        *stored_headers(record),
        ("Etag", f'"{slo_etag}"'),
        ("Last-Modified", http_date(record.timestamp)),
        ("X-Timestamp", normal_timestamp(record.timestamp)),
        ("Accept-Ranges", "bytes"),
        ("X-Manifest-Etag", record.etag),
    ]
    if call.head:
        return serve(call, None, size, headers, slo_etag, record.timestamp, record.content_type)
    body = Body(slo_pieces(call, record))
    return serve(call, body, body.size, headers, slo_etag, record.timestamp, record.content_type)


def slo_manifest_response(call: Call, record: ObjectRecord) -> Response:
    """Handle ``?multipart-manifest=get``: the stored manifest, or with ``format=raw`` the uploadable one."""
    from .objects import serve, stored_headers

    segments = read_manifest(call, record)
    raw = call.params.get("format") == "raw"
    if raw:
        body = json.dumps([_raw_segment(segment) for segment in segments], sort_keys=True).encode("utf-8")
        content_type = record.content_type
        etag = hashlib.md5(body, usedforsecurity=False).hexdigest()
    else:
        body = json.dumps(segments).encode("utf-8")
        content_type = "application/json; charset=utf-8"
        etag = record.etag
    headers = [
        ("Content-Type", content_type),
        *stored_headers(record),
        ("Etag", etag),
        ("Last-Modified", http_date(record.timestamp)),
        ("X-Timestamp", normal_timestamp(record.timestamp)),
        ("Accept-Ranges", "bytes"),
    ]
    if call.head:
        return serve(call, None, len(body), headers, etag, record.timestamp, content_type)
    return serve(call, Body([Piece(None, 0, len(body), body)]), len(body), headers, etag, record.timestamp, content_type)


def _raw_segment(segment: dict[str, Any]) -> dict[str, Any]:
    if "data" in segment:
        return {"data": segment["data"]}
    raw = {"etag": segment["hash"], "path": segment["name"], "size_bytes": segment["bytes"]}
    if segment.get("range"):
        raw["range"] = segment["range"]
    return raw


def stage_large_object(call: Call, record: ObjectRecord, account: str, container: str) -> StagedBody:
    """Write a DLO's or SLO's concatenated body to a temporary file (a copy of it becomes plain)."""
    if is_slo(record):
        body = Body(slo_pieces(call, record))
        chunks = body.iter_range(0, body.size)
    else:
        dlo_segments(call, record)
        chunks = _all_dlo_chunks(call, record)
    try:
        return call.service.store.stage_chunks(chunks, call.settings["max_file_size"])
    except BodyTooLarge:
        raise SwiftError(413) from None


def copy_manifest_record(
    record: ObjectRecord, name: str, content_type: str, headers: dict[str, str], now: float
) -> ObjectRecord:
    """Return the record of a manifest copied with ``multipart-manifest=get`` (still a manifest)."""
    kept = dict(headers)
    for key in ("X-Static-Large-Object", SLO_ETAG, SLO_SIZE, "X-Object-Manifest"):
        if key in record.headers:
            kept[key] = record.headers[key]
    return ObjectRecord(name, record.size, record.listing_bytes, record.etag, content_type, now, kept)


# -- static large objects: upload --------------------------------------------------------


def put_slo_manifest(call: Call) -> Response:
    """Handle ``PUT ?multipart-manifest=put``: check every segment, then store the manifest."""
    request = call.request
    path = call.path
    assert path.container and path.obj
    if request.headers.get("X-Copy-From"):
        raise SwiftError(405, "Multipart Manifest PUTs cannot be COPY requests")
    chunked = "chunked" in (request.headers.get("Transfer-Encoding") or "").lower()
    if request.content_length is None and not chunked:
        raise SwiftError(411)
    if request.content_length is not None and request.content_length > MAX_MANIFEST_SIZE:
        raise SwiftError(413, f"Manifest File > {MAX_MANIFEST_SIZE} bytes")
    manifest_body = request.stream.read(MAX_MANIFEST_SIZE + 1)
    if len(manifest_body) > MAX_MANIFEST_SIZE:
        raise SwiftError(413, f"Manifest File > {MAX_MANIFEST_SIZE} bytes")

    parsed = parse_manifest(manifest_body, path.account_segment, path.container, path.obj)
    object_segments = [segment for segment in parsed if "path" in segment]
    limit = call.settings["max_manifest_segments"]
    if len(object_segments) > limit:
        raise SwiftError(413, f"Number of object-backed segments must be <= {limit}")
    out_type = best_match(request.headers.get("Accept"), bulk.RESULT_TYPES) or "text/plain"

    stored, total, problems = check_segments(call, parsed)
    if problems:
        body = bulk.result_body(out_type, {}, problems, "upload")
        return new_response(400, iter([body]), [("Content-Type", out_type)])

    slo_etag = slo_etag_of(stored)
    expected = request.headers.get("Etag")
    if expected and expected.strip('"') != slo_etag:
        raise SwiftError(422)
    return _store_manifest(call, stored, total, slo_etag)


def _store_manifest(call: Call, stored: list[dict[str, Any]], total: int, slo_etag: str) -> Response:
    from .objects import check_delete_headers, check_if_none_match, commit, created
    from .metadata import MetadataError, check_metadata, object_headers

    path = call.path
    assert path.container and path.obj
    store = call.service.store
    if store.get_container(call.cluster, call.account, path.container) is None:
        raise SwiftError(404)
    try:
        check_metadata(call.request.headers, "object", call.settings)
    except MetadataError as error:
        raise SwiftError(400, str(error), content_type="text/plain") from None
    check_delete_headers(call)
    check_if_none_match(call, path.container, path.obj)

    manifest = json.dumps(stored).encode("utf-8")
    staged = store.stage_bytes(manifest)
    content_type = call.request.headers.get("Content-Type")
    if not content_type:
        guessed, _encoding = mimetypes.guess_type(path.obj)
        content_type = guessed or "application/octet-stream"
    headers = object_headers(call.request.headers)
    headers.update({"X-Static-Large-Object": "True", SLO_ETAG: slo_etag, SLO_SIZE: str(total)})
    if "X-Delete-At" in call.extra:
        headers["X-Delete-At"] = call.extra["X-Delete-At"]
    record = ObjectRecord(path.obj, staged.size, total, staged.etag, content_type, round_timestamp(call.now), headers)
    try:
        commit(call, path.container, record, staged)
    finally:
        staged.discard()
    return created(record, etag=f'"{slo_etag}"')


def parse_manifest(body: bytes, account_segment: str, container: str, name: str) -> list[dict[str, Any]]:
    """Check a manifest's JSON the way slo does; raise 400 listing every bad segment."""
    try:
        parsed = json.loads(body)
    except ValueError:
        raise SwiftError(400, "Manifest must be valid JSON.\n") from None
    if not isinstance(parsed, list):
        raise SwiftError(400, "Manifest must be a list.\n")

    errors: list[str] = []
    own_path = f"/{container}/{name}"
    for index, segment in enumerate(parsed):
        error = _segment_error(index, segment, len(parsed), own_path)
        if error:
            errors.append(error)
    if parsed and all(isinstance(segment, dict) and "data" in segment for segment in parsed):
        errors.append("Inline data segments require at least one object-backed segment.")
    if errors:
        raise SwiftError(400, "".join(error + "\n" for error in errors), content_type="text/plain")
    return parsed


def _segment_error(index: int, segment: Any, count: int, own_path: str) -> str | None:
    if not isinstance(segment, dict):
        return f"Index {index}: not a JSON object"
    kind = None
    if "path" in segment:
        kind = "path"
    elif "data" in segment:
        kind = "data"
    if kind is None:
        # Swift 2.38 fails while formatting this message and returns 500, so the sandbox does too.
        raise SwiftError(500, "An error occurred", content_type="text/plain")
    extra = sorted(key for key in segment if key not in SEGMENT_KEYS[kind])
    if extra:
        return f"Index {index}: extraneous keys " + ", ".join(json.dumps(key) for key in extra)
    if kind == "data":
        return _data_segment_error(index, segment)

    if not isinstance(segment["path"], str):
        return f'Index {index}: "path" must be a string'
    if not (segment.get("etag") is None or isinstance(segment["etag"], str)):
        return f'Index {index}: "etag" must be a string or null (if provided)'
    if "/" not in segment["path"].strip("/"):
        return f"Index {index}: path does not refer to an object. Path must be of the form /container/object."
    size = segment.get("size_bytes")
    if size is not None:
        try:
            size = int(size)
        except (TypeError, ValueError):
            return f"Index {index}: invalid size_bytes"
        segment["size_bytes"] = size
        if size < 1 and index != count - 1:
            return f"Index {index}: too small; each segment must be at least 1 byte."
    if "/" + segment["path"].lstrip("/") == own_path:
        return f"Index {index}: manifest must not include itself as a segment"
    if segment.get("range"):
        specs = parse_range(f"bytes={segment['range']}")
        if specs is None:
            return f"Index {index}: invalid range"
        if len(specs) > 1:
            return f"Index {index}: multiple ranges (only one allowed)"
        if size is not None and len(ranges_for_length(specs, size)) != 1:
            return f"Index {index}: unsatisfiable range"
        segment["range"] = specs[0]
    return None


def _data_segment_error(index: int, segment: dict[str, Any]) -> str | None:
    try:
        text = segment["data"].rstrip("=")
        data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (AttributeError, binascii.Error, ValueError):
        return f"Index {index}: data must be valid base64"
    if not data:
        return f"Index {index}: too small; each segment must be at least 1 byte."
    segment["data"] = base64.b64encode(data).decode("ascii")
    return None


def check_segments(call: Call, parsed: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int, list[list[str]]]:
    """Look up every object segment as slo's HEADs do; return the stored form, total size and problems."""
    from .objects import live_object

    stored: list[dict[str, Any]] = []
    problems: list[list[str]] = []
    total = 0
    for index, segment in enumerate(parsed):
        if "data" in segment:
            stored.append({"data": segment["data"]})
            total += len(base64.b64decode(segment["data"]))
            continue
        name = segment["path"]
        container, _slash, obj = name.lstrip("/").partition("/")
        target = live_object(call, container, obj)
        if target is None:
            problems.append([quote_name(name), "404 Not Found"])
            stored.append({})
            continue
        size = int(target.headers.get(SLO_SIZE, target.size)) if is_slo(target) else target.size
        etag = target.headers.get(SLO_ETAG, target.etag) if is_slo(target) else target.etag
        length = size
        entry: dict[str, Any] = {
            "name": "/" + name.lstrip("/"),
            "bytes": size,
            "hash": etag,
            "content_type": target.content_type,
            "last_modified": iso_timestamp(float(_ceil_seconds(target.timestamp))),
        }
        byte_range = segment.get("range")
        if byte_range:
            ranges = ranges_for_length([byte_range], size)
            if not ranges:
                problems.append([quote_name(name), "Unsatisfiable Range"])
            elif ranges != [(0, size)]:
                entry["range"] = f"{ranges[0][0]}-{ranges[0][1] - 1}"
                length = ranges[0][1] - ranges[0][0]
        if length < 1 and index != len(parsed) - 1:
            problems.append([quote_name(name), "Too small; each segment must be at least 1 byte."])
        if segment.get("size_bytes") is not None and segment["size_bytes"] != size:
            problems.append([quote_name(name), "Size Mismatch"])
        if segment.get("etag") is not None and segment["etag"] != etag:
            problems.append([quote_name(name), "Etag Mismatch"])
        if is_slo(target):
            entry["sub_slo"] = True
        stored.append(entry)
        total += length
    return stored, total, problems


def _ceil_seconds(timestamp: float) -> int:
    # The manifest keeps the segment's Last-Modified, an HTTP date rounded up to the second.
    return math.ceil(float(normal_timestamp(timestamp)))


def slo_etag_of(stored: list[dict[str, Any]]) -> str:
    """Return the SLO's ETag: the MD5 of its segments' ETags (``etag:range;`` for ranged ones)."""
    digest = hashlib.md5(usedforsecurity=False)
    for segment in stored:
        if "data" in segment:
            digest.update(hashlib.md5(base64.b64decode(segment["data"]), usedforsecurity=False).hexdigest().encode("ascii"))
        elif segment.get("range"):
            digest.update(f"{segment['hash']}:{segment['range']};".encode("ascii"))
        else:
            digest.update(segment["hash"].encode("ascii"))
    return digest.hexdigest()


# -- static large objects: delete ----------------------------------------------------------


def delete_slo(call: Call) -> Response:
    """Handle ``DELETE ?multipart-manifest=delete``: the segments, then the manifest, in a bulk result."""
    out_type = best_match(call.request.headers.get("Accept"), bulk.RESULT_TYPES)
    path = call.path
    assert path.container and path.obj
    names = list(_names_to_delete(call, f"/{path.container}/{path.obj}", 0))
    return bulk.deletion_response(call, names, out_type)


def _names_to_delete(call: Call, name: str, depth: int) -> Iterator[bulk.Deletion]:
    from .objects import live_object

    container, _slash, obj = name.lstrip("/").partition("/")
    record = live_object(call, container, obj)
    if record is None:
        yield bulk.Deletion(name, error=(404, "SLO manifest not found"))
        return
    if not is_slo(record):
        yield bulk.Deletion(name, error=(400, "Not an SLO manifest"))
        return
    for segment in read_manifest(call, record):
        if "data" in segment:
            continue
        if segment.get("sub_slo") and depth < MAX_NESTING:
            yield from _names_to_delete(call, segment["name"], depth + 1)
        else:
            yield bulk.Deletion(segment["name"])
    yield bulk.Deletion(name)
