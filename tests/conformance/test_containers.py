"""Conformance: container create, read, delete, metadata and public-read ACLs."""

from __future__ import annotations

from .observe import ABSENT, DATE_SEEN, TIMESTAMP_SEEN, Observer

NOT_FOUND_BODY = "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>"
CONFLICT_BODY = "<html><h1>Conflict</h1><p>There was a conflict when trying to complete your request.</p></html>"
ACCEPTED_BODY = "<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>"

CONTAINER_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Accept-Ranges",
    "X-Container-Object-Count",
    "X-Container-Bytes-Used",
    "X-Timestamp",
    "Last-Modified",
    "X-Storage-Policy",
)


def test_container_lifecycle(swift):
    def container_lifecycle(client):
        watch = Observer(client)
        container = client.path(client.name("c"))
        seen = {
            "PUT new": watch.observe(client.put(container), "Content-Length"),
            "PUT existing": watch.observe(client.put(container), "Content-Type"),
            "HEAD empty": watch.observe(client.head(container), *CONTAINER_HEADERS),
        }
        client.put(container + "/object", data=b"12345")
        seen["HEAD with one object"] = watch.observe(client.head(container), "X-Container-Object-Count", "X-Container-Bytes-Used")
        seen["DELETE non-empty"] = watch.observe(client.delete(container), "Content-Type")
        seen["DELETE its object"] = watch.observe(client.delete(container + "/object"))
        seen["DELETE empty"] = watch.observe(client.delete(container))
        seen["DELETE missing"] = watch.observe(client.delete(container), "Content-Type")
        seen["HEAD missing"] = watch.observe(client.head(container))
        seen["GET missing"] = watch.observe(client.get(container))
        return seen

    seen = swift.conform(container_lifecycle)

    assert seen["PUT new"] == {"status": 201, "headers": {"content-length": "0"}, "body": ""}
    assert seen["PUT existing"]["status"] == 202
    assert seen["PUT existing"]["body"] == ACCEPTED_BODY
    empty = seen["HEAD empty"]
    assert empty["status"] == 204
    assert empty["headers"]["x-container-object-count"] == "0"
    assert empty["headers"]["x-container-bytes-used"] == "0"
    assert empty["headers"]["x-timestamp"] == TIMESTAMP_SEEN
    assert empty["headers"]["last-modified"] == DATE_SEEN
    assert empty["headers"]["accept-ranges"] == "bytes"
    assert seen["HEAD with one object"]["headers"] == {"x-container-object-count": "1", "x-container-bytes-used": "5"}
    assert seen["DELETE non-empty"]["status"] == 409
    assert seen["DELETE non-empty"]["body"] == CONFLICT_BODY
    assert seen["DELETE its object"]["status"] == 204
    assert seen["DELETE empty"] == {"status": 204, "body": ""}
    assert seen["DELETE missing"]["status"] == 404
    assert seen["DELETE missing"]["body"] == NOT_FOUND_BODY
    assert seen["HEAD missing"] == {"status": 404, "body": ""}
    assert seen["GET missing"]["status"] == 404


def test_container_metadata_set_and_remove(swift):
    def container_metadata(client):
        watch = Observer(client)
        container = client.path(client.name("c"))
        meta = ("X-Container-Meta-Color", "X-Container-Meta-Shape", "X-Container-Meta-Size")
        seen = {"PUT with metadata": watch.observe(client.put(container, headers={"X-Container-Meta-Color": "blue"}))}
        seen["POST metadata"] = watch.observe(
            client.post(container, headers={"X-Container-Meta-Shape": "round", "X-Container-Meta-Size": "10 cm é".encode("utf-8")})
        )
        seen["HEAD after POST"] = watch.observe(client.head(container), *meta)
        seen["POST X-Remove-Container-Meta-Shape"] = watch.observe(
            client.post(container, headers={"X-Remove-Container-Meta-Shape": "anything"})
        )
        seen["HEAD after remove"] = watch.observe(client.head(container), *meta)
        seen["POST empty value"] = watch.observe(client.post(container, headers={"X-Container-Meta-Color": ""}))
        seen["HEAD after empty value"] = watch.observe(client.head(container), *meta)
        seen["PUT existing with metadata"] = watch.observe(client.put(container, headers={"X-Container-Meta-Shape": "square"}))
        seen["HEAD after PUT"] = watch.observe(client.head(container), *meta)
        seen["POST missing container"] = watch.observe(client.post(client.path(client.name("missing")), headers={"X-Container-Meta-A": "1"}))
        return seen

    seen = swift.conform(container_metadata)

    assert seen["POST metadata"]["status"] == 204
    assert seen["HEAD after POST"]["headers"] == {
        "x-container-meta-color": "blue",
        "x-container-meta-shape": "round",
        "x-container-meta-size": "10 cm é",
    }
    assert seen["POST X-Remove-Container-Meta-Shape"]["status"] == 204
    assert seen["HEAD after remove"]["headers"]["x-container-meta-shape"] == ABSENT
    assert seen["HEAD after remove"]["headers"]["x-container-meta-color"] == "blue"
    assert seen["HEAD after empty value"]["headers"]["x-container-meta-color"] == ABSENT
    assert seen["PUT existing with metadata"]["status"] == 202
    assert seen["HEAD after PUT"]["headers"]["x-container-meta-shape"] == "square"
    assert seen["HEAD after PUT"]["headers"]["x-container-meta-size"] == "10 cm é"
    assert seen["POST missing container"]["status"] == 404


def test_metadata_limits_get_400(swift):
    def metadata_limits(client):
        watch = Observer(client)
        container = client.path(client.name("c"))
        client.put(container)
        client.put(container + "/object", data=b"x", headers={"X-Object-Meta-Kept": "yes"})
        cases = {
            "name of 129 bytes": {"Meta-" + "n" * 129: "v"},
            "value of 257 bytes": {"Meta-Name": "v" * 257},
            "91 items": {f"Meta-Item{index}": "v" for index in range(91)},
            "4097 bytes in all": {f"Meta-Item{index:02d}": "v" * 250 for index in range(17)},
        }
        seen = {}
        for case, metadata in cases.items():
            object_headers = {f"X-Object-{name}": value for name, value in metadata.items()}
            container_headers = {f"X-Container-{name}": value for name, value in metadata.items()}
            seen[f"object POST, {case}"] = watch.observe(client.post(container + "/object", headers=object_headers), "Content-Type")
            seen[f"object PUT, {case}"] = watch.observe(client.put(container + "/other", headers=object_headers, data=b"x"))
            seen[f"container POST, {case}"] = watch.observe(client.post(container, headers=container_headers))
        # requests sends a str header value as latin-1: not UTF-8 when it has an "é".
        seen["container POST, latin-1 value"] = watch.observe(client.post(container, headers={"X-Container-Meta-A": "é"}))
        seen["object POST, latin-1 value"] = watch.observe(client.post(container + "/object", headers={"X-Object-Meta-A": "é"}))
        at_limits = {"X-Object-Meta-" + "n" * 128: "v" * 256}
        seen["object POST at the limits"] = watch.observe(client.post(container + "/object", headers=at_limits))
        seen["object keeps the metadata at the limits"] = watch.observe(client.head(container + "/object"), *at_limits)
        seen["object left unchanged by the rejected PUTs"] = watch.observe(client.head(container + "/other"))
        return seen

    seen = swift.conform(metadata_limits)

    for case in ("name of 129 bytes", "value of 257 bytes", "91 items", "4097 bytes in all"):
        assert seen[f"object POST, {case}"]["status"] == 400, case
        assert seen[f"object PUT, {case}"]["status"] == 400, case
        assert seen[f"container POST, {case}"]["status"] == 400, case
    assert seen["object POST, name of 129 bytes"]["body"].startswith("Metadata name too long: x-object-meta-")
    assert seen["object POST, value of 257 bytes"]["body"] == "Metadata value longer than 256: x-object-meta-Name"
    assert seen["object POST, 91 items"]["body"] == "Too many metadata items; max 90"
    assert seen["object POST, 4097 bytes in all"]["body"] == "Total metadata too large; max 4096"
    assert seen["container POST, latin-1 value"] == {"status": 400, "body": "Metadata must be valid UTF-8"}
    assert seen["object POST, latin-1 value"]["status"] == 202
    assert seen["object POST at the limits"]["status"] == 202
    assert seen["object keeps the metadata at the limits"]["status"] == 200
    assert seen["object left unchanged by the rejected PUTs"]["status"] == 404


def test_public_read_acl(swift):
    def public_read(client):
        watch = Observer(client)
        public = client.path(client.name("public"))
        objects_only = client.path(client.name("objects-only"))
        private = client.path(client.name("private"))
        seen = {
            "PUT with .r:*,.rlistings": watch.observe(client.put(public, headers={"X-Container-Read": ".r:*,.rlistings"})),
            "owner HEAD shows the ACL": watch.observe(client.head(public), "X-Container-Read"),
        }
        client.put(public + "/object", data=b"public data")
        client.put(objects_only, headers={"X-Container-Read": ".r:*"})
        client.put(objects_only + "/object", data=b"public data")
        client.put(private)
        client.put(private + "/object", data=b"private data")

        seen["anonymous object GET"] = watch.observe(client.get(public + "/object", token=False), "Content-Length", "Etag")
        seen["anonymous listing"] = watch.observe(client.get(public, token=False, query="format=json"), body="listing")
        seen["anonymous container HEAD"] = watch.observe(client.head(public, token=False), "X-Container-Read", "X-Container-Object-Count")
        seen["anonymous object PUT"] = watch.observe(client.put(public + "/new", token=False, data=b"x"), "Www-Authenticate")
        seen["anonymous missing object GET"] = watch.observe(client.get(public + "/missing", token=False))
        seen["anonymous object GET, .r:* only"] = watch.observe(client.get(objects_only + "/object", token=False))
        seen["anonymous listing, .r:* only"] = watch.observe(client.get(objects_only, token=False), "Www-Authenticate")
        seen["anonymous object GET, no ACL"] = watch.observe(client.get(private + "/object", token=False), "Www-Authenticate")
        seen["ACL removed"] = watch.observe(client.post(public, headers={"X-Remove-Container-Read": "x"}))
        seen["anonymous object GET after removal"] = watch.observe(client.get(public + "/object", token=False))
        return seen

    seen = swift.conform(public_read)

    assert seen["owner HEAD shows the ACL"]["headers"]["x-container-read"] == ".r:*,.rlistings"
    assert seen["anonymous object GET"]["status"] == 200
    assert seen["anonymous object GET"]["body"] == "public data"
    assert seen["anonymous listing"]["status"] == 200
    assert [entry["name"] for entry in seen["anonymous listing"]["body"]] == ["object"]
    assert seen["anonymous container HEAD"]["status"] == 204
    assert seen["anonymous container HEAD"]["headers"]["x-container-read"] == ABSENT
    assert seen["anonymous object PUT"]["status"] == 401
    assert seen["anonymous missing object GET"]["status"] == 404
    assert seen["anonymous object GET, .r:* only"]["status"] == 200
    assert seen["anonymous listing, .r:* only"]["status"] == 401
    assert seen["anonymous object GET, no ACL"]["status"] == 401
    assert seen["anonymous object GET after removal"]["status"] == 401
