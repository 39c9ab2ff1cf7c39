"""Conformance: dynamic (DLO) and static (SLO) large objects."""

from __future__ import annotations

import hashlib
import json
import re

from .client import quote_name
from .observe import LISTING_TIME_SEEN, Observer

SEGMENTS = [b"aaaa", b"bbbb", b"cc"]
CONTENT = b"".join(SEGMENTS)
# A manifest's ETag: the MD5 of the segments' hex ETags joined, in quotes.
MANIFEST_ETAG = '"' + hashlib.md5("".join(hashlib.md5(s).hexdigest() for s in SEGMENTS).encode("ascii")).hexdigest() + '"'
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
MD5_HEX = re.compile(r"^[0-9a-f]{32}$")

LARGE_OBJECT_HEADERS = ("Etag", "Content-Length", "Content-Type", "Accept-Ranges", "X-Object-Manifest", "X-Static-Large-Object")


def test_dlo_concatenates_segments(swift):
    def dynamic_large_object(client):
        watch = Observer(client)
        container = client.name("c")
        segments = client.name("c_segments")
        client.put(client.path(container))
        client.put(client.path(segments))
        for index, data in enumerate(SEGMENTS):
            client.put(client.path(segments, f"seg ment/{index:03d}"), data=data)
        client.put(client.path(segments, "seg mentZ-not-a-segment"), data=b"zz")
        manifest_value = quote_name(segments) + "/" + quote_name("seg ment/")

        seen = {
            "manifest PUT": watch.observe(
                client.put(client.path(container, "large"), data=b"", headers={"X-Object-Manifest": manifest_value}),
                "Etag",
            ),
            "GET": watch.observe(client.get(client.path(container, "large")), *LARGE_OBJECT_HEADERS),
            "HEAD": watch.observe(client.head(client.path(container, "large")), *LARGE_OBJECT_HEADERS),
            "GET bytes=3-8 across segments": watch.observe(
                client.get(client.path(container, "large"), headers={"Range": "bytes=3-8"}), "Content-Range", "Content-Length"
            ),
            "GET bytes=-3": watch.observe(client.get(client.path(container, "large"), headers={"Range": "bytes=-3"}), "Content-Range"),
            "listing": watch.observe(client.get(client.path(container), query="format=json"), body="listing"),
            "container HEAD": watch.observe(client.head(client.path(container)), "X-Container-Bytes-Used", "X-Container-Object-Count"),
            "manifest with no segments PUT": watch.observe(
                client.put(
                    client.path(container, "empty-large"),
                    data=b"",
                    headers={"X-Object-Manifest": quote_name(segments) + "/nothing-here/"},
                )
            ),
            "manifest with no segments GET": watch.observe(client.get(client.path(container, "empty-large")), "Etag", "Content-Length"),
            "GET ?multipart-manifest=get of a DLO": watch.observe(
                client.get(client.path(container, "large"), query="multipart-manifest=get"), "Etag", "Content-Length", "X-Object-Manifest"
            ),
        }
        return seen

    seen = swift.conform(dynamic_large_object)

    assert seen["manifest PUT"]["status"] == 201
    assert seen["manifest PUT"]["headers"]["etag"] == EMPTY_MD5
    get = seen["GET"]
    assert get["status"] == 200
    assert get["body"] == CONTENT.decode()
    assert get["headers"]["etag"] == MANIFEST_ETAG
    assert get["headers"]["content-length"] == str(len(CONTENT))
    assert get["headers"]["x-object-manifest"].endswith("/seg%20ment/")
    assert seen["HEAD"]["headers"] == get["headers"]
    assert seen["GET bytes=3-8 across segments"] == {
        "status": 206,
        "headers": {"content-range": "bytes 3-8/10", "content-length": "6"},
        "body": "abbbbc",
    }
    assert seen["GET bytes=-3"]["body"] == "bcc"
    [entry] = seen["listing"]["body"]
    assert entry == {
        "bytes": 0,
        "hash": EMPTY_MD5,
        "name": "large",
        "content_type": "application/octet-stream",
        "last_modified": LISTING_TIME_SEEN,
    }
    assert seen["container HEAD"]["headers"]["x-container-bytes-used"] == "0"
    assert seen["manifest with no segments GET"]["body"] == ""
    assert seen["GET ?multipart-manifest=get of a DLO"]["body"] == ""


def test_slo_put_get_and_delete(swift):
    def static_large_object(client):
        watch = Observer(client)
        container = client.name("c")
        segments = client.name("c_segments")
        client.put(client.path(container))
        client.put(client.path(segments))
        manifest = []
        for index, data in enumerate(SEGMENTS):
            name = f"slo seg/{index:03d}"
            client.put(client.path(segments, name), data=data)
            manifest.append({"path": f"/{segments}/{name}", "etag": hashlib.md5(data).hexdigest(), "size_bytes": len(data)})
        large = client.path(container, "large object")

        put = client.put(large, query="multipart-manifest=put", data=json.dumps(manifest))
        manifest_get = client.get(large, query="multipart-manifest=get")
        listing = client.get(client.path(container), query="format=json")
        stored_manifest_etag = manifest_get.headers.get("Etag", "")
        seen = {
            "manifest PUT": watch.observe(put, "Etag", "Content-Length"),
            "GET": watch.observe(client.get(large), *LARGE_OBJECT_HEADERS),
            "HEAD": watch.observe(client.head(large), *LARGE_OBJECT_HEADERS),
            "GET bytes=3-8 across segments": watch.observe(client.get(large, headers={"Range": "bytes=3-8"}), "Content-Range", "Content-Length"),
            "GET bytes=8-": watch.observe(client.get(large, headers={"Range": "bytes=8-"}), "Content-Range"),
            "GET ?multipart-manifest=get": watch.observe(manifest_get, "Content-Type", "X-Static-Large-Object", body="json"),
            "its ETag is an MD5": bool(MD5_HEX.match(stored_manifest_etag)),
            "listing": watch.observe(listing, body="listing"),
        }
        # The listing's hash is the MD5 of the stored manifest, which contains timestamps
        # the server made, so compare its relation to ?multipart-manifest=get, not its value.
        for entry in seen["listing"].get("body") or []:
            if isinstance(entry, dict) and entry.get("hash") == stored_manifest_etag:
                entry["hash"] = "<Etag of ?multipart-manifest=get>"

        seen["DELETE ?multipart-manifest=delete"] = watch.observe(
            client.delete(large, query="multipart-manifest=delete"), "Content-Type"
        )
        seen["GET after delete"] = watch.observe(client.get(large))
        seen["segments after delete"] = watch.observe(client.get(client.path(segments), query="format=json"), body="listing")
        seen["DELETE ?multipart-manifest=delete again"] = watch.observe(client.delete(large, query="multipart-manifest=delete"))
        return seen

    seen = swift.conform(static_large_object)

    assert seen["manifest PUT"]["status"] == 201
    assert seen["manifest PUT"]["headers"]["etag"] == MANIFEST_ETAG
    get = seen["GET"]
    assert get["status"] == 200
    assert get["body"] == CONTENT.decode()
    assert get["headers"]["etag"] == MANIFEST_ETAG
    assert get["headers"]["x-static-large-object"] == "True"
    assert get["headers"]["content-length"] == "10"
    assert seen["HEAD"]["headers"] == get["headers"]
    assert seen["GET bytes=3-8 across segments"]["headers"]["content-range"] == "bytes 3-8/10"
    assert seen["GET bytes=3-8 across segments"]["body"] == "abbbbc"
    assert seen["GET bytes=8-"]["body"] == "cc"
    segments = seen["GET ?multipart-manifest=get"]["body"]
    assert [entry["bytes"] for entry in segments] == [4, 4, 2]
    assert [entry["name"].rsplit("/", 1)[-1] for entry in segments] == ["000", "001", "002"]
    assert seen["its ETag is an MD5"] is True
    [entry] = seen["listing"]["body"]
    assert entry["bytes"] == 10
    assert entry["hash"] == "<Etag of ?multipart-manifest=get>"
    assert entry["slo_etag"] == MANIFEST_ETAG
    assert seen["DELETE ?multipart-manifest=delete"] == {
        "status": 200,
        "headers": {"content-type": "text/plain"},
        "body": "Number Deleted: 4\nNumber Not Found: 0\nResponse Body: \nResponse Status: 200 OK\nErrors:\n",
    }
    assert seen["GET after delete"]["status"] == 404
    assert seen["segments after delete"]["body"] == []
    assert seen["DELETE ?multipart-manifest=delete again"]["body"].startswith("Number Deleted: 0\nNumber Not Found: 1\n")


def test_slo_validation_errors(swift):
    def slo_validation(client):
        watch = Observer(client)
        container = client.name("c")
        segments = client.name("c_segments")
        client.put(client.path(container))
        client.put(client.path(segments))
        for index, data in enumerate(SEGMENTS):
            client.put(client.path(segments, f"seg {index}"), data=data)
        good = [
            {"path": f"/{segments}/seg {index}", "etag": hashlib.md5(data).hexdigest(), "size_bytes": len(data)}
            for index, data in enumerate(SEGMENTS)
        ]

        manifests = {
            "wrong etag": [dict(good[0], etag="0" * 32), good[1]],
            "missing segment": [good[0], {"path": f"/{segments}/seg missing", "etag": None, "size_bytes": None}],
            "wrong size": [dict(good[0], size_bytes=5), good[1]],
            "several errors": [dict(good[0], etag="0" * 32), {"path": f"/{segments}/seg missing"}],
        }

        seen = {}
        for case, manifest in manifests.items():
            target = client.path(container, case)
            response = client.put(target, query="multipart-manifest=put", data=json.dumps(manifest))
            seen[case] = watch.observe(response, "Content-Type")
            seen[f"{case}, nothing stored"] = watch.observe(client.head(target)).get("status")

        response = client.put(
            client.path(container, "json errors"),
            query="multipart-manifest=put",
            data=json.dumps(manifests["several errors"]),
            headers={"Accept": "application/json"},
        )
        seen["several errors, Accept: application/json"] = watch.observe(response, "Content-Type", body="json")
        # Swift 2.38 checks the segments concurrently, so errors come in any order.
        seen["several errors"]["body"] = sort_error_lines(seen["several errors"]["body"])
        json_errors = seen["several errors, Accept: application/json"]["body"]
        if isinstance(json_errors, dict) and isinstance(json_errors.get("Errors"), list):
            json_errors["Errors"].sort()
        seen["not JSON"] = watch.observe(client.put(client.path(container, "bad"), query="multipart-manifest=put", data="not json"))
        return seen

    seen = swift.conform(slo_validation)

    prefix = f"/{swift.prefix}c_segments/seg%20"
    assert seen["wrong etag"] == {
        "status": 400,
        "headers": {"content-type": "text/plain"},
        "body": f"Errors:\n{prefix}0, Etag Mismatch\n",
    }
    assert seen["missing segment"]["body"] == f"Errors:\n{prefix}missing, 404 Not Found\n"
    assert seen["wrong size"]["body"] == f"Errors:\n{prefix}0, Size Mismatch\n"
    assert seen["several errors"]["body"] == f"Errors:\n{prefix}0, Etag Mismatch\n{prefix}missing, 404 Not Found\n"
    assert seen["several errors, Accept: application/json"]["body"] == {
        "Errors": [[f"{prefix}0", "Etag Mismatch"], [f"{prefix}missing", "404 Not Found"]]
    }
    for case in ("wrong etag", "missing segment", "wrong size", "several errors"):
        assert seen[f"{case}, nothing stored"] == 404, case
    assert seen["not JSON"]["status"] == 400
    assert seen["not JSON"]["body"] == "Manifest must be valid JSON.\n"


def sort_error_lines(body: str) -> str:
    """Sort the lines after "Errors:" in a plain-text bulk or SLO result."""
    head, marker, errors = body.partition("Errors:\n")
    if not marker:
        return body
    lines = errors.split("\n")
    ending = lines.pop() if lines and lines[-1] == "" else None
    return head + marker + "\n".join(sorted(lines)) + ("\n" if ending is not None else "")
