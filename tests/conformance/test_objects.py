"""Conformance: object PUT, GET, HEAD, ranges, metadata, copies and length checks."""

from __future__ import annotations

import hashlib
import math
from email.utils import formatdate

from .observe import ABSENT, DATE_SEEN, TIMESTAMP_SEEN, Observer

NOT_FOUND_BODY = "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>"
UNPROCESSABLE_BODY = "<html><h1>Unprocessable Entity</h1><p>Unable to process the contained instructions</p></html>"
ACCEPTED_BODY = "<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>"
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"

DATA = b"hello world"
DATA_MD5 = hashlib.md5(DATA).hexdigest()

OBJECT_HEADERS = (
    "Etag",
    "Content-Length",
    "Content-Type",
    "Last-Modified",
    "X-Timestamp",
    "Accept-Ranges",
    "X-Object-Meta-Color",
)


def test_object_put_get_head(swift):
    def put_get_head(client):
        watch = Observer(client)
        container = client.path(client.name("c"))
        client.put(container)
        put = client.put(
            container + "/object",
            data=DATA,
            headers={"ETag": DATA_MD5, "Content-Type": "text/x-example", "X-Object-Meta-Color": "blue"},
        )
        get = client.get(container + "/object")
        return {
            "PUT with the right ETag": watch.observe(put, "Etag", "Last-Modified", "Content-Length"),
            "GET": watch.observe(get, *OBJECT_HEADERS),
            "Last-Modified is X-Timestamp rounded up to the second": last_modified_rounds_up(get.headers),
            "HEAD": watch.observe(client.head(container + "/object"), *OBJECT_HEADERS),
            "PUT without a Content-Type": watch.observe(client.put(container + "/untyped", data=b"abc"), "Etag"),
            "GET without a Content-Type": watch.observe(client.get(container + "/untyped"), "Content-Type"),
            "PUT of a .txt name": watch.observe(client.put(container + "/notes.txt", data=b"abc")),
            "GET of a .txt name": watch.observe(client.get(container + "/notes.txt"), "Content-Type"),
            "GET missing": watch.observe(client.get(container + "/missing"), "Content-Type"),
            "HEAD missing": watch.observe(client.head(container + "/missing")),
            "DELETE": watch.observe(client.delete(container + "/object")),
            "DELETE again": watch.observe(client.delete(container + "/object")),
        }

    seen = swift.conform(put_get_head)

    put = seen["PUT with the right ETag"]
    assert put == {
        "status": 201,
        "headers": {"etag": DATA_MD5, "last-modified": DATE_SEEN, "content-length": "0"},
        "body": "",
    }
    get = seen["GET"]
    assert get["status"] == 200
    assert get["body"] == DATA.decode()
    assert get["headers"] == {
        "etag": DATA_MD5,
        "content-length": str(len(DATA)),
        "content-type": "text/x-example",
        "last-modified": DATE_SEEN,
        "x-timestamp": TIMESTAMP_SEEN,
        "accept-ranges": "bytes",
        "x-object-meta-color": "blue",
    }
    assert seen["HEAD"] == {"status": 200, "headers": get["headers"], "body": ""}
    assert seen["Last-Modified is X-Timestamp rounded up to the second"] is True
    assert seen["GET without a Content-Type"]["headers"]["content-type"] == "application/octet-stream"
    assert seen["GET of a .txt name"]["headers"]["content-type"] == "text/plain"
    assert seen["GET missing"]["status"] == 404
    assert seen["GET missing"]["body"] == NOT_FOUND_BODY
    assert seen["HEAD missing"] == {"status": 404, "body": ""}
    assert seen["DELETE"]["status"] == 204
    assert seen["DELETE again"]["status"] == 404


def test_object_put_rejections(swift):
    def put_rejections(client):
        watch = Observer(client)
        container = client.path(client.name("c"))
        client.put(container)
        return {
            "wrong ETag": watch.observe(
                client.put(container + "/object", data=DATA, headers={"ETag": "0" * 32}), "Content-Type"
            ),
            "after the wrong ETag": watch.observe(client.head(container + "/object")),
            "missing container": watch.observe(client.put(client.path(client.name("missing")) + "/object", data=DATA)),
            "over max_file_size": watch.observe(
                client.send_raw(client.raw_request_head("PUT", container + "/huge", ["Content-Length: 5368709123"])),
                "Content-Type",
            ),
        }

    seen = swift.conform(put_rejections)

    assert seen["wrong ETag"]["status"] == 422
    assert seen["wrong ETag"]["body"] == UNPROCESSABLE_BODY
    assert seen["after the wrong ETag"]["status"] == 404
    assert seen["missing container"]["status"] == 404
    assert seen["over max_file_size"]["status"] == 413
    assert seen["over max_file_size"]["body"] == "Your request is too large."


def test_object_length_and_chunked(swift):
    def length_checks(client):
        watch = Observer(client)
        container = client.path(client.name("c"))
        client.put(container)
        chunks = iter([b"hel", b"lo ", b"", b"world"])
        no_length = client.raw_request_head("PUT", container + "/no-length")
        chunked_raw = client.raw_request_head("PUT", container + "/chunked-raw", ["Transfer-Encoding: chunked"])
        return {
            "chunked PUT": watch.observe(client.put(container + "/chunked", data=chunks), "Etag"),
            "chunked GET": watch.observe(client.get(container + "/chunked"), "Content-Length", "Etag"),
            "raw chunked PUT": watch.observe(client.send_raw(chunked_raw, b"3\r\nabc\r\n0\r\n\r\n"), "Etag"),
            "PUT with no length": watch.observe(client.send_raw(no_length), "Content-Type"),
            "after the PUT with no length": watch.observe(client.head(container + "/no-length")),
            "zero-byte PUT": watch.observe(client.put(container + "/empty", data=b""), "Etag"),
            "zero-byte GET": watch.observe(client.get(container + "/empty"), "Etag", "Content-Length"),
        }

    seen = swift.conform(length_checks)

    assert seen["chunked PUT"]["status"] == 201
    assert seen["chunked PUT"]["headers"]["etag"] == DATA_MD5
    assert seen["chunked GET"]["body"] == DATA.decode()
    assert seen["raw chunked PUT"]["headers"]["etag"] == hashlib.md5(b"abc").hexdigest()
    assert seen["PUT with no length"]["status"] == 411
    assert seen["PUT with no length"]["body"] == "Missing Content-Length header."
    assert seen["after the PUT with no length"]["status"] == 404
    assert seen["zero-byte PUT"]["headers"]["etag"] == EMPTY_MD5
    assert seen["zero-byte GET"] == {"status": 200, "headers": {"etag": EMPTY_MD5, "content-length": "0"}, "body": ""}


def test_object_range_reads(swift):
    def ranges(client):
        watch = Observer(client)
        container = client.path(client.name("c"))
        client.put(container)
        client.put(container + "/object", data=DATA, headers={"Content-Type": "text/plain"})
        seen = {}
        for spec in ("bytes=2-5", "bytes=0-0", "bytes=-3", "bytes=6-", "bytes=5-100", "bytes=0-10"):
            response = client.get(container + "/object", headers={"Range": spec})
            seen[spec] = watch.observe(response, "Content-Range", "Content-Length", "Etag", "Content-Type", "Accept-Ranges")
        for spec in ("bytes=11-", "bytes=100-200"):
            response = client.get(container + "/object", headers={"Range": spec})
            seen[spec] = watch.observe(response, "Content-Range")
        seen["HEAD bytes=2-5"] = watch.observe(client.head(container + "/object", headers={"Range": "bytes=2-5"}), "Content-Length")
        seen["invalid Range ignored"] = watch.observe(client.get(container + "/object", headers={"Range": "bytes=z-"}), "Content-Range")
        return seen

    seen = swift.conform(ranges)

    assert seen["bytes=2-5"] == {
        "status": 206,
        "headers": {
            "content-range": "bytes 2-5/11",
            "content-length": "4",
            "etag": DATA_MD5,
            "content-type": "text/plain",
            "accept-ranges": "bytes",
        },
        "body": "llo ",
    }
    assert seen["bytes=-3"]["body"] == "rld"
    assert seen["bytes=-3"]["headers"]["content-range"] == "bytes 8-10/11"
    assert seen["bytes=6-"]["body"] == "world"
    assert seen["bytes=5-100"]["headers"]["content-range"] == "bytes 5-10/11"
    assert seen["bytes=11-"]["status"] == 416
    assert seen["bytes=11-"]["headers"]["content-range"] == "bytes */11"
    assert seen["bytes=100-200"]["status"] == 416
    assert seen["invalid Range ignored"]["status"] == 200
    assert seen["invalid Range ignored"]["headers"]["content-range"] == ABSENT


def test_object_conditional_requests(swift):
    def conditional_requests(client):
        watch = Observer(client)
        container = client.path(client.name("c"))
        client.put(container)
        put = client.put(container + "/object", data=DATA)
        last_modified = put.headers.get("Last-Modified", "")
        cases = {
            "GET If-None-Match: etag": ("GET", {"If-None-Match": DATA_MD5}),
            "GET If-None-Match: quoted etag": ("GET", {"If-None-Match": f'"{DATA_MD5}"'}),
            "GET If-None-Match: other": ("GET", {"If-None-Match": "0" * 32}),
            "HEAD If-None-Match: etag": ("HEAD", {"If-None-Match": DATA_MD5}),
            "GET If-Match: etag": ("GET", {"If-Match": DATA_MD5}),
            "GET If-Match: other": ("GET", {"If-Match": "0" * 32}),
            "GET If-Modified-Since: Last-Modified": ("GET", {"If-Modified-Since": last_modified}),
            "GET If-Modified-Since: 2001": ("GET", {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}),
            "GET If-Unmodified-Since: 2001": ("GET", {"If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}),
        }
        seen = {
            case: watch.observe(client.request(method, container + "/object", headers=headers), "Etag", "Content-Length")
            for case, (method, headers) in cases.items()
        }
        seen["PUT If-None-Match: * over an object"] = watch.observe(
            client.put(container + "/object", headers={"If-None-Match": "*"}, data=b"new")
        )
        seen["PUT If-None-Match: * for a new name"] = watch.observe(
            client.put(container + "/new", headers={"If-None-Match": "*"}, data=b"new")
        )
        seen["object kept after the refused PUT"] = watch.observe(client.get(container + "/object"))
        return seen

    seen = swift.conform(conditional_requests)

    assert seen["GET If-None-Match: etag"] == {"status": 304, "headers": {"etag": DATA_MD5, "content-length": "0"}, "body": ""}
    assert seen["GET If-None-Match: quoted etag"]["status"] == 304
    assert seen["GET If-None-Match: other"]["status"] == 200
    assert seen["HEAD If-None-Match: etag"]["status"] == 304
    assert seen["GET If-Match: etag"]["status"] == 200
    assert seen["GET If-Match: other"]["status"] == 412
    assert seen["GET If-Modified-Since: Last-Modified"]["status"] == 304
    assert seen["GET If-Modified-Since: 2001"]["status"] == 200
    assert seen["GET If-Unmodified-Since: 2001"]["status"] == 412
    assert seen["PUT If-None-Match: * over an object"]["status"] == 412
    assert seen["PUT If-None-Match: * for a new name"]["status"] == 201
    assert seen["object kept after the refused PUT"]["body"] == DATA.decode()


def test_object_post_replaces_metadata(swift):
    def post_metadata(client):
        watch = Observer(client)
        container = client.path(client.name("c"))
        client.put(container)
        client.put(
            container + "/object",
            data=DATA,
            headers={"X-Object-Meta-First": "1", "X-Object-Meta-Mtime": "1700000000.5", "Content-Type": "text/plain"},
        )
        meta = ("X-Object-Meta-First", "X-Object-Meta-Second", "X-Object-Meta-Mtime", "X-Object-Meta-Unicode", "Content-Type", "Etag")
        return {
            "HEAD after PUT": watch.observe(client.head(container + "/object"), *meta),
            "POST": watch.observe(
                client.post(
                    container + "/object",
                    headers={"X-Object-Meta-Second": "2", "X-Object-Meta-Unicode": "Grüße 日本".encode("utf-8")},
                ),
                "Content-Type",
            ),
            "HEAD after POST": watch.observe(client.head(container + "/object"), *meta),
            "GET after POST": watch.observe(client.get(container + "/object"), *meta),
            "POST with a Content-Type": watch.observe(client.post(container + "/object", headers={"Content-Type": "text/csv"})),
            "HEAD after POST with a Content-Type": watch.observe(client.head(container + "/object"), *meta),
            "POST missing object": watch.observe(client.post(container + "/missing", headers={"X-Object-Meta-A": "1"})),
        }

    seen = swift.conform(post_metadata)

    assert seen["HEAD after PUT"]["headers"]["x-object-meta-first"] == "1"
    assert seen["HEAD after PUT"]["headers"]["x-object-meta-mtime"] == "1700000000.5"
    assert seen["POST"]["status"] == 202
    assert seen["POST"]["body"] == ACCEPTED_BODY
    after = seen["HEAD after POST"]["headers"]
    assert after["x-object-meta-first"] == ABSENT
    assert after["x-object-meta-second"] == "2"
    assert after["x-object-meta-unicode"] == "Grüße 日本"
    assert after["etag"] == DATA_MD5
    assert seen["GET after POST"]["body"] == DATA.decode()
    assert seen["HEAD after POST with a Content-Type"]["headers"]["content-type"] == "text/csv"
    assert seen["POST missing object"]["status"] == 404


def test_server_side_copy(swift):
    source = "src dir/a b#c%d?e&f+g é"

    def server_side_copy(client):
        watch = Observer(client)
        container = client.name("c")
        target = client.name("target ü")
        client.put(client.path(container))
        client.put(client.path(target))
        client.put(
            client.path(container, source),
            data=DATA,
            headers={"X-Object-Meta-Color": "blue", "Content-Type": "text/plain"},
        )
        source_header = client.path(container, source)
        copied = ("Etag", "X-Copied-From", "X-Copied-From-Account", "X-Copied-From-Last-Modified", "X-Object-Meta-Color")
        seen = {
            "COPY with Destination": watch.observe(
                client.request(
                    "COPY", client.path(container, source), headers={"Destination": client.path(target, "copy #1 é%")}
                ),
                *copied,
            ),
            "PUT with X-Copy-From": watch.observe(
                client.put(
                    client.path(target, "copy ?2"),
                    headers={"X-Copy-From": source_header, "X-Object-Meta-Extra": "yes"},
                ),
                *copied,
            ),
            "PUT with X-Copy-From, no leading slash": watch.observe(
                client.put(client.path(target, "copy 3"), headers={"X-Copy-From": source_header.lstrip("/")}),
                "Etag",
            ),
            "GET the COPY": watch.observe(client.get(client.path(target, "copy #1 é%")), "Etag", "Content-Type", "X-Object-Meta-Color"),
            "GET the X-Copy-From copy": watch.observe(
                client.get(client.path(target, "copy ?2")), "Etag", "X-Object-Meta-Color", "X-Object-Meta-Extra"
            ),
            "copy of a missing source": watch.observe(
                client.put(client.path(target, "copy 4"), headers={"X-Copy-From": client.path(container, "missing")})
            ),
            "copy from a missing container": watch.observe(
                client.put(client.path(target, "copy 5"), headers={"X-Copy-From": client.path(client.name("nothing"), "x")})
            ),
            "target listing": watch.observe(client.get(client.path(target), query="format=json"), body="listing"),
        }
        return seen

    seen = swift.conform(server_side_copy)

    copy = seen["COPY with Destination"]
    assert copy["status"] == 201
    assert copy["headers"]["etag"] == DATA_MD5
    assert copy["headers"]["x-copied-from"] == seen["PUT with X-Copy-From"]["headers"]["x-copied-from"]
    assert copy["headers"]["x-copied-from-account"] == "AUTH_<account>"
    assert seen["PUT with X-Copy-From"]["status"] == 201
    assert seen["PUT with X-Copy-From, no leading slash"]["status"] == 201
    assert seen["GET the COPY"]["body"] == DATA.decode()
    assert seen["GET the COPY"]["headers"]["x-object-meta-color"] == "blue"
    assert seen["GET the X-Copy-From copy"]["headers"]["x-object-meta-extra"] == "yes"
    assert seen["GET the X-Copy-From copy"]["headers"]["x-object-meta-color"] == "blue"
    assert seen["copy of a missing source"]["status"] == 404
    assert seen["copy from a missing container"]["status"] == 404
    names = [entry["name"] for entry in seen["target listing"]["body"]]
    assert names == ["copy #1 é%", "copy 3", "copy ?2"]


def last_modified_rounds_up(headers) -> bool:
    """Return whether Last-Modified is X-Timestamp rounded up to a whole second, as Swift sends it."""
    try:
        timestamp = float(headers.get("X-Timestamp", ""))
    except ValueError:
        return False
    return headers.get("Last-Modified") == formatdate(math.ceil(timestamp), usegmt=True)
