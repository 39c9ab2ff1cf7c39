"""Swift objects in the sandbox: upload checks, reads, ranges, conditions, metadata and copies."""

from __future__ import annotations

import hashlib
import urllib.parse

import pytest
from tests.sandbox.swift_helpers import login, new_container

NOT_FOUND_PAGE = "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>"


@pytest.fixture
def account(sandbox):
    return login(sandbox)


@pytest.fixture
def container(account):
    return new_container(account)


def test_put_then_get_returns_bytes_and_headers(account, container):
    data = b"hello swift"

    put = account.request("PUT", f"/{container}/greeting.txt", data=data, headers={"X-Object-Meta-Mtime": "1700000000.5"})
    got = account.request("GET", f"/{container}/greeting.txt")

    assert put.status_code == 201
    assert put.headers["Etag"] == hashlib.md5(data).hexdigest()
    assert put.text == ""
    assert got.status_code == 200
    assert got.content == data
    assert got.headers["Etag"] == put.headers["Etag"]
    assert got.headers["Content-Type"] == "text/plain"
    assert got.headers["Content-Length"] == str(len(data))
    assert got.headers["Accept-Ranges"] == "bytes"
    assert got.headers["X-Object-Meta-Mtime"] == "1700000000.5"
    assert len(got.headers["X-Timestamp"]) == 16
    assert got.headers["Last-Modified"].endswith(" GMT")


def test_zero_byte_object_has_md5_of_nothing(account, container):
    put = account.request("PUT", f"/{container}/empty", data=b"")

    assert put.status_code == 201
    assert put.headers["Etag"] == "d41d8cd98f00b204e9800998ecf8427e"
    assert account.request("GET", f"/{container}/empty").content == b""


def test_chunked_upload_is_stored(account, container):
    chunks = [b"a" * 70000, b"b" * 5, b"c" * 123456]

    put = account.request("PUT", f"/{container}/chunked", data=iter(chunks))
    got = account.request("GET", f"/{container}/chunked")

    assert put.status_code == 201
    assert got.content == b"".join(chunks)
    assert put.headers["Etag"] == hashlib.md5(b"".join(chunks)).hexdigest()


def test_etag_mismatch_is_422_and_stores_nothing(account, container):
    put = account.request("PUT", f"/{container}/bad", data=b"data", headers={"Etag": "0" * 32})

    assert put.status_code == 422
    assert put.text == "<html><h1>Unprocessable Entity</h1><p>Unable to process the contained instructions</p></html>"
    assert account.request("HEAD", f"/{container}/bad").status_code == 404


def test_missing_container_is_404(account):
    response = account.request("PUT", "/no-such-container-here/obj", data=b"x")

    assert response.status_code == 404
    assert response.text == NOT_FOUND_PAGE


def test_length_required_without_length_or_chunking(account, container):
    import http.client

    url = urllib.parse.urlsplit(account.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.putrequest("PUT", f"{url.path}/{container}/nolength")
    connection.putheader("X-Auth-Token", account.token)
    connection.endheaders()
    response = connection.getresponse()

    assert response.status == 411
    assert response.read() == b"Missing Content-Length header."


def test_object_over_max_file_size_is_413(sandbox, account, container):
    sandbox.update_settings(max_file_size=10)

    declared = account.request("PUT", f"/{container}/big", data=b"x" * 11)
    streamed = account.request("PUT", f"/{container}/big", data=iter([b"x" * 6, b"x" * 6]))

    assert declared.status_code == 413
    assert declared.text == "Your request is too large."
    assert streamed.status_code == 413
    assert account.request("HEAD", f"/{container}/big").status_code == 404


def test_name_limits_and_invalid_utf8(account, container):
    too_long = account.request("PUT", f"/{container}/" + "o" * 1025, data=b"x")
    counted_in_characters = account.request("PUT", f"/{container}/" + urllib.parse.quote("é" * 1000), data=b"x")
    invalid = account.request("PUT", f"/{container}/%FF", data=b"x")
    nul = account.request("GET", f"/{container}/a%00b")

    assert too_long.status_code == 400
    assert too_long.text == "Object name length of 1025 longer than 1024"
    assert counted_in_characters.status_code == 201
    assert invalid.status_code == 412
    assert invalid.text == "Invalid UTF8 or contains NULL"
    assert nul.status_code == 412


@pytest.mark.parametrize("name", ["a//b", "/abs", "dir/", "sp ace+plus&amp=eq", "x?y#z", "é/ü ñ", "日本語", "emoji😀", "%25"])
def test_names_round_trip_byte_for_byte(account, container, name):
    quoted = urllib.parse.quote(name.encode("utf-8"), safe="/")

    put = account.request("PUT", f"/{container}/{quoted}", data=name.encode("utf-8"))
    got = account.request("GET", f"/{container}/{quoted}")
    listing = account.request("GET", f"/{container}", params={"format": "json"}).json()

    assert put.status_code == 201
    assert got.content == name.encode("utf-8")
    assert name in [entry["name"] for entry in listing]


def test_slashes_make_distinct_names(account, container):
    for name in ("a/b", "a//b", "/a/b", "a/b/"):
        account.request("PUT", f"/{container}/{name}", data=name.encode())

    for name in ("a/b", "a//b", "/a/b", "a/b/"):
        assert account.request("GET", f"/{container}/{name}").content == name.encode()


def test_ranges(account, container):
    data = bytes(range(256)) * 4
    account.request("PUT", f"/{container}/bytes", data=data)

    def get(value):
        return account.request("GET", f"/{container}/bytes", headers={"Range": value})

    middle, suffix, open_end, past_end, invalid = get("bytes=10-19"), get("bytes=-5"), get("bytes=1020-"), get("bytes=5000-"), get("bytes=x")

    assert middle.status_code == 206
    assert middle.content == data[10:20]
    assert middle.headers["Content-Range"] == f"bytes 10-19/{len(data)}"
    assert suffix.content == data[-5:]
    assert open_end.content == data[1020:]
    assert past_end.status_code == 416
    assert past_end.headers["Content-Range"] == f"bytes */{len(data)}"
    assert invalid.status_code == 200
    assert invalid.content == data


def test_multiple_ranges_are_multipart(account, container):
    data = b"0123456789"
    account.request("PUT", f"/{container}/digits", data=data, headers={"Content-Type": "text/x-digits"})

    response = account.request("GET", f"/{container}/digits", headers={"Range": "bytes=0-1,5-6"})

    assert response.status_code == 206
    content_type = response.headers["Content-Type"]
    assert content_type.startswith("multipart/byteranges;boundary=")
    boundary = content_type.split("=", 1)[1]
    expected = (
        f"--{boundary}\r\nContent-Type: text/x-digits\r\nContent-Range: bytes 0-1/10\r\n\r\n01\r\n"
        f"--{boundary}\r\nContent-Type: text/x-digits\r\nContent-Range: bytes 5-6/10\r\n\r\n56\r\n--{boundary}--"
    ).encode()
    assert response.content == expected
    assert int(response.headers["Content-Length"]) == len(expected)


def test_conditional_requests(account, container):
    put = account.request("PUT", f"/{container}/cond", data=b"abc")
    etag = put.headers["Etag"]

    not_modified = account.request("GET", f"/{container}/cond", headers={"If-None-Match": f'"{etag}"'})
    failed = account.request("GET", f"/{container}/cond", headers={"If-Match": "other"})
    matched = account.request("GET", f"/{container}/cond", headers={"If-Match": etag})
    later = account.request("GET", f"/{container}/cond", headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    create_only = account.request("PUT", f"/{container}/cond", data=b"new", headers={"If-None-Match": "*"})

    assert not_modified.status_code == 304
    assert not_modified.headers["Etag"] == etag
    assert failed.status_code == 412
    assert matched.status_code == 200
    assert later.status_code == 304
    assert create_only.status_code == 412
    assert account.request("GET", f"/{container}/cond").content == b"abc"


def test_post_replaces_user_metadata(account, container):
    account.request("PUT", f"/{container}/meta", data=b"x", headers={"X-Object-Meta-Old": "1", "Content-Type": "text/a"})

    post = account.request("POST", f"/{container}/meta", headers={"X-Object-Meta-New": "2", "Content-Type": "text/b"})
    head = account.request("HEAD", f"/{container}/meta")

    assert post.status_code == 202
    assert head.headers["X-Object-Meta-New"] == "2"
    assert "X-Object-Meta-Old" not in head.headers
    assert head.headers["Content-Type"] == "text/b"


def test_metadata_limits_are_400(account, container):
    long_name = account.request("PUT", f"/{container}/m", data=b"x", headers={"X-Object-Meta-" + "k" * 129: "v"})
    long_value = account.request("PUT", f"/{container}/m", data=b"x", headers={"X-Object-Meta-K": "v" * 257})
    too_many = account.request("PUT", f"/{container}/m", data=b"x", headers={f"X-Object-Meta-K{i}": "v" for i in range(91)})

    assert long_name.status_code == 400
    assert long_name.text.startswith("Metadata name too long: x-object-meta-K")
    assert long_value.text == "Metadata value longer than 256: x-object-meta-K"
    assert too_many.text == "Too many metadata items; max 90"


def test_delete_object_then_404(account, container):
    account.request("PUT", f"/{container}/gone", data=b"x")

    first = account.request("DELETE", f"/{container}/gone")
    second = account.request("DELETE", f"/{container}/gone")

    assert first.status_code == 204
    assert second.status_code == 404


def test_delete_after_hides_object_when_time_passes(sandbox, account, container):
    account.request("PUT", f"/{container}/temp", data=b"x", headers={"X-Delete-After": "60"})
    assert account.request("GET", f"/{container}/temp").status_code == 200

    sandbox.shift_clock(61)

    assert account.request("GET", f"/{container}/temp").status_code == 404


def test_copy_with_destination_and_copy_from(account, container):
    account.request("PUT", f"/{container}/src%20one", data=b"payload", headers={"X-Object-Meta-A": "1", "Content-Type": "text/x-a"})

    copied = account.request("COPY", f"/{container}/src%20one", headers={"Destination": f"{container}/dst"})
    from_header = account.request(
        "PUT", f"/{container}/dst2", data=b"", headers={"X-Copy-From": f"/{container}/src%20one", "X-Object-Meta-B": "2"}
    )
    fresh = account.request(
        "PUT", f"/{container}/dst3", data=b"", headers={"X-Copy-From": f"{container}/src%20one", "X-Fresh-Metadata": "true"}
    )

    assert copied.status_code == 201
    assert copied.headers["X-Copied-From"] == f"{container}/src%20one"
    assert copied.headers["X-Copied-From-Account"] == "AUTH_demo"
    assert account.request("GET", f"/{container}/dst").content == b"payload"
    second = account.request("HEAD", f"/{container}/dst2")
    assert second.headers["X-Object-Meta-A"] == "1"
    assert second.headers["X-Object-Meta-B"] == "2"
    assert second.headers["Content-Type"] == "text/x-a"
    assert "X-Object-Meta-A" not in account.request("HEAD", f"/{container}/dst3").headers


def test_copy_errors(account, container):
    account.request("PUT", f"/{container}/src", data=b"x")

    no_destination = account.request("COPY", f"/{container}/src")
    bad_destination = account.request("COPY", f"/{container}/src", headers={"Destination": "just-a-container"})
    missing_source = account.request("COPY", f"/{container}/none", headers={"Destination": f"{container}/x"})
    body_given = account.request("PUT", f"/{container}/y", data=b"abc", headers={"X-Copy-From": f"{container}/src"})

    assert no_destination.status_code == 412
    assert no_destination.text == "Destination header required"
    assert bad_destination.text == "Destination header must be of the form <container name>/<object name>"
    assert missing_source.status_code == 404
    assert body_given.status_code == 400
    assert body_given.text == "Copy requests require a zero byte body"


def test_content_type_guessed_from_name(account, container):
    account.request("PUT", f"/{container}/table.csv", data=b"a,b", headers={"Content-Type": ""})

    assert account.request("HEAD", f"/{container}/table.csv").headers["Content-Type"] == "text/csv"


def test_head_answers_have_length_but_no_body(account, container):
    account.request("PUT", f"/{container}/h", data=b"12345")

    found = account.request("HEAD", f"/{container}/h")
    missing = account.request("HEAD", f"/{container}/nope")

    assert found.headers["Content-Length"] == "5"
    assert found.content == b""
    assert missing.status_code == 404
    assert missing.headers["Content-Length"] == "0"


def test_upload_cut_short_is_499_and_stores_nothing(sandbox, account, container):
    import socket

    path = urllib.parse.urlsplit(account.url).path + f"/{container}/cut"
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=30) as connection:
        request = f"PUT {path} HTTP/1.1\r\nHost: sandbox\r\nX-Auth-Token: {account.token}\r\nContent-Length: 100\r\n\r\nabc"
        connection.sendall(request.encode())
        connection.shutdown(socket.SHUT_WR)
        status_line = connection.recv(200).split(b"\r\n", 1)[0]

    assert status_line == b"HTTP/1.1 499 Client Disconnect"
    assert account.request("HEAD", f"/{container}/cut").status_code == 404
    assert list((sandbox.data_dir / "swift" / "staging").iterdir()) == []
