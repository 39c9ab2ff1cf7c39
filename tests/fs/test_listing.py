"""Listings: pseudo-folders, directory markers, info, find, glob, walk and the listing cache."""

from __future__ import annotations

import datetime
import hashlib

import pytest

from ovhub_jupyter.fs import SwiftFileSystem

ENTRY_KEYS = {"name", "size", "type", "etag", "last_modified", "content_type", "large_object"}


def fill(fs, container, names):
    for name in names:
        fs.pipe_file(f"{container}/{name}", name.encode("utf-8"))


def test_ls_gives_files_and_pseudo_folders(any_fs, container):
    fill(any_fs, container, ["top.csv", "sub/a.txt", "sub/deeper/b.txt"])

    top = any_fs.ls(container, detail=True)
    sub = any_fs.ls(f"{container}/sub", detail=False)

    assert [(entry["name"], entry["type"]) for entry in top] == [
        (f"{container}/sub", "directory"),
        (f"{container}/top.csv", "file"),
    ]
    assert sub == [f"{container}/sub/a.txt", f"{container}/sub/deeper"]
    csv = top[1]
    assert ENTRY_KEYS <= csv.keys()
    assert csv["size"] == len(b"top.csv")
    assert csv["etag"] == hashlib.md5(b"top.csv").hexdigest()
    assert isinstance(csv["last_modified"], datetime.datetime)
    assert csv["content_type"] == "text/csv"


def test_ls_of_account_lists_containers(any_fs, container):
    entries = any_fs.ls("", detail=True)

    names = [entry["name"] for entry in entries]
    assert container in names
    assert all(entry["type"] == "directory" for entry in entries)


def test_ls_of_file_lists_the_file(any_fs, container):
    fill(any_fs, container, ["only.txt"])

    assert any_fs.ls(f"{container}/only.txt", detail=False) == [f"{container}/only.txt"]


def test_ls_of_missing_paths_raises(any_fs, container):
    with pytest.raises(FileNotFoundError):
        any_fs.ls(f"{container}/nothing-here")
    with pytest.raises(FileNotFoundError):
        any_fs.ls("no-such-container-3f9a")


def test_both_marker_styles_are_folders(any_fs, container):
    storage = any_fs.storage
    storage.upload_bytes(container, "typed", b"", content_type="application/directory")
    storage.upload_bytes(container, "slashed/", b"", content_type="application/octet-stream")
    fill(any_fs, container, ["typed/inside.txt"])

    entries = {entry["name"]: entry for entry in any_fs.ls(container)}

    assert sorted(entries) == [f"{container}/slashed", f"{container}/typed"]
    assert entries[f"{container}/typed"]["type"] == "directory"
    assert entries[f"{container}/typed"]["marker"] == "typed"
    assert entries[f"{container}/slashed"]["type"] == "directory"
    assert any_fs.ls(f"{container}/slashed") == []
    assert any_fs.isdir(f"{container}/typed")
    assert any_fs.isdir(f"{container}/slashed")


def test_hubic_seed_folders_are_directories(hubic_fs):
    entries = {entry["name"]: entry["type"] for entry in hubic_fs.ls("default")}

    assert entries["default/Documents"] == "directory"
    assert entries["default/datasets"] == "directory"
    assert hubic_fs.ls("default/Photos") == []
    assert hubic_fs.info("default/Documents")["content_type"] == "application/directory"


def test_mkdir_writes_marker_or_container(any_fs, container):
    new_container = container + "-made"
    try:
        any_fs.mkdir(new_container)
        any_fs.mkdir(f"{container}/empty/folder")

        assert any_fs.storage.container_exists(new_container)
        assert any_fs.storage.object_exists(container, "empty/folder/")
        assert any_fs.isdir(f"{container}/empty")
        assert any_fs.ls(f"{container}/empty/folder") == []
        with pytest.raises(FileExistsError):
            any_fs.mkdir(f"{container}/empty/folder")
        with pytest.raises(FileExistsError):
            any_fs.mkdir(new_container)
    finally:
        any_fs.rm(new_container, recursive=True)


def test_hubic_mkdir_writes_typed_marker(hubic_fs):
    try:
        hubic_fs.mkdir("default/made-by-test")
        stat = hubic_fs.storage.stat_object("default", "made-by-test")

        assert stat.content_type == "application/directory"
        assert stat.bytes == 0
        assert hubic_fs.info("default/made-by-test")["type"] == "directory"
    finally:
        hubic_fs.rm("default/made-by-test", recursive=True)
    assert not hubic_fs.exists("default/made-by-test")


def test_info_of_each_kind(any_fs, container):
    fill(any_fs, container, ["dir/file.txt"])

    assert any_fs.info("")["type"] == "directory"
    assert any_fs.info(container)["type"] == "directory"
    assert any_fs.info(f"{container}/dir")["type"] == "directory"
    assert any_fs.info(f"{container}/dir/file.txt")["size"] == len(b"dir/file.txt")
    with pytest.raises(FileNotFoundError):
        any_fs.info(f"{container}/dir/missing.txt")
    assert any_fs.exists(f"{container}/dir")
    assert not any_fs.exists(f"{container}/di")
    assert any_fs.isfile(f"{container}/dir/file.txt")
    assert not any_fs.isdir(f"{container}/dir/file.txt")


def test_find_lists_every_level(any_fs, container):
    fill(any_fs, container, ["a.txt", "x/b.txt", "x/y/c.txt", "x/y/z/d.txt"])
    any_fs.mkdir(f"{container}/empty")

    files = any_fs.find(container)
    everything = any_fs.find(container, withdirs=True)
    shallow = any_fs.find(container, maxdepth=2)

    assert files == [f"{container}/{name}" for name in ["a.txt", "x/b.txt", "x/y/c.txt", "x/y/z/d.txt"]]
    assert everything == [
        container,
        *(f"{container}/{name}" for name in ["a.txt", "empty", "x", "x/b.txt", "x/y", "x/y/c.txt", "x/y/z", "x/y/z/d.txt"]),
    ]
    assert shallow == [f"{container}/a.txt", f"{container}/x/b.txt"]
    assert any_fs.find(f"{container}/a.txt") == [f"{container}/a.txt"]
    assert any_fs.find(f"{container}/missing") == []


def test_glob_and_walk(any_fs, container):
    fill(any_fs, container, ["2024/01.csv", "2024/02.csv", "2024/notes.txt", "2025/01.csv"])

    csvs = any_fs.glob(f"{container}/*/*.csv")
    deep = any_fs.glob(f"swift://{container}/**/01.csv")
    walked = list(any_fs.walk(container))

    assert csvs == [f"{container}/2024/01.csv", f"{container}/2024/02.csv", f"{container}/2025/01.csv"]
    assert deep == [f"{container}/2024/01.csv", f"{container}/2025/01.csv"]
    assert walked == [
        (container, ["2024", "2025"], []),
        (f"{container}/2024", [], ["01.csv", "02.csv", "notes.txt"]),
        (f"{container}/2025", [], ["01.csv"]),
    ]


def test_names_round_trip_byte_for_byte(any_fs, container):
    names = ["été/naïve file.txt", "odd#?&+%.txt", "a//b.txt"]
    fill(any_fs, container, names)

    found = any_fs.find(container)

    assert found == sorted(f"{container}/{name}" for name in names)
    for name in names:
        assert any_fs.cat_file(f"{container}/{name}") == name.encode("utf-8")


def test_listing_cache_invalidated_by_writes(sandbox, sandbox_options, sandbox_container):
    fs = SwiftFileSystem(skip_instance_cache=True, **sandbox_options)
    fill(fs, sandbox_container, ["one.txt"])
    fs.ls(sandbox_container)
    before = sandbox.request_count()

    fs.ls(sandbox_container)
    fs.info(f"{sandbox_container}/one.txt")
    cached_requests = sandbox.request_count() - before
    fs.pipe_file(f"{sandbox_container}/two.txt", b"2")
    after_write = fs.ls(sandbox_container, detail=False)
    fs.rm(f"{sandbox_container}/one.txt")
    after_delete = fs.ls(sandbox_container, detail=False)

    assert cached_requests == 0
    assert after_write == [f"{sandbox_container}/one.txt", f"{sandbox_container}/two.txt"]
    assert after_delete == [f"{sandbox_container}/two.txt"]


def test_refresh_sees_changes_made_elsewhere(swift_fs, sandbox_container):
    fill(swift_fs, sandbox_container, ["one.txt"])
    swift_fs.ls(sandbox_container)
    swift_fs.storage.upload_bytes(sandbox_container, "from-elsewhere.txt", b"x")

    cached = swift_fs.ls(sandbox_container, detail=False)
    refreshed = swift_fs.ls(sandbox_container, detail=False, refresh=True)
    swift_fs.invalidate_cache()

    assert cached == [f"{sandbox_container}/one.txt"]
    assert refreshed == [f"{sandbox_container}/from-elsewhere.txt", f"{sandbox_container}/one.txt"]
    assert swift_fs.exists(f"{sandbox_container}/from-elsewhere.txt")


def test_dynamic_large_object_reports_real_size(any_fs, container):
    storage = any_fs.storage
    storage.upload_bytes(container, "parts/0", b"abc")
    storage.upload_bytes(container, "parts/1", b"def")
    storage.request(
        "PUT", container, "joined", headers={"X-Object-Manifest": f"{container}/parts/"}, data=b"", operation="test"
    )
    any_fs.ls(container)

    assert any_fs.info(f"{container}/joined")["size"] == 6
    assert any_fs.cat_file(f"{container}/joined") == b"abcdef"
    with any_fs.open(f"{container}/joined") as handle:
        assert handle.read() == b"abcdef"


def test_du_sums_sizes_from_listings(sandbox, swift_fs, sandbox_container):
    fill(swift_fs, sandbox_container, ["d/a.txt", "d/b/c.txt", "other.txt"])
    first = sandbox.request_count()

    total = swift_fs.du(f"{sandbox_container}/d")
    sizes = swift_fs.du(f"{sandbox_container}/d", total=False)
    sent = sandbox.requests()[-(sandbox.request_count() - first):]

    assert total == len(b"d/a.txt") + len(b"d/b/c.txt")
    assert sizes == {f"{sandbox_container}/d/a.txt": 7, f"{sandbox_container}/d/b/c.txt": 9}
    assert {entry["method"] for entry in sent} == {"GET"}
