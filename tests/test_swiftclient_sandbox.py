"""python-swiftclient, the OpenStack reference client, against the sandbox with v1 auth.

Every test also runs against a real Swift (when installed), which shows that the test
itself is right: a failure only on the sandbox is a sandbox bug.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest
from swiftclient.client import ClientException, Connection
from swiftclient.service import SwiftError, SwiftService, SwiftUploadObject

# No retries: a failing server should fail the test at once, not after a minute of backoff.
RETRIES = 0


@dataclass
class SwiftAccount:
    server: str
    auth_url: str
    user: str
    key: str


@pytest.fixture(params=["sandbox", "real_swift"])
def account(request) -> SwiftAccount:
    """v1 auth credentials of the sandbox's demo account, or of the real Swift's test account."""
    if request.param == "sandbox":
        swift = request.getfixturevalue("sandbox").config["swift"]
        return SwiftAccount("sandbox", swift["auth_url"], swift["user"], swift["key"])
    real = request.getfixturevalue("real_swift")
    return SwiftAccount("real_swift", real.auth_url, real.user, real.key)


@pytest.fixture
def connection(account):
    connection = Connection(authurl=account.auth_url, user=account.user, key=account.key, auth_version="1", retries=RETRIES)
    yield connection
    connection.close()


@pytest.fixture
def service(account):
    options = {
        "auth": account.auth_url,
        "user": account.user,
        "key": account.key,
        "auth_version": "1.0",
        "retries": RETRIES,
        # Fewer threads than the default 10: the machine has 2 cores.
        "object_uu_threads": 4,
        "object_dd_threads": 4,
        "segment_threads": 4,
        "container_threads": 2,
    }
    with SwiftService(options=options) as service:
        yield service


def unique(label: str) -> str:
    """Return a container name no other test uses: the sandbox keeps data between tests."""
    return f"swc-{label}-{secrets.token_hex(4)}"


# -- swiftclient.client.Connection ---------------------------------------------------------


def test_connection_container_lifecycle(connection):
    container = unique("life é#")

    connection.put_container(container, headers={"X-Container-Meta-Purpose": "test"})
    headers = connection.head_container(container)
    _, containers = connection.get_account(prefix=container)

    assert headers["x-container-object-count"] == "0"
    assert headers["x-container-meta-purpose"] == "test"
    assert [entry["name"] for entry in containers] == [container]

    connection.delete_container(container)
    with pytest.raises(ClientException) as missing:
        connection.head_container(container)
    assert missing.value.http_status == 404


def test_connection_object_round_trip(connection):
    container = unique("objects")
    name = "dir/ü file #1?.txt"
    data = b"hello from swiftclient\n" * 100
    connection.put_container(container)

    etag = connection.put_object(container, name, data, content_type="text/plain", headers={"X-Object-Meta-Color": "blue"})
    headers, body = connection.get_object(container, name)
    head = connection.head_object(container, name)
    _, listing = connection.get_container(container)

    assert etag == hashlib.md5(data).hexdigest()
    assert body == data
    assert headers["etag"] == etag
    assert headers["content-type"] == "text/plain"
    assert head["content-length"] == str(len(data))
    assert head["x-object-meta-color"] == "blue"
    assert [(entry["name"], entry["bytes"], entry["hash"]) for entry in listing] == [(name, len(data), etag)]


def test_connection_range_metadata_and_copy(connection):
    container = unique("copy")
    connection.put_container(container)
    connection.put_object(container, "source", b"0123456789")

    _, part = connection.get_object(container, "source", headers={"Range": "bytes=2-4"})
    connection.post_object(container, "source", headers={"X-Object-Meta-Stage": "posted"})
    connection.copy_object(container, "source", destination=f"/{container}/copy of source")
    copied_headers, copied = connection.get_object(container, "copy of source")

    assert part == b"234"
    assert copied == b"0123456789"
    assert copied_headers["x-object-meta-stage"] == "posted"


def test_connection_delete_and_errors(connection):
    container = unique("delete")
    connection.put_container(container)
    connection.put_object(container, "object", b"x")

    with pytest.raises(ClientException) as not_empty:
        connection.delete_container(container)
    connection.delete_object(container, "object")
    with pytest.raises(ClientException) as gone:
        connection.get_object(container, "object")
    connection.delete_container(container)
    with pytest.raises(ClientException) as missing_container:
        connection.put_object(container, "object", b"x")

    assert not_empty.value.http_status == 409
    assert gone.value.http_status == 404
    assert missing_container.value.http_status == 404


def test_connection_listing_prefix_delimiter(connection):
    container = unique("listing")
    connection.put_container(container)
    for name in ("a/1", "a/2", "b", "c/d/e"):
        connection.put_object(container, name, name.encode())

    _, everything = connection.get_container(container, full_listing=True)
    _, top = connection.get_container(container, delimiter="/")
    _, under_a = connection.get_container(container, prefix="a/")

    assert [entry["name"] for entry in everything] == ["a/1", "a/2", "b", "c/d/e"]
    assert [entry.get("name", entry.get("subdir")) for entry in top] == ["a/", "b", "c/"]
    assert [entry["name"] for entry in under_a] == ["a/1", "a/2"]


# -- swiftclient.service.SwiftService ------------------------------------------------------


def make_folder(root: Path) -> dict[str, bytes]:
    """Write a small tree of files with awkward names; return relative name -> content."""
    files = {
        "a.txt": b"first file\n",
        "sub dir/b é.csv": b"x,y\n1,2\n",
        "sub dir/nested/c #1.bin": os.urandom(100_000),
        "empty.dat": b"",
    }
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return files


def assert_all_succeeded(results, action: str) -> list[dict]:
    results = list(results)
    failed = [result for result in results if not result["success"]]
    assert not failed, f"{action} failed: {[(r.get('object'), r.get('error')) for r in failed]}"
    return results


def test_service_upload_list_download_delete(service, tmp_path):
    container = unique("service")
    source = tmp_path / "source"
    files = make_folder(source)

    uploads = [SwiftUploadObject(str(source / name), object_name=name) for name in files]
    assert_all_succeeded(service.upload(container, uploads), "upload")
    listed = [item["name"] for page in service.list(container) for item in assert_all_succeeded([page], "list")[0]["listing"]]
    downloads = assert_all_succeeded(service.download(container, options={"out_directory": str(tmp_path / "out")}), "download")

    assert sorted(listed) == sorted(files)
    assert sorted(result["object"] for result in downloads) == sorted(files)
    for name, content in files.items():
        assert (tmp_path / "out" / name).read_bytes() == content, name

    assert_all_succeeded(service.delete(container), "delete")
    with pytest.raises(SwiftError, match="not found"):
        service.stat(container)


@pytest.mark.parametrize("use_slo", [None, False], ids=["slo-from-info", "dlo"])
def test_service_segmented_upload(service, tmp_path, use_slo):
    container = unique("segmented")
    content = os.urandom(250_000)
    (tmp_path / "big.bin").write_bytes(content)

    upload = SwiftUploadObject(str(tmp_path / "big.bin"), object_name="big file.bin")
    options = {"segment_size": 100_000, "use_slo": use_slo}
    results = assert_all_succeeded(service.upload(container, [upload], options=options), "segmented upload")
    [stat] = service.stat(container, ["big file.bin"])
    segments = [item["name"] for page in service.list(f"{container}_segments") for item in page["listing"]]
    downloads = assert_all_succeeded(service.download(container, options={"out_directory": str(tmp_path / "out")}), "download")

    assert sum(1 for result in results if result["action"] == "upload_segment") == 3
    assert len(segments) == 3
    headers = stat["headers"]
    if use_slo is None:
        # With no use_slo option, swiftclient reads /info and picks SLO when it is listed.
        assert headers.get("x-static-large-object", "").lower() == "true"
    else:
        assert headers.get("x-object-manifest", "").startswith(f"{container}_segments/")
    assert headers["content-length"] == str(len(content))
    assert [result["object"] for result in downloads] == ["big file.bin"]
    assert (tmp_path / "out" / "big file.bin").read_bytes() == content

    assert_all_succeeded(service.delete(container), "delete")
    leftover = [item for page in service.list(f"{container}_segments") if page["success"] for item in page["listing"]]
    assert leftover == []
