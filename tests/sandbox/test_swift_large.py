"""Large objects in the sandbox: DLO manifests, SLO manifests, their listings, ranges and deletes."""

from __future__ import annotations

import hashlib
import json

import pytest
from tests.sandbox.swift_helpers import login, new_container


@pytest.fixture
def account(sandbox):
    return login(sandbox)


@pytest.fixture
def segments(account):
    container = new_container(account, "large")
    parts = {"seg/000": b"a" * 5, "seg/001": b"b" * 3, "seg/002": b"c" * 4}
    etags = {}
    for name, data in parts.items():
        etags[name] = account.request("PUT", f"/{container}/{name}", data=data).headers["Etag"]
    return container, parts, etags


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_dlo_concatenates_segments_in_name_order(account, segments):
    container, parts, etags = segments
    account.request("PUT", f"/{container}/dlo", data=b"", headers={"X-Object-Manifest": f"{container}/seg/"})

    got = account.request("GET", f"/{container}/dlo")
    ranged = account.request("GET", f"/{container}/dlo", headers={"Range": "bytes=4-8"})
    manifest = account.request("GET", f"/{container}/dlo", params={"multipart-manifest": "get"})

    whole = b"".join(parts[name] for name in sorted(parts))
    assert got.content == whole
    assert got.headers["Etag"] == '"' + md5("".join(etags[name] for name in sorted(parts)).encode()) + '"'
    assert got.headers["X-Object-Manifest"] == f"{container}/seg/"
    assert ranged.status_code == 206
    assert ranged.content == whole[4:9]
    assert manifest.content == b""


def test_dlo_ignores_multiple_ranges(account, segments):
    container, parts, _etags = segments
    account.request("PUT", f"/{container}/dlo", data=b"", headers={"X-Object-Manifest": f"{container}/seg/"})

    response = account.request("GET", f"/{container}/dlo", headers={"Range": "bytes=0-1,4-5"})

    assert response.status_code == 200
    assert len(response.content) == sum(len(data) for data in parts.values())


def test_dlo_listing_shows_zero_bytes(account, segments):
    container, _parts, _etags = segments
    account.request("PUT", f"/{container}/dlo", data=b"", headers={"X-Object-Manifest": f"{container}/seg/"})

    listing = account.request("GET", f"/{container}", params={"format": "json", "prefix": "dlo"}).json()

    assert listing[0]["bytes"] == 0
    assert listing[0]["hash"] == md5(b"")


def test_dlo_header_must_name_container_and_prefix(account, segments):
    container, _parts, _etags = segments

    response = account.request("PUT", f"/{container}/bad", data=b"", headers={"X-Object-Manifest": "no-prefix"})

    assert response.status_code == 400
    assert response.text == "X-Object-Manifest must be in the format container/prefix"


def test_slo_put_get_and_range_across_segments(account, segments):
    container, parts, etags = segments
    manifest = [
        {"path": f"/{container}/seg/000", "etag": etags["seg/000"], "size_bytes": 5},
        {"path": f"{container}/seg/001"},
        {"path": f"/{container}/seg/002", "range": "1-2"},
    ]

    put = account.request("PUT", f"/{container}/slo", params={"multipart-manifest": "put"}, data=json.dumps(manifest))
    got = account.request("GET", f"/{container}/slo")
    ranged = account.request("GET", f"/{container}/slo", headers={"Range": "bytes=3-6"})
    multi = account.request("GET", f"/{container}/slo", headers={"Range": "bytes=0-0,8-9"})

    whole = parts["seg/000"] + parts["seg/001"] + parts["seg/002"][1:3]
    expected_etag = md5((etags["seg/000"] + etags["seg/001"] + f"{etags['seg/002']}:1-2;").encode())
    assert put.status_code == 201
    assert put.headers["Etag"] == f'"{expected_etag}"'
    assert got.content == whole
    assert got.headers["Etag"] == f'"{expected_etag}"'
    assert got.headers["X-Static-Large-Object"] == "True"
    assert got.headers["Content-Length"] == str(len(whole))
    assert ranged.content == whole[3:7]
    assert multi.status_code == 206
    assert multi.headers["Content-Type"].startswith("multipart/byteranges")


def test_slo_listing_size_and_container_counter(account, segments):
    container, _parts, etags = segments
    manifest = [{"path": f"/{container}/seg/000"}, {"path": f"/{container}/seg/001"}]
    account.request("PUT", f"/{container}/slo", params={"multipart-manifest": "put"}, data=json.dumps(manifest))

    entry = account.request("GET", f"/{container}", params={"format": "json", "prefix": "slo"}).json()[0]
    stored = account.request("GET", f"/{container}/slo", params={"multipart-manifest": "get"})
    head = account.request("HEAD", f"/{container}")

    assert entry["bytes"] == 8
    assert entry["slo_etag"] == '"' + md5((etags["seg/000"] + etags["seg/001"]).encode()) + '"'
    assert entry["hash"] == md5(stored.content)
    assert stored.headers["Content-Type"] == "application/json; charset=utf-8"
    assert [segment["name"] for segment in stored.json()] == [f"/{container}/seg/000", f"/{container}/seg/001"]
    assert int(head.headers["X-Container-Bytes-Used"]) == 12 + len(stored.content)


def test_slo_raw_manifest_can_be_put_again(account, segments):
    container, parts, _etags = segments
    manifest = [{"path": f"/{container}/seg/000"}, {"path": f"/{container}/seg/002"}]
    account.request("PUT", f"/{container}/slo", params={"multipart-manifest": "put"}, data=json.dumps(manifest))

    raw = account.request("GET", f"/{container}/slo", params={"multipart-manifest": "get", "format": "raw"})
    again = account.request("PUT", f"/{container}/slo2", params={"multipart-manifest": "put"}, data=raw.content)

    assert list(raw.json()[0]) == ["etag", "path", "size_bytes"]
    assert again.status_code == 201
    assert account.request("GET", f"/{container}/slo2").content == parts["seg/000"] + parts["seg/002"]


def test_slo_validation_errors(account, segments):
    container, _parts, _etags = segments
    bad = [{"path": "no-slash"}, 3, {"path": "/a/b", "range": "x"}, {"path": "/a/b", "extra": 1}]

    syntax = account.request("PUT", f"/{container}/slo", params={"multipart-manifest": "put"}, data=json.dumps(bad))
    not_json = account.request("PUT", f"/{container}/slo", params={"multipart-manifest": "put"}, data=b"{")
    missing = account.request(
        "PUT",
        f"/{container}/slo",
        params={"multipart-manifest": "put"},
        data=json.dumps([{"path": f"/{container}/nope"}, {"path": f"/{container}/seg/000", "size_bytes": 99}]),
        headers={"Accept": "application/json"},
    )

    assert syntax.status_code == 400
    assert syntax.text == (
        "Index 0: path does not refer to an object. Path must be of the form /container/object.\n"
        "Index 1: not a JSON object\n"
        "Index 2: invalid range\n"
        'Index 3: extraneous keys "extra"\n'
    )
    assert not_json.text == "Manifest must be valid JSON.\n"
    assert missing.status_code == 400
    assert missing.json() == {"Errors": [[f"/{container}/nope", "404 Not Found"], [f"/{container}/seg/000", "Size Mismatch"]]}


def test_slo_too_many_segments_is_413(sandbox, account, segments):
    container, _parts, _etags = segments
    sandbox.update_settings(max_manifest_segments=2)
    manifest = [{"path": f"/{container}/seg/00{index}"} for index in range(3)]

    response = account.request("PUT", f"/{container}/slo", params={"multipart-manifest": "put"}, data=json.dumps(manifest))

    assert response.status_code == 413
    assert response.text == "Number of object-backed segments must be <= 2"


def test_slo_delete_removes_segments(account, segments):
    container, _parts, _etags = segments
    manifest = [{"path": f"/{container}/seg/000"}, {"path": f"/{container}/seg/001"}]
    account.request("PUT", f"/{container}/slo", params={"multipart-manifest": "put"}, data=json.dumps(manifest))

    response = account.request("DELETE", f"/{container}/slo", params={"multipart-manifest": "delete"}, headers={"Accept": "application/json"})

    assert response.status_code == 200
    assert response.json() == {"Response Status": "200 OK", "Response Body": "", "Number Deleted": 3, "Number Not Found": 0, "Errors": []}
    remaining = account.request("GET", f"/{container}").text.split()
    assert remaining == ["seg/002"]


def test_slo_copy_becomes_plain_object(account, segments):
    container, parts, _etags = segments
    manifest = [{"path": f"/{container}/seg/000"}, {"path": f"/{container}/seg/001"}]
    account.request("PUT", f"/{container}/slo", params={"multipart-manifest": "put"}, data=json.dumps(manifest))

    account.request("PUT", f"/{container}/copy", data=b"", headers={"X-Copy-From": f"{container}/slo"})
    head = account.request("HEAD", f"/{container}/copy")

    whole = parts["seg/000"] + parts["seg/001"]
    assert "X-Static-Large-Object" not in head.headers
    assert head.headers["Etag"] == md5(whole)
    assert account.request("GET", f"/{container}/copy").content == whole


def test_slo_changed_segment_is_409(account, segments):
    container, _parts, _etags = segments
    account.request("PUT", f"/{container}/slo", params={"multipart-manifest": "put"}, data=json.dumps([{"path": f"/{container}/seg/000"}]))
    account.request("PUT", f"/{container}/seg/000", data=b"changed!")

    assert account.request("GET", f"/{container}/slo").status_code == 409


def test_nested_slo_with_range(account, segments):
    container, parts, _etags = segments
    inner = [{"path": f"/{container}/seg/000"}, {"path": f"/{container}/seg/001"}]
    account.request("PUT", f"/{container}/inner", params={"multipart-manifest": "put"}, data=json.dumps(inner))
    outer = [{"path": f"/{container}/inner", "range": "2-6"}, {"path": f"/{container}/seg/002"}]

    put = account.request("PUT", f"/{container}/outer", params={"multipart-manifest": "put"}, data=json.dumps(outer))
    got = account.request("GET", f"/{container}/outer")
    stored = account.request("GET", f"/{container}/outer", params={"multipart-manifest": "get"}).json()

    inner_bytes = parts["seg/000"] + parts["seg/001"]
    assert put.status_code == 201
    assert got.content == inner_bytes[2:7] + parts["seg/002"]
    assert stored[0]["sub_slo"] is True
    assert stored[0]["bytes"] == len(inner_bytes)


def test_dlo_beyond_one_listing_page_has_no_length(sandbox, account, segments):
    container, parts, _etags = segments
    account.request("PUT", f"/{container}/dlo", data=b"", headers={"X-Object-Manifest": f"{container}/seg/"})
    sandbox.update_settings(container_listing_limit=2)

    response = account.request("GET", f"/{container}/dlo")

    assert response.status_code == 200
    assert "Content-Length" not in response.headers
    assert "Etag" not in response.headers
    assert response.content == parts["seg/000"] + parts["seg/001"] + parts["seg/002"]
