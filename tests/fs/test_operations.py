"""Deletes, copies, uploads, downloads, touch and temp URLs through the file system."""

from __future__ import annotations

import os
import time

import pytest
import requests
from fsspec.callbacks import Callback

from ovhub_jupyter.fs import SwiftFileSystem

SEGMENT = 1024 * 1024


def account_path(fs):
    """Return the storage URL's path (``/v1/AUTH_x``), as the sandbox logs requests."""
    return "/" + fs.provider.get().storage_url.split("/", 3)[3]


def test_recursive_rm_uses_bulk_delete(sandbox, swift_fs, sandbox_container):
    for index in range(12):
        swift_fs.pipe_file(f"{sandbox_container}/logs/{index:02d}.txt", b"x")
    swift_fs.mkdir(f"{sandbox_container}/logs/empty")
    swift_fs.pipe_file(f"{sandbox_container}/kept.txt", b"k")
    first = sandbox.request_count()

    swift_fs.rm(f"{sandbox_container}/logs", recursive=True)
    sent = sandbox.requests()[-(sandbox.request_count() - first):]

    assert swift_fs.find(sandbox_container, withdirs=True) == [sandbox_container, f"{sandbox_container}/kept.txt"]
    assert [entry["method"] for entry in sent if entry["query"] == "bulk-delete"] == ["POST"]
    assert not [entry for entry in sent if entry["method"] == "DELETE"]


def test_rm_of_large_object_deletes_segments(any_fs, container):
    fs = SwiftFileSystem(skip_instance_cache=True, segment_size=SEGMENT, provider=any_fs.provider)
    fs.pipe_file(f"{container}/big.bin", os.urandom(2 * SEGMENT + 1))
    assert fs.storage.list_objects(container + "_segments")

    fs.rm(f"{container}/big.bin")

    assert not fs.exists(f"{container}/big.bin")
    assert fs.storage.list_objects(container + "_segments") == []


def test_rm_of_missing_file_raises(any_fs, container):
    with pytest.raises(FileNotFoundError):
        any_fs.rm(f"{container}/never-written.txt")
    with pytest.raises(FileNotFoundError):
        any_fs.rm(f"{container}/never-written", recursive=True)


def test_rm_of_container_deletes_it(any_fs, container):
    doomed = container + "-doomed"
    any_fs.mkdir(doomed)
    any_fs.pipe_file(f"{doomed}/a/b.txt", b"b")

    any_fs.rm(doomed, recursive=True)

    assert not any_fs.storage.container_exists(doomed)
    assert doomed not in any_fs.ls("", detail=False)


def test_rmdir_only_removes_empty_folders(any_fs, container):
    any_fs.mkdir(f"{container}/full")
    any_fs.pipe_file(f"{container}/full/file.txt", b"f")
    any_fs.mkdir(f"{container}/empty")

    with pytest.raises(OSError, match="not empty"):
        any_fs.rmdir(f"{container}/full")
    any_fs.rmdir(f"{container}/empty")

    assert not any_fs.exists(f"{container}/empty")
    assert any_fs.isdir(f"{container}/full")
    with pytest.raises(OSError, match="not empty"):
        any_fs.rmdir(container)


def test_copy_happens_on_the_server(sandbox, swift_fs, sandbox_container):
    source = f"{sandbox_container}/source.bin"
    data = os.urandom(200_000)
    swift_fs.pipe_file(source, data)
    first = sandbox.request_count()

    swift_fs.cp(source, f"{sandbox_container}/copies/copy.bin")
    sent = sandbox.requests()[-(sandbox.request_count() - first):]
    source_path = f"{account_path(swift_fs)}/{source}"

    assert swift_fs.cat_file(f"{sandbox_container}/copies/copy.bin") == data
    assert not [entry for entry in sent if entry["path"] == source_path and entry["method"] == "GET"]
    assert [entry["method"] for entry in sent if entry["path"].endswith("/copies/copy.bin") and entry["method"] != "HEAD"] == ["PUT"]


def test_copy_of_missing_source_raises(any_fs, container):
    with pytest.raises(FileNotFoundError):
        any_fs.cp(f"{container}/missing.txt", f"{container}/copy.txt")


def test_move_copies_then_deletes(any_fs, container):
    any_fs.pipe_file(f"{container}/old/name.txt", b"moving")

    any_fs.mv(f"{container}/old", f"{container}/new", recursive=True)

    assert any_fs.cat_file(f"{container}/new/name.txt") == b"moving"
    assert not any_fs.exists(f"{container}/old")


class ByteCounter(Callback):
    def __init__(self) -> None:
        super().__init__()
        self.updates = 0

    def call(self, *args, **kwargs) -> None:
        self.updates += 1


def test_put_get_large_file_round_trip(any_fs, container, tmp_path):
    fs = SwiftFileSystem(skip_instance_cache=True, segment_size=SEGMENT, provider=any_fs.provider)
    local = tmp_path / "in.bin"
    data = os.urandom(2 * SEGMENT + 99)
    local.write_bytes(data)
    os.utime(local, (1_700_000_000, 1_700_000_000))
    sent, received = ByteCounter(), ByteCounter()

    fs.put_file(str(local), f"{container}/up/in.bin", callback=sent)
    fs.get_file(f"{container}/up/in.bin", str(tmp_path / "out" / "out.bin"), callback=received)

    assert (tmp_path / "out" / "out.bin").read_bytes() == data
    assert os.path.getmtime(tmp_path / "out" / "out.bin") == 1_700_000_000
    assert fs.storage.stat_object(container, "up/in.bin").large_object == "slo"
    assert sent.value == len(data)
    assert received.value == len(data)
    assert not list((tmp_path / "out").glob("*.ovhub-part"))


def test_put_create_mode_refuses_existing(any_fs, container, tmp_path):
    local = tmp_path / "local.txt"
    local.write_bytes(b"new")
    any_fs.pipe_file(f"{container}/there.txt", b"old")

    with pytest.raises(FileExistsError):
        any_fs.put_file(str(local), f"{container}/there.txt", mode="create")
    assert any_fs.cat_file(f"{container}/there.txt") == b"old"


def test_write_to_missing_container_fails(any_fs):
    with pytest.raises(FileNotFoundError, match="create it first"):
        any_fs.pipe_file("no-such-container-77c1/file.txt", b"x")


def test_touch_creates_or_updates_time(any_fs, container):
    path = f"{container}/touched.txt"
    any_fs.touch(path)
    created = any_fs.info(path)
    any_fs.pipe_file(path, b"content")
    stored = any_fs.info(path)["last_modified"]
    time.sleep(1.1)

    any_fs.touch(path, truncate=False)
    touched = any_fs.info(path)

    assert created["size"] == 0
    assert touched["size"] == len(b"content")
    assert touched["last_modified"] > stored
    assert any_fs.cat_file(path) == b"content"


def test_cat_ranges_reads_several_objects(any_fs, container):
    any_fs.pipe_file(f"{container}/a.bin", b"0123456789")
    any_fs.pipe_file(f"{container}/b.bin", b"abcdefghij")

    parts = any_fs.cat_ranges(
        [f"{container}/a.bin", f"{container}/b.bin", f"{container}/missing.bin"], [2, 0, 0], [5, None, 4]
    )

    assert parts[:2] == [b"234", b"abcdefghij"]
    assert isinstance(parts[2], FileNotFoundError)


def test_sign_gives_working_temp_url(any_fs, container):
    any_fs.pipe_file(f"{container}/shared.txt", b"shared bytes")

    url = any_fs.sign(f"{container}/shared.txt", expiration=60)
    response = requests.get(url, timeout=10)

    assert response.status_code == 200
    assert response.content == b"shared bytes"


def test_rm_of_full_folder_needs_recursive(any_fs, container):
    any_fs.pipe_file(f"{container}/full/file.txt", b"f")
    any_fs.mkdir(f"{container}/empty")

    with pytest.raises(IsADirectoryError, match="recursive=True"):
        any_fs.rm(f"{container}/full")
    any_fs.rm(f"{container}/empty")

    assert any_fs.exists(f"{container}/full/file.txt")
    assert not any_fs.exists(f"{container}/empty")
